package dev.durablestreams.http;

import static dev.durablestreams.http.RawHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.rocksdb.RocksLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One HTTP/1.1 connection, written to byte by byte: pipelined requests are answered in request order, and a
 * refused body is never read as the next request.
 */
class Http1ConnectionTest {
    static final int MAX_BODY = 1 << 20;
    static InProcessServer server;
    @TempDir
    static Path dir;

    /** RocksDB: its appends commit and its reads run on other threads, so responses complete out of order. */
    @BeforeAll
    static void start() throws Exception {
        server = new InProcessServer(RocksLog.open(dir.resolve("db"), true), MAX_BODY, 1 << 20, Duration.ofMillis(300),
                Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String fresh() {
        return "/v1/stream/conn-" + UUID.randomUUID();
    }

    static RawHttp connect() throws Exception {
        return new RawHttp(server.port);
    }

    static int status(String raw) throws Exception {
        try (RawHttp c = connect()) {
            return c.send(raw).read().status();
        }
    }

    @Test
    void pipelinedAppendThenMissingReadAnsweredInRequestOrder() throws Exception {
        String s = fresh();
        assertThat(status(request("PUT", s, null, "Content-Type", "text/plain"))).isEqualTo(201);
        try (RawHttp c = connect()) {
            c.send(request("POST", s, "x".repeat(100_000), "Content-Type", "text/plain")
                    + request("GET", fresh() + "?offset=-1", null));
            assertThat(c.read().status()).isEqualTo(204);
            assertThat(c.read().status()).isEqualTo(404);
        }
    }

    @Test
    void pipelinedLargeReadsDoNotInterleave() throws Exception {
        String a = fresh();
        String b = fresh();
        String bodyA = "a".repeat(3 * Responses.SLICE);
        String bodyB = "b".repeat(3 * Responses.SLICE);
        assertThat(status(request("PUT", a, bodyA, "Content-Type", "text/plain"))).isEqualTo(201);
        assertThat(status(request("PUT", b, bodyB, "Content-Type", "text/plain"))).isEqualTo(201);
        try (RawHttp c = connect()) {
            StringBuilder pipelined = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                pipelined.append(request("GET", a + "?offset=-1", null)).append(request("GET", b + "?offset=-1", null));
            }
            c.send(pipelined.toString());
            for (int i = 0; i < 3; i++) {
                assertThat(c.read().text()).as("read %d of a", i).isEqualTo(bodyA);
                assertThat(c.read().text()).as("read %d of b", i).isEqualTo(bodyB);
            }
        }
    }

    @Test
    void connectionCloseOnTheLastPipelinedRequestClosesAfterEveryEarlierResponse() throws Exception {
        String s = fresh();
        try (RawHttp c = connect()) {
            c.send(request("PUT", s, null, "Content-Type", "text/plain")
                    + request("POST", s, "hello", "Content-Type", "text/plain")
                    + request("GET", s + "?offset=-1", null, "Connection", "close"));
            assertThat(c.read().status()).isEqualTo(201);
            assertThat(c.read().status()).isEqualTo(204);
            RawHttp.Response read = c.read();
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.text()).isEqualTo("hello");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aRequestPipelinedBehindALongPollWaitsForIt() throws Exception {
        String s = fresh();
        assertThat(status(request("PUT", s, null, "Content-Type", "text/plain"))).isEqualTo(201);
        try (RawHttp c = connect()) {
            c.send(request("GET", s + "?offset=now&live=long-poll", null)
                    + request("POST", s, "late", "Content-Type", "text/plain"));
            // The append is not started before the long-poll is answered, so the long-poll times out empty.
            RawHttp.Response poll = c.read();
            assertThat(poll.status()).isEqualTo(204);
            assertThat(poll.header("Stream-Up-To-Date")).isEqualTo("true");
            assertThat(c.read().status()).isEqualTo(204);
        }
    }

    @Test
    void anSseResponseClosesTheConnectionAndNothingPipelinedBehindItRuns() throws Exception {
        String s = fresh();
        assertThat(status(request("PUT", s, "x", "Content-Type", "text/plain", "Stream-Closed", "true"))).isEqualTo(201);
        String other = fresh();
        try (RawHttp c = connect()) {
            c.send(request("GET", s + "?offset=-1&live=sse", null)
                    + request("PUT", other, null, "Content-Type", "text/plain"));
            RawHttp.Response sse = c.read();
            assertThat(sse.header("Connection")).isEqualTo("close");
            assertThat(sse.text()).contains("data:x");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(status(request("HEAD", other, null))).isEqualTo(404);
    }

    @Test
    void unsupportedExpectationClosesTheConnectionSoTheBodyIsNeverARequest() throws Exception {
        String victim = fresh();
        assertThat(status(request("PUT", victim, null, "Content-Type", "text/plain"))).isEqualTo(201);
        String smuggled = request("DELETE", victim, null);
        try (RawHttp c = connect()) {
            c.send(request("POST", victim, smuggled, "Content-Type", "text/plain", "Expect", "foo"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(417);
            assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(status(request("HEAD", victim, null))).isEqualTo(200);
    }

    @Test
    void earlyTooLargeClosesTheConnectionSoTheBodyIsNeverARequest() throws Exception {
        String victim = fresh();
        assertThat(status(request("PUT", victim, null, "Content-Type", "text/plain"))).isEqualTo(201);
        String smuggled = request("DELETE", victim, null);
        try (RawHttp c = connect()) {
            c.send("POST " + victim + " HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n" + smuggled);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(status(request("HEAD", victim, null))).isEqualTo(200);
    }

    @Test
    void hundredContinueStillWorksOnAKeptAliveConnection() throws Exception {
        String s = fresh();
        try (RawHttp c = connect()) {
            c.send("PUT " + s + " HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            c.send("hi");
            assertThat(c.read().status()).isEqualTo(201);
            c.send(request("GET", s + "?offset=-1", null));
            assertThat(c.read().text()).isEqualTo("hi");
        }
    }

    @Test
    void onlyHttp1VersionsAreServed() throws Exception {
        for (String version : new String[] {"HTTP/9.9", "HTTP/2.0", "HTTP/0.9"}) {
            try (RawHttp c = connect()) {
                c.send("GET " + fresh() + "?offset=-1 " + version + "\r\nHost: test\r\n\r\n");
                RawHttp.Response r = c.read();
                assertThat(r.status()).as(version).isEqualTo(505);
                assertThat(c.closedByServer()).as(version).isTrue();
            }
        }
        assertThat(status("GET " + fresh() + "?offset=-1 HTTP/1.0\r\n\r\n")).isEqualTo(404);
    }

    @Test
    void hostMustBePresentOnceAndWellFormed() throws Exception {
        String s = fresh();
        assertThat(status("PUT " + s + " HTTP/1.1\r\nContent-Length: 0\r\n\r\n")).isEqualTo(400);
        assertThat(status("PUT " + s + " HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 0\r\n\r\n")).isEqualTo(400);
        assertThat(status("PUT " + s + " HTTP/1.1\r\nHost: a\"><b\r\nContent-Length: 0\r\n\r\n")).isEqualTo(400);
        assertThat(status(request("HEAD", s, null))).isEqualTo(404);
        try (RawHttp c = connect()) {
            c.send("PUT " + s + " HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Length: 0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("Location")).isEqualTo("http://[::1]:8080" + s);
        }
    }

    @Test
    void aRefusedHeadIsAnsweredWithCorsAndNothingPipelinedBehindItRuns() throws Exception {
        String s = fresh();
        try (RawHttp c = connect()) {
            // No Host, then a create pipelined behind it: the create must never run.
            c.send("PUT " + s + " HTTP/1.1\r\nContent-Length: 0\r\n\r\n" + request("PUT", s, ""));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(status(request("HEAD", s, null))).isEqualTo(404);
    }

    @Test
    void theConnectionOutlivesAResponseOnlyWhenTheRequestAskedForIt() throws Exception {
        String s = fresh();
        assertThat(status(request("PUT", s, ""))).isEqualTo(201);
        // HTTP/1.0 without keep-alive: answered, then closed.
        try (RawHttp c = connect()) {
            c.send("HEAD " + s + " HTTP/1.0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue();
        }
        // HTTP/1.1 with Connection: close: answered with close, then closed.
        try (RawHttp c = connect()) {
            c.send(request("HEAD", s, null, "Connection", "close"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        // HTTP/1.1 by default: three requests on one connection, each answered, the connection still open.
        try (RawHttp c = connect()) {
            for (int i = 0; i < 3; i++) {
                c.send(request("POST", s, "x" + i, "Content-Type", "application/octet-stream"));
                RawHttp.Response r = c.read();
                assertThat(r.status()).as("append %d", i).isEqualTo(204);
                assertThat(r.header("Connection")).as("append %d", i).isNull();
            }
            c.send(request("GET", s + "?offset=-1", null));
            assertThat(c.read().text()).isEqualTo("x0x1x2");
        }
    }

    @Test
    void locationPercentEncodesTheStreamName() throws Exception {
        String name = "conn-" + UUID.randomUUID() + "-\u20ac \u00e9";
        String encoded = "/v1/stream/" + name.replace("\u20ac", "%E2%82%AC").replace(" ", "%20").replace("\u00e9", "%C3%A9");
        try (RawHttp c = connect()) {
            c.send(request("PUT", encoded, null, "Content-Type", "text/plain"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("Location")).isEqualTo("http://test" + encoded);
        }
        // The raw UTF-8 bytes of the same name reach the same stream.
        String rawBytes = new String(("/v1/stream/" + name.replace(" ", "%20")).getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        assertThat(status(request("HEAD", rawBytes, null))).isEqualTo(200);
    }
}
