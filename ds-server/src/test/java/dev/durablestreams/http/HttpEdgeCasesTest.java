package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Behaviour the official conformance suite leaves untested (see the protocol checklist): cache headers, ETag on
 * close, body limits, methods, header value edge cases, chunked uploads, producer bounds, SSE line splitting.
 */
class HttpEdgeCasesTest {
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_READ = 1024;

    static InProcessServer server;
    static String base;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        server = new InProcessServer(MAX_BODY, MAX_READ, Duration.ofMillis(300), Duration.ofSeconds(30),
                Duration.ofSeconds(5));
        base = server.base;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String fresh() {
        return "edge-" + UUID.randomUUID();
    }

    static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), BodyHandlers.ofString());
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void cacheControlPerResponseKind() throws Exception {
        String s = fresh();
        send("PUT", s, "x".repeat(3 * MAX_READ), "Content-Type", "text/plain");
        assertThat(header(send("HEAD", s, null), "Cache-Control")).isEqualTo("no-store");
        HttpResponse<String> now = send("GET", s + "?offset=now", null);
        assertThat(header(now, "Cache-Control")).isEqualTo("no-store");
        assertThat(header(now, "ETag")).isNull();
        HttpResponse<String> historical = send("GET", s + "?offset=-1", null);
        assertThat(historical.body()).hasSize(MAX_READ);
        assertThat(header(historical, "Stream-Up-To-Date")).isNull();
        assertThat(header(historical, "Cache-Control")).isEqualTo("public, max-age=60, stale-while-revalidate=300");
        HttpResponse<String> tail = send("GET", s + "?offset=" + header(now, "Stream-Next-Offset"), null);
        assertThat(header(tail, "Stream-Up-To-Date")).isEqualTo("true");
        assertThat(header(tail, "Cache-Control")).isEqualTo("no-cache");
        HttpResponse<String> timeout = send("GET", s + "?live=long-poll&offset=now", null);
        assertThat(timeout.statusCode()).isEqualTo(204);
        assertThat(header(timeout, "Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void etagChangesWhenTheStreamClosesSoA304CannotHideEof() throws Exception {
        String s = fresh();
        send("PUT", s, "data", "Content-Type", "text/plain");
        HttpResponse<String> open = send("GET", s + "?offset=-1", null);
        String etag = header(open, "ETag");
        assertThat(send("GET", s + "?offset=-1", null, "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(send("POST", s, null, "Stream-Closed", "true").statusCode()).isEqualTo(204);
        HttpResponse<String> closed = send("GET", s + "?offset=-1", null, "If-None-Match", etag);
        assertThat(closed.statusCode()).isEqualTo(200);
        assertThat(header(closed, "Stream-Closed")).isEqualTo("true");
        assertThat(header(closed, "ETag")).isNotEqualTo(etag);
    }

    @Test
    void oversizeBodiesGet413AndLeaveTheStreamUntouched() throws Exception {
        String s = fresh();
        send("PUT", s, "keep", "Content-Type", "text/plain");
        HttpResponse<String> big = send("POST", s, "y".repeat(MAX_BODY + 1), "Content-Type", "text/plain");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(header(big, "Content-Type")).isEqualTo("application/problem+json");
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + s))
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[MAX_BODY * 2])))
                .build();
        try {
            assertThat(client.send(chunked, BodyHandlers.ofString()).statusCode()).isEqualTo(413);
        } catch (java.io.IOException closedMidUpload) {
            // The server may close the connection before the client finished sending; that is also a refusal.
        }
        HttpResponse<String> read = send("GET", s + "?offset=-1", null);
        assertThat(read.body()).isEqualTo("keep");
    }

    @Test
    void chunkedUploadsAreAccepted() throws Exception {
        String s = fresh();
        send("PUT", s, null, "Content-Type", "application/octet-stream");
        byte[] payload = new byte[40_000];
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) i;
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + s))
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(payload)))
                .build();
        assertThat(client.send(chunked, BodyHandlers.discarding()).statusCode()).isEqualTo(204);
        List<Byte> got = new ArrayList<>();
        String offset = "-1";
        while (true) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + s + "?offset=" + offset)).build(),
                    BodyHandlers.ofByteArray());
            for (byte b : r.body()) got.add(b);
            offset = header(r, "Stream-Next-Offset");
            if ("true".equals(header(r, "Stream-Up-To-Date"))) break;
        }
        assertThat(got).hasSize(payload.length);
        for (int i = 0; i < payload.length; i++) assertThat(got.get(i)).isEqualTo(payload[i]);
    }

    @Test
    void unsupportedMethodsGet405WithAllow() throws Exception {
        HttpResponse<String> r = send("PATCH", fresh(), "x", "Content-Type", "text/plain");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(header(r, "Allow")).contains("GET").contains("POST");
    }

    @Test
    void streamClosedIsCaseInsensitiveTrueAndOtherValuesAreIgnored() throws Exception {
        String s = fresh();
        send("PUT", s, null, "Content-Type", "text/plain");
        for (String v : new String[] {"false", "1", "yes", ""}) {
            HttpResponse<String> r = send("POST", s, "x", "Content-Type", "text/plain", "Stream-Closed", v);
            assertThat(r.statusCode()).as(v).isEqualTo(204);
            assertThat(header(r, "Stream-Closed")).as(v).isNull();
        }
        HttpResponse<String> close = send("POST", s, null, "Stream-Closed", "TRUE");
        assertThat(close.statusCode()).isEqualTo(204);
        assertThat(header(close, "Stream-Closed")).isEqualTo("true");
        assertThat(header(send("HEAD", s, null), "Stream-Closed")).isEqualTo("true");
        HttpResponse<String> created = send("PUT", fresh(), null, "Content-Type", "text/plain", "Stream-Closed", "True");
        assertThat(header(created, "Stream-Closed")).isEqualTo("true");
    }

    @Test
    void producerNumbersAreBoundedByTwoToTheFiftyThreeMinusOne() throws Exception {
        String s = fresh();
        send("PUT", s, null, "Content-Type", "text/plain");
        HttpResponse<String> max = send("POST", s, "a", "Content-Type", "text/plain",
                "Producer-Id", "p", "Producer-Epoch", "9007199254740991", "Producer-Seq", "0");
        assertThat(max.statusCode()).isEqualTo(200);
        assertThat(header(max, "Producer-Epoch")).isEqualTo("9007199254740991");
        HttpResponse<String> over = send("POST", s, "b", "Content-Type", "text/plain",
                "Producer-Id", "p", "Producer-Epoch", "9007199254740992", "Producer-Seq", "0");
        assertThat(over.statusCode()).isEqualTo(400);
        HttpResponse<String> seqOver = send("POST", s, "b", "Content-Type", "text/plain",
                "Producer-Id", "q", "Producer-Epoch", "0", "Producer-Seq", "9007199254740992");
        assertThat(seqOver.statusCode()).isEqualTo(400);
        assertThat(send("GET", s + "?offset=-1", null).body()).isEqualTo("a");
    }

    @Test
    void ttlZeroIsRejected() throws Exception {
        String s = fresh();
        HttpResponse<String> r = send("PUT", s, null, "Content-Type", "text/plain", "Stream-TTL", "0");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("at least 1");
        assertThat(send("HEAD", s, null).statusCode()).isEqualTo(404);
    }

    @Test
    void sseSplitsALoneCarriageReturnIntoSeparateDataLines() throws Exception {
        String s = fresh();
        send("PUT", s, "a\rb\r\nc\nevent: control", "Content-Type", "text/plain", "Stream-Closed", "true");
        HttpResponse<Stream<String>> r = client.send(
                HttpRequest.newBuilder(URI.create(base + s + "?offset=-1&live=sse")).build(), BodyHandlers.ofLines());
        assertThat(header(r, "Content-Type")).isEqualTo("text/event-stream");
        assertThat(header(r, "Cache-Control")).isEqualTo("no-cache");
        List<String> lines = new ArrayList<>();
        try (Stream<String> body = r.body()) {
            Iterator<String> it = body.iterator();
            while (it.hasNext()) lines.add(it.next()); // the stream is closed, so the server ends the response
        }
        assertThat(lines.subList(0, 6)).containsExactly(
                "event: data", "data:a", "data:b", "data:c", "data:event: control", "");
        assertThat(lines.get(6)).isEqualTo("event: control");
        assertThat(lines.get(7)).contains("\"streamClosed\":true");
    }

    @Test
    void reservedNamespaceIsNeverAStream() throws Exception {
        HttpResponse<String> put = send("PUT", "__ds/subscriptions/x", "{}", "Content-Type", "application/json");
        assertThat(put.statusCode()).isEqualTo(400); // a subscription request, not a stream
        assertThat(header(put, "Content-Type")).isEqualTo("application/json");
        assertThat(put.body()).contains("\"INVALID_REQUEST\"");
        assertThat(send("PUT", "__ds/x", "", "Content-Type", "text/plain").statusCode()).isEqualTo(404);
        assertThat(send("GET", "__ds", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "__ds?offset=-1", null).statusCode()).isEqualTo(404);
        assertThat(send("POST", "__ds/jwks.json", "x", "Content-Type", "text/plain").statusCode()).isEqualTo(405);
    }

    @Test
    void everyResponseCarriesCorsAndSecurityHeaders() throws Exception {
        HttpResponse<String> missing = send("GET", fresh() + "?offset=-1", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        Map<String, List<String>> h = missing.headers().map();
        assertThat(header(missing, "X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(header(missing, "Cross-Origin-Resource-Policy")).isEqualTo("cross-origin");
        assertThat(header(missing, "Access-Control-Expose-Headers"))
                .contains("Stream-Next-Offset").contains("Stream-SSE-Data-Encoding").contains("Producer-Expected-Seq");
        assertThat(h).containsKey("access-control-allow-origin");
        HttpResponse<String> preflight = send("OPTIONS", fresh(), null,
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "if-none-match");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(header(preflight, "Access-Control-Allow-Headers")).contains("If-None-Match");
    }

    @Test
    void badOffsetsAndLiveModesAre400() throws Exception {
        String s = fresh();
        send("PUT", s, "x", "Content-Type", "text/plain");
        for (String q : new String[] {"offset=", "offset=abc", "offset=-1&offset=-1", "offset=1_2_3",
                "live=long-poll", "live=sse", "offset=-1&live=websocket"}) {
            assertThat(send("GET", s + "?" + q, null).statusCode()).as(q).isEqualTo(400);
        }
        assertThat(send("GET", s + "?offset=-1&unknown=1", null).statusCode()).isEqualTo(200);
    }
}
