package dev.durablestreams.storage;

import java.util.Map;

/**
 * Every way a storage operation can refuse, with the HTTP status it maps to. The transport turns this into a
 * response in one place; {@link #headers()} carries protocol headers the status needs (e.g.
 * {@code Producer-Expected-Seq} on a sequence gap).
 */
public final class StreamError extends RuntimeException {

    /** Error classes, each with one HTTP status. */
    public enum Kind {
        BAD_REQUEST(400), STALE_EPOCH(403), NOT_FOUND(404), CONFLICT(409), GONE(410),
        TOO_LARGE(413), UNAVAILABLE(503), INSUFFICIENT_STORAGE(507);

        public final int status;

        Kind(int status) {
            this.status = status;
        }
    }

    private final Kind kind;
    private final Map<String, String> headers;

    public StreamError(Kind kind, String message) {
        this(kind, message, Map.of());
    }

    public StreamError(Kind kind, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.kind = kind;
        this.headers = headers;
    }

    public static StreamError notFound() {
        return new StreamError(Kind.NOT_FOUND, "stream not found");
    }

    public static StreamError gone() {
        return new StreamError(Kind.GONE, "stream was deleted");
    }

    public Kind kind() {
        return kind;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
