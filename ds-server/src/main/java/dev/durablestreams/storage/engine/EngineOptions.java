package dev.durablestreams.storage.engine;

/**
 * Limits the engine enforces before anything is written.
 *
 * @param maxStreamBytes bytes one stream may hold (its own data, not inherited fork data); 413 beyond
 * @param maxTotalBytes bytes all streams together may hold; 507 beyond
 * @param maxForkDepth how many forks deep a chain may go (a stream that is not a fork has depth 0); a fork beyond
 *     it is refused with 400, since every read and delete walks the chain
 */
public record EngineOptions(long maxStreamBytes, long maxTotalBytes, int maxForkDepth) {
    /** The default of {@code --max-fork-depth}. */
    public static final int DEFAULT_MAX_FORK_DEPTH = 100;

    /** No size limits; the default fork depth. */
    public static final EngineOptions UNLIMITED =
            new EngineOptions(Long.MAX_VALUE, Long.MAX_VALUE, DEFAULT_MAX_FORK_DEPTH);

    /** Size limits with the default fork depth. */
    public EngineOptions(long maxStreamBytes, long maxTotalBytes) {
        this(maxStreamBytes, maxTotalBytes, DEFAULT_MAX_FORK_DEPTH);
    }

    public EngineOptions {
        if (maxForkDepth < 0) throw new IllegalArgumentException("maxForkDepth must not be negative");
    }
}
