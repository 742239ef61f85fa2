package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/** A flood of the same failure logs one line per interval. */
class RateLimitedLogTest {
    @Test
    void logsOncePerInterval() {
        AtomicLong now = new AtomicLong(-5); // nanoTime may be negative
        RateLimitedLog log = new RateLimitedLog(NOPLogger.NOP_LOGGER,
                TimeUnit.SECONDS.toNanos(10), now::get);
        assertThat(log.warn("accept failed", "test: first")).isTrue();
        int logged = 0;
        for (int i = 0; i < 1000; i++) {
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(9)); // 1000 failures over 9 s
            if (log.warn("accept failed", "test: flood")) logged++;
        }
        assertThat(logged).isZero();
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(log.warn("accept failed", "test: after the interval")).isTrue();
    }
}
