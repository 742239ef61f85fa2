package dev.durablestreams.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.AppendResult;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import dev.durablestreams.storage.engine.EngineOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Group commit on PostgreSQL: many concurrent appends share transactions, yet each is decided as if alone in
 * arrival order (refused ones write nothing, later ones see earlier ones' state), and a batch the database refuses
 * fails every append in it with nothing stored. Batches are gathered deterministically by holding the committer's
 * gate while appends queue up.
 */
@ExtendWith(PostgresServer.Start.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupCommitTest {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static final String TEXT = "text/plain";
    private String schema;
    private PostgresStore store;

    @BeforeEach
    void start() {
        schema = "gc_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        store = new PostgresStore(new PgConfig(PostgresServer.url(), schema, 4), EngineOptions.UNLIMITED,
                System::currentTimeMillis, 0);
    }

    @AfterEach
    void stop() {
        store.close();
    }

    /** One acknowledged append: {@code body} ends at {@code end}. */
    private record Acked(String stream, int thread, int op, String body, long end) {}

    @Test
    void concurrentAppendsWithDuplicatesAndConflictsAreStoredExactlyOnceInOrder() throws Exception {
        String[] streams = {"s0", "s1", "s2"};
        for (String s : streams) create(s);
        AtomicLong[] streamSeqs = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        int threads = 6;
        int ops = 60;
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
        AtomicInteger duplicates = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    long[] producerSeq = new long[streams.length];
                    for (int op = 0; op < ops; op++) {
                        int si = (op + thread) % streams.length;
                        String path = streams[si];
                        String body = "[t" + thread + " op" + op + "]";
                        Producer producer = null;
                        String streamSeq = null;
                        switch (op % 5) {
                            case 1 -> producer = new Producer("p" + thread, 0, producerSeq[si]++);
                            case 2 -> { // a retry of this thread's last producer append to the stream: never stored
                                if (producerSeq[si] == 0) producer = new Producer("p" + thread, 0, producerSeq[si]++);
                                else producer = new Producer("p" + thread, 0, producerSeq[si] - 1);
                                body = "[dup t" + thread + " op" + op + "]";
                            }
                            case 3 -> streamSeq = String.format("%010d", streamSeqs[si].incrementAndGet());
                            case 4 -> streamSeq = "0000000000"; // stale once any Stream-Seq is stored: 409
                            default -> { }
                        }
                        try {
                            AppendResult r = await(store.append(new AppendRequest(path, TEXT, bytes(body), false,
                                    streamSeq, producer)));
                            if (r.duplicate()) {
                                assertThat(body).startsWith("[dup");
                                duplicates.incrementAndGet();
                            } else {
                                acked.add(new Acked(path, thread, op, body, r.next().position()));
                            }
                        } catch (StreamError e) {
                            assertThat(e.kind()).as("refusal of %s", body).isEqualTo(Kind.CONFLICT);
                            assertThat(streamSeq).as("only Stream-Seq appends conflict: %s", body).isNotNull();
                            refused.add(body);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(90, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(duplicates.get()).isGreaterThan(0);
        assertThat(refused).isNotEmpty();
        for (String s : streams) {
            List<Acked> mine = acked.stream().filter(a -> a.stream.equals(s))
                    .sorted(Comparator.comparingLong(Acked::end)).toList();
            StringBuilder expected = new StringBuilder();
            for (Acked a : mine) {
                expected.append(a.body);
                assertThat(a.end).as("end of %s", a.body).isEqualTo(expected.length());
            }
            // Exactly the acknowledged bodies, each once, where their acknowledgements put them: no refused body,
            // no duplicate, nothing lost.
            assertThat(readAll(s)).isEqualTo(expected.toString());
            for (int t = 0; t < threads; t++) { // each thread's appends in the order it made them
                int thread = t;
                List<Integer> order = mine.stream().filter(a -> a.thread == thread).map(Acked::op).toList();
                assertThat(order).isSorted();
            }
        }
        assertThat(acked.size() + refused.size() + duplicates.get()).isEqualTo(threads * ops);
    }

    @Test
    void appendsInOneBatchSeeTheEarlierOnesInArrivalOrder() {
        create("a");
        create("b");
        create("c");
        List<CompletableFuture<AppendResult>> results = new ArrayList<>();
        store.commits.gate.lock();
        try {
            results.add(queue(new AppendRequest("a", TEXT, bytes("one"), false, null, new Producer("p", 0, 0))));
            results.add(queue(new AppendRequest("a", TEXT, bytes("dup"), false, null, new Producer("p", 0, 0))));
            results.add(queue(new AppendRequest("b", TEXT, bytes("x"), false, "5", null)));
            results.add(queue(new AppendRequest("b", TEXT, bytes("y"), false, "5", null)));
            results.add(queue(new AppendRequest("c", TEXT, bytes("last"), true, null, null)));
            results.add(queue(new AppendRequest("c", TEXT, bytes("after"), false, null, null)));
            results.add(queue(new AppendRequest("missing", TEXT, bytes("z"), false, null, null)));
            results.add(queue(new AppendRequest("a", TEXT, bytes("two"), false, null, new Producer("p", 0, 1))));
            assertThat(results).noneMatch(CompletableFuture::isDone); // all wait for one commit
        } finally {
            store.commits.gate.unlock();
        }
        assertThat(await(results.get(0)).next().position()).isEqualTo(3);
        assertThat(await(results.get(1)).duplicate()).isTrue();
        assertThat(await(results.get(2)).next().position()).isEqualTo(1);
        assertThat(errorOf(results.get(3))).isEqualTo(Kind.CONFLICT);
        assertThat(await(results.get(4)).closed()).isTrue();
        assertThat(errorOf(results.get(5))).isEqualTo(Kind.CONFLICT);
        assertThat(errorOf(results.get(6))).isEqualTo(Kind.NOT_FOUND);
        assertThat(await(results.get(7)).next().position()).isEqualTo(6);
        assertThat(readAll("a")).isEqualTo("onetwo");
        assertThat(readAll("b")).isEqualTo("x");
        assertThat(readAll("c")).isEqualTo("last");
        assertThat(await(store.info("c")).closed()).isTrue();
    }

    @Test
    void aBatchTheDatabaseRefusesFailsEveryAppendAndStoresNone() throws SQLException {
        create("a");
        create("b");
        await(store.append(new AppendRequest("a", TEXT, bytes("x"), false, null, null)));
        // A row where a's next record goes: the batch's multi-row insert violates the primary key.
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement("INSERT INTO " + schema
                + ".records (path, stream_id, off, data) SELECT path, id, 1, 'poison' FROM " + schema
                + ".streams WHERE path = 'a'")) {
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
        List<CompletableFuture<AppendResult>> results = new ArrayList<>();
        store.commits.gate.lock();
        try {
            results.add(queue(new AppendRequest("b", TEXT, bytes("b1"), false, null, new Producer("p", 0, 0))));
            results.add(queue(new AppendRequest("a", TEXT, bytes("yy"), false, null, null)));
            results.add(queue(new AppendRequest("b", TEXT, bytes("b2"), false, "7", null)));
        } finally {
            store.commits.gate.unlock();
        }
        for (CompletableFuture<AppendResult> f : results) assertThat(errorOf(f)).isEqualTo(Kind.UNAVAILABLE);
        assertThat(store.health().failing()).isTrue();
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement("DELETE FROM " + schema
                + ".records WHERE path = 'a' AND off = 1")) {
            st.executeUpdate();
        }
        assertThat(readAll("a")).isEqualTo("x");
        assertThat(readAll("b")).isEmpty();
        // Nothing of the failed batch stands: the producer starts again at 0, the Stream-Seq is free.
        AppendResult again = await(store.append(new AppendRequest("b", TEXT, bytes("b1"), false, "7",
                new Producer("p", 0, 0))));
        assertThat(again.duplicate()).isFalse();
        assertThat(again.next().position()).isEqualTo(2);
        assertThat(store.health().failing()).isFalse();
    }

    // ------------------------------------------------------------------ helpers

    /** Submits {@code req} and waits until it is queued for the next batch, so arrival order is submission order. */
    private CompletableFuture<AppendResult> queue(AppendRequest req) {
        int before = store.commits.queued();
        CompletableFuture<AppendResult> f = store.append(req);
        waitFor(() -> store.commits.queued() == before + 1 || f.isDone(), "append queued");
        return f;
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void create(String path) {
        await(store.create(new CreateRequest(path, TEXT, null, null, false, new byte[0], null)));
    }

    private String readAll(String path) {
        StringBuilder out = new StringBuilder();
        ReadFrom from = ReadFrom.START;
        while (true) {
            ReadResult r = await(store.read(path, from, 1 << 20));
            for (ByteBuffer b : r.chunks()) out.append(StandardCharsets.UTF_8.decode(b.duplicate()));
            if (r.upToDate()) return out.toString();
            from = ReadFrom.at(r.next());
        }
    }

    private Connection connect() throws SQLException {
        PgConfig c = new PgConfig(PostgresServer.url(), schema, 1);
        return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new CompletionException(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Kind errorOf(CompletableFuture<?> f) {
        try {
            await(f);
        } catch (StreamError e) {
            return e.kind();
        }
        throw new AssertionError("expected a refusal");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
