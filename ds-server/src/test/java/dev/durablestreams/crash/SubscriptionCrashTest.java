package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL while a webhook wake is on the wire: after the restart the wake is delivered again with a higher
 * generation, the old wake's callback token is fenced, the new one acks, and acked cursors never move backwards
 * across further kills.
 */
class SubscriptionCrashTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir Path dir;
    ServerProcess server;
    HttpServer receiver;
    final CountDownLatch unblock = new CountDownLatch(1);
    final BlockingQueue<JsonNode> wakes = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        unblock.countDown();
        if (receiver != null) receiver.stop(0);
        if (server != null) server.close();
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), BodyHandlers.ofString());
    }

    JsonNode nextWake() throws InterruptedException {
        JsonNode w = wakes.poll(30, TimeUnit.SECONDS);
        assertThat(w).as("a webhook delivery").isNotNull();
        return w;
    }

    String acked() throws Exception {
        return JSON.readTree(send("GET", "__ds/subscriptions/c", null).body()).path("streams").get(0)
                .path("acked_offset").asText();
    }

    @Test
    void killMidWakeRedeliversWithAHigherGenerationAndFencesTheOldToken() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newCachedThreadPool());
        receiver.createContext("/", ex -> {
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            boolean first = wakes.isEmpty() && body.path("generation").asLong() == 1;
            wakes.add(body);
            if (first) { // hold the first wake on the wire until the server is killed
                try {
                    unblock.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] out = "{}".getBytes();
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

        server = ServerProcess.start(dir.resolve("db"), ServerProcess.logFile("subscription-crash"));
        assertThat(send("PUT", "__ds/subscriptions/c", "{\"type\":\"webhook\",\"streams\":[\"crash/a\"],"
                + "\"webhook\":{\"url\":\"" + url + "\"},\"lease_ttl_ms\":60000}").statusCode()).isEqualTo(201);
        assertThat(send("PUT", "crash/a", "one", "Content-Type", "text/plain").statusCode()).isEqualTo(201);
        JsonNode first = nextWake();
        assertThat(first.path("generation").asLong()).isEqualTo(1);
        assertThat(server.kill()).isEqualTo(137);

        server = ServerProcess.start(dir.resolve("db"), ServerProcess.logFile("subscription-crash"));
        JsonNode second = nextWake();
        assertThat(second.path("generation").asLong()).isGreaterThan(1);
        assertThat(second.path("wake_id").asText()).isNotEqualTo(first.path("wake_id").asText());
        String tail = second.path("streams").get(0).path("tail_offset").asText();

        HttpResponse<String> stale = send("POST", "__ds/subscriptions/c/callback", callback(first, tail),
                "Authorization", "Bearer " + first.path("callback_token").asText());
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(stale.body()).path("error").path("code").asText()).isEqualTo("FENCED");
        assertThat(acked()).isEqualTo("0000000000000000_0000000000000000");

        HttpResponse<String> ok = send("POST", "__ds/subscriptions/c/callback", callback(second, tail),
                "Authorization", "Bearer " + second.path("callback_token").asText());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(acked()).isEqualTo(tail);

        // Acked cursors survive a kill and never move backwards; nothing is pending, so no wake follows.
        assertThat(server.kill()).isEqualTo(137);
        server = ServerProcess.start(dir.resolve("db"), ServerProcess.logFile("subscription-crash"));
        assertThat(acked()).isEqualTo(tail);
        HttpResponse<String> replay = send("POST", "__ds/subscriptions/c/callback", callback(second, tail),
                "Authorization", "Bearer " + second.path("callback_token").asText());
        assertThat(replay.statusCode()).isEqualTo(409);
        assertThat(acked()).isEqualTo(tail);
    }

    private static String callback(JsonNode wake, String tail) {
        return "{\"wake_id\":\"" + wake.path("wake_id").asText() + "\",\"generation\":" + wake.path("generation").asLong()
                + ",\"acks\":[{\"stream\":\"crash/a\",\"offset\":\"" + tail + "\"}],\"done\":true}";
    }
}
