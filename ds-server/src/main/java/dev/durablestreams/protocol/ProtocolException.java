package dev.durablestreams.protocol;

/** A request the protocol rejects before any storage work; carries the HTTP status to answer with. */
public class ProtocolException extends RuntimeException {
    private final int status;

    public ProtocolException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static ProtocolException badRequest(String message) {
        return new ProtocolException(400, message);
    }

    public int status() {
        return status;
    }
}
