package dev.durablestreams.storage.engine;

/** Told about each group commit a log writes; lets the metrics layer watch the writer without the log knowing it. */
@FunctionalInterface
public interface CommitObserver {
    CommitObserver NONE = (commits, syncNanos) -> { };

    /** One group of {@code commits} was written and synced in {@code syncNanos}. Called on the writer thread. */
    void group(int commits, long syncNanos);
}
