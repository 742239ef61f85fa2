package dev.durablestreams.subscription;

import java.util.Map;

/**
 * A refused subscription request: an HTTP status and a protocol error code, answered as
 * {@code {"error":{"code":..., "message":..., ...extra}}}.
 */
public final class SubscriptionError extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> extra;

    public SubscriptionError(int status, String code, String message, Map<String, Object> extra) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.extra = extra;
    }

    public SubscriptionError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public static SubscriptionError invalid(String message) {
        return new SubscriptionError(400, "INVALID_REQUEST", message);
    }

    public static SubscriptionError notFound() {
        return new SubscriptionError(404, "SUBSCRIPTION_NOT_FOUND", "no such subscription");
    }

    public static SubscriptionError fenced(String message) {
        return new SubscriptionError(409, "FENCED", message);
    }

    public static SubscriptionError invalidOffset(String message) {
        return new SubscriptionError(409, "INVALID_OFFSET", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> extra() {
        return extra;
    }
}
