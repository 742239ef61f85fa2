package dev.durablestreams.storage.rules;

/**
 * The rules of a DELETE: a stream that forks still read through is soft-deleted (410 to its clients, its path and
 * data kept); otherwise it is purged, and purging its last fork purges a soft-deleted source too, up the chain.
 */
public final class Deletion {
    private Deletion() {}

    /** Whether deleting a stream with {@code refCount} forks reading through it keeps it as soft-deleted. */
    public static boolean isSoft(int refCount) {
        return refCount > 0;
    }

    /** Whether purging a stream's fork purges the stream too: it is soft-deleted and that fork was its last. */
    public static boolean purgedWithLastFork(boolean softDeleted, int refCount) {
        return softDeleted && refCount == 1;
    }
}
