package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.durablestreams.metrics.ServerMetrics;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** /healthz, /readyz, /metrics, the admin listener, the access log and the drain, over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpsEndpointsTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final StreamEngine store = new StreamEngine(new MemoryLog(), EngineOptions.UNLIMITED);
    final ServerMetrics metrics = ServerMetrics.requestsOnly();
    HttpServer server;
    String root;

    void start(int adminPort) throws InterruptedException {
        metrics.bindStorage(store::streamCount, store.health());
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(5)), store, null, metrics, adminPort);
        root = "http://127.0.0.1:" + server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        store.close();
    }

    @Test
    void healthReadinessAndCountersOnTheMainListener() throws Exception {
        start(-1);
        HttpResponse<String> health = get(root + "/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
        assertThat(get(root + "/readyz").body()).isEqualTo("{\"status\":\"ready\"}");
        assertThat(store.streamCount()).as("operator endpoints never create a stream").isZero();

        String before = get(root + "/metrics").body();
        assertThat(send("PUT", root + "/v1/stream/m", "").statusCode()).isEqualTo(201);
        assertThat(send("POST", root + "/v1/stream/m", "x".repeat(100)).statusCode()).isEqualTo(204);
        assertThat(send("POST", root + "/v1/stream/m", "y".repeat(50)).statusCode()).isEqualTo(204);
        assertThat(get(root + "/v1/stream/m?offset=-1").body()).hasSize(150);
        assertThat(get(root + "/v1/stream/missing?offset=-1").statusCode()).isEqualTo(404);
        HttpResponse<String> scrape = get(root + "/metrics");
        assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        String after = scrape.body();

        assertThat(delta(before, after, "ds_appends_total")).isEqualTo(2);
        assertThat(delta(before, after, "ds_append_bytes_total")).isEqualTo(150);
        assertThat(delta(before, after, "ds_reads_total{mode=\"catchup\"}")).isEqualTo(2);
        assertThat(delta(before, after, "ds_read_bytes_total")).isEqualTo(150);
        assertThat(value(after, "ds_http_requests_total{method=\"POST\",status=\"204\"}")).isEqualTo(2);
        assertThat(value(after, "ds_http_requests_total{method=\"PUT\",status=\"201\"}")).isEqualTo(1);
        assertThat(value(after, "ds_http_requests_total{method=\"GET\",status=\"404\"}")).isEqualTo(1);
        assertThat(value(after, "ds_streams")).isEqualTo(1);
        assertThat(after).contains("ds_http_request_seconds_bucket{le=", "ds_live_readers{mode=\"long-poll\"} 0.0",
                "ds_live_readers{mode=\"sse\"} 0.0", "ds_storage_errors_total{kind=\"unavailable\"} 0.0");
        // The transport's limits are meters too: this client's connection is open, nothing was refused or timed out.
        assertThat(value(after, "ds_connections_open")).isPositive();
        assertThat(after).contains("ds_timeouts_total{kind=\"header\"} 0.0", "ds_timeouts_total{kind=\"idle\"} 0.0",
                "ds_connections_refused_total 0.0", "ds_bodies_refused_total 0.0", "ds_pending_output_bytes ",
                "ds_inflight_body_bytes ", "ds_slow_readers_closed_total 0.0", "ds_accept_errors_total 0.0");
    }

    @Test
    void adminListenerServesOnlyTheOperatorEndpoints() throws Exception {
        start(0);
        String admin = "http://127.0.0.1:" + server.adminPort();
        assertThat(get(admin + "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(admin + "/readyz").statusCode()).isEqualTo(200);
        assertThat(get(admin + "/metrics").body()).contains("ds_appends_total");
        assertThat(get(admin + "/v1/stream/x?offset=-1").statusCode()).isEqualTo(404);
        assertThat(send("POST", admin + "/metrics", "x").statusCode()).isEqualTo(405);
        // On the main listener they are plain unknown paths now.
        assertThat(get(root + "/metrics").statusCode()).isEqualTo(404);
        assertThat(get(root + "/healthz").statusCode()).isEqualTo(404);
    }

    @Test
    void drainAnswersLiveReadersAndTurnsReadinessOff() throws Exception {
        start(0);
        String admin = "http://127.0.0.1:" + server.adminPort();
        assertThat(send("PUT", root + "/v1/stream/live", "").statusCode()).isEqualTo(201);
        CompletableFuture<HttpResponse<String>> longPoll = http.sendAsync(HttpRequest.newBuilder(
                URI.create(root + "/v1/stream/live?offset=now&live=long-poll")).build(), BodyHandlers.ofString());
        CompletableFuture<HttpResponse<InputStream>> sse = http.sendAsync(HttpRequest.newBuilder(
                URI.create(root + "/v1/stream/live?offset=-1&live=sse")).build(), BodyHandlers.ofInputStream());
        awaitMetric(admin, "ds_live_readers{mode=\"long-poll\"} 1.0");
        awaitMetric(admin, "ds_live_readers{mode=\"sse\"} 1.0");

        server.readiness().startDraining();
        HttpResponse<String> ready = get(admin + "/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"reason\":\"draining\"");

        assertThat(server.drain(Duration.ofSeconds(10))).as("every connection ended within the grace").isTrue();
        HttpResponse<String> lp = longPoll.get(10, TimeUnit.SECONDS);
        assertThat(lp.statusCode()).isEqualTo(204);
        assertThat(lp.headers().firstValue("Stream-Up-To-Date")).contains("true");
        assertThat(lp.headers().firstValue("Connection")).contains("close");
        try (InputStream in = sse.get(10, TimeUnit.SECONDS).body()) {
            String events = new String(in.readAllBytes(), StandardCharsets.UTF_8); // ends without an I/O error
            assertThat(events).contains("event: control");
        }
        server = null; // drain closed it
    }

    @Test
    void accessLogHasOneLinePerRequestAndRedactsTokens() throws Exception {
        Logger access = (Logger) LoggerFactory.getLogger("access");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        access.addAppender(lines);
        Level level = access.getLevel();
        access.setLevel(Level.INFO);
        access.setAdditive(false); // the lines go to the test's appender only
        try {
            start(-1);
            assertThat(send("PUT", root + "/v1/stream/a", "").statusCode()).isEqualTo(201);
            assertThat(get(root + "/v1/stream/a?offset=-1&token=s3cret&x=1").statusCode()).isEqualTo(200);
            List<String> logged;
            synchronized (lines.list) {
                logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            }
            assertThat(logged).hasSize(2);
            assertThat(logged.get(0)).matches("127\\.0\\.0\\.1:\\d+ PUT /v1/stream/a 201 0B \\d+\\.\\d{3}ms");
            assertThat(logged.get(1)).matches(
                    "127\\.0\\.0\\.1:\\d+ GET /v1/stream/a\\?offset=-1&token=REDACTED&x=1 200 0B \\d+\\.\\d{3}ms");
            assertThat(String.join("\n", logged)).doesNotContain("s3cret");
        } finally {
            access.setLevel(level);
            access.setAdditive(true);
            access.detachAppender(lines);
        }
    }

    @Test
    void redactsEveryTokenParameter() {
        assertThat(AccessLog.redact("/v1/stream/a")).isEqualTo("/v1/stream/a");
        assertThat(AccessLog.redact("/a?token=x")).isEqualTo("/a?token=REDACTED");
        assertThat(AccessLog.redact("/a?offset=1&token=x&TOKEN=y&tokens=z")).isEqualTo(
                "/a?offset=1&token=REDACTED&TOKEN=REDACTED&tokens=z");
        assertThat(AccessLog.redact("/a?t%6Fken=x")).isEqualTo("/a?t%6Fken=REDACTED");
        assertThat(AccessLog.redact("/a?token")).isEqualTo("/a?token=REDACTED");
        assertThat(AccessLog.redact("/a?%zz=1&token=x")).isEqualTo("/a?%zz=1&token=REDACTED");
    }

    private void awaitMetric(String admin, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = get(admin + "/metrics").body();
            if (last.lines().anyMatch(line::equals)) return;
            Thread.onSpinWait();
        }
        throw new AssertionError("metrics never showed " + line);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "text/plain")
                .method(method, body.isEmpty() ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString());
    }

    private static double value(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(
                l -> Double.parseDouble(l.substring(series.length() + 1).trim())).findFirst().orElse(0);
    }

    private static double delta(String before, String after, String series) {
        return value(after, series) - value(before, series);
    }
}
