package dev.durablestreams.storage;

import dev.durablestreams.protocol.Offset;

/**
 * Outcome of an accepted append or close.
 *
 * @param producerEpoch epoch to echo, or -1 without producer headers
 * @param producerSeq seq to echo: the request's when applied, the highest accepted when {@code duplicate}
 * @param duplicate an idempotent retry that wrote nothing
 */
public record AppendResult(Offset next, boolean closed, long producerEpoch, long producerSeq, boolean duplicate) {}
