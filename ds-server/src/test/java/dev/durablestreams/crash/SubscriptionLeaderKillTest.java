package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durablestreams.storage.postgres.PostgresServer;
import dev.durablestreams.subscription.WebhookWait;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two server processes on one PostgreSQL database; the subscription leader is SIGKILLed. PostgreSQL frees its lock
 * when the dead process's connection closes, the other node takes over from the stored state, and a webhook for an
 * append made after the kill is delivered.
 */
@ExtendWith(PostgresServer.Start.class)
class SubscriptionLeaderKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LEADS = Pattern.compile("this node is the subscription leader");
    private static final Pattern FOLLOWS = Pattern.compile("subscription leader is http");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final BlockingQueue<JsonNode> webhooks = new LinkedBlockingQueue<>();
    private final List<ServerProcess> nodes = new ArrayList<>();
    private com.sun.net.httpserver.HttpServer receiver;

    @AfterEach
    void stop() {
        for (ServerProcess n : nodes) n.close();
        if (receiver != null) receiver.stop(0);
    }

    private ServerProcess start(String name, String schema) throws IOException {
        ServerProcess n = ServerProcess.startNode(ServerProcess.logFile("subscription-leader-kill-" + name),
                "--storage", PostgresServer.url(), "--pg-schema", schema, "--pg-pool-size", "4");
        nodes.add(n);
        return n;
    }

    private Matcher await(ServerProcess n, Pattern p) {
        return n.awaitLine(p, Duration.ofSeconds(60));
    }

    private HttpResponse<String> send(ServerProcess n, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(n.base() + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitWake(String path, String tail) throws InterruptedException {
        WebhookWait.awaitWake(webhooks, path, tail);
    }

    @Test
    void theOtherNodeTakesOverWhenTheLeaderIsKilled() throws Exception {
        receiver = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            webhooks.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            byte[] out = "{\"done\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        receiver.start();
        String schema = "leader_kill_" + ProcessHandle.current().pid();
        ServerProcess a = start("a", schema);
        await(a, LEADS);
        ServerProcess b = start("b", schema);
        await(b, FOLLOWS);

        HttpResponse<String> put = send(b, "PUT", "__ds/subscriptions/k", "{\"type\":\"webhook\",\"pattern\":\"events/*\","
                + "\"webhook\":{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"}}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(send(b, "PUT", "events/k", "[]").statusCode()).isEqualTo(201);
        String tail1 = send(b, "POST", "events/k", "{\"n\":1}").headers().firstValue("Stream-Next-Offset").orElseThrow();
        awaitWake("events/k", tail1);

        assertThat(a.kill()).isEqualTo(137);
        await(b, LEADS);
        String tail2 = send(b, "POST", "events/k", "{\"n\":2}").headers().firstValue("Stream-Next-Offset").orElseThrow();
        awaitWake("events/k", tail2);
        JsonNode view = JSON.readTree(send(b, "GET", "__ds/subscriptions/k", null).body());
        assertThat(view.path("id").asText()).isEqualTo("k");
    }
}
