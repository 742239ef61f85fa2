package dev.durablestreams.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.protocol.Offset;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two nodes on one database: state is shared, and a live reader on one node is woken by a commit on the other. */
@ExtendWith(PostgresServer.Start.class)
class TwoNodesTest {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static final String TEXT = "text/plain";
    private PostgresStore a;
    private PostgresStore b;

    @BeforeEach
    void start() {
        String schema = "two_nodes_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        a = PostgresStore.open(new PgConfig(PostgresServer.url(), schema, 4), EngineOptions.UNLIMITED);
        b = PostgresStore.open(new PgConfig(PostgresServer.url(), schema, 4), EngineOptions.UNLIMITED);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StreamError se) throw se;
            throw e;
        }
    }

    static AppendRequest post(String body, Producer p) {
        return new AppendRequest("s", TEXT, body.getBytes(StandardCharsets.UTF_8), false, null, p);
    }

    static String text(ReadResult r) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuffer buf : r.chunks()) sb.append(StandardCharsets.UTF_8.decode(buf.duplicate()));
        return sb.toString();
    }

    @Test
    void aLiveReaderOnOneNodeIsWokenByAnAppendOnTheOther() throws Exception {
        await(a.create(new CreateRequest("s", TEXT, null, null, false, new byte[0], null)));
        ReadResult tail = await(b.read("s", ReadFrom.NOW, 100));
        assertThat(tail.isEmpty()).isTrue();
        CountDownLatch woke = new CountDownLatch(1);
        assertThat(tail.nextCommit().subscribe(woke::countDown)).isTrue();
        await(a.append(post("hello", null)));
        assertThat(woke.await(20, TimeUnit.SECONDS)).as("woken by the other node's commit").isTrue();
        assertThat(text(await(b.read("s", ReadFrom.at(tail.next()), 100)))).isEqualTo("hello");
    }

    @Test
    void aLiveReaderOnOneNodeSeesADeleteOnTheOther() throws Exception {
        await(a.create(new CreateRequest("s", TEXT, null, null, false, new byte[0], null)));
        ReadResult tail = await(b.read("s", ReadFrom.NOW, 100));
        CountDownLatch woke = new CountDownLatch(1);
        assertThat(tail.nextCommit().subscribe(woke::countDown)).isTrue();
        await(a.delete("s"));
        assertThat(woke.await(20, TimeUnit.SECONDS)).isTrue();
        await(a.create(new CreateRequest("s", TEXT, null, null, false, new byte[0], null)));
        try {
            await(b.read("s", tail.incarnation(), ReadFrom.at(tail.next()), 100));
            throw new AssertionError("read the re-created stream");
        } catch (StreamError e) {
            assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        }
    }

    @Test
    void producerStateAndStreamSeqAreSharedByTheNodes() throws Exception {
        await(a.create(new CreateRequest("s", TEXT, null, null, false, new byte[0], null)));
        assertThat(await(a.append(post("0", new Producer("p", 0, 0)))).duplicate()).isFalse();
        assertThat(await(b.append(post("0", new Producer("p", 0, 0)))).duplicate()).as("retry on the other node").isTrue();
        assertThat(await(b.append(post("1", new Producer("p", 0, 1)))).duplicate()).isFalse();
        try {
            await(a.append(post("3", new Producer("p", 0, 3))));
            throw new AssertionError("gap accepted");
        } catch (StreamError e) {
            assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
        }
        await(a.append(new AppendRequest("s", TEXT, "x".getBytes(StandardCharsets.UTF_8), false, "5", null)));
        try {
            await(b.append(new AppendRequest("s", TEXT, "y".getBytes(StandardCharsets.UTF_8), false, "5", null)));
            throw new AssertionError("Stream-Seq repeated on the other node");
        } catch (StreamError e) {
            assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
        }
        assertThat(text(await(b.read("s", ReadFrom.START, 100)))).isEqualTo("01x");
    }

    @Test
    void concurrentAppendsThroughBothNodesSerializeOnTheStream() throws Exception {
        await(a.create(new CreateRequest("s", TEXT, null, null, false, new byte[0], null)));
        List<CompletableFuture<AppendResult>> appends = new ArrayList<>();
        for (int i = 0; i < 200; i++) appends.add((i % 2 == 0 ? a : b).append(post("ab", null)));
        List<Long> ends = new ArrayList<>();
        for (CompletableFuture<AppendResult> f : appends) ends.add(await(f).next().position());
        assertThat(ends).doesNotHaveDuplicates().allMatch(e -> e % 2 == 0);
        assertThat(await(a.info("s")).tail()).isEqualTo(Offset.at(400));
        assertThat(text(await(b.read("s", ReadFrom.START, 1 << 20)))).isEqualTo("ab".repeat(200));
    }
}
