package dev.durablestreams.storage.rules;

import dev.durablestreams.protocol.Lifetime;
import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.Producer;
import java.time.Instant;

/**
 * The persisted form of a stream's metadata; one record per stream, rewritten by every commit that changes it.
 * Producer states are persisted separately (one record per producer) so a commit rewrites only what changed.
 *
 * @param ttlSeconds -1 when none
 * @param expiresAtMillis -1 when none
 * @param forkSourceId -1 when the stream is not a fork
 * @param closedBy the producer whose close-request closed the stream, or {@code null}
 * @param lastSeq the last accepted {@code Stream-Seq}, or {@code null}
 */
public record StreamMeta(
        long id, String path, String contentType, long ttlSeconds, long expiresAtMillis, long createdAtMillis,
        long forkSourceId, long forkOffset, long forkSubOffset,
        long tail, boolean closed, Producer closedBy, String lastSeq, int refCount, boolean softDeleted,
        long lastAccessMillis) {

    /** The sliding TTL in seconds, or {@code null}. */
    public Long ttl() {
        return ttlSeconds < 0 ? null : ttlSeconds;
    }

    /** The absolute expiry, or {@code null}. */
    public Instant expiresAt() {
        return expiresAtMillis < 0 ? null : Instant.ofEpochMilli(expiresAtMillis);
    }

    /** Whether appends are validated and stored as JSON messages. */
    public boolean json() {
        return MediaType.isJson(contentType);
    }

    /** Bytes the stream holds itself: a fork's inherited range is its source's. */
    public long ownBytes() {
        return tail - forkOffset;
    }

    /** Whether the stream has ended by itself at {@code nowMillis} (see {@link Lifetime#isExpired}). */
    public boolean isExpired(long nowMillis) {
        return Lifetime.isExpired(ttl(), expiresAt(), lastAccessMillis, nowMillis);
    }

    /** This metadata after an accepted append: the new tail, closed flag, closing producer and Stream-Seq. */
    public StreamMeta appended(long newTail, boolean newClosed, Producer newClosedBy, String newLastSeq) {
        return new StreamMeta(id, path, contentType, ttlSeconds, expiresAtMillis, createdAtMillis, forkSourceId,
                forkOffset, forkSubOffset, newTail, newClosed, newClosedBy, newLastSeq, refCount, softDeleted,
                lastAccessMillis);
    }
}
