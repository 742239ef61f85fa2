package dev.durablestreams.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.ForkSpec;
import dev.durablestreams.storage.engine.EngineOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Expired streams nobody touches are removed by a sweep on any node, and two nodes sweeping at once split the work
 * (each stream removed exactly once). The clock is the test's and the sweeps are called directly.
 */
@ExtendWith(PostgresServer.Start.class)
class ExpirySweepTest {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    private String schema;
    private PostgresStore a;
    private PostgresStore b;

    @BeforeEach
    void start() {
        schema = "sweep_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        a = new PostgresStore(new PgConfig(PostgresServer.url(), schema, 4), EngineOptions.UNLIMITED, clock::get, 0);
        b = new PostgresStore(new PgConfig(PostgresServer.url(), schema, 4), EngineOptions.UNLIMITED, clock::get, 0);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private void create(String path, Long ttl, Instant expiresAt, ForkSpec fork) throws Exception {
        a.create(new CreateRequest(path, "text/plain", ttl, expiresAt, false, new byte[0], fork)).get(20, TimeUnit.SECONDS);
    }

    private long streams() throws Exception {
        PgConfig c = new PgConfig(PostgresServer.url(), schema, 1);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
             ResultSet rs = conn.createStatement().executeQuery("SELECT count(*) FROM " + schema + ".streams")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void expiredStreamsAreRemovedOthersStay() throws Exception {
        create("idle", 10L, null, null);
        create("dated", null, Instant.ofEpochMilli(clock.get() + 5_000), null);
        create("forever", null, null, null);
        create("young", 60L, null, null);
        assertThat(a.sweep()).isZero();
        clock.addAndGet(10_000);
        assertThat(a.sweep()).isEqualTo(2);
        assertThat(b.sweep()).isZero();
        assertThat(streams()).isEqualTo(2);
    }

    @Test
    void anExpiredSourceWithForksIsSoftDeletedThenPurgedWithItsLastFork() throws Exception {
        create("src", 10L, null, null);
        create("fork", 100L, null, new ForkSpec("src", null, 0));
        clock.addAndGet(10_000);
        assertThat(a.sweep()).isEqualTo(1); // soft-deleted: the fork still reads through it
        assertThat(streams()).isEqualTo(2);
        clock.addAndGet(100_000);
        assertThat(a.sweep()).isEqualTo(1); // the fork, and with it its soft-deleted source
        assertThat(streams()).isZero();
    }

    @Test
    void twoNodesSweepingAtOnceRemoveEachStreamOnce() throws Exception {
        int n = 250;
        List<CompletableFuture<?>> creates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            creates.add(a.create(new CreateRequest("s" + i, "text/plain", 5L, null, false, new byte[0], null)));
        }
        for (CompletableFuture<?> f : creates) f.get(60, TimeUnit.SECONDS);
        clock.addAndGet(5_000);
        CompletableFuture<Integer> onA = CompletableFuture.supplyAsync(() -> sweepAll(a));
        CompletableFuture<Integer> onB = CompletableFuture.supplyAsync(() -> sweepAll(b));
        assertThat(onA.get(60, TimeUnit.SECONDS) + onB.get(60, TimeUnit.SECONDS)).isEqualTo(n);
        assertThat(streams()).isZero();
    }

    private static int sweepAll(PostgresStore store) {
        int total = 0;
        for (int r; (r = store.sweep()) > 0; ) total += r;
        return total;
    }
}
