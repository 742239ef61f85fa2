package dev.durablestreams.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's public keys, from a {@code file:} path or an {@code https:} URL. Keys are loaded at
 * start and refreshed on one background thread (periodically, and early when a token names an unknown key id),
 * so verifying a token only ever reads the current set: no fetch runs on a request's thread.
 */
final class JwksCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);
    /** Unknown key ids trigger at most one early refresh per this interval, so bad tokens cannot flood the IdP. */
    private static final long EARLY_REFRESH_MIN_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final String location;
    private final Loader loader;
    private final AtomicReference<JWKSet> current = new AtomicReference<>(new JWKSet());
    private final AtomicLong lastEarlyRefresh = new AtomicLong(System.nanoTime() - EARLY_REFRESH_MIN_NANOS);
    private final ScheduledExecutorService refresher;

    @FunctionalInterface
    private interface Loader {
        JWKSet load() throws Exception;
    }

    private JwksCache(String location, Loader loader, Duration refresh) {
        this.location = location;
        this.loader = loader;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ds-jwks-refresh");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, refresh.toMillis());
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens {@code file:PATH} (read now; a missing or malformed file fails the start) or {@code https://...}
     * (fetched now; if the provider is unreachable the server starts, refuses tokens, and keeps retrying).
     */
    static JwksCache open(String location, Duration refresh) {
        JwksCache cache;
        if (location.startsWith("file:")) {
            Path file = Path.of(location.substring("file:".length()));
            cache = new JwksCache(location, () -> JWKSet.parse(Files.readString(file)), refresh);
            try {
                cache.current.set(cache.loader.load());
            } catch (Exception e) {
                cache.close();
                throw new IllegalArgumentException("auth.jwt.jwks: cannot read " + file + ": " + e.getMessage(), e);
            }
        } else if (location.startsWith("https://") || location.startsWith("http://")) {
            JWKSource<SecurityContext> source;
            try {
                // Fetching, retry once on failure; this class does the caching and the refresh scheduling.
                source = JWKSourceBuilder.<SecurityContext>create(URI.create(location).toURL())
                        .cache(false).refreshAheadCache(false).rateLimited(false).retrying(true).build();
            } catch (Exception e) {
                throw new IllegalArgumentException("auth.jwt.jwks: bad URL " + location + ": " + e.getMessage(), e);
            }
            JWKSelector all = new JWKSelector(new JWKMatcher.Builder().build());
            cache = new JwksCache(location, () -> new JWKSet(source.get(all, null)), refresh);
            if (location.startsWith("http://")) LOG.warn("auth.jwt.jwks is fetched over plain http: {}", location);
            cache.refresh();
        } else {
            throw new IllegalArgumentException("auth.jwt.jwks must start with file: or https:, got " + location);
        }
        LOG.info("auth: {} signing key(s) loaded from {}", cache.current.get().getKeys().size(), location);
        return cache;
    }

    /** The keys as last loaded. */
    JWKSet current() {
        return current.get();
    }

    /** Asks the background thread for an early refresh (a token named a key id that is not loaded). */
    void unknownKey() {
        long now = System.nanoTime();
        long last = lastEarlyRefresh.get();
        if (now - last >= EARLY_REFRESH_MIN_NANOS && lastEarlyRefresh.compareAndSet(last, now)) {
            refresher.execute(this::refresh);
        }
    }

    private void refresh() {
        try {
            JWKSet loaded = loader.load();
            List<JWK> keys = loaded.getKeys();
            if (keys.isEmpty()) {
                LOG.warn("auth: key set at {} is empty; keeping the {} key(s) loaded before", location,
                        current.get().getKeys().size());
                return;
            }
            current.set(loaded);
        } catch (Exception e) {
            LOG.warn("auth: cannot refresh the key set from {}: {}; keeping the keys loaded before", location,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
