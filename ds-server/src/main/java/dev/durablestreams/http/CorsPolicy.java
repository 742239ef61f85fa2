package dev.durablestreams.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.durablestreams.auth.AuthConfigs;
import java.util.List;
import java.util.Set;

/**
 * Which web origins browsers may let read responses: any ({@code *}, the default) or a listed few. Bearer tokens
 * are not ambient credentials (a page must hold the token to send it), so {@code *} stays safe with auth on;
 * without auth, {@code *} lets any page a user visits read and write the server.
 */
public final class CorsPolicy {
    /** Any origin, as browsers see {@code Access-Control-Allow-Origin: *}. */
    public static final CorsPolicy ANY = new CorsPolicy(null);
    private static final Set<String> KEYS = Set.of("allowed-origins");

    private final Set<String> origins;

    private CorsPolicy(Set<String> origins) {
        this.origins = origins;
    }

    /** From the {@code cors:} section; {@link #ANY} when absent or when the list is {@code *}. */
    public static CorsPolicy fromConfig(JsonNode cors) {
        if (cors == null || cors.isMissingNode() || cors.isNull()) return ANY;
        AuthConfigs.onlyKeys(cors, KEYS, "cors");
        List<String> list = AuthConfigs.strings(cors.get("allowed-origins"), "cors.allowed-origins");
        if (list.isEmpty() || list.contains("*")) return ANY;
        for (String o : list) {
            if (!o.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("cors.allowed-origins: '" + o + "' is not an origin (scheme://host[:port])");
            }
        }
        return new CorsPolicy(Set.copyOf(list));
    }

    /** True when every origin is allowed; responses then do not depend on the request's Origin. */
    public boolean allowsAny() {
        return origins == null;
    }

    /** The {@code Access-Control-Allow-Origin} value for a request from {@code origin}, or {@code null} for none. */
    String allowOrigin(String origin) {
        if (origins == null) return "*";
        return origin != null && origins.contains(origin) ? origin : null;
    }
}
