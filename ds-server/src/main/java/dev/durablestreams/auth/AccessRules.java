package dev.durablestreams.auth;

import java.util.List;

/**
 * Which actions a request needs, as a pure function of its method, path and fork source. Paths under
 * {@code /v1/stream/} are checked against grant prefixes by their stream path; the subscription namespace
 * ({@code __ds/}) needs {@code admin}, except its public key set, the routes that carry a wake's own token
 * (ack, callback, release), and a pull-wake claim, which needs {@code read} on the subscription's wake stream; other
 * paths need {@code admin} over every stream, except the health probes.
 */
public final class AccessRules {
    /** The stream root; stream paths are what follows it. */
    public static final String ROOT = "/v1/stream/";
    static final String RESERVED = "__ds/";
    static final List<String> OPEN_PATHS = List.of("/healthz", "/readyz");

    private AccessRules() {}

    /**
     * One action needed on one stream path. {@link #WAKE_STREAM} stands for the wake stream of the subscription a
     * pull-wake claim names, known only to the subscription service: the request must carry a valid credential here,
     * and the service checks the action on the wake stream.
     */
    public record Need(String path, Action action) {}

    /** The path of a {@link Need} on a claim's wake stream, decided later. */
    public static final String WAKE_STREAM = "\u0000wake-stream";

    /**
     * Ack, callback and release present the wake's own token (issued by a claim, which needed admin, or sent in a
     * webhook) in {@code Authorization}; the subscription API verifies and fences it, so no server credential is asked.
     */
    private static boolean carriesWakeToken(String method, String stream) {
        if (!method.equals("POST") || !stream.startsWith(RESERVED + "subscriptions/")) return false;
        String rest = stream.substring((RESERVED + "subscriptions/").length());
        int slash = rest.indexOf('/');
        if (slash <= 0) return false;
        String action = rest.substring(slash + 1);
        return action.equals("ack") || action.equals("callback") || action.equals("release");
    }

    /** A pull-wake claim: {@code POST __ds/subscriptions/:id/claim}. */
    private static boolean isClaim(String method, String stream) {
        if (!method.equals("POST") || !stream.startsWith(RESERVED + "subscriptions/")) return false;
        String rest = stream.substring((RESERVED + "subscriptions/").length());
        int slash = rest.indexOf('/');
        return slash > 0 && rest.substring(slash + 1).equals("claim");
    }

    /**
     * @param method the HTTP method
     * @param path the request's percent-decoded path, query excluded
     * @param forkSource for a PUT with {@code Stream-Forked-From}, the source's stream path; otherwise null
     * @return what the caller must be allowed; empty when the route is open to anyone
     */
    public static List<Need> required(String method, String path, String forkSource) {
        if (!path.startsWith(ROOT)) {
            return OPEN_PATHS.contains(path) ? List.of() : List.of(new Need("", Action.ADMIN));
        }
        String stream = path.substring(ROOT.length());
        if (stream.startsWith(RESERVED) || stream.equals("__ds")) {
            // The subscription APIs' key set is public by design (webhook receivers verify signatures with it);
            // their management routes need admin until claim/ack rules are defined per wake stream.
            boolean jwks = stream.equals(RESERVED + "jwks.json") && (method.equals("GET") || method.equals("HEAD"));
            if (jwks || carriesWakeToken(method, stream)) return List.of();
            return isClaim(method, stream) ? List.of(new Need(WAKE_STREAM, Action.READ))
                    : List.of(new Need(stream, Action.ADMIN));
        }
        return switch (method) {
            case "GET", "HEAD" -> List.of(new Need(stream, Action.READ));
            case "POST" -> List.of(new Need(stream, Action.WRITE));
            case "DELETE" -> List.of(new Need(stream, Action.DELETE));
            case "PUT" -> forkSource == null ? List.of(new Need(stream, Action.WRITE))
                    : List.of(new Need(stream, Action.WRITE), new Need(forkSource, Action.READ));
            // Other methods are answered 405; asking for read still keeps unauthenticated callers out.
            default -> List.of(new Need(stream, Action.READ));
        };
    }
}
