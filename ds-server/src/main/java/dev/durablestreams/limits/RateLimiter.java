package dev.durablestreams.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.durablestreams.auth.AuthConfigs;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: {@code burst} requests at once, refilled at {@code requestsPerSecond}. A bucket idle
 * long enough to be full again is the same as a new one, so idle buckets are dropped without changing any answer;
 * this bounds memory by the clients active in the last {@code burst / rate} seconds. Past {@link #maxClients}
 * buckets, new clients share one overflow bucket until idle ones expire.
 */
public final class RateLimiter {
    private static final Set<String> KEYS = Set.of("requests-per-second", "burst");
    static final String OVERFLOW = "\0overflow";

    private final double perNano;
    private final double burst;
    private final long refillNanos;
    private final int maxClients;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long nextSweep;

    /**
     * @param requestsPerSecond sustained rate per client
     * @param burst requests a client may make at once (at least 1)
     * @param maxClients buckets kept at most
     * @param nanoClock a monotonic clock in nanoseconds (injectable for tests)
     */
    public RateLimiter(double requestsPerSecond, int burst, int maxClients, LongSupplier nanoClock) {
        if (!(requestsPerSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("limits.rate-limit needs requests-per-second > 0 and burst >= 1");
        }
        this.perNano = requestsPerSecond / 1e9;
        this.burst = burst;
        this.refillNanos = (long) Math.min(Long.MAX_VALUE / 4, Math.ceil(burst / perNano));
        this.maxClients = maxClients;
        this.nanoClock = nanoClock;
        this.nextSweep = nanoClock.getAsLong();
    }

    /** From {@code limits.rate-limit}; {@code null} when absent (no rate limit). */
    public static RateLimiter fromConfig(JsonNode rateLimit) {
        if (rateLimit == null || rateLimit.isMissingNode() || rateLimit.isNull()) return null;
        AuthConfigs.onlyKeys(rateLimit, KEYS, "limits.rate-limit");
        double rps = rateLimit.path("requests-per-second").asDouble(0);
        int burst = rateLimit.has("burst") ? rateLimit.get("burst").asInt(0) : (int) Math.max(1, Math.ceil(rps));
        return new RateLimiter(rps, burst, 100_000, System::nanoTime);
    }

    /**
     * Takes one request from {@code client}'s bucket.
     *
     * @return 0 when the request may go ahead, otherwise the nanoseconds until it would be allowed
     */
    public long acquire(String client) {
        long now = nanoClock.getAsLong();
        if (now - nextSweep >= 0) sweep(now);
        Bucket b = buckets.get(client);
        if (b == null) {
            b = buckets.size() >= maxClients ? buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(burst, now))
                    : buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
        }
        return b.take(now);
    }

    /** The settings, for the start-up log. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%.3f requests/s per client, burst %d", perNano * 1e9, (long) burst);
    }

    /** Buckets held now (for tests and metrics). */
    public int clients() {
        return buckets.size();
    }

    private void sweep(long now) {
        nextSweep = now + Math.max(refillNanos, 1_000_000_000L);
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (it.next().idleSince(now) >= refillNanos) it.remove();
        }
    }

    private final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized long take(long now) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * perNano);
                last = now;
            }
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
        }

        synchronized long idleSince(long now) {
            return now - last;
        }
    }
}
