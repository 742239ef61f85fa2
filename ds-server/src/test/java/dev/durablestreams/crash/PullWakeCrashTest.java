package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull-wake with two competing workers across SIGKILLs: exactly one worker wins each claim; after a kill the lease
 * expires and the wake is claimed again with a higher generation; the first worker's token is fenced and
 * moves no cursor; the second acks every linked stream at its tail; acked cursors never move backwards across
 * further kills.
 */
class PullWakeCrashTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String ZERO = "0000000000000000_0000000000000000";

    @TempDir Path dir;
    ServerProcess server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> claimAsync(String worker) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + "__ds/subscriptions/p/claim"))
                .POST(BodyPublishers.ofString("{\"worker\":\"" + worker + "\"}"))
                .header("Content-Type", "application/json").build(), BodyHandlers.ofString());
    }

    /** Acked offset of each linked stream, by path. */
    java.util.Map<String, String> acked() throws Exception {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (JsonNode s : JSON.readTree(send("GET", "__ds/subscriptions/p", null).body()).path("streams")) {
            out.put(s.path("path").asText(s.path("stream").asText()), s.path("acked_offset").asText());
        }
        return out;
    }

    HttpResponse<String> ack(JsonNode claim, String acks) throws Exception {
        return send("POST", "__ds/subscriptions/p/ack", "{\"wake_id\":\"" + claim.path("wake_id").asText()
                + "\",\"generation\":" + claim.path("generation").asLong() + ",\"acks\":" + acks + ",\"done\":true}",
                "Authorization", "Bearer " + claim.path("token").asText(), "Content-Type", "application/json");
    }

    void restart() throws Exception {
        assertThat(server.kill()).isEqualTo(137);
        server = ServerProcess.start(dir.resolve("db"), ServerProcess.logFile("pull-wake-crash"));
    }

    @Test
    void competingWorkersAcrossKillsNeverMoveACursorBackwards() throws Exception {
        server = ServerProcess.start(dir.resolve("db"), ServerProcess.logFile("pull-wake-crash"));
        assertThat(send("PUT", "jobs-wake", "[]", "Content-Type", "application/json").statusCode()).isEqualTo(201);
        assertThat(send("PUT", "__ds/subscriptions/p", "{\"type\":\"pull-wake\",\"pattern\":\"jobs/*\","
                + "\"wake_stream\":\"jobs-wake\",\"lease_ttl_ms\":3000}", "Content-Type", "application/json")
                .statusCode()).isEqualTo(201);
        List<String> tails = new ArrayList<>();
        for (String s : new String[] {"jobs/a", "jobs/b"}) {
            assertThat(send("PUT", s, null, "Content-Type", "text/plain").statusCode()).isEqualTo(201);
            HttpResponse<String> r = send("POST", s, "work for " + s, "Content-Type", "text/plain");
            assertThat(r.statusCode()).isEqualTo(204);
            tails.add(r.headers().firstValue("Stream-Next-Offset").orElseThrow());
        }

        // Two workers race for the wake: exactly one wins.
        CompletableFuture<HttpResponse<String>> a = claimAsync("worker-a");
        CompletableFuture<HttpResponse<String>> b = claimAsync("worker-b");
        List<HttpResponse<String>> both = List.of(a.join(), b.join());
        assertThat(both).as(both.get(0).body() + " / " + both.get(1).body())
                .extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(200, 409);
        HttpResponse<String> won = both.get(0).statusCode() == 200 ? both.get(0) : both.get(1);
        HttpResponse<String> lost = both.get(0).statusCode() == 200 ? both.get(1) : both.get(0);
        assertThat(JSON.readTree(lost.body()).path("error").path("code").asText()).isEqualTo("ALREADY_CLAIMED");
        JsonNode first = JSON.readTree(won.body());
        String loser = won == both.get(0) ? "worker-b" : "worker-a";

        // Killed mid-wake: once the lease expires (that it outlives the process is PullWakeTest's, with a clock),
        // the wake is claimed again.
        restart();
        JsonNode second = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (second == null && System.nanoTime() < deadline) {
            HttpResponse<String> r = send("POST", "__ds/subscriptions/p/claim", "{\"worker\":\"" + loser + "\"}",
                    "Content-Type", "application/json");
            if (r.statusCode() == 200) second = JSON.readTree(r.body());
            else Thread.sleep(50); // polling the condition: the lease ends 3 s after the claim
        }
        assertThat(second).as("the wake is claimed again once the lease expires").isNotNull();
        assertThat(second.path("generation").asLong()).isGreaterThan(first.path("generation").asLong());

        // The first worker comes back late: fenced, and no cursor moves.
        String allAtTail = "[{\"stream\":\"jobs/a\",\"offset\":\"" + tails.get(0) + "\"},"
                + "{\"stream\":\"jobs/b\",\"offset\":\"" + tails.get(1) + "\"}]";
        HttpResponse<String> stale = ack(first, allAtTail);
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(stale.body()).path("error").path("code").asText()).isEqualTo("FENCED");
        assertThat(acked().values()).containsOnly(ZERO);

        // The current holder acks every linked stream at its tail.
        assertThat(ack(second, allAtTail).statusCode()).isEqualTo(200);
        java.util.Map<String, String> done = acked();
        assertThat(done.values()).containsExactlyInAnyOrderElementsOf(tails);

        // Another kill: cursors stay at the tails, nothing is pending, and both old tokens are fenced.
        restart();
        assertThat(acked()).isEqualTo(done);
        assertThat(send("POST", "__ds/subscriptions/p/claim", "{\"worker\":\"worker-a\"}",
                "Content-Type", "application/json").statusCode()).isEqualTo(409); // NO_PENDING_WORK
        assertThat(ack(first, "[]").statusCode()).isEqualTo(409);
        assertThat(ack(second, "[]").statusCode()).isEqualTo(409);
        assertThat(acked()).isEqualTo(done);
    }
}
