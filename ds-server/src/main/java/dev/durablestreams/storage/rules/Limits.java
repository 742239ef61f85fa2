package dev.durablestreams.storage.rules;

import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;

/**
 * Size limits checked before anything is written.
 *
 * @param maxStreamBytes bytes one stream may hold (its own data, not inherited fork data); 413 beyond
 * @param maxTotalBytes bytes all streams together may hold; 507 beyond
 */
public record Limits(long maxStreamBytes, long maxTotalBytes) {

    /** No limits. */
    public static final Limits NONE = new Limits(Long.MAX_VALUE, Long.MAX_VALUE);

    /**
     * Refuses a write that would leave its stream holding {@code streamBytesAfter} (413) or add {@code added} bytes
     * to the {@code totalBytes} all streams hold now (507).
     */
    public void check(long streamBytesAfter, long added, long totalBytes) {
        if (streamBytesAfter > maxStreamBytes) {
            throw new StreamError(Kind.TOO_LARGE, "stream would exceed its size limit");
        }
        if (added > 0 && totalBytes + added > maxTotalBytes) {
            throw new StreamError(Kind.INSUFFICIENT_STORAGE, "storage is full");
        }
    }
}
