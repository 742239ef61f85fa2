package dev.durablestreams.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * Authentication and per-prefix authorization, built from the configuration's {@code auth:} section. Its one
 * decision, {@link #check}, needs only a request's head (method, path, credentials, fork source), so it runs before
 * any body is read and before any storage work.
 */
public final class AuthPolicy implements AutoCloseable {
    private static final Set<String> KEYS = Set.of("tokens", "jwt", "public-read", "allow-query-token");

    private final StaticTokens tokens;
    private final JwtAuthenticator jwt;
    private final List<String> publicRead;
    private final boolean allowQueryToken;

    private AuthPolicy(StaticTokens tokens, JwtAuthenticator jwt, List<String> publicRead, boolean allowQueryToken) {
        this.tokens = tokens;
        this.jwt = jwt;
        this.publicRead = List.copyOf(publicRead);
        this.allowQueryToken = allowQueryToken;
    }

    /**
     * Builds the policy from the {@code auth:} section, or returns {@code null} when there is none (the server is
     * then open). Throws {@link IllegalArgumentException} naming the setting at fault.
     */
    public static AuthPolicy fromConfig(JsonNode auth) {
        if (auth == null || auth.isMissingNode() || auth.isNull()) return null;
        AuthConfigs.onlyKeys(auth, KEYS, "auth");
        StaticTokens tokens = StaticTokens.fromConfig(auth.get("tokens"));
        List<String> publicRead = AuthConfigs.strings(auth.get("public-read"), "auth.public-read");
        JsonNode q = auth.get("allow-query-token");
        if (q != null && !q.isBoolean()) throw new IllegalArgumentException("auth.allow-query-token must be true or false");
        JwtAuthenticator jwt = auth.hasNonNull("jwt") ? JwtAuthenticator.fromConfig(auth.get("jwt")) : null;
        return new AuthPolicy(tokens, jwt, publicRead, q != null && q.asBoolean());
    }

    /**
     * The head of a request, as far as authorization needs it.
     *
     * @param method HTTP method
     * @param path percent-decoded path, without the query
     * @param authorization the {@code Authorization} header, or null
     * @param queryToken the {@code token} query parameter, or null
     * @param forkSource the stream path named by {@code Stream-Forked-From} on a PUT, or null
     */
    public record Request(String method, String path, String authorization, String queryToken, String forkSource) {}

    /** Allowed (with the principal), or refused with a status (401 or 403) and a short reason. */
    public record Decision(Principal principal, int status, String detail) {
        public boolean allowed() {
            return status == 0;
        }
    }

    public Decision check(Request r) {
        List<AccessRules.Need> needs = AccessRules.required(r.method(), r.path(), r.forkSource());
        if (needs.isEmpty()) return new Decision(Principal.ANONYMOUS, 0, null);
        String token = null;
        if (r.authorization() != null) {
            token = bearer(r.authorization());
            if (token == null) return new Decision(null, 401, "Authorization must be 'Bearer <token>'");
        } else if (r.queryToken() != null && allowQueryToken && r.method().equals("GET")) {
            token = r.queryToken();
        }
        Principal p;
        if (token == null) {
            p = Principal.ANONYMOUS;
        } else {
            JwtAuthenticator.Result result = authenticate(token);
            if (result.principal() == null) return new Decision(null, 401, "invalid token: " + result.failure());
            p = result.principal();
        }
        for (AccessRules.Need n : needs) {
            if (n.path().equals(AccessRules.WAKE_STREAM)) { // a service credential; its read is checked on the wake stream
                if (p.isAnonymous()) return new Decision(null, 401, "missing bearer token");
                continue;
            }
            if (p.allows(n.path(), n.action()) || (n.action() == Action.READ && isPublicRead(n.path()))) continue;
            if (p.isAnonymous()) return new Decision(null, 401, "missing bearer token");
            return new Decision(null, 403, "'" + p.name() + "' may not " + n.action().configName() + " '" + n.path() + "'");
        }
        return new Decision(p, 0, null);
    }

    /** What is configured, for the start-up log (names and counts, never secrets). */
    public String describe() {
        return tokens.size() + " static token(s), JWT " + (jwt == null ? "off" : "on") + ", public-read " + publicRead
                + ", query tokens " + (allowQueryToken ? "accepted on GET" : "refused");
    }

    /** True when {@code principal} may read {@code streamPath}: a grant, or a public-read prefix. */
    public boolean mayRead(Principal principal, String streamPath) {
        return principal.allows(streamPath, Action.READ) || isPublicRead(streamPath);
    }

    /** True when anyone may read {@code streamPath} without a token. */
    public boolean isPublicRead(String streamPath) {
        for (String prefix : publicRead) {
            if (streamPath.startsWith(prefix)) return true;
        }
        return false;
    }

    /** Whether {@code ?token=} is accepted on GET (browsers' EventSource cannot set headers). */
    public boolean allowsQueryToken() {
        return allowQueryToken;
    }

    /** Static tokens first (always all of them, in constant time), then the token as a JWT. */
    private JwtAuthenticator.Result authenticate(String token) {
        Principal p = tokens.lookup(token);
        if (p != null) return new JwtAuthenticator.Result(p, null);
        if (jwt == null || !JwtAuthenticator.looksLikeJwt(token)) return new JwtAuthenticator.Result(null, "unknown token");
        return jwt.authenticate(token);
    }

    private static String bearer(String header) {
        String h = header.trim();
        if (h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        String token = h.substring(7).trim();
        return token.isEmpty() || token.indexOf(' ') >= 0 ? null : token;
    }

    @Override
    public void close() {
        if (jwt != null) jwt.close();
    }
}
