package dev.durablestreams.subscription;

/** Webhook retry schedule: exponential backoff from 1 s, doubling up to 60 s, with ±20 % jitter. */
public final class RetryPolicy {
    static final long FIRST_MS = 1_000;
    static final long MAX_MS = 60_000;
    static final double JITTER = 0.2;

    private RetryPolicy() {}

    /**
     * Delay before retry number {@code attempt} (1 for the first retry).
     *
     * @param unit a uniform random number in [0, 1) choosing the jitter
     */
    public static long delayMillis(int attempt, double unit) {
        long base = attempt >= 7 ? MAX_MS : Math.min(MAX_MS, FIRST_MS << (attempt - 1));
        double factor = 1 + JITTER * (2 * unit - 1);
        return Math.round(base * factor);
    }
}
