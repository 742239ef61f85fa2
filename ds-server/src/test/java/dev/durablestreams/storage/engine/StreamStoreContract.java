package dev.durablestreams.storage.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.AppendResult;
import dev.durablestreams.storage.CommitSignal;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.CreateResult;
import dev.durablestreams.storage.ForkSpec;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import dev.durablestreams.storage.StreamInfo;
import dev.durablestreams.storage.StreamStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract, run against every backend: each subclass opens a {@link StreamStore}. Time is driven by
 * a test clock so TTL behaviour is checked without waiting.
 */
public abstract class StreamStoreContract {
    static final String TEXT = "text/plain";
    static final String JSON = "application/json";

    protected final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    protected StreamStore store;

    /** A fresh store on {@link #clock}, or (after {@link #reopen()}) one over the same persisted data. */
    protected abstract StreamStore open(EngineOptions options);

    /** Whether data survives {@link #reopen()}. */
    protected abstract boolean persistent();

    /** Streams the backend holds (live, soft-deleted or pending). */
    protected abstract long storedStreams();

    @BeforeEach
    void start() {
        store = open(EngineOptions.UNLIMITED);
    }

    @AfterEach
    void stop() {
        store.close();
    }

    void reopen() {
        store.close();
        store = open(EngineOptions.UNLIMITED);
    }

