package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.protocol.Offset;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A live reader waiting on a stream that is deleted and re-created at the same path with data ends (long-poll
 * 404, SSE response ends); it never gets the new stream's bytes from its old offset. The race is made
 * deterministic by holding the woken reader's re-read at a gate until the new stream exists.
 */
class LiveReaderIdentityTest {
    static final String OLD = "old";
    static final String NEW = "newer data";

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    StreamEngine engine;
    GatedStore store;
    HttpServer server;
    String base;

    @BeforeEach
    void start() throws Exception {
        engine = new StreamEngine(new MemoryLog(), EngineOptions.UNLIMITED);
        store = new GatedStore(engine);
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(5)), store);
        base = "http://127.0.0.1:" + server.start() + "/v1/stream/";
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    @Test
    void aWaitingLongPollOfADeletedStreamGets404NotTheRecreatedStream() throws Exception {
        put("a", OLD);
        CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
                get("a?offset=" + Offset.at(OLD.length()) + "&live=long-poll"), BodyHandlers.ofString());
        assertThat(store.completedReads.poll(10, TimeUnit.SECONDS).isEmpty()).as("the poll waits at the tail").isTrue();

        replaceWhileTheWokenReaderIsHeld("a");

        HttpResponse<String> r = poll.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).doesNotContain("data");
    }

    @Test
    void aWaitingSseResponseOfADeletedStreamEndsWithoutTheRecreatedStream() throws Exception {
        put("s", OLD);
        CompletableFuture<HttpResponse<Stream<String>>> sse = client.sendAsync(
                get("s?offset=" + Offset.at(OLD.length()) + "&live=sse"), BodyHandlers.ofLines());
        assertThat(store.completedReads.poll(10, TimeUnit.SECONDS).isEmpty()).isTrue();
        HttpResponse<Stream<String>> response = sse.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);

        replaceWhileTheWokenReaderIsHeld("s");

        List<String> lines = new ArrayList<>();
        try (Stream<String> body = response.body()) {
            body.forEach(lines::add); // returns when the server ends the response (or at --sse-max-duration)
        }
        assertThat(lines).doesNotContain("event: data");
        assertThat(String.join("\n", lines)).doesNotContain("data:er data");
    }

    /** Deletes the stream, re-creates it with data while the woken reader's re-read waits, then lets it read. */
    private void replaceWhileTheWokenReaderIsHeld(String name) throws Exception {
        store.closeGate();
        assertThat(send("DELETE", name, null).statusCode()).isEqualTo(204);
        assertThat(store.held.tryAcquire(10, TimeUnit.SECONDS)).as("the delete woke the reader").isTrue();
        put(name, NEW);
        store.openGate();
    }

    private void put(String name, String body) throws Exception {
        assertThat(send("PUT", name, body).statusCode()).isEqualTo(201);
    }

    private HttpRequest get(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build();
    }

    private HttpResponse<String> send(String method, String name, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + name))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
                .header("Content-Type", "text/plain").build();
        return client.send(req, BodyHandlers.ofString());
    }

    /** The real engine, with reads that can be held at a gate: the test decides when a woken reader reads. */
    static final class GatedStore implements StreamStore {
        final StreamStore delegate;
        final BlockingQueue<ReadResult> completedReads = new LinkedBlockingQueue<>();
        final Semaphore held = new Semaphore(0);
        private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

        GatedStore(StreamStore delegate) {
            this.delegate = delegate;
        }

        void closeGate() {
            gate = new CompletableFuture<>();
        }

        void openGate() {
            gate.complete(null);
        }

        @Override
        public CompletableFuture<ReadResult> read(String path, long incarnation, ReadFrom from, int maxBytes) {
            CompletableFuture<Void> g = gate;
            if (!g.isDone()) held.release();
            return g.thenCompose(v -> delegate.read(path, incarnation, from, maxBytes))
                    .whenComplete((r, err) -> {
                        if (r != null) completedReads.add(r);
                    });
        }

        @Override
        public CompletableFuture<CreateResult> create(CreateRequest request) {
            return delegate.create(request);
        }

        @Override
        public CompletableFuture<AppendResult> append(AppendRequest request) {
            return delegate.append(request);
        }

        @Override
        public CompletableFuture<Void> delete(String path) {
            return delegate.delete(path);
        }

        @Override
        public CompletableFuture<StreamInfo> info(String path) {
            return delegate.info(path);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
