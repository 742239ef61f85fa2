package dev.durablestreams.metrics;

import dev.durablestreams.storage.StorageHealth;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamStore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the server should get traffic: not while it drains, and not while storage refuses writes. While storage
 * is failing each check starts (at most one at a time) an empty probe commit, so readiness comes back once
 * storage accepts writes again even when no client writes.
 */
public final class Readiness {
    /** Why the server is not ready; {@code code} is stable for scripts, {@code detail} is for people. */
    public record NotReady(String code, String detail) {}

    private final StreamStore store;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean draining;

    public Readiness(StreamStore store) {
        this.store = store;
    }

    /** From now on the server is not ready: it is shutting down. */
    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** {@code null} when ready. */
    public NotReady check() {
        if (draining) return new NotReady("draining", "the server is shutting down");
        StorageHealth h = store.health();
        if (!h.failing()) return null;
        if (probing.compareAndSet(false, true)) {
            store.probeWrite().whenComplete((v, err) -> probing.set(false));
        }
        return h.lastFailure() == StreamError.Kind.INSUFFICIENT_STORAGE
                ? new NotReady("storage_full", "storage is full; the last write failed")
                : new NotReady("storage_failing", "storage refused the last write");
    }
}
