package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.http.tls.TlsOptions;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which protocol each kind of connection gets: cleartext HTTP/1.1, h2c by Upgrade and by prior knowledge, and over
 * TLS h2 or http/1.1 by ALPN (http/1.1 also without ALPN). HTTP/2 responses carry no connection-specific headers.
 */
class Http2ProtocolTest {
    static InProcessServer clear;
    static InProcessServer secure;
    static TestCertificates.Pair cert;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "h2-test");
        cert = TestCertificates.generate(dir.resolve("cert.pem"), dir.resolve("key.pem"), "localhost", "EC");
        clear = new InProcessServer(1 << 20, 1 << 20, Duration.ofMillis(300), Duration.ofMillis(400),
                Duration.ofSeconds(10));
        secure = new InProcessServer(1 << 20, 1 << 20, Duration.ofMillis(300), Duration.ofMillis(400),
                Duration.ofSeconds(10),
                new ReloadingSslContext(new TlsOptions(cert.cert(), cert.key(), Duration.ZERO)));
    }

    @AfterAll
    static void stop() {
        clear.close();
        secure.close();
    }

    private static HttpClient client(HttpClient.Version version, boolean tls) throws Exception {
        HttpClient.Builder b = HttpClient.newBuilder().version(version);
        if (tls) b.sslContext(cert.trustingContext());
        return b.build();
    }

    /** Creates a text stream, appends {@code text}, reads it back; every exchange must use {@code expected}. */
    private static void roundTrip(HttpClient c, String url, String text, HttpClient.Version expected)
            throws Exception {
        HttpResponse<Void> put = c.send(HttpRequest.newBuilder(URI.create(url)).PUT(BodyPublishers.noBody())
                .header("Content-Type", "text/plain").build(), BodyHandlers.discarding());
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.version()).isEqualTo(expected);
        HttpResponse<Void> post = c.send(HttpRequest.newBuilder(URI.create(url))
                .POST(BodyPublishers.ofString(text)).header("Content-Type", "text/plain").build(),
                BodyHandlers.discarding());
        assertThat(post.statusCode()).isEqualTo(204);
        assertThat(post.version()).isEqualTo(expected);
        HttpResponse<String> get = c.send(HttpRequest.newBuilder(URI.create(url + "?offset=-1")).build(),
                BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.version()).isEqualTo(expected);
        assertThat(get.body()).isEqualTo(text);
    }

    @Test
    void cleartextHttp11StaysHttp11() throws Exception {
        roundTrip(client(HttpClient.Version.HTTP_1_1, false), clear.base + "c11", "plain", HttpClient.Version.HTTP_1_1);
    }

    @Test
    void cleartextUpgradeToH2c() throws Exception {
        // The JDK client asks for h2c with Upgrade on its first request to an http origin.
        roundTrip(client(HttpClient.Version.HTTP_2, false), clear.base + "up", "upgraded", HttpClient.Version.HTTP_2);
    }

    /**
     * After a first plain request the upgrade handler has left the pipeline: a later {@code Upgrade: h2c} is served
     * as HTTP/1.1, so the HTTP/1.1 pipeline from then on is exactly the one without h2c.
     */
    @Test
    void upgradeIsHonouredOnTheFirstRequestOnly() throws Exception {
        String upgrade = "GET /v1/stream/nothing HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings"
                + "\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n";
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", clear.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out.write("GET /v1/stream/nothing HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 404 Not Found");
            int length = 0;
            for (String h = in.readLine(); !h.isEmpty(); h = in.readLine()) {
                if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
            }
            for (int i = 0; i < length; i++) in.read(); // the ASCII problem body
            out.write(upgrade.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 404 Not Found");
        }
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", clear.port)) { // the same request, first: upgraded
            s.setSoTimeout(10_000);
            s.getOutputStream().write(upgrade.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
        }
    }

    @Test
    void cleartextPriorKnowledge() throws Exception {
        try (H2FrameClient h2 = new H2FrameClient(clear.port, null, Http2Settings.defaultSettings())) {
            assertThat(status(h2.send("PUT", "/v1/stream/pk", "text/plain", null, true))).isEqualTo("201");
            assertThat(status(h2.send("POST", "/v1/stream/pk", "text/plain", "prior", true))).isEqualTo("204");
            H2FrameClient.Exchange get = h2.send("GET", "/v1/stream/pk?offset=-1", null, null, true);
            assertThat(status(get)).isEqualTo("200");
            get.ended.get(10, TimeUnit.SECONDS);
            assertThat(get.body()).isEqualTo("prior");
        }
    }

    @Test
    void h2ResponsesCarryNoConnectionSpecificHeaders() throws Exception {
        try (H2FrameClient h2 = new H2FrameClient(clear.port, null, Http2Settings.defaultSettings())) {
            h2.send("PUT", "/v1/stream/hdr", "text/plain", "abc", true).ended.get(10, TimeUnit.SECONDS);
            // SSE (chunked in HTTP/1.1, ends with a close) and an error sent with keep-alive off.
            H2FrameClient.Exchange sse = h2.send("GET", "/v1/stream/hdr?offset=-1&live=sse", null, null, true);
            H2FrameClient.Exchange bad = h2.send("GET", "/v1/stream/hdr?offset=-1&live=bogus", null, null, true);
            for (H2FrameClient.Exchange ex : new H2FrameClient.Exchange[] {sse, bad}) {
                Http2Headers h = ex.headers.get(10, TimeUnit.SECONDS);
                assertThat(h.contains("connection")).as("connection header").isFalse();
                assertThat(h.contains("transfer-encoding")).as("transfer-encoding header").isFalse();
                assertThat(h.contains("keep-alive")).as("keep-alive header").isFalse();
            }
            assertThat(bad.headers.get().status().toString()).isEqualTo("400");
            assertThat(sse.headers.get().get("content-type").toString()).isEqualTo("text/event-stream");
            sse.ended.get(10, TimeUnit.SECONDS); // the SSE response ends at its max duration
            assertThat(SseText.dataPayload(sse.body())).isEqualTo("abc");
        }
    }

    @Test
    void tlsNegotiatesH2ByAlpn() throws Exception {
        HttpClient c = client(HttpClient.Version.HTTP_2, true);
        roundTrip(c, secure.base + "tls2", "secret", HttpClient.Version.HTTP_2);
        HttpResponse<Void> put = c.send(HttpRequest.newBuilder(URI.create(secure.base + "tls2-loc"))
                .PUT(BodyPublishers.noBody()).build(), BodyHandlers.discarding());
        assertThat(put.headers().firstValue("location")).hasValue(secure.base + "tls2-loc");
    }

    @Test
    void tlsFallsBackToHttp11ByAlpn() throws Exception {
        roundTrip(client(HttpClient.Version.HTTP_1_1, true), secure.base + "tls11", "old", HttpClient.Version.HTTP_1_1);
    }

    @Test
    void tlsWithoutAlpnIsHttp11() throws Exception {
        try (SSLSocket s = (SSLSocket) cert.trustingContext().getSocketFactory()
                .createSocket("127.0.0.1", secure.port)) {
            s.startHandshake();
            assertThat(s.getApplicationProtocol()).isEmpty();
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/stream/none HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).isEqualTo("HTTP/1.1 404 Not Found");
        }
    }

    @Test
    void nettyClientGetsH2OverTls() throws Exception {
        var ssl = SslContextBuilder.forClient().trustManager(cert.certificate())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        try (H2FrameClient h2 = new H2FrameClient(secure.port, ssl, Http2Settings.defaultSettings())) {
            H2FrameClient.Exchange put = h2.send("PUT", "/v1/stream/netty-tls", "text/plain", null, true);
            assertThat(status(put)).isEqualTo("201");
            assertThat(put.headers.get().get("location").toString()).startsWith("https://");
        }
    }

    private static String status(H2FrameClient.Exchange ex) throws Exception {
        return ex.headers.get(10, TimeUnit.SECONDS).status().toString();
    }
}
