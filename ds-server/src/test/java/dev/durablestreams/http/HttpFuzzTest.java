package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing (Jazzer) of the whole HTTP request path of a real server on a socket: every input becomes
 * one or more pipelined requests built from protocol vocabulary (methods, paths with escapes, offsets, live modes,
 * protocol headers with arbitrary values, bodies) followed by a canary read on the same connection, or raw bytes
 * after which the client half-closes.
 *
 * <p>Failures: any 500 (an exception escaped a handler), a connection that neither answers nor closes (a hang),
 * responses in the wrong order or a missing one on a connection that stayed open (the canary, sent last, must be
 * answered last), and a change to the canary stream (one request touched another stream's data).
 */
class HttpFuzzTest {
    /** Generous bound on one response: live reads end after 100-300 ms, everything else is immediate. */
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final String CANARY_BODY = "canary-" + UUID.randomUUID();

    private static InProcessServer server;
    private static int port;
    private static String canaryPath;

    private static final String[] METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "TRACE", "get"};
    private static final String[] STREAMS = {"fz/text", "fz/json", "fz/bin", "fz/new", "fz/closed", "__ds/subscriptions/x",
            "fz/a%2Fb", "fz/%ff", "fz/..", "fz/./x", "fz//x", "fz/%zz", "fz/%0d", "fz/\u00e9"};
    private static final String[] CONTENT_TYPES = {"text/plain", "application/json", "application/octet-stream",
            "text/plain; charset=utf-8", "application/JSON", ";;;==;", "", "text/event-stream"};
    private static final String[] OFFSETS = {"-1", "now", "0000000000000000_0000000000000000",
            "0000000000000000_0000000000000003", "0000000000000000_0000000000999999", "9999999999999999_9999999999999999",
            "%zz", "", "-2", "abc_def"};
    private static final String[] HEADERS = {"Content-Type", "Stream-TTL", "Stream-Expires-At", "Stream-Closed",
            "Stream-Seq", "Stream-Forked-From", "Stream-Fork-Offset", "Producer-Id", "Producer-Epoch", "Producer-Seq",
            "If-None-Match", "Expect", "Connection", "Host", "Stream-Cursor",
            "Stream-SSE-Data-Encoding"};
    private static final String[] VALUES = {"0", "1", "60", "true", "false", "close", "keep-alive", "100-continue",
            "chunked", "/v1/stream/fz/text", "/v1/stream/fz/%zz", "2030-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
            "9007199254740991", "9007199254740992", "-1", "\"etag\"", "*", "base64", "p1", "", "foo"};

    @BeforeAll
    static void start() throws Exception {
        server = new InProcessServer(64 * 1024, 16 * 1024, Duration.ofMillis(100), Duration.ofMillis(300),
                Duration.ofMillis(100));
        port = Integer.parseInt(server.base.replaceAll("^http://127\\.0\\.0\\.1:(\\d+)/.*$", "$1"));
        canaryPath = "/v1/stream/canary-" + UUID.randomUUID();
        exchange(request("PUT", canaryPath, "text/plain", CANARY_BODY.getBytes(StandardCharsets.UTF_8)));
        exchange(request("PUT", "/v1/stream/fz/text", "text/plain", "hello\nworld".getBytes(StandardCharsets.UTF_8)));
        exchange(request("PUT", "/v1/stream/fz/json", "application/json", "[1,{\"a\":2}]".getBytes(StandardCharsets.UTF_8)));
        exchange(request("PUT", "/v1/stream/fz/bin", "application/octet-stream", new byte[] {0, 1, 2, (byte) 0xff}));
        exchange(request("PUT", "/v1/stream/fz/closed", "text/plain", "x".getBytes(StandardCharsets.UTF_8),
                "Stream-Closed", "true"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @FuzzTest(maxDuration = "60s")
    void requests(FuzzedDataProvider data) throws IOException {
        try (SilentCloseable ignored = BugDetectors.allowNetworkConnections((host, p) -> p == port)) {
            exchangeFuzzedRequests(data);
        }
    }

    private static void exchangeFuzzedRequests(FuzzedDataProvider data) throws IOException {
        if (data.consumeInt(0, 4) == 0) {
            rawBytes(data.consumeRemainingAsBytes());
            return;
        }
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<String> methods = new ArrayList<>();
        int n = data.consumeInt(1, 3);
        for (int i = 0; i < n; i++) {
            String method = data.pickValue(METHODS);
            methods.add(method);
            wire.writeBytes(fuzzedRequest(data, method));
        }
        wire.writeBytes(request("GET", canaryPath + "?offset=-1", null, null));
        methods.add("GET");
        String sent = printable(wire.toByteArray());
        List<Response> responses = exchange(wire.toByteArray(), methods);

        for (Response r : responses) assertThat(r.status).as("status of a response to %s", sent).isNotEqualTo(500);
        for (int i = 0; i + 1 < responses.size(); i++) {
            assertThat(responses.get(i).body).as("canary answered out of order: %s", sent).isNotEqualTo(CANARY_BODY);
        }
        boolean stayedOpen = !responses.isEmpty() && !responses.get(responses.size() - 1).closed;
        if (stayedOpen) { // every request was answered, in order: the canary, sent last, came last
            assertThat(responses).as("responses to %s", sent).hasSize(methods.size());
            assertThat(responses.get(responses.size() - 1).body).as("last response to %s", sent).isEqualTo(CANARY_BODY);
        } else { // the canary's data never changes
            assertThat(exchange(request("GET", canaryPath + "?offset=-1", null, null)).get(0).body).isEqualTo(CANARY_BODY);
        }
    }

    /**
     * Arbitrary bytes, then the client's half of the connection closes: the server answers what it can parse, never
     * with a 500, and closes the connection.
     */
    private static void rawBytes(byte[] bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            try {
                s.getOutputStream().write(bytes);
                s.shutdownOutput();
            } catch (IOException serverClosedEarly) {
                return;
            }
            byte[] all;
            try {
                all = s.getInputStream().readAllBytes();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection neither answered nor closed after " + printable(bytes));
            } catch (IOException reset) {
                return;
            }
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertThat(text).as("responses to %s", printable(bytes)).doesNotContain("HTTP/1.1 500 ");
        }
    }

    private static byte[] fuzzedRequest(FuzzedDataProvider data, String method) {
        StringBuilder target = new StringBuilder();
        switch (data.consumeInt(0, 3)) {
            case 0 -> target.append("/v1/stream/").append(data.pickValue(STREAMS));
            case 1 -> target.append("/v1/stream/fz/").append(data.consumeString(24));
            case 2 -> target.append(data.consumeString(24));
            default -> target.append("/v1/stream/").append(data.pickValue(STREAMS)).append('/')
                    .append(data.consumeString(8));
        }
        if (data.consumeBoolean()) {
            target.append("?offset=").append(data.consumeBoolean() ? data.pickValue(OFFSETS) : data.consumeString(40));
            if (data.consumeBoolean()) target.append("&live=").append(data.pickValue(new String[] {"long-poll", "sse", "x", ""}));
            if (data.consumeBoolean()) target.append('&').append(data.consumeString(16));
        }
        String version = data.consumeInt(0, 15) == 0
                ? data.pickValue(new String[] {"HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1.1 x", "HTTP/1"}) : "HTTP/1.1";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((method + " " + target + " " + version + "\r\n").getBytes(StandardCharsets.UTF_8));
        if (data.consumeInt(0, 10) != 0) out.writeBytes("Host: fuzz\r\n".getBytes(StandardCharsets.US_ASCII));
        int headers = data.consumeInt(0, 6);
        for (int i = 0; i < headers; i++) {
            String name = data.pickValue(HEADERS);
            String value = switch (data.consumeInt(0, 2)) {
                case 0 -> data.pickValue(VALUES);
                case 1 -> name.equals("Content-Type") ? data.pickValue(CONTENT_TYPES) : data.pickValue(OFFSETS);
                default -> data.consumeString(40);
            };
            out.writeBytes((name + ": " + value + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        // Framing is always right here (raw inputs cover broken framing): a wrong length would make the canary part
        // of this request and every later check meaningless.
        byte[] body = data.consumeBoolean() ? data.consumeBytes(512) : new byte[0];
        if (body.length > 0 && data.consumeBoolean()) {
            out.writeBytes("Transfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            int at = 0;
            while (at < body.length) {
                int len = Math.min(body.length - at, 1 + data.consumeInt(0, 200));
                out.writeBytes((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, at, len);
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                at += len;
            }
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            if (body.length > 0) out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    static byte[] request(String method, String target, String contentType, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: fuzz\r\n");
        if (contentType != null) head.append("Content-Type: ").append(contentType).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        if (body != null) head.append("Content-Length: ").append(body.length).append("\r\n");
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) out.writeBytes(body);
        return out.toByteArray();
    }

    /** One response; {@code closed} when the server closed the connection after it. */
    record Response(int status, String body, boolean closed) {}

    static List<Response> exchange(byte[] request) throws IOException {
        List<String> one = new ArrayList<>();
        one.add(new String(request, 0, 4, StandardCharsets.US_ASCII).trim());
        return exchange(request, one);
    }

    /**
     * Writes the bytes and reads responses until the connection closes or every expected response arrived.
     * A read that times out with the connection open is a hang.
     */
    static List<Response> exchange(byte[] wire, List<String> methods) throws IOException {
        List<Response> responses = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            try {
                s.getOutputStream().write(wire);
                s.getOutputStream().flush();
            } catch (IOException serverClosedEarly) {
                // The server may refuse and close before reading everything (e.g. 413, 400): read what it sent.
            }
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            while (responses.size() < methods.size()) {
                String method = methods.get(responses.size());
                Response r;
                try {
                    r = readResponse(in, method);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no response and no close within " + READ_TIMEOUT_MS + " ms after "
                            + responses.size() + " responses to " + printable(wire));
                } catch (IOException reset) {
                    break; // connection reset by the server: treated as a close
                }
                if (r == null) break; // closed
                responses.add(r);
                if (r.closed) break;
            }
        }
        return responses;
    }

    /** Reads one response, or returns null at a clean end of stream. */
    private static Response readResponse(InputStream in, String method) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) return null;
        while (statusLine.startsWith("HTTP/1.1 100 ")) { // interim response to Expect: 100-continue
            while (!line(in).isEmpty()) { }
            statusLine = line(in);
            if (statusLine == null) return null;
        }
        assertThat(statusLine).matches("HTTP/1\\.[01] \\d{3} .*");
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Long.parseLong(h.substring(15).trim());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            if (lower.startsWith("connection:") && lower.contains("close")) close = true;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean noBody = "HEAD".equals(method) || status == 204 || status == 304 || (status >= 100 && status < 200);
        if (!noBody) {
            if (chunked) {
                while (true) {
                    String size = line(in);
                    if (size == null) return new Response(status, body.toString(StandardCharsets.ISO_8859_1), true);
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        while (true) {
                            String trailer = line(in);
                            if (trailer == null || trailer.isEmpty()) break;
                        }
                        break;
                    }
                    body.writeBytes(in.readNBytes(n));
                    line(in);
                }
            } else if (length >= 0) {
                body.writeBytes(in.readNBytes((int) length));
            } else {
                body.writeBytes(in.readAllBytes());
                close = true;
            }
        }
        return new Response(status, body.toString(StandardCharsets.ISO_8859_1), close);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte[] wire) {
        String s = new String(wire, 0, Math.min(wire.length, 600), StandardCharsets.ISO_8859_1);
        return s.replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
