package dev.durablestreams.storage.engine;

/**
 * Limits the engine enforces before anything is written.
 *
 * @param maxStreamBytes bytes one stream may hold (its own data, not inherited fork data); 413 beyond
 * @param maxTotalBytes bytes all streams together may hold; 507 beyond
 */
public record EngineOptions(long maxStreamBytes, long maxTotalBytes) {
    public static final EngineOptions UNLIMITED = new EngineOptions(Long.MAX_VALUE, Long.MAX_VALUE);
}
