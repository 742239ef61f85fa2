package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durablestreams.storage.NotifyingStore;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import dev.durablestreams.storage.subscription.MemorySubscriptionStore;
import dev.durablestreams.subscription.SubscriptionApi;
import dev.durablestreams.subscription.SubscriptionManager;
import dev.durablestreams.subscription.WebhookSender;
import dev.durablestreams.subscription.WebhookUrlPolicy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The subscription routes over real sockets: status codes, headers, URL-encoded paths, and isolation from appends. */
class SubscriptionHttpTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static StreamEngine engine;
    static SubscriptionManager manager;
    static HttpServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        engine = new StreamEngine(new MemoryLog(), EngineOptions.UNLIMITED);
        WebhookUrlPolicy urls = WebhookUrlPolicy.standard(Set.of());
        manager = new SubscriptionManager(engine, new MemorySubscriptionStore(), urls,
                new WebhookSender(urls, Duration.ofSeconds(2), Duration.ofSeconds(60), 2, 8),
                System::currentTimeMillis, () -> 0.5);
        manager.start(null);
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofMillis(300),
                Duration.ofSeconds(30), Duration.ofSeconds(5)), new NotifyingStore(engine, manager),
                new SubscriptionApi(manager));
        base = "http://127.0.0.1:" + server.start() + "/v1/stream/";
    }

    @AfterAll
    static void stop() {
        server.close();
        manager.close();
        engine.close();
    }

    static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), BodyHandlers.ofString());
    }

    static String code(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error").path("code").asText();
    }

    @Test
    void routesStatusesAndHeaders() throws Exception {
        HttpResponse<String> unknown = send("GET", "__ds/whatever", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(code(unknown)).isEqualTo("SUBSCRIPTION_NOT_FOUND");
        assertThat(send("GET", "__ds", null).statusCode()).isEqualTo(404);

        HttpResponse<String> wrong = send("POST", "__ds/jwks.json", "x");
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> jwks = send("GET", "__ds/jwks.json", null);
        assertThat(jwks.headers().firstValue("Content-Type")).hasValue("application/jwk-set+json");
        assertThat(jwks.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");

        String sub = "{\"type\":\"pull-wake\",\"streams\":[\"manual/a\"],\"wake_stream\":\"http-wake\"}";
        HttpResponse<String> created = send("PUT", "__ds/subscriptions/h1", sub, "Content-Type", "application/json");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(send("POST", "__ds/subscriptions/h1/streams", "{\"streams\":[\"manual/b/c\"]}").statusCode())
                .isEqualTo(204);
        assertThat(send("DELETE", "__ds/subscriptions/h1/streams/manual%2Fb%2Fc", null).statusCode()).isEqualTo(204);
        JsonNode view = JSON.readTree(send("GET", "__ds/subscriptions/h1", null).body());
        assertThat(view.path("streams").toString()).contains("manual/a").doesNotContain("manual/b");
        assertThat(send("DELETE", "__ds/subscriptions/h1", null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "__ds/subscriptions/h1", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "__ds/subscriptions/h1", null).statusCode()).isEqualTo(204);

        HttpResponse<String> ssrf = send("PUT", "__ds/subscriptions/h2",
                "{\"type\":\"webhook\",\"pattern\":\"x/*\",\"webhook\":{\"url\":\"http://169.254.169.254/\"}}");
        assertThat(ssrf.statusCode()).isEqualTo(400);
        assertThat(code(ssrf)).isEqualTo("WEBHOOK_URL_REJECTED");
    }

    /** A receiver that never answers holds webhook slots only: appends to watched streams still complete. */
    @Test
    void aStuckReceiverNeverHoldsUpAppends() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        com.sun.net.httpserver.HttpServer receiver =
                com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.createContext("/", ex -> {
            requests.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            for (int i = 0; i < 4; i++) {
                assertThat(send("PUT", "__ds/subscriptions/stuck" + i, "{\"type\":\"webhook\",\"pattern\":\"stuck/*\","
                        + "\"webhook\":{\"url\":\"" + url + "\"}}").statusCode()).isEqualTo(201);
            }
            assertThat(send("PUT", "stuck/s", null, "Content-Type", "text/plain").statusCode()).isEqualTo(201);
            for (int i = 0; i < 50; i++) {
                assertThat(send("POST", "stuck/s", "x", "Content-Type", "text/plain").statusCode()).isEqualTo(204);
            }
            // At most perHost (2) requests reach the stuck receiver at once; the others wait in the queue.
            assertThat(requests.get()).isLessThanOrEqualTo(2);
        } finally {
            release.countDown();
            receiver.stop(0);
            for (int i = 0; i < 4; i++) send("DELETE", "__ds/subscriptions/stuck" + i, null);
        }
    }
}
