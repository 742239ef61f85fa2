package dev.durablestreams.storage;

import dev.durablestreams.protocol.Producer;

/**
 * A POST: append data, close, or both atomically.
 *
 * @param contentType as sent (required by the transport when the body is non-empty)
 * @param body the data; empty only together with {@code close} (close-only)
 * @param streamSeq the {@code Stream-Seq} writer coordination value, or {@code null}
 * @param producer idempotent-producer triple, or {@code null}
 */
public record AppendRequest(
        String path, String contentType, byte[] body, boolean close, String streamSeq, Producer producer) {

    public boolean closeOnly() {
        return close && body.length == 0;
    }
}
