package dev.durablestreams.http;

import static dev.durablestreams.http.RawHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.durablestreams.storage.CreateRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Malformed input gets a 400 problem response (never a 500, a hang or a silent close), and nothing is stored.
 * Sent over a raw socket: real clients refuse to send most of it.
 */
class BadInputTest {
    static InProcessServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new InProcessServer(1 << 20, 1 << 20, Duration.ofMillis(300), Duration.ofSeconds(30),
                Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String fresh() {
        return "/v1/stream/bad-" + UUID.randomUUID();
    }

    static RawHttp.Response send(String raw) throws Exception {
        try (RawHttp c = new RawHttp(server.port)) {
            return c.send(raw).read();
        }
    }

    static RawHttp.Response send(byte[] raw) throws Exception {
        try (RawHttp c = new RawHttp(server.port)) {
            return c.send(raw).read();
        }
    }

    static void assertBadRequest(RawHttp.Response r, String what) {
        assertThat(r.status()).as(what + ": " + r).isEqualTo(400);
        assertThat(r.header("Content-Type")).as(what).isEqualTo("application/problem+json");
    }

    static int head(String path) throws Exception {
        return send(request("HEAD", path, null)).status();
    }

    @Test
    void controlCharactersInThePathAreRefusedBeforeAnythingIsCreated() throws Exception {
        for (String escape : new String[] {"%0d", "%0a", "%01", "%0b", "%1b", "%7f", "%00", "%C2%85"}) {
            String s = fresh();
            assertBadRequest(send(request("PUT", s + escape + "b", null, "Content-Type", "text/plain")), escape);
            assertThat(server.store.info(s.substring("/v1/stream/".length()) + decoded(escape) + "b"))
                    .as(escape).isCompletedExceptionally();
        }
    }

    private static String decoded(String escape) {
        return escape.equals("%C2%85") ? "\u0085" : String.valueOf((char) Integer.parseInt(escape.substring(1), 16));
    }

    @Test
    void badPercentEscapesAre400() throws Exception {
        String s = fresh();
        assertThat(send(request("PUT", s, "x", "Content-Type", "text/plain")).status()).isEqualTo(201);
        assertBadRequest(send(request("GET", "/v1/stream/bad%zz", null)), "path");
        assertBadRequest(send(request("GET", s + "?offset=%zz", null)), "query");
        assertBadRequest(send(request("GET", s + "%", null)), "truncated escape");
        assertBadRequest(send(request("PUT", fresh(), null, "Stream-Forked-From", "%zz")), "fork source");
    }

    @Test
    void pathsNameOneStreamEach() throws Exception {
        assertBadRequest(send(request("PUT", "/v1/stream/x%ff", null, "Content-Type", "text/plain")), "%ff");
        assertBadRequest(send(request("PUT", "/v1/stream/x%fe", null, "Content-Type", "text/plain")), "%fe");
        assertBadRequest(send(request("PUT", "/v1/stream/x%C0%AF", null, "Content-Type", "text/plain")), "overlong");
        String s = fresh();
        assertBadRequest(send(request("PUT", s + "/a%2Fb", null, "Content-Type", "text/plain")), "%2F");
        assertBadRequest(send(request("PUT", s + "/a%2fb", null, "Content-Type", "text/plain")), "%2f");
        assertThat(send(request("PUT", s + "/a/b", null, "Content-Type", "text/plain")).status()).isEqualTo(201);
        assertThat(head(s + "/%61/b")).isEqualTo(200); // an escaped unreserved character is the character
        assertBadRequest(send(request("PUT", s + "/./b", null, "Content-Type", "text/plain")), "dot segment");
        assertBadRequest(send(request("PUT", s + "/%2E%2E/b", null, "Content-Type", "text/plain")), "escaped dot-dot");
    }

    @Test
    void repeatedSingleValueHeadersAre400() throws Exception {
        String[][] cases = {
            {"Stream-TTL", "60", "Stream-TTL", "120"},
            {"Stream-Expires-At", "2099-01-01T00:00:00Z", "Stream-Expires-At", "2098-01-01T00:00:00Z"},
            {"Content-Type", "text/plain", "Content-Type", "application/json"},
        };
        for (String[] headers : cases) {
            String s = fresh();
            assertBadRequest(send(request("PUT", s, null, headers)), headers[0]);
            assertThat(head(s)).as(headers[0]).isEqualTo(404);
        }
        String s = fresh();
        assertThat(send(request("PUT", s, null, "Content-Type", "text/plain")).status()).isEqualTo(201);
        for (String name : new String[] {"Producer-Id", "Producer-Epoch", "Producer-Seq"}) {
            String[] producer = {"Producer-Id", "p", "Producer-Epoch", "0", "Producer-Seq", "0", name, "1",
                "Content-Type", "text/plain"};
            assertBadRequest(send(request("POST", s, "x", producer)), name);
        }
        assertThat(send(request("GET", s + "?offset=-1", null)).text()).isEmpty();
    }

    @Test
    void malformedContentTypeIs400() throws Exception {
        String s = fresh();
        assertBadRequest(send(request("PUT", s, null, "Content-Type", ";;;==;")), "PUT");
        assertThat(head(s)).isEqualTo(404);
        assertThat(send(request("PUT", s, null, "Content-Type", "text/plain; charset=\"utf-8\";")).status())
                .isEqualTo(201);
        assertBadRequest(send(request("POST", s, "x", "Content-Type", "text/plain; charset")), "POST");
    }

    @Test
    void farFutureExpiryIs400() throws Exception {
        String s = fresh();
        assertBadRequest(send(request("PUT", s, null, "Content-Type", "text/plain",
                "Stream-Expires-At", "+999999999-12-31T23:59:59Z")), "year 999999999");
        assertThat(head(s)).isEqualTo(404);
    }

    @Test
    void jsonMustBeStrictUtf8() throws Exception {
        String s = fresh();
        assertThat(send(request("PUT", s, null, "Content-Type", "application/json")).status()).isEqualTo(201);
        byte[][] bodies = {
            {'[', '"', (byte) 0xC0, (byte) 0xAF, '"', ']'}, // overlong '/'
            {'[', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ']'}, // UTF-8-encoded surrogate
            {'[', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', ']'}, // above U+10FFFF
            {(byte) 0xFE, (byte) 0xFF, 0, '[', 0, '1', 0, ']'}, // UTF-16 with a byte order mark
            {'[', 0, '1', 0, ']', 0}, // UTF-16 without one
        };
        for (byte[] body : bodies) {
            byte[] head = ("POST " + s + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[head.length + body.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            assertBadRequest(send(all), java.util.Arrays.toString(body));
        }
        byte[] good = "[\"\u00e9\u20ac\ud83d\ude00\"]".getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + s + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: "
                + good.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + good.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(good, 0, all, head.length, good.length);
        assertThat(send(all).status()).isEqualTo(204);
        RawHttp.Response read = send(request("GET", s + "?offset=-1", null));
        assertThat(read.text()).isEqualTo("[\"\u00e9\u20ac\ud83d\ude00\"]");
    }

    /**
     * A stored value the transport refuses to put in a header (here a content type with a line break, stored
     * through the engine directly, as an older release could have) must end in a response or a close, never in a
     * client waiting forever.
     */
    @Test
    void aResponseThatCannotBeBuiltIsAnsweredOrClosedNeverLeftHanging() throws Exception {
        String name = "bad-" + UUID.randomUUID();
        server.store.create(new CreateRequest(name, "text/plain\r\nX-Injected: 1", null, null, false,
                "x".getBytes(StandardCharsets.UTF_8), null)).join();
        Logger responses = (Logger) LoggerFactory.getLogger(Responses.class);
        Logger eventLoops = (Logger) LoggerFactory.getLogger(EventLoops.class);
        responses.setLevel(Level.OFF); // the failures are expected here; keep the output quiet
        eventLoops.setLevel(Level.OFF);
        try {
            assertThat(send(request("GET", "/v1/stream/" + name + "?offset=-1", null)).status()).isEqualTo(500);
            try (RawHttp c = new RawHttp(server.port)) {
                c.send(request("GET", "/v1/stream/" + name + "?offset=-1&live=long-poll", null));
                assertThat(c.closedByServer()).isTrue();
            }
        } finally {
            responses.setLevel(null);
            eventLoops.setLevel(null);
        }
    }
}
