package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.http.HttpServer;
import dev.durablestreams.http.ServerConfig;
import dev.durablestreams.metrics.ServerMetrics;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.rocksdb.RocksLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * /readyz follows storage: 503 with a JSON reason once a commit fails (I/O error, disk full), 200 again once
 * storage accepts writes, found by the readiness probe itself with no client append in between; the failures are
 * counted in {@code ds_storage_errors_total}. Faults are injected in front of a real RocksLog.
 */
class ReadinessFaultTest {
    @TempDir Path dir;
    FaultyLog log;
    StreamEngine engine;
    HttpServer server;
    String root;
    final StreamClient client = new StreamClient();
    final HttpClient http = HttpClient.newHttpClient();
    final Payloads payloads = new Payloads(5L);

    @BeforeEach
    void start() throws Exception {
        log = new FaultyLog(RocksLog.open(dir.resolve("db"), true));
        engine = new StreamEngine(log, EngineOptions.UNLIMITED);
        ServerMetrics metrics = ServerMetrics.requestsOnly();
        metrics.bindStorage(engine::streamCount, engine.health());
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofMillis(300),
                Duration.ofSeconds(30), Duration.ofSeconds(5)), engine, null, metrics, -1);
        root = "http://127.0.0.1:" + server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readinessTurns503OnStorageFaultsAndRecoversWhenWritesSucceed() throws Exception {
        String base = root + "/v1/stream/";
        client.create(base, "f");
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(client.append(base, "f", "w", 0, 0, payloads.body("w", 0)).statusCode()).isEqualTo(200);

        log.fault = FaultyLog.Fault.IO_ERROR;
        assertThat(client.append(base, "f", "w", 0, 1, payloads.body("w", 1)).statusCode()).isEqualTo(503);
        HttpResponse<String> r = get("/readyz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(r.body()).contains("\"reason\":\"storage_failing\"");
        // While the fault lasts, the probe fails too: still not ready.
        awaitInjected(2);
        assertThat(get("/readyz").statusCode()).isEqualTo(503);
        assertThat(get("/healthz").statusCode()).as("the process is alive all the same").isEqualTo(200);

        log.fault = FaultyLog.Fault.NO_SPACE;
        assertThat(client.append(base, "f", "w", 0, 1, payloads.body("w", 1)).statusCode()).isEqualTo(507);
        assertThat(get("/readyz").body()).contains("\"reason\":\"storage_full\"");
        String metrics = get("/metrics").body();
        assertThat(metric(metrics, "ds_storage_errors_total{kind=\"unavailable\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metric(metrics, "ds_storage_errors_total{kind=\"insufficient_storage\"}")).isGreaterThanOrEqualTo(1);

        log.fault = FaultyLog.Fault.NONE;
        // No append: the readiness probe's own empty commit finds that storage accepts writes again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status;
        while ((status = get("/readyz").statusCode()) != 200 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(status).isEqualTo(200);
        assertThat(client.append(base, "f", "w", 0, 1, payloads.body("w", 1)).statusCode()).isEqualTo(200);
    }

    private void awaitInjected(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (log.injected.get() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("the readiness probe never reached storage");
            Thread.onSpinWait();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(20)).build(),
                BodyHandlers.ofString());
    }

    static double metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + series + " in\n" + text));
    }
}
