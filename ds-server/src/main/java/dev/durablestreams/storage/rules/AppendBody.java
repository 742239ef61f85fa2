package dev.durablestreams.storage.rules;

import dev.durablestreams.protocol.JsonMessages;
import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.storage.AppendRequest;

/**
 * An append's body, validated before any lock is taken (bodies may be large). A JSON error is kept, not thrown, so
 * {@link AppendRules} reports it in its place in the check order.
 *
 * @param stored the bytes to store (JSON messages flattened), or {@code null} when {@code error} is set
 * @param messages JSON messages in the body, or -1 for other content types
 * @param error why a JSON body is invalid, or {@code null}
 */
public record AppendBody(byte[] stored, int messages, ProtocolException error) {

    /** Validates {@code req}'s body for a stream whose appends are JSON when {@code json}. */
    public static AppendBody parse(boolean json, AppendRequest req) {
        if (!json || req.closeOnly()) return new AppendBody(req.body(), -1, null);
        try {
            JsonMessages.Batch batch = JsonMessages.parse(req.body());
            return new AppendBody(batch.stored(), batch.count(), null);
        } catch (ProtocolException e) {
            return new AppendBody(null, -1, e);
        }
    }
}
