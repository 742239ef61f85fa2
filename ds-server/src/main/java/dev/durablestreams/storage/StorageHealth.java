package dev.durablestreams.storage;

import java.util.concurrent.atomic.LongAdder;

/**
 * Whether storage currently accepts writes, as seen from commit outcomes: a failed commit marks it failing (with
 * the failure's kind), the next successful commit clears it. Also counts commit failures by kind. Costs one
 * volatile read per successful commit.
 */
public final class StorageHealth {
    /** For stores that do not track their health; never marked failing by anyone. */
    public static final StorageHealth UNTRACKED = new StorageHealth();

    private final LongAdder[] failures = new LongAdder[StreamError.Kind.values().length];
    private volatile boolean failing;
    private volatile StreamError.Kind lastFailure;
    private volatile long lastFailureMillis;

    public StorageHealth() {
        for (int i = 0; i < failures.length; i++) failures[i] = new LongAdder();
    }

    /** A commit failed: storage refused or lost the write. */
    public void commitFailed(StreamError.Kind kind) {
        failures[kind.ordinal()].increment();
        lastFailure = kind;
        lastFailureMillis = System.currentTimeMillis();
        failing = true;
    }

    /** A commit reached storage: writes are accepted again. */
    public void commitSucceeded() {
        if (failing) failing = false;
    }

    /** True from a failed commit until the next successful one. */
    public boolean failing() {
        return failing;
    }

    /** Kind of the most recent failed commit, or {@code null} if none failed since start. */
    public StreamError.Kind lastFailure() {
        return lastFailure;
    }

    /** Wall-clock time of the most recent failed commit, 0 if none. */
    public long lastFailureMillis() {
        return lastFailureMillis;
    }

    /** Commits failed with {@code kind} since start. */
    public long failures(StreamError.Kind kind) {
        return failures[kind.ordinal()].sum();
    }
}
