package dev.durablestreams.metrics;

import dev.durablestreams.BuildInfo;
import dev.durablestreams.storage.StorageHealth;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.engine.CommitObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The server's meter registry (Prometheus) and the meters that are not per request: storage, group commit, JVM,
 * GC, threads, CPU, Netty's pooled memory and the build. Other parts register their own meters on
 * {@link #registry()}; the HTTP layer's per-request meters are {@link #http()}.
 */
public final class ServerMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpMetrics http = new HttpMetrics(registry);
    private JvmGcMetrics gc;

    /** A registry with the request meters only (tests, embedded servers). */
    public static ServerMetrics requestsOnly() {
        return new ServerMetrics();
    }

    /** A registry with the request meters and the process-wide ones (JVM, GC, threads, CPU, Netty, build). */
    public static ServerMetrics withProcessMeters() {
        ServerMetrics m = new ServerMetrics();
        new JvmMemoryMetrics().bindTo(m.registry);
        m.gc = new JvmGcMetrics();
        m.gc.bindTo(m.registry);
        new JvmThreadMetrics().bindTo(m.registry);
        new ProcessorMetrics().bindTo(m.registry);
        bindNettyMemory(m.registry);
        BuildInfo build = BuildInfo.current();
        Gauge.builder("ds.build.info", () -> 1).description("Build of the running server; the value is always 1")
                .tag("version", build.version()).tag("commit", build.commit()).register(m.registry);
        return m;
    }

    private ServerMetrics() {
    }

    /** Where further meters go (e.g. transport limits and timeouts). */
    public MeterRegistry registry() {
        return registry;
    }

    public HttpMetrics http() {
        return http;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** Whether this node is the subscription leader (several nodes on one PostgreSQL database): 1 or 0. */
    public void bindSubscriptionLeader(java.util.function.BooleanSupplier leading) {
        Gauge.builder("ds.subscriptions.leader", () -> leading.getAsBoolean() ? 1 : 0)
                .description("1 while this node runs subscriptions for all nodes on its database, else 0")
                .register(registry);
    }

    /** Storage meters: streams known and commit failures by kind. */
    public void bindStorage(IntSupplier streams, StorageHealth health) {
        Gauge.builder("ds.streams", streams::getAsInt).description("Streams currently stored").register(registry);
        for (StreamError.Kind kind : new StreamError.Kind[] {StreamError.Kind.UNAVAILABLE,
                StreamError.Kind.INSUFFICIENT_STORAGE}) {
            FunctionCounter.builder("ds.storage.errors", health, h -> h.failures(kind))
                    .description("Commits that storage refused or failed, by kind")
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    /** Commit-sync histogram buckets, in microseconds. */
    private static final java.time.Duration[] SYNC_BUCKETS = java.util.stream.LongStream
            .of(100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000)
            .mapToObj(us -> java.time.Duration.ofNanos(us * 1_000)).toArray(java.time.Duration[]::new);

    /** Group-commit meters, fed by the log's writer thread. */
    public CommitObserver commitObserver() {
        DistributionSummary groupSize = DistributionSummary.builder("ds.commit.group.size")
                .description("Commits written together by one group commit (a RocksDB WAL sync, a PostgreSQL transaction)")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)
                .register(registry);
        // A dozen fixed buckets (0.1 ms to 1 s): the writer records one per group, on its way to acknowledging it.
        Timer sync = Timer.builder("ds.commit.sync").description("Time to write and make durable one group commit")
                .serviceLevelObjectives(SYNC_BUCKETS).register(registry);
        return (commits, nanos) -> {
            groupSize.record(commits);
            sync.record(nanos, TimeUnit.NANOSECONDS);
        };
    }

    private static void bindNettyMemory(MeterRegistry registry) {
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        Gauge.builder("netty.pooled.used.memory", m, PooledByteBufAllocatorMetric::usedDirectMemory)
                .baseUnit("bytes").tag("type", "direct").register(registry);
        Gauge.builder("netty.pooled.used.memory", m, PooledByteBufAllocatorMetric::usedHeapMemory)
                .baseUnit("bytes").tag("type", "heap").register(registry);
        Gauge.builder("netty.pooled.arenas", m, PooledByteBufAllocatorMetric::numDirectArenas)
                .tag("type", "direct").register(registry);
        Gauge.builder("netty.pooled.arenas", m, PooledByteBufAllocatorMetric::numHeapArenas)
                .tag("type", "heap").register(registry);
        Gauge.builder("netty.pooled.thread.local.caches", m, PooledByteBufAllocatorMetric::numThreadLocalCaches)
                .register(registry);
    }

    @Override
    public void close() {
        if (gc != null) gc.close();
        registry.close();
    }
}
