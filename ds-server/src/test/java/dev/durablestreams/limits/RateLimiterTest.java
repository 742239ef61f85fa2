package dev.durablestreams.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    final AtomicLong now = new AtomicLong(1_000);

    @Test
    void burstThenRefillAtTheRatePerClient() {
        RateLimiter limiter = new RateLimiter(2, 3, 100, now::get);
        for (int i = 0; i < 3; i++) assertThat(limiter.acquire("a")).isZero();
        long wait = limiter.acquire("a");
        assertThat(wait).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(limiter.acquire("b")).as("another client has its own bucket").isZero();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(499));
        assertThat(limiter.acquire("a")).isPositive();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isPositive();
    }

    @Test
    void idleBucketsExpireAndNewClientsBeyondTheCapShareOne() {
        RateLimiter limiter = new RateLimiter(1, 1, 2, now::get);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("b")).isZero();
        assertThat(limiter.acquire("c")).isZero();      // over the cap: the shared overflow bucket
        assertThat(limiter.acquire("d")).isPositive();  // ... which is now empty
        assertThat(limiter.clients()).isEqualTo(3);
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));     // every bucket refilled: the same as new ones
        assertThat(limiter.acquire("e")).isZero();
        assertThat(limiter.clients()).isEqualTo(1);
    }

    @Test
    void forwardedForIsHonouredOnlyFromTrustedProxies() throws Exception {
        var trusted = ClientAddresses.fromConfig(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("[\"10.0.0.0/8\", \"::1\"]"));
        InetAddress proxy = InetAddress.getByName("10.1.2.3");
        InetAddress stranger = InetAddress.getByName("192.0.2.7");
        assertThat(trusted.resolve(proxy, "198.51.100.9")).isEqualTo("198.51.100.9");
        assertThat(trusted.resolve(proxy, "6.6.6.6, 198.51.100.9, 10.9.9.9")).isEqualTo("198.51.100.9");
        assertThat(trusted.resolve(proxy, null)).isEqualTo("10.1.2.3");
        assertThat(trusted.resolve(stranger, "198.51.100.9")).isEqualTo("192.0.2.7");
        assertThat(ClientAddresses.DIRECT.resolve(proxy, "198.51.100.9")).isEqualTo("10.1.2.3");
    }
}
