package dev.durablestreams.http;

import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a recurring problem as one warning line per interval with the count of occurrences in between, so a
 * flood (e.g. thousands of failed accepts a second) cannot fill the log.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long nextNanos;
    private boolean started;
    private long suppressed;

    RateLimitedLog(Logger log, long intervalNanos, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    /** Logs {@code what: detail} unless a line was logged less than an interval ago; returns whether it logged. */
    synchronized boolean warn(String what, String detail) {
        long now = nanoClock.getAsLong();
        if (started && now - nextNanos < 0) {
            suppressed++;
            return false;
        }
        if (suppressed > 0) {
            log.warn("{}: {} ({} more since the last report)", what, detail, suppressed);
        } else {
            log.warn("{}: {}", what, detail);
        }
        started = true;
        suppressed = 0;
        nextNanos = now + intervalNanos;
        return true;
    }
}