    // ------------------------------------------------------------------ helpers

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new RuntimeException(e.getCause());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    static Kind errorOf(Runnable r) {
        try {
            r.run();
        } catch (StreamError e) {
            return e.kind();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StreamError se) return se.kind();
            throw e;
        }
        throw new AssertionError("expected a StreamError");
    }

    CreateResult create(String path, String type, String body) {
        return await(store.create(new CreateRequest(path, type, null, null, false, bytes(body), null)));
    }

    AppendResult append(String path, String type, String body) {
        return await(store.append(new AppendRequest(path, type, bytes(body), false, null, null)));
    }

    AppendResult produce(String path, String body, String id, long epoch, long seq) {
        return await(store.append(new AppendRequest(path, TEXT, bytes(body), false, null, new Producer(id, epoch, seq))));
    }

    String readAll(String path) {
        StringBuilder out = new StringBuilder();
        ReadFrom from = ReadFrom.START;
        while (true) {
            ReadResult r = await(store.read(path, from, 1 << 20));
            out.append(text(r));
            if (r.upToDate()) return out.toString();
            from = ReadFrom.at(r.next());
        }
    }

    static String text(ReadResult r) {
        StringBuilder b = new StringBuilder();
        for (ByteBuffer buf : r.chunks()) b.append(StandardCharsets.UTF_8.decode(buf.duplicate()));
        return b.toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ create

    @Test
    void createAppendAndReadBack() {
        CreateResult c = create("a", TEXT, "hello");
        assertThat(c.created()).isTrue();
        assertThat(c.info().tail()).isEqualTo(Offset.at(5));
        AppendResult r = append("a", TEXT, " world");
        assertThat(r.next()).isEqualTo(Offset.at(11));
        assertThat(readAll("a")).isEqualTo("hello world");
        ReadResult mid = await(store.read("a", ReadFrom.at(Offset.at(5)), 100));
        assertThat(text(mid)).isEqualTo(" world");
        assertThat(mid.upToDate()).isTrue();
    }

    @Test
    void idempotentCreateComparesConfiguration() {
        create("a", TEXT, "");
        assertThat(create("a", "TEXT/PLAIN; charset=utf-8", "").created()).isFalse();
        assertThat(errorOf(() -> create("a", JSON, ""))).isEqualTo(Kind.CONFLICT);
        assertThat(errorOf(() -> await(store.create(
                new CreateRequest("a", TEXT, 60L, null, false, new byte[0], null))))).isEqualTo(Kind.CONFLICT);
        assertThat(errorOf(() -> await(store.create(
                new CreateRequest("a", TEXT, null, null, true, new byte[0], null))))).isEqualTo(Kind.CONFLICT);
    }

    @Test
    void createdClosedWithData() {
        CreateResult c = await(store.create(new CreateRequest("c", TEXT, null, null, true, bytes("final"), null)));
        assertThat(c.info().closed()).isTrue();
        ReadResult r = await(store.read("c", ReadFrom.START, 100));
        assertThat(text(r)).isEqualTo("final");
        assertThat(r.closed()).isTrue();
        assertThat(errorOf(() -> append("c", TEXT, "more"))).isEqualTo(Kind.CONFLICT);
    }

    // ------------------------------------------------------------------ append rules

    @Test
    void contentTypeMustMatch() {
        create("a", TEXT, "");
        assertThat(errorOf(() -> append("a", JSON, "1"))).isEqualTo(Kind.CONFLICT);
        assertThat(errorOf(() -> append("missing", TEXT, "x"))).isEqualTo(Kind.NOT_FOUND);
    }

    @Test
    void streamSeqMustIncreaseAndFailuresChangeNothing() {
        create("a", TEXT, "");
        await(store.append(new AppendRequest("a", TEXT, bytes("1"), false, "09", null)));
        await(store.append(new AppendRequest("a", TEXT, bytes("2"), false, "10", null)));
        assertThat(errorOf(() -> await(store.append(new AppendRequest("a", TEXT, bytes("x"), false, "10", null)))))
                .isEqualTo(Kind.CONFLICT);
        assertThat(errorOf(() -> await(store.append(new AppendRequest("a", TEXT, bytes("x"), false, "1", null)))))
                .isEqualTo(Kind.CONFLICT);
        assertThat(readAll("a")).isEqualTo("12");
    }

    @Test
    void jsonAppendsAreValidatedFlattenedAndFramedByTheReader() {
        create("j", JSON, "[]");
        append("j", JSON, "[{\"a\":1},{\"b\":2.50}]");
        append("j", JSON, "3");
        assertThat(errorOf(() -> append("j", JSON, "[]"))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(errorOf(() -> append("j", JSON, "{oops"))).isEqualTo(Kind.BAD_REQUEST);
        ReadResult r = await(store.read("j", ReadFrom.START, 1000));
        assertThat(r.json()).isTrue();
        assertThat(text(r)).isEqualTo("{\"a\":1},{\"b\":2.50},3,");
    }

    @Test
    void producerDeduplicatesFencesAndDetectsGaps() {
        create("p", TEXT, "");
        assertThat(produce("p", "a", "w", 0, 0).duplicate()).isFalse();
        assertThat(produce("p", "b", "w", 0, 1).duplicate()).isFalse();
        AppendResult dup = produce("p", "b", "w", 0, 1);
        assertThat(dup.duplicate()).isTrue();
        assertThat(dup.producerSeq()).isEqualTo(1);
        assertThat(errorOf(() -> produce("p", "x", "w", 0, 5))).isEqualTo(Kind.CONFLICT);
        assertThat(produce("p", "c", "w", 1, 0).duplicate()).isFalse();
        assertThat(errorOf(() -> produce("p", "z", "w", 0, 2))).isEqualTo(Kind.STALE_EPOCH);
        assertThat(errorOf(() -> produce("p", "z", "w", 2, 1))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(produce("p", "d", "other", 0, 0).duplicate()).isFalse();
        assertThat(readAll("p")).isEqualTo("abcd");
    }

    @Test
    void gapCarriesExpectedAndReceivedSeq() {
        create("p", TEXT, "");
        produce("p", "a", "w", 0, 0);
        try {
            produce("p", "x", "w", 0, 3);
            throw new AssertionError("expected a gap");
        } catch (StreamError e) {
            assertThat(e.headers()).containsEntry("Producer-Expected-Seq", "1").containsEntry("Producer-Received-Seq", "3");
        }
    }

    // ------------------------------------------------------------------ close

    @Test
    void appendAndCloseIsAtomicAndCloseIsIdempotent() {
        create("a", TEXT, "x");
        AppendResult r = await(store.append(new AppendRequest("a", TEXT, bytes("y"), true, null, null)));
        assertThat(r.closed()).isTrue();
        assertThat(r.next()).isEqualTo(Offset.at(2));
        AppendResult again = await(store.append(new AppendRequest("a", null, new byte[0], true, null, null)));
        assertThat(again.closed()).isTrue();
        assertThat(again.next()).isEqualTo(Offset.at(2));
        ReadResult read = await(store.read("a", ReadFrom.START, 100));
        assertThat(text(read)).isEqualTo("xy");
        assertThat(read.closed()).isTrue();
    }

    @Test
    void closingProducerCanRetryOthersGetConflictWithFinalOffset() {
        create("a", TEXT, "");
        await(store.append(new AppendRequest("a", TEXT, bytes("last"), true, null, new Producer("w", 0, 0))));
        AppendResult retry = await(store.append(
                new AppendRequest("a", TEXT, bytes("different"), true, null, new Producer("w", 0, 0))));
        assertThat(retry.duplicate()).isTrue();
        try {
            await(store.append(new AppendRequest("a", TEXT, bytes("x"), false, null, new Producer("w", 0, 1))));
            throw new AssertionError("expected conflict");
        } catch (StreamError e) {
            assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
            assertThat(e.headers()).containsEntry("Stream-Closed", "true")
                    .containsEntry("Stream-Next-Offset", Offset.at(4).toString());
        }
        assertThat(readAll("a")).isEqualTo("last");
    }

    // ------------------------------------------------------------------ reads

    @Test
    void readsAreBoundedAndFollowNextOffset() {
        create("big", TEXT, "");
        for (int i = 0; i < 10; i++) append("big", TEXT, "0123456789");
        ReadResult first = await(store.read("big", ReadFrom.START, 25));
        assertThat(first.byteCount()).isEqualTo(25);
        assertThat(first.upToDate()).isFalse();
        assertThat(readAll("big")).hasSize(100);
    }

    @Test
    void readsFromEveryOffsetMatchWhateverServesThem() {
        // The newest records are served from memory, older and larger ones from the log: both must agree.
        create("mix", TEXT, "");
        await(store.read("mix", ReadFrom.NOW, 1)); // a live reader at the tail: new records are kept in memory
        StringBuilder all = new StringBuilder();
        java.util.List<Long> offsets = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            offsets.add((long) all.length());
            String rec = (i % 7 == 3 ? "L".repeat(RecentRecords.MAX_RECORD_BYTES + 1) : "r" + i + "-") + "|";
            all.append(rec);
            append("mix", TEXT, rec);
        }
        for (long off : offsets) {
            StringBuilder got = new StringBuilder();
            ReadFrom from = ReadFrom.at(Offset.at(off));
            while (true) {
                ReadResult r = await(store.read("mix", from, 1 << 20));
                got.append(text(r));
                if (r.upToDate()) break;
                from = ReadFrom.at(r.next());
            }
            assertThat(got.toString()).as("read from %d", off).isEqualTo(all.substring((int) off));
        }
        ReadResult mid = await(store.read("mix", ReadFrom.at(Offset.at(offsets.get(39) + 1)), 1 << 20));
        assertThat(text(mid)).as("a read inside the newest record").isEqualTo(all.substring(offsets.get(39).intValue() + 1));
    }

    @Test
    void jsonReadsCutOnlyBetweenMessages() {
        create("j", JSON, "");
        append("j", JSON, "[\"aaaaaaaa\",\"bbbbbbbb\"]");
        append("j", JSON, "\"cccccccc\"");
        ReadResult r = await(store.read("j", ReadFrom.START, 5));
        assertThat(text(r)).isEqualTo("\"aaaaaaaa\",\"bbbbbbbb\",");
        assertThat(r.upToDate()).isFalse();
        ReadResult rest = await(store.read("j", ReadFrom.at(r.next()), 5));
        assertThat(text(rest)).isEqualTo("\"cccccccc\",");
        assertThat(rest.upToDate()).isTrue();
    }

    @Test
    void nowReadsTheTailAndTheSignalFiresOnTheNextCommit() throws Exception {
        create("a", TEXT, "abc");
        ReadResult tail = await(store.read("a", ReadFrom.NOW, 100));
        assertThat(tail.isEmpty()).isTrue();
        assertThat(tail.next()).isEqualTo(Offset.at(3));
        CommitSignal signal = tail.nextCommit();
        CountDownLatch woke = new CountDownLatch(1);
        assertThat(signal.subscribe(woke::countDown)).isTrue();
        append("a", TEXT, "d");
        assertThat(woke.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(signal.subscribe(() -> {})).as("a fired signal refuses late listeners").isFalse();
    }

    // ------------------------------------------------------------------ delete, forks

    /** The listing for subscription backfill: live streams only (a soft-deleted source is gone for clients). */
    @Test
    void pathsListsTheLiveStreams() {
        create("a", TEXT, "");
        create("b/c", TEXT, "x");
        create("gone", TEXT, "");
        fork("f", "b/c", "");
        await(store.delete("gone"));
        await(store.delete("b/c")); // soft: the fork still reads through it
        assertThat(store.paths()).containsExactlyInAnyOrder("a", "f");
    }

    /** Tails of many streams at once, for subscriptions catching up: live streams only. */
    @Test
    void tailsReadsTheLiveStreamsAmongThePaths() {
        create("a", TEXT, "abc");
        create("b c/d", TEXT, "");
        create("gone", TEXT, "xy");
        await(store.delete("gone"));
        assertThat(store.tails(java.util.List.of("a", "b c/d", "gone", "missing")))
                .isEqualTo(java.util.Map.of("a", Offset.at(3), "b c/d", Offset.at(0)));
        assertThat(store.tails(java.util.List.of())).isEmpty();
    }

    @Test
    void deleteThenRecreateGivesAFreshStream() {
        create("a", TEXT, "old");
        produce("a", "x", "w", 0, 0);
        await(store.delete("a"));
        assertThat(errorOf(() -> await(store.info("a")))).isEqualTo(Kind.NOT_FOUND);
        assertThat(errorOf(() -> await(store.delete("a")))).isEqualTo(Kind.NOT_FOUND);
        assertThat(create("a", TEXT, "").created()).isTrue();
        assertThat(readAll("a")).isEmpty();
        assertThat(produce("a", "y", "w", 0, 0).duplicate()).isFalse();
    }

    @Test
    void forkInheritsPrefixAndDivergesIndependently() {
        create("src", TEXT, "hello ");
        append("src", TEXT, "world");
        await(store.create(new CreateRequest("f", null, null, null, false, bytes("!"),
                new ForkSpec("src", Offset.at(6), 0))));
        append("src", TEXT, " more");
        append("f", TEXT, "?");
        assertThat(readAll("f")).isEqualTo("hello !?");
        assertThat(readAll("src")).isEqualTo("hello world more");
        assertThat(await(store.info("f")).contentType()).isEqualTo(TEXT);
        assertThat(produce("f", "p", "w", 0, 0).duplicate()).isFalse();
    }

    @Test
    void forkSubOffsetTakesPartOfTheAppendAtTheAnchor() {
        create("src", TEXT, "abc");
        append("src", TEXT, "hello");
        CreateResult f = await(store.create(new CreateRequest("f", TEXT, null, null, false, bytes("XY"),
                new ForkSpec("src", Offset.at(3), 3))));
        assertThat(f.info().tail()).isEqualTo(Offset.at(8));
        assertThat(readAll("f")).isEqualTo("abchelXY");
        assertThat(errorOf(() -> await(store.create(new CreateRequest("g", TEXT, null, null, false, new byte[0],
                new ForkSpec("src", Offset.at(3), 6)))))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(errorOf(() -> await(store.create(new CreateRequest("h", TEXT, null, null, false, new byte[0],
                new ForkSpec("src", Offset.at(99), 0)))))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(errorOf(() -> await(store.create(new CreateRequest("i", JSON, null, null, false, new byte[0],
                new ForkSpec("src", null, 0)))))).isEqualTo(Kind.CONFLICT);
    }

    @Test
    void sourceWithForksIsSoftDeletedUntilTheLastForkGoes() {
        create("src", TEXT, "data");
        await(store.create(new CreateRequest("f1", null, null, null, false, new byte[0], new ForkSpec("src", null, 0))));
        await(store.create(new CreateRequest("f2", null, null, null, false, new byte[0], new ForkSpec("f1", null, 0))));
        await(store.delete("src"));
        assertThat(errorOf(() -> await(store.info("src")))).isEqualTo(Kind.GONE);
        assertThat(errorOf(() -> create("src", TEXT, ""))).isEqualTo(Kind.CONFLICT);
        assertThat(errorOf(() -> await(store.create(new CreateRequest("f3", null, null, null, false, new byte[0],
                new ForkSpec("src", null, 0)))))).isEqualTo(Kind.CONFLICT);
        await(store.delete("f1"));
        assertThat(readAll("f2")).isEqualTo("data");
        await(store.delete("f2"));
        assertThat(errorOf(() -> await(store.info("f1")))).isEqualTo(Kind.NOT_FOUND);
        assertThat(errorOf(() -> await(store.info("src")))).isEqualTo(Kind.NOT_FOUND);
        assertThat(create("src", TEXT, "new").created()).isTrue();
    }

    // ------------------------------------------------------------------ TTL

    @Test
    void slidingTtlIsRenewedByReadsAndAppendsButNotByInfo() {
        await(store.create(new CreateRequest("t", TEXT, 10L, null, false, new byte[0], null)));
        clock.addAndGet(8_000);
        await(store.read("t", ReadFrom.NOW, 10));
        clock.addAndGet(8_000);
        append("t", TEXT, "x");
        clock.addAndGet(8_000);
        assertThat(await(store.info("t")).ttlSeconds()).isEqualTo(10L);
        clock.addAndGet(3_000);
        assertThat(errorOf(() -> await(store.info("t")))).isEqualTo(Kind.NOT_FOUND);
        assertThat(create("t", TEXT, "").created()).isTrue();
    }

    @Test
    void expiresAtIsAbsoluteAndForksInheritIt() {
        Instant at = Instant.ofEpochMilli(clock.get() + 5_000);
        await(store.create(new CreateRequest("e", TEXT, null, at, false, bytes("x"), null)));
        await(store.create(new CreateRequest("ef", null, null, null, false, new byte[0], new ForkSpec("e", null, 0))));
        StreamInfo fork = await(store.info("ef"));
        assertThat(fork.expiresAt()).isEqualTo(at);
        clock.addAndGet(5_000);
        assertThat(errorOf(() -> await(store.read("e", ReadFrom.START, 10)))).isIn(Kind.NOT_FOUND, Kind.GONE);
        assertThat(errorOf(() -> await(store.read("ef", ReadFrom.START, 10)))).isEqualTo(Kind.NOT_FOUND);
    }

    // ------------------------------------------------------------------ limits

    @Test
    void perStreamAndTotalLimits() {
        store.close();
        store = open(new EngineOptions(10, 15));
        create("a", TEXT, "12345");
        assertThat(errorOf(() -> append("a", TEXT, "123456"))).isEqualTo(Kind.TOO_LARGE);
        append("a", TEXT, "12345");
        create("b", TEXT, "12345");
        assertThat(errorOf(() -> append("b", TEXT, "1"))).isEqualTo(Kind.INSUFFICIENT_STORAGE);
        assertThat(readAll("a")).isEqualTo("1234512345");
        await(store.delete("a"));
        append("b", TEXT, "1");
    }

    // ------------------------------------------------------------------ restart

    @Test
    void everythingSurvivesARestart() {
        if (!persistent()) return;
        await(store.create(new CreateRequest("s", TEXT, 3600L, null, false, bytes("a"), null)));
        produce("s", "b", "w", 3, 0);
        await(store.append(new AppendRequest("s", TEXT, bytes("c"), false, "seq-5", null)));
        await(store.create(new CreateRequest("f", null, null, null, false, bytes("F"), new ForkSpec("s", null, 0))));
        await(store.create(new CreateRequest("x", JSON, null, null, false, bytes("[1,2]"), null)));
        await(store.append(new AppendRequest("x", JSON, new byte[0], true, null, new Producer("c", 0, 0))));
        await(store.delete("s")); // soft delete: the fork still reads through it
        reopen();
        assertThat(errorOf(() -> await(store.info("s")))).isEqualTo(Kind.GONE);
        assertThat(readAll("f")).isEqualTo("abcF");
        assertThat(await(store.info("f")).ttlSeconds()).isEqualTo(3600L);
        StreamInfo x = await(store.info("x"));
        assertThat(x.closed()).isTrue();
        assertThat(await(store.append(new AppendRequest("x", JSON, new byte[0], true, null, new Producer("c", 0, 0))))
                .duplicate()).isTrue();
        await(store.delete("f"));
        assertThat(errorOf(() -> await(store.info("s")))).isEqualTo(Kind.NOT_FOUND);
        assertThat(create("n", TEXT, "").created()).isTrue();
    }

    @Test
    void producerAndSeqStateSurviveARestart() {
        if (!persistent()) return;
        create("s", TEXT, "");
        produce("s", "a", "w", 2, 0);
        produce("s", "b", "w", 2, 1);
        await(store.append(new AppendRequest("s", TEXT, bytes("c"), false, "m", null)));
        reopen();
        assertThat(produce("s", "b", "w", 2, 1).duplicate()).isTrue();
        assertThat(errorOf(() -> produce("s", "z", "w", 1, 0))).isEqualTo(Kind.STALE_EPOCH);
        assertThat(errorOf(() -> await(store.append(new AppendRequest("s", TEXT, bytes("d"), false, "a", null)))))
                .isEqualTo(Kind.CONFLICT);
        assertThat(produce("s", "d", "w", 2, 2).duplicate()).isFalse();
        assertThat(readAll("s")).isEqualTo("abcd");
    }

    // ------------------------------------------------------------------ read-path hardening

    @Test
    void aLiveReaderFollowsItsStreamNotThePath() {
        create("a", TEXT, "old");
        ReadResult waiting = await(store.read("a", ReadFrom.at(Offset.at(3)), 100));
        assertThat(waiting.isEmpty()).isTrue();
        await(store.delete("a"));
        assertThat(waiting.nextCommit().hasFired()).as("the delete wakes the waiting reader").isTrue();
        create("a", TEXT, "newer data");

        // The waiter re-reads its own stream: gone, never the new stream's bytes from its offset.
        assertThat(errorOf(() -> await(store.read("a", waiting.incarnation(), ReadFrom.at(Offset.at(3)), 100))))
                .isEqualTo(Kind.NOT_FOUND);
        ReadResult fresh = await(store.read("a", ReadFrom.START, 100));
        assertThat(fresh.incarnation()).isNotEqualTo(waiting.incarnation());
        assertThat(text(fresh)).isEqualTo("newer data");
    }

    @Test
    void aLiveReaderOfASoftDeletedStreamGetsGone() {
        create("src", TEXT, "abc");
        await(store.create(new CreateRequest("f", null, null, null, false, new byte[0],
                new ForkSpec("src", null, 0))));
        ReadResult waiting = await(store.read("src", ReadFrom.NOW, 100));
        await(store.delete("src"));
        assertThat(waiting.nextCommit().hasFired()).isTrue();
        assertThat(errorOf(() -> await(store.read("src", waiting.incarnation(), ReadFrom.at(Offset.at(3)), 100))))
                .isEqualTo(Kind.GONE);
    }

    @Test
    void aStreamCreatedAfterARestartNeverTakesTheIdOfADeletedOne() {
        if (!persistent()) return;
        create("keep", TEXT, "k");
        create("gone", TEXT, "data");
        long goneId = await(store.read("gone", ReadFrom.START, 100)).incarnation();
        await(store.delete("gone")); // the highest id in use
        reopen();
        create("gone", TEXT, "data");
        ReadResult again = await(store.read("gone", ReadFrom.START, 100));
        assertThat(again.incarnation()).as("an ETag of the deleted stream must not match").isNotEqualTo(goneId);
    }

    @Test
    void anOffsetBeyondTheTailIsRefusedNotClamped() {
        create("a", TEXT, "hello");
        ReadResult atTail = await(store.read("a", ReadFrom.at(Offset.at(5)), 100));
        assertThat(atTail.isEmpty()).isTrue();
        assertThat(atTail.next()).isEqualTo(Offset.at(5));
        assertThat(errorOf(() -> await(store.read("a", ReadFrom.at(Offset.at(6)), 100))))
                .isEqualTo(Kind.BAD_REQUEST);
        assertThat(errorOf(() -> await(store.read("a", ReadFrom.at(new Offset(1, 0)), 100))))
                .as("a read sequence this stream never issued").isEqualTo(Kind.BAD_REQUEST);
        await(store.append(new AppendRequest("a", TEXT, new byte[0], true, null, null)));
        assertThat(errorOf(() -> await(store.read("a", ReadFrom.at(Offset.at(6)), 100))))
                .as("closed streams too").isEqualTo(Kind.BAD_REQUEST);
    }

    @Test
    void aJsonReadInsideAMessageIsRefused() {
        create("j", JSON, "[\"ab\",\"cd\"]"); // stored as "ab","cd",
        append("j", JSON, "[1]");
        for (long inside : new long[] {1, 5, 11}) {
            assertThat(errorOf(() -> await(store.read("j", ReadFrom.at(Offset.at(inside)), 100))))
                    .as("offset %d", inside).isEqualTo(Kind.BAD_REQUEST);
        }
        assertThat(text(await(store.read("j", ReadFrom.at(Offset.at(10)), 100)))).isEqualTo("1,");
        // A reader at the tail keeps new records in memory: the check holds there too.
        await(store.read("j", ReadFrom.NOW, 100));
        append("j", JSON, "[22]");
        assertThat(errorOf(() -> await(store.read("j", ReadFrom.at(Offset.at(13)), 100)))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(text(await(store.read("j", ReadFrom.at(Offset.at(12)), 100)))).isEqualTo("22,");
        // Byte streams are read from any byte.
        create("t", TEXT, "hello");
        assertThat(text(await(store.read("t", ReadFrom.at(Offset.at(2)), 100)))).isEqualTo("llo");
    }

    @Test
    void aForkChainAtTheDepthCapIsReadableAndDeletableOneDeeperIsRefused() {
        int cap = 20;
        store.close();
        store = open(new EngineOptions(Long.MAX_VALUE, Long.MAX_VALUE, cap));
        StringBuilder expected = new StringBuilder("r");
        create("c0", TEXT, "r");
        for (int i = 1; i <= cap; i++) {
            fork("c" + i, "c" + (i - 1), Character.toString('a' + i % 26));
            expected.append((char) ('a' + i % 26));
        }
        assertThat(readAll("c" + cap)).isEqualTo(expected.toString());
        assertThat(errorOf(() -> fork("too-deep", "c" + cap, ""))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(errorOf(() -> await(store.info("too-deep")))).isEqualTo(Kind.NOT_FOUND);

        // Ancestors deleted first stay soft-deleted; deleting the leaf then purges the whole chain at once.
        for (int i = 0; i < cap; i++) await(store.delete("c" + i));
        assertThat(readAll("c" + cap)).isEqualTo(expected.toString());
        await(store.delete("c" + cap));
        assertThat(storedStreams()).isZero();
        if (persistent()) {
            reopen();
            assertThat(storedStreams()).isZero();
        }
        create("c0", TEXT, "again");
        assertThat(readAll("c0")).isEqualTo("again");
    }

    @Test
    void invalidJsonInACreateIsRefusedButAnIdenticalExistingStreamStillAnswers() {
        assertThat(errorOf(() -> create("j", JSON, "[1,"))).isEqualTo(Kind.BAD_REQUEST);
        assertThat(errorOf(() -> await(store.info("j")))).isEqualTo(Kind.NOT_FOUND);
        create("j", JSON, "");
        assertThat(create("j", JSON, "[1,").created()).as("idempotent create: the body is not checked").isFalse();
        // A fork takes its source's type when it names none: its body is validated as JSON.
        assertThat(errorOf(() -> fork("jf", "j", "[1,"))).isEqualTo(Kind.BAD_REQUEST);
        fork("jf", "j", "[7]");
        assertThat(readAll("jf")).isEqualTo("7,");
    }

    CreateResult fork(String path, String source, String body) {
        return await(store.create(new CreateRequest(path, null, null, null, false, bytes(body),
                new ForkSpec(source, null, 0))));
    }
}
