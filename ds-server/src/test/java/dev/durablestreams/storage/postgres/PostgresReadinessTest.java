package dev.durablestreams.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.http.HttpServer;
import dev.durablestreams.http.ServerConfig;
import dev.durablestreams.metrics.ServerMetrics;
import dev.durablestreams.storage.engine.EngineOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * /readyz and the stream gauge of a node on PostgreSQL: 503 once the database is unreachable (connections refused
 * and the open ones cut), 200 again once it accepts connections, found by the readiness probe with no client write;
 * {@code ds_streams} counts the database's streams. The database is made unreachable for real: the test's database
 * is switched to refuse connections ({@code ALLOW_CONNECTIONS false}) and every other session of it terminated.
 */
@ExtendWith(PostgresServer.Start.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresReadinessTest {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private final HttpClient http = HttpClient.newHttpClient();
    private PostgresStore store;
    private HttpServer server;
    private String root;
    private Connection admin;
    private String database;

    @BeforeEach
    void start() throws Exception {
        String schema = "ready_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        PgConfig config = new PgConfig(PostgresServer.url(), schema, 2);
        // Connected to another database: a session cannot bar connections to its own.
        String jdbc = config.jdbcUrl();
        database = jdbc.substring(jdbc.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        admin = DriverManager.getConnection(jdbc.substring(0, jdbc.lastIndexOf('/') + 1) + "postgres", config.user(),
                config.password());
        store = PostgresStore.open(config, EngineOptions.UNLIMITED);
        ServerMetrics metrics = ServerMetrics.requestsOnly();
        metrics.bindStorage(store::streamCount, store.health());
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofMillis(300),
                Duration.ofSeconds(30), Duration.ofSeconds(5)), store, null, metrics, -1);
        root = "http://127.0.0.1:" + server.start();
    }

    @AfterEach
    void stop() throws SQLException {
        try {
            allowConnections(true);
            admin.close();
        } finally {
            if (server != null) server.close();
            if (store != null) store.close();
        }
    }

    @Test
    void readinessFollowsTheDatabaseAndTheGaugeCountsItsStreams() throws Exception {
        assertThat(send("PUT", "/v1/stream/a", "").statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/v1/stream/b", "").statusCode()).isEqualTo(201);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        waitFor(() -> metrics().lines().anyMatch(l -> l.equals("ds_streams 2.0")), "ds_streams 2");

        allowConnections(false);
        try (Statement st = admin.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
        }
        assertThat(send("POST", "/v1/stream/a", "x").statusCode()).isEqualTo(503);
        HttpResponse<String> r = get("/readyz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"reason\":\"storage_failing\"");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);

        allowConnections(true);
        // No client write: the readiness probe itself finds the database back.
        waitFor(() -> get("/readyz").statusCode() == 200, "/readyz 200 after the database is back");
        assertThat(send("POST", "/v1/stream/a", "x").statusCode()).isEqualTo(204);
    }

    private void allowConnections(boolean allow) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS " + allow);
        }
    }

    private String metrics() {
        return get("/metrics").body();
    }

    private HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(20));
        if (body == null) b.GET();
        else b.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain");
        try {
            return http.send(b.build(), BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
