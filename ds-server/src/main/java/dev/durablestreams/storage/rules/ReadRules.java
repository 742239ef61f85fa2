package dev.durablestreams.storage.rules;

import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.StreamError;

/** Where a read starts, as every backend decides it. */
public final class ReadRules {
    private ReadRules() {}

    /**
     * The byte position a read from {@code from} starts at on a stream whose tail is {@code tail}.
     *
     * @throws StreamError (bad request) for an offset this stream never issued
     */
    public static long start(ReadFrom from, long tail) {
        try {
            return from.startIn(tail);
        } catch (ProtocolException e) {
            throw new StreamError(StreamError.Kind.BAD_REQUEST, e.getMessage());
        }
    }
}
