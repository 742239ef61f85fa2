package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.ForkSpec;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A fork chain at the configured depth cap, deep enough to overflow a recursive walk on an event loop, is read
 * (catch-up and SSE) and deleted over HTTP; a fork one deeper gets 400 with a problem body.
 */
class DeepForkChainHttpTest {
    static final int DEPTH = 30_000;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static StreamEngine engine;
    static HttpServer server;
    static String base;
    static String expected;

    @BeforeAll
    static void start() throws Exception {
        engine = new StreamEngine(new MemoryLog(), new EngineOptions(Long.MAX_VALUE, Long.MAX_VALUE, DEPTH));
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(5)), engine);
        base = "http://127.0.0.1:" + server.start() + "/v1/stream/";
        // Built through the engine: 30,000 PUTs over HTTP would only make the test slow.
        engine.create(new CreateRequest("c0", "text/plain", null, null, false, bytes("r"), null))
                .get(10, TimeUnit.SECONDS);
        for (int i = 1; i <= DEPTH; i++) {
            engine.create(new CreateRequest("c" + i, null, null, null, false, bytes(i % 100 == 0 ? "x" : ""),
                    new ForkSpec("c" + (i - 1), null, 0))).get(10, TimeUnit.SECONDS);
        }
        expected = "r" + "x".repeat(DEPTH / 100);
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    @Test
    void theLeafAtTheCapCannotBeForkedButIsReadOverCatchUpAndSseThenDeleted() throws Exception {
        String leaf = "c" + DEPTH;
        HttpResponse<String> fork = client.send(HttpRequest.newBuilder(URI.create(base + "too-deep"))
                .PUT(BodyPublishers.noBody()).header("Stream-Forked-From", "/v1/stream/" + leaf).build(),
                BodyHandlers.ofString());
        assertThat(fork.statusCode()).isEqualTo(400);
        assertThat(fork.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(fork.body()).contains("fork chain too deep");
        assertThat(send("HEAD", "too-deep").statusCode()).isEqualTo(404);

        HttpResponse<String> get = send("GET", leaf + "?offset=-1");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(expected);

        HttpResponse<Stream<String>> sse = client.send(HttpRequest.newBuilder(
                URI.create(base + leaf + "?offset=-1&live=sse")).build(), BodyHandlers.ofLines());
        assertThat(sse.statusCode()).isEqualTo(200);
        try (Stream<String> lines = sse.body()) {
            Iterator<String> it = lines.iterator();
            assertThat(it.next()).isEqualTo("event: data");
            assertThat(it.next()).isEqualTo("data:" + expected);
        }

        assertThat(send("DELETE", leaf).statusCode()).isEqualTo(204);
        assertThat(send("GET", leaf).statusCode()).isEqualTo(404);
        assertThat(send("GET", "c" + (DEPTH - 1)).body()).as("its parent stays").isEqualTo(expected.substring(0, expected.length() - 1));
    }

    private static HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .method(method, BodyPublishers.noBody()).build(), BodyHandlers.ofString());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
