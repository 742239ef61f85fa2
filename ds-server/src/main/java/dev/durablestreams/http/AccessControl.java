package dev.durablestreams.http;

import dev.durablestreams.auth.AuthPolicy;
import dev.durablestreams.limits.ClientAddresses;
import dev.durablestreams.limits.RateLimiter;

/**
 * Who may do what, and how often: authentication and grants ({@code null}: open server), a per-client rate limit
 * ({@code null}: none) with the proxies trusted to name clients, and the CORS policy.
 */
public record AccessControl(AuthPolicy auth, RateLimiter rateLimit, ClientAddresses clients, CorsPolicy cors) {
    /** No auth, no rate limit, any origin: the server as it behaves without configuration. */
    public static final AccessControl OPEN = new AccessControl(null, null, ClientAddresses.DIRECT, CorsPolicy.ANY);

    CacheScope cacheScope() {
        return auth == null ? CacheScope.PUBLIC : new CacheScope(path -> !auth.isPublicRead(path));
    }
}
