package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.durablestreams.http.HttpServer;
import dev.durablestreams.http.ServerConfig;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.AppendResult;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.rocksdb.RocksLog;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Storage write failures (I/O error, no space) during commits, injected in front of a real RocksLog: the append
 * is refused with 503 / 507 and nothing it carried is stored or acknowledged, the failure is logged, reads keep
 * working, and once the fault clears the next append continues the stream with no gap and no duplicate.
 */
class StorageFaultTest {
    static final String TYPE = StreamClient.TYPE;

    @TempDir Path dir;
    FaultyLog log;
    StreamEngine engine;
    HttpServer server;
    String base;
    final StreamClient client = new StreamClient();
    final Payloads payloads = new Payloads(503L);
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final ch.qos.logback.classic.Logger appLogger =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.durablestreams");

    @BeforeEach
    void start() throws Exception {
        logs.start();
        appLogger.addAppender(logs);
        open(EngineOptions.UNLIMITED);
    }

    private void open(EngineOptions options) throws InterruptedException {
        log = new FaultyLog(RocksLog.open(dir.resolve("db"), true));
        engine = new StreamEngine(log, options);
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofMillis(300),
                Duration.ofSeconds(30), Duration.ofSeconds(5)), engine);
        base = "http://127.0.0.1:" + server.start() + "/v1/stream/";
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
        appLogger.detachAppender(logs);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void failedCommitIsRefusedNotStoredAndTheStreamContinuesAfterwards() throws Exception {
        client.create(base, "f");
        long tail = 0;
        for (int seq = 0; seq < 4; seq++) tail = acked(append("w", seq), 200);

        log.fault = FaultyLog.Fault.IO_ERROR;
        assertThat(append("w", 4).statusCode()).isEqualTo(503);
        assertThat(append("w", 4).statusCode()).as("a retry while the fault lasts").isEqualTo(503);
        // Pipelined appends of several producers behind the failing one: all refused, none half-applied.
        List<CompletableFuture<Integer>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String producer = "q" + i;
            burst.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return append(producer, 0).statusCode();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (CompletableFuture<Integer> f : burst) assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(503);
        // Reads keep working and show only what was acknowledged.
        assertThat(seqs(client.readAll(base, "f"), "w")).containsExactly(0L, 1L, 2L, 3L);
        assertThat(payloads.parse(client.readAll(base, "f"))).last().extracting(Payloads.Found::end).isEqualTo(tail);
        assertThat(warnings("commit to stream f failed (UNAVAILABLE): java.io.UncheckedIOException"))
                .as("the I/O error is in the log").isNotEmpty();

        log.fault = FaultyLog.Fault.NO_SPACE;
        assertThat(append("w", 4).statusCode()).isEqualTo(507);
        assertThat(warnings("commit to stream f failed (INSUFFICIENT_STORAGE)")).isNotEmpty();

        log.fault = FaultyLog.Fault.NONE;
        // Not 204: the refused append was never stored, so its retry is new data right at the old tail.
        long next = acked(append("w", 4), 200);
        assertThat(next).isEqualTo(tail + payloads.body("w", 4).length);
        acked(append("w", 5), 200);
        acked(append("q0", 0), 200);
        assertThat(acked(append("q0", 0), 204)).as("a real duplicate is still recognised").isPositive();
        byte[] stream = client.readAll(base, "f");
        assertThat(payloads.parse(stream)).extracting(f -> f.producer() + "/" + f.seq())
                .containsExactly("w/0", "w/1", "w/2", "w/3", "w/4", "w/5", "q0/0");

        // What is on disk is exactly what was acknowledged: nothing from the refused commits resurfaces.
        server.close();
        engine.close();
        open(EngineOptions.UNLIMITED);
        assertThat(client.readAll(base, "f")).isEqualTo(stream);
        assertThat(append("w", 6).statusCode()).isEqualTo(200);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void faultsUnderConcurrentPipelinedAppendsLeaveNoGapOrDuplicate() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("storage fault test: seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        engine.create(new CreateRequest("load", TYPE, null, null, false, new byte[0], null)).get();

        Object lock = new Object();
        long[] counts = new long[2]; // acknowledged, refused; guarded by lock
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<String, List<Long>> ackedEnds = new ConcurrentHashMap<>();
        int writers = 6;
        boolean[] stopping = {false};
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String producer = "t" + i;
            List<Long> ends = new ArrayList<>();
            ackedEnds.put(producer, ends);
            Thread t = new Thread(() -> {
                try {
                    for (long seq = 0; ; ) {
                        synchronized (lock) {
                            if (stopping[0]) return;
                        }
                        try {
                            AppendResult r = engine.append(new AppendRequest("load", TYPE, payloads.body(producer, seq),
                                    false, null, new Producer(producer, 0, seq))).get(30, TimeUnit.SECONDS);
                            assertThat(r.duplicate()).as("%s/%d was never stored, so it cannot be a duplicate",
                                    producer, seq).isFalse();
                            ends.add(r.next().position());
                            seq++;
                            synchronized (lock) {
                                counts[0]++;
                                lock.notifyAll();
                            }
                        } catch (ExecutionException e) {
                            // Only storage refusals are acceptable; the same seq is retried, like a client would.
                            assertThat(e.getCause()).isInstanceOf(StreamError.class);
                            assertThat(((StreamError) e.getCause()).kind()).as("%s/%d: %s", producer, seq,
                                    e.getCause().getMessage()).isIn(
                                    StreamError.Kind.UNAVAILABLE, StreamError.Kind.INSUFFICIENT_STORAGE);
                            synchronized (lock) {
                                counts[1]++;
                                lock.notifyAll();
                            }
                        }
                    }
                } catch (Throwable t2) {
                    failure.compareAndSet(null, t2);
                    synchronized (lock) {
                        lock.notifyAll();
                    }
                }
            }, "writer-" + producer);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        try {
            int rounds = 40;
            for (int round = 0; round < rounds; round++) {
                long acks = awaitCount(lock, counts, 0, 1 + random.nextInt(40), failure);
                log.fault = random.nextBoolean() ? FaultyLog.Fault.IO_ERROR : FaultyLog.Fault.NO_SPACE;
                awaitCount(lock, counts, 1, 1 + random.nextInt(8), failure);
                log.fault = FaultyLog.Fault.NONE;
                assertThat(acks).isPositive();
            }
            awaitCount(lock, counts, 0, 20, failure);
        } finally {
            log.fault = FaultyLog.Fault.NONE;
            synchronized (lock) {
                stopping[0] = true;
            }
            for (Thread t : threads) t.join(30_000);
        }
        if (failure.get() != null) throw new AssertionError("a writer failed", failure.get());

        List<Payloads.Found> found = payloads.parse(readAll("load"));
        long total = 0;
        for (Map.Entry<String, List<Long>> e : ackedEnds.entrySet()) {
            List<Payloads.Found> mine = found.stream().filter(f -> f.producer().equals(e.getKey())).toList();
            // Exactly the acknowledged appends, once each, in order, each where its acknowledgement said.
            assertThat(mine).extracting(Payloads.Found::seq)
                    .containsExactly(LongStream.range(0, e.getValue().size()).boxed().toArray(Long[]::new));
            assertThat(mine).extracting(Payloads.Found::end).containsExactlyElementsOf(e.getValue());
            total += mine.size();
        }
        assertThat(found).hasSize((int) total); // nothing unacknowledged
        assertThat(warnings("commit to stream load failed")).isNotEmpty();
        synchronized (lock) {
            System.out.printf("storage fault test: %d appends acknowledged, %d refused (%d commits failed by "
                    + "injection, %d engine warnings)%n", counts[0], counts[1], log.injected.get(),
                    warnings("commit to stream load failed").size());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void failedCreateAndDeleteKeepTheStorageQuotaExact() throws Exception {
        server.close();
        engine.close();
        open(new EngineOptions(Long.MAX_VALUE, 64 * 1024)); // --max-total-bytes 64KiB

        log.fault = FaultyLog.Fault.IO_ERROR;
        assertThat(kindOf(create("x", 40 * 1024))).isEqualTo(StreamError.Kind.UNAVAILABLE);
        log.fault = FaultyLog.Fault.NONE;
        create("a", 20 * 1024).get();
        // The failed create stored nothing, so it must not hold quota: 20 + 30 KiB fit in 64 KiB.
        create("b", 30 * 1024).get();

        log.fault = FaultyLog.Fault.IO_ERROR;
        assertThat(kindOf(engine.delete("b"))).isEqualTo(StreamError.Kind.UNAVAILABLE);
        log.fault = FaultyLog.Fault.NONE;
        assertThat(readAll("b")).hasSize(30 * 1024);
        // The failed delete removed nothing, so b still counts: 20 + 30 + 20 KiB do not fit.
        assertThat(kindOf(create("c", 20 * 1024))).isEqualTo(StreamError.Kind.INSUFFICIENT_STORAGE);
        engine.delete("b").get();
        create("c", 20 * 1024).get();
    }

    private CompletableFuture<?> create(String path, int bytes) {
        return engine.create(new CreateRequest(path, TYPE, null, null, false, new byte[bytes], null));
    }

    private static StreamError.Kind kindOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StreamError.class);
            return ((StreamError) e.getCause()).kind();
        }
        throw new AssertionError("expected a refusal, got success");
    }

    private static long awaitCount(Object lock, long[] counts, int which, long more, AtomicReference<Throwable> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (lock) {
            long target = counts[which] + more;
            BooleanSupplier done = () -> counts[which] >= target || failure.get() != null;
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("timed out waiting for count " + which + " to reach " + target);
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            if (failure.get() != null) throw new AssertionError("a writer failed", failure.get());
            return counts[0];
        }
    }

    private byte[] readAll(String path) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReadFrom from = ReadFrom.START;
        while (true) {
            ReadResult r = engine.read(path, from, 1 << 20).get(30, TimeUnit.SECONDS);
            for (ByteBuffer b : r.chunks()) {
                byte[] a = new byte[b.remaining()];
                b.duplicate().get(a);
                out.write(a);
            }
            if (r.upToDate()) return out.toByteArray();
            from = ReadFrom.at(r.next());
        }
    }

    private HttpResponse<String> append(String producer, long seq) throws Exception {
        return client.append(base, "f", producer, 0, seq, payloads.body(producer, seq));
    }

    /** Asserts the status and returns the acknowledged Stream-Next-Offset position. */
    private static long acked(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return StreamClient.position(r.headers().firstValue("Stream-Next-Offset").orElseThrow());
    }

    private List<Long> seqs(byte[] stream, String producer) {
        return payloads.parse(stream).stream().filter(f -> f.producer().equals(producer)).map(Payloads.Found::seq).toList();
    }

    private List<String> warnings(String containing) {
        synchronized (logs.list) {
            return logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing)).toList();
        }
    }

}
