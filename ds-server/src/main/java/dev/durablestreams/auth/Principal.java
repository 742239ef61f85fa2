package dev.durablestreams.auth;

import java.util.List;

/**
 * Who made a request, as far as authorization cares: a name (for rate limits and logs, never a secret) and the
 * grants that came with the credential.
 */
public record Principal(String name, List<Grant> grants) {
    /** A request without credentials: it may read public-read prefixes and nothing else. */
    public static final Principal ANONYMOUS = new Principal("anonymous", List.of());

    public Principal {
        grants = List.copyOf(grants);
    }

    public boolean isAnonymous() {
        return this == ANONYMOUS;
    }

    /** True when some grant permits {@code action} on {@code path}. */
    public boolean allows(String path, Action action) {
        for (Grant g : grants) {
            if (g.allows(path, action)) return true;
        }
        return false;
    }
}
