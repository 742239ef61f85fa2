package dev.durablestreams.storage.engine;

import dev.durablestreams.protocol.JsonMessages;
import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;

/**
 * The initial data of a create, validated before the engine takes its structure lock: parsing a large JSON body
 * must not hold up every other create and delete. A parse error is kept, not thrown, so it is reported in its
 * place in the check order (an identical existing stream answers 200 whatever the body).
 */
final class InitialBody {
    private final byte[] body;
    private final boolean parsedAsJson;
    private final byte[] stored;
    private final ProtocolException error;

    private InitialBody(byte[] body, boolean parsedAsJson, byte[] stored, ProtocolException error) {
        this.body = body;
        this.parsedAsJson = parsedAsJson;
        this.stored = stored;
        this.error = error;
    }

    /** Validates {@code body} for the content type the stream is expected to get. */
    static InitialBody parse(byte[] body, String expectedContentType) {
        if (body.length == 0 || !MediaType.isJson(expectedContentType)) return new InitialBody(body, false, body, null);
        try {
            return new InitialBody(body, true, JsonMessages.parse(body).stored(), null);
        } catch (ProtocolException e) {
            return new InitialBody(body, true, null, e);
        }
    }

    /**
     * The bytes to store for a stream of {@code contentType}; 400 for invalid JSON. Parses again only in the rare
     * case the type differs from the expected one (a fork source re-created meanwhile with another type).
     */
    byte[] storedAs(String contentType) {
        boolean json = body.length > 0 && MediaType.isJson(contentType);
        InitialBody b = json == parsedAsJson ? this : parse(body, contentType);
        if (b.error != null) throw new StreamError(Kind.BAD_REQUEST, b.error.getMessage());
        return b.stored;
    }
}
