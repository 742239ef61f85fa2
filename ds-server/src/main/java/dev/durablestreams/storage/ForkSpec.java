package dev.durablestreams.storage;

import dev.durablestreams.protocol.Offset;

/**
 * The fork part of a create request.
 *
 * @param sourcePath the stream forked from
 * @param offset where the fork branches off, or {@code null} for the source's tail
 * @param subOffset how many bytes (or JSON messages) of the append starting at {@code offset} to take; 0 = none
 */
public record ForkSpec(String sourcePath, Offset offset, long subOffset) {}
