package dev.durablestreams.storage.engine;

import dev.durablestreams.protocol.Producer;

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
        long lastAccessMillis) {}
