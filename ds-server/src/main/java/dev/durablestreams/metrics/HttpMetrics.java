package dev.durablestreams.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-request meters of the HTTP layer. Every counter is resolved once (the (method, status) counters on first
 * use, then kept in an array), so counting a request is an array read and a striped add: no tag lookup, no lock,
 * no allocation.
 */
public final class HttpMetrics {
    /** Live read modes, each with its own reads counter and live-reader gauge. */
    public enum ReadMode {
        CATCHUP("catchup"), LONG_POLL("long-poll"), SSE("sse");

        final String tag;

        ReadMode(String tag) {
            this.tag = tag;
        }
    }

    /** Methods with their own series; anything else counts as OTHER. */
    public static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "OTHER"};
    public static final int OTHER = METHODS.length - 1;
    private static final int STATUSES = 500; // 100..599

    private final MeterRegistry registry;
    private final Counter appends;
    private final Counter appendBytes;
    private final Counter[] reads = new Counter[ReadMode.values().length];
    private final Counter readBytes;
    private final AtomicInteger[] live = new AtomicInteger[ReadMode.values().length];
    private final Timer requestTime;
    private static final java.time.Duration[] REQUEST_BUCKETS = java.util.stream.LongStream
            .of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
            .mapToObj(java.time.Duration::ofMillis).toArray(java.time.Duration[]::new);
    private final AtomicReferenceArray<Counter> requests = new AtomicReferenceArray<>(METHODS.length * STATUSES);

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        appends = Counter.builder("ds.appends").description("Appends acknowledged (2xx)").register(registry);
        appendBytes = Counter.builder("ds.append.bytes").baseUnit("bytes")
                .description("Body bytes of acknowledged appends").register(registry);
        readBytes = Counter.builder("ds.read.bytes").baseUnit("bytes").description("Stream bytes sent to readers")
                .register(registry);
        for (ReadMode m : ReadMode.values()) {
            reads[m.ordinal()] = Counter.builder("ds.reads").tag("mode", m.tag).description("Read requests")
                    .register(registry);
            AtomicInteger n = new AtomicInteger();
            live[m.ordinal()] = n;
            if (m != ReadMode.CATCHUP) {
                Gauge.builder("ds.live.readers", n, AtomicInteger::get).tag("mode", m.tag)
                        .description("Long-polls and SSE responses currently open").register(registry);
            }
        }
        // Fixed buckets from 1 ms to 10 s rather than Micrometer's ~70 percentile buckets: every request records
        // into them, and a dozen answer what operators ask (how many took over 10, 100, 1000 ms).
        requestTime = Timer.builder("ds.http.request").description("Time from request head to last response byte")
                .serviceLevelObjectives(REQUEST_BUCKETS).register(registry);
    }

    /** Index of a method name in {@link #METHODS}. */
    public static int methodIndex(String method) {
        for (int i = 0; i < OTHER; i++) if (METHODS[i].equals(method)) return i;
        return OTHER;
    }

    public void appended(int bodyBytes) {
        appends.increment();
        appendBytes.increment(bodyBytes);
    }

    public void read(ReadMode mode) {
        reads[mode.ordinal()].increment();
    }

    public void readBytes(long bytes) {
        if (bytes > 0) readBytes.increment(bytes);
    }

    public void liveReaderStarted(ReadMode mode) {
        live[mode.ordinal()].incrementAndGet();
    }

    public void liveReaderEnded(ReadMode mode) {
        live[mode.ordinal()].decrementAndGet();
    }

    /** One finished request: its method index, status and duration. */
    public void request(int method, int status, long nanos) {
        requestTime.record(nanos, TimeUnit.NANOSECONDS);
        if (status < 100 || status > 599) return;
        int i = method * STATUSES + (status - 100);
        Counter c = requests.get(i);
        if (c == null) {
            // Registering is idempotent, so a race registers the same counter twice at worst.
            c = Counter.builder("ds.http.requests").tag("method", METHODS[method]).tag("status", Integer.toString(status))
                    .description("HTTP requests answered, by method and status").register(registry);
            requests.set(i, c);
        }
        c.increment();
    }
}
