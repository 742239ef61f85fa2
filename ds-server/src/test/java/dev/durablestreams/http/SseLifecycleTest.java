package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SSE responses end by themselves after the configured duration and send keep-alives while idle. */
class SseLifecycleTest {
    static InProcessServer server;
    static String base;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = new InProcessServer(1 << 20, 1 << 20, Duration.ofMillis(300), Duration.ofMillis(600),
                Duration.ofMillis(100));
        base = server.base;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void idleResponseGetsKeepAlivesThenEndsAtMaxDuration() throws Exception {
        client.send(HttpRequest.newBuilder(URI.create(base + "idle")).PUT(BodyPublishers.noBody())
                .header("Content-Type", "text/plain").build(), BodyHandlers.discarding());
        var response = client.send(HttpRequest.newBuilder(URI.create(base + "idle?offset=now&live=sse")).build(),
                BodyHandlers.ofLines());
        List<String> lines = new ArrayList<>();
        try (Stream<String> body = response.body()) {
            Iterator<String> it = body.iterator();
            while (it.hasNext()) lines.add(it.next()); // returns only because the server ends the response
        }
        long controls = lines.stream().filter(l -> l.equals("event: control")).count();
        assertThat(controls).as("initial control event plus keep-alives").isGreaterThanOrEqualTo(2);
        assertThat(lines).doesNotContain("event: data");
        assertThat(lines.stream().filter(l -> l.startsWith("data:")))
                .allMatch(l -> l.contains("\"upToDate\":true") && l.contains("streamCursor"));
    }

    @Test
    void liveAppendArrivesAsDataFollowedByControl() throws Exception {
        client.send(HttpRequest.newBuilder(URI.create(base + "live")).PUT(BodyPublishers.noBody())
                .header("Content-Type", "text/plain").build(), BodyHandlers.discarding());
        var response = client.send(HttpRequest.newBuilder(URI.create(base + "live?offset=now&live=sse")).build(),
                BodyHandlers.ofLines());
        List<String> lines = new ArrayList<>();
        try (Stream<String> body = response.body()) {
            Iterator<String> it = body.iterator();
            boolean appended = false;
            while (it.hasNext()) {
                String line = it.next();
                lines.add(line);
                if (!appended && line.startsWith("data:{")) { // the initial control event: now append
                    appended = true;
                    client.send(HttpRequest.newBuilder(URI.create(base + "live"))
                            .POST(BodyPublishers.ofString("tick")).header("Content-Type", "text/plain").build(),
                            BodyHandlers.discarding());
                }
                if (line.equals("data:tick")) break;
            }
            assertThat(it.next()).isEmpty();
            assertThat(it.next()).isEqualTo("event: control");
            assertThat(it.next()).contains("0000000000000000_0000000000000004");
        }
        assertThat(lines).contains("event: data", "data:tick");
    }
}
