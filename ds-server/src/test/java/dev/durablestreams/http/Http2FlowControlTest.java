package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.AppendResult;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.CreateResult;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.StreamInfo;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An SSE response on an HTTP/2 stream whose reader does not open its flow-control window stops reading storage,
 * as on a slow HTTP/1.1 socket, while other streams on the same connection keep being served; once the reader
 * reads again, it gets everything, in order.
 */
class Http2FlowControlTest {
    static final int CHUNK = 16 * 1024;
    static final int CHUNKS = 64;

    /** The real store, counting the reads of one stream. */
    static final class CountingStore implements StreamStore {
        final StreamEngine engine = new StreamEngine(new MemoryLog(), EngineOptions.UNLIMITED);
        final AtomicInteger reads = new AtomicInteger();
        final String counted;

        CountingStore(String counted) {
            this.counted = counted;
        }

        @Override public CompletableFuture<CreateResult> create(CreateRequest r) { return engine.create(r); }
        @Override public CompletableFuture<AppendResult> append(AppendRequest r) { return engine.append(r); }
        @Override public CompletableFuture<Void> delete(String path) { return engine.delete(path); }
        @Override public CompletableFuture<StreamInfo> info(String path) { return engine.info(path); }
        @Override public void close() { engine.close(); }

        @Override
        public CompletableFuture<ReadResult> read(String path, long incarnation, ReadFrom from, int maxBytes) {
            if (path.equals(counted)) reads.incrementAndGet();
            return engine.read(path, incarnation, from, maxBytes);
        }
    }

    @Test
    void stalledStreamStopsReadingStorageAndResumesInOrder() throws Exception {
        CountingStore store = new CountingStore("slow");
        HttpServer server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, CHUNK, Duration.ofSeconds(1),
                Duration.ofMinutes(5), Duration.ofMinutes(5)), store);
        int port = server.start();
        Http2Settings smallWindow = Http2Settings.defaultSettings().initialWindowSize(CHUNK);
        try (H2FrameClient h2 = new H2FrameClient(port, null, smallWindow)) {
            h2.send("PUT", "/v1/stream/slow", "text/plain", null, true).ended.get(10, TimeUnit.SECONDS);
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < CHUNKS; i++) {
                String chunk = String.format("%05d;", i).repeat(CHUNK / 6);
                expected.append(chunk);
                h2.send("POST", "/v1/stream/slow", "text/plain", chunk, true).ended.get(10, TimeUnit.SECONDS);
            }

            H2FrameClient.Exchange sse = h2.send("GET", "/v1/stream/slow?offset=-1&live=sse", null, null, false);
            waitUntil(() -> store.reads.get() >= 1, "the SSE response started reading");
            // Round trips on the same connection: other streams are served meanwhile, and a server ignoring the
            // stalled window would have read on through the backlog by now.
            for (int i = 0; i < 20; i++) {
                H2FrameClient.Exchange head = h2.send("HEAD", "/v1/stream/slow", null, null, true);
                assertThat(head.headers.get(10, TimeUnit.SECONDS).status().toString()).isEqualTo("200");
            }
            // Reads stop once the stream's queue passes its high-water mark: at most that many chunks, plus the one
            // in flight, plus the first.
            int bound = Http2Pipeline.STREAM_WATER_MARK.high() / CHUNK + 2;
            assertThat(store.reads.get()).as("storage reads while the reader's window is closed")
                    .isLessThanOrEqualTo(bound);

            sse.stream.eventLoop().execute(() -> {
                sse.stream.config().setAutoRead(true);
                sse.stream.read();
            });
            waitUntil(() -> SseText.dataPayload(sse.body()).length() >= expected.length(), "all data arrived");
            assertThat(SseText.dataPayload(sse.body())).isEqualTo(expected.toString());
            assertThat(store.reads.get()).isGreaterThanOrEqualTo(CHUNKS);
        } finally {
            server.close();
            store.close();
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(10);
        }
    }
}
