package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.protocol.Offset;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An offset the stream never issued (beyond its tail) gets 400 in every read mode; it is never answered with the
 * tail as {@code Stream-Next-Offset} (which would move the client backwards) nor with data from the tail.
 */
class OffsetBeyondTailTest {
    static InProcessServer server;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        // A long long-poll timeout: a poll that waited instead of refusing would fail the test by hanging, not pass.
        server = new InProcessServer(1 << 20, 1 << 20, Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofSeconds(5));
        HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create(server.base + "b"))
                .PUT(BodyPublishers.ofString("hello")).header("Content-Type", "text/plain").build(),
                BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "&live=long-poll", "&live=sse"})
    void anOffsetBeyondTheTailGets400(String live) throws Exception {
        for (Offset beyond : new Offset[] {Offset.at(6), new Offset(1, 0), Offset.parse("9999999999999999_9999999999999999")}) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create(server.base + "b?offset=" + beyond + live)).timeout(Duration.ofSeconds(10)).build(),
                    BodyHandlers.ofString());
            assertThat(r.statusCode()).as("offset %s%s", beyond, live).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(r.body()).contains("beyond the stream's tail");
            assertThat(r.headers().firstValue("Stream-Next-Offset")).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "&live=sse"})
    void theTailItselfIsFine(String live) throws Exception {
        HttpResponse<Stream<String>> r = client.send(HttpRequest.newBuilder(
                URI.create(server.base + "b?offset=" + Offset.at(5) + live)).build(), BodyHandlers.ofLines());
        try (Stream<String> lines = r.body()) { // SSE at the tail stays open: read its first event only
            assertThat(r.statusCode()).isEqualTo(200);
            if (live.isEmpty()) {
                assertThat(r.headers().firstValue("Stream-Next-Offset")).hasValue(Offset.at(5).toString());
            } else {
                String first = lines.filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
                assertThat(first).contains(Offset.at(5).toString(), "\"upToDate\":true");
            }
        }
    }
}
