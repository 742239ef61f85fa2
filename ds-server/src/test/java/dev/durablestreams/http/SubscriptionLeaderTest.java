package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durablestreams.metrics.ServerMetrics;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.postgres.PgConfig;
import dev.durablestreams.storage.postgres.PgLeaderLock;
import dev.durablestreams.storage.postgres.PostgresServer;
import dev.durablestreams.storage.postgres.PostgresStore;
import dev.durablestreams.subscription.SubscriptionLeader;
import dev.durablestreams.subscription.SubscriptionManager;
import dev.durablestreams.subscription.WebhookSender;
import dev.durablestreams.subscription.WebhookUrlPolicy;
import dev.durablestreams.subscription.WebhookWait;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two server nodes on one PostgreSQL database behave as one server for subscriptions: one node leads, the other
 * forwards subscription requests to it, every node's appends reach the leader, and when the leader goes the other
 * node takes over from the stored state. Real nodes (HTTP servers, PostgreSQL) and a real webhook receiver.
 */
@ExtendWith(PostgresServer.Start.class)
class SubscriptionLeaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private final String schema = "leader_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final BlockingQueue<JsonNode> webhooks = new LinkedBlockingQueue<>();
    private final List<Node> nodes = new ArrayList<>();
    private com.sun.net.httpserver.HttpServer receiver;

    /** One server node: the PostgreSQL store, the leader election and an HTTP server on a free port. */
    final class Node implements AutoCloseable {
        final PostgresStore store;
        final SubscriptionLeader leader;
        final HttpServer server;
        final String base;

        Node() throws InterruptedException {
            PgConfig config = new PgConfig(PostgresServer.url(), schema, 4);
            store = PostgresStore.open(config, EngineOptions.UNLIMITED);
            WebhookUrlPolicy urls = WebhookUrlPolicy.standard(Set.of());
            leader = new SubscriptionLeader(new PgLeaderLock(config, System::currentTimeMillis),
                    subs -> new SubscriptionManager(store, subs, urls,
                            new WebhookSender(urls, Duration.ofSeconds(2), Duration.ofSeconds(5), 4, 16),
                            System::currentTimeMillis, () -> 0.5), null, 100);
            store.watch(leader, leader::resync);
            ServerMetrics metrics = ServerMetrics.requestsOnly();
            metrics.bindSubscriptionLeader(leader::leading);
            server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofSeconds(1),
                    Duration.ofSeconds(10), Duration.ofSeconds(5)), store,
                    new SubscriptionRouter(leader, new SubscriptionForwarder(Duration.ofSeconds(10))), metrics, -1);
            int port = server.start();
            base = "http://127.0.0.1:" + port + "/v1/stream/";
            leader.start("http://127.0.0.1:" + port);
            nodes.add(this);
        }

        HttpResponse<String> send(String method, String path, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() {
            server.close();
            leader.close();
            store.close();
        }
    }

    private void startReceiver() throws Exception {
        receiver = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            webhooks.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            byte[] out = "{\"done\":true}".getBytes(StandardCharsets.UTF_8); // acks the wake's snapshot at once
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        for (Node n : nodes) n.close();
        if (receiver != null) receiver.stop(0);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(10); // polling a condition, bounded by the deadline
        }
    }

    private JsonNode awaitWake(String path, String tail) throws InterruptedException {
        return WebhookWait.awaitWake(webhooks, path, tail);
    }

    @Test
    void aWebhookIsDeliveredForAnAppendOnAnyNodeAndAfterTheLeaderIsGone() throws Exception {
        startReceiver();
        Node a = new Node();
        await("node A leads", a.leader::leading);
        Node b = new Node();
        await("node B knows the leader", () -> b.leader.leaderUrl() != null);
        assertThat(b.leader.leading()).isFalse();

        // Created through the follower: forwarded to the leader, answered as the leader answers.
        HttpResponse<String> put = b.send("PUT", "__ds/subscriptions/s1", "{\"type\":\"webhook\","
                + "\"pattern\":\"events/*\",\"webhook\":{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/hook\"},\"lease_ttl_ms\":5000}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(JSON.readTree(put.body()).path("id").asText()).isEqualTo("s1");
        assertThat(a.send("GET", "__ds/subscriptions/s1", null).statusCode()).isEqualTo(200);

        assertThat(b.send("PUT", "events/x", "[]").statusCode()).isEqualTo(201);
        HttpResponse<String> append = a.send("POST", "events/x", "{\"n\":1}");
        assertThat(append.statusCode()).isIn(200, 204);
        String tail1 = append.headers().firstValue("Stream-Next-Offset").orElseThrow();
        JsonNode wake = awaitWake("events/x", tail1);
        // The callback URL is built on the stream root the client used (node B's), not the leader's address.
        assertThat(wake.path("callback_url").asText()).isEqualTo(b.base + "__ds/subscriptions/s1/callback");
        await("the webhook's done acked the first append", () -> acked(b, "events/x", tail1));

        // The leader goes; B takes the lock, loads the stored state and delivers what is appended next.
        a.close();
        nodes.remove(a);
        await("node B leads", b.leader::leading);
        String metrics = http.send(HttpRequest.newBuilder(URI.create(b.base.replace("/v1/stream/", "/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("(?m)^ds_subscriptions_leader 1\\.0$");
        HttpResponse<String> append2 = b.send("POST", "events/x", "{\"n\":2}");
        String tail2 = append2.headers().firstValue("Stream-Next-Offset").orElseThrow();
        awaitWake("events/x", tail2);
    }

    @Test
    void aClaimOnOneNodeSeesAnAppendJustAcknowledgedByTheOther() throws Exception {
        Node a = new Node();
        await("node A leads", a.leader::leading);
        Node b = new Node();
        await("node B knows the leader", () -> b.leader.leaderUrl() != null);
        assertThat(a.send("PUT", "wake", "[]").statusCode()).isEqualTo(201);
        assertThat(a.send("PUT", "jobs/1", "[]").statusCode()).isEqualTo(201);
        assertThat(b.send("PUT", "__ds/subscriptions/p1", "{\"type\":\"pull-wake\",\"streams\":[\"jobs/1\"],"
                + "\"wake_stream\":\"wake\",\"lease_ttl_ms\":5000}").statusCode()).isEqualTo(201);
        for (int round = 0; round < 3; round++) {
            // Appended on B, claimed right away (forwarded to A): never NO_PENDING_WORK.
            HttpResponse<String> append = b.send("POST", "jobs/1", "{\"round\":" + round + "}");
            String tail = append.headers().firstValue("Stream-Next-Offset").orElseThrow();
            HttpResponse<String> claim = b.send("POST", "__ds/subscriptions/p1/claim", "{\"worker\":\"w\"}");
            assertThat(claim.statusCode()).as(claim.body()).isEqualTo(200);
            JsonNode c = JSON.readTree(claim.body());
            HttpRequest ack = HttpRequest.newBuilder(URI.create(b.base + "__ds/subscriptions/p1/ack"))
                    .header("Authorization", "Bearer " + c.path("token").asText())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"wake_id\":\"" + c.path("wake_id").asText()
                            + "\",\"generation\":" + c.path("generation").asLong() + ",\"acks\":[{\"stream\":\"jobs/1\","
                            + "\"offset\":\"" + tail + "\"}],\"done\":true}")).build();
            HttpResponse<String> acked = http.send(ack, HttpResponse.BodyHandlers.ofString());
            assertThat(acked.statusCode()).as(acked.body()).isEqualTo(200);
        }
    }

    /**
     * The leader's session dies under it (as when its host vanishes and PostgreSQL drops the connection): the lock is
     * free, the other node takes over, and the old leader, which can no longer commit on that session, steps down
     * and forwards like any follower.
     */
    @Test
    void aLeaderWhoseSessionIsGoneStepsDownAndTheOtherNodeTakesOver() throws Exception {
        startReceiver();
        Node a = new Node();
        await("node A leads", a.leader::leading);
        Node b = new Node();
        await("node B knows the leader", () -> b.leader.leaderUrl() != null);
        assertThat(a.send("PUT", "__ds/subscriptions/s1", "{\"type\":\"webhook\",\"pattern\":\"events/*\","
                + "\"webhook\":{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"}}")
                .statusCode()).isEqualTo(201);

        PgConfig c = new PgConfig(PostgresServer.url(), schema, 1);
        try (java.sql.Connection conn = java.sql.DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
             java.sql.ResultSet rs = conn.createStatement().executeQuery("SELECT pg_terminate_backend(backend_pid) FROM "
                     + schema + ".subscription_leader")) {
            assertThat(rs.next() && rs.getBoolean(1)).as("the leader's session was terminated").isTrue();
        }
        await("node B leads", b.leader::leading);
        await("node A follows B", () -> !a.leader.leading() && b.leader.leaderUrl().equals(a.leader.leaderUrl()));

        // Everything still works through either node, as one server.
        assertThat(a.send("PUT", "events/y", "[]").statusCode()).isEqualTo(201);
        HttpResponse<String> append = a.send("POST", "events/y", "{\"n\":1}");
        String tail = append.headers().firstValue("Stream-Next-Offset").orElseThrow();
        awaitWake("events/y", tail);
        assertThat(a.send("GET", "__ds/subscriptions/s1", null).statusCode()).isEqualTo(200);
    }

    /**
     * While the lock's holder does not answer (here: a holder advertising a closed port), subscription requests get
     * 503 with Retry-After, never a hang; a request already forwarded once is never forwarded again. Once the lock
     * is free the node takes over and answers itself.
     */
    @Test
    void anUnreachableLeaderMeans503UntilThisNodeTakesOver() throws Exception {
        PgConfig config = new PgConfig(PostgresServer.url(), schema, 1);
        PgLeaderLock elsewhere = new PgLeaderLock(config, System::currentTimeMillis);
        assertThat(elsewhere.tryAcquire("http://127.0.0.1:1")).isNotNull();
        Node b = new Node();
        await("node B knows the leader", () -> "http://127.0.0.1:1".equals(b.leader.leaderUrl()));

        HttpResponse<String> r = b.send("GET", "__ds/subscriptions/s1", null);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo("SUBSCRIPTIONS_UNAVAILABLE");

        elsewhere.close();
        await("node B leads", b.leader::leading);
        assertThat(b.send("GET", "__ds/subscriptions/s1", null).statusCode()).isEqualTo(404);
    }

    /** A forwarded request reaches the leader with the same route: stream paths with '/', spaces, '%' and non-ASCII. */
    @Test
    void forwardedRoutesKeepTheirStreamPathsExactly() throws Exception {
        Node a = new Node();
        await("node A leads", a.leader::leading);
        Node b = new Node();
        await("node B knows the leader", () -> b.leader.leaderUrl() != null);
        String odd = "dir/a b%20c/ü";
        String encoded = java.net.URLEncoder.encode(odd, StandardCharsets.UTF_8).replace("+", "%20");
        assertThat(b.send("PUT", "__ds/subscriptions/e1", "{\"type\":\"pull-wake\",\"streams\":[\"plain\"],"
                + "\"wake_stream\":\"wake\"}").statusCode()).isEqualTo(201);
        assertThat(b.send("POST", "__ds/subscriptions/e1/streams", JSON.writeValueAsString(
                java.util.Map.of("streams", List.of(odd)))).statusCode()).isEqualTo(204);
        assertThat(paths(a, "e1")).containsExactlyInAnyOrder("plain", odd);
        assertThat(b.send("DELETE", "__ds/subscriptions/e1/streams/" + encoded, null).statusCode()).isEqualTo(204);
        assertThat(paths(a, "e1")).containsExactly("plain");

        // A request another node already forwarded is never forwarded on: a follower answers 503 (no loop).
        HttpRequest forwarded = HttpRequest.newBuilder(URI.create(b.base + "__ds/subscriptions/e1"))
                .header("DS-Forwarded-Root", b.base).GET().build();
        assertThat(http.send(forwarded, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        assertThat(b.send("GET", "__ds/subscriptions/e1", null).statusCode()).isEqualTo(200);
    }

    private static List<String> paths(Node n, String id) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode s : JSON.readTree(n.send("GET", "__ds/subscriptions/" + id, null).body()).path("streams")) {
            out.add(s.path("path").asText());
        }
        return out;
    }

    private static boolean acked(Node n, String path, String offset) {
        try {
            JsonNode v = JSON.readTree(n.send("GET", "__ds/subscriptions/s1", null).body());
            for (JsonNode s : v.path("streams")) {
                if (s.path("path").asText().equals(path) && s.path("acked_offset").asText().equals(offset)) return true;
            }
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
