package dev.durablestreams.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.function.Predicate;

/**
 * Whether a stream's read responses may be kept by shared caches. With auth on, a read that needed a credential is
 * {@code private} (a CDN must never serve one user's stream to another) and varies by {@code Authorization};
 * public-read prefixes, and every stream of a server without auth, keep public caching.
 */
final class CacheScope {
    static final CacheScope PUBLIC = new CacheScope(path -> false);

    private final Predicate<String> isPrivate;

    CacheScope(Predicate<String> isPrivate) {
        this.isPrivate = isPrivate;
    }

    /** Sets {@code Cache-Control} of a read of {@code path}: {@code value} as is, or made private. */
    void cacheControl(HttpHeaders h, String path, String value) {
        if (!isPrivate.test(path)) {
            h.set(HttpHeaderNames.CACHE_CONTROL, value);
            return;
        }
        h.set(HttpHeaderNames.CACHE_CONTROL, value.startsWith("public")
                ? "private" + value.substring("public".length()) : "private, " + value);
        Responses.addVary(h, "Authorization");
    }
}
