package dev.durablestreams.auth;

import java.util.List;

/**
 * Which actions a request needs, as a pure function of its method, path and fork source. Paths under
 * {@code /v1/stream/} are checked against grant prefixes by their stream path; the subscription namespace
 * ({@code __ds/}) needs {@code admin}, except its public key set and the routes that carry a wake's own token
 * (ack, callback, release); other paths need {@code admin} over every stream, except the health probes.
 */
public final class AccessRules {
    /** The stream root; stream paths are what follows it. */
    public static final String ROOT = "/v1/stream/";
    static final String RESERVED = "__ds/";
    static final List<String> OPEN_PATHS = List.of("/healthz", "/readyz");

    private AccessRules() {}

    /** One action needed on one stream path. */
    public record Need(String path, Action action) {}

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
            return jwks || carriesWakeToken(method, stream) ? List.of() : List.of(new Need(stream, Action.ADMIN));
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
