package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bodies larger than one transport slice arrive whole, byte-exact, with a correct Content-Length. */
class LargeBodyTest {
    static InProcessServer server;
    static String base;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        server = new InProcessServer(8 << 20, 2 << 20, Duration.ofMillis(500), Duration.ofSeconds(60),
                Duration.ofSeconds(15));
        base = server.base;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void multiMegabyteAppendsReadBackByteExactAcrossChunks() throws Exception {
        byte[] first = new byte[3 * Responses.SLICE + 12_345];
        byte[] second = new byte[5 << 20];
        Random random = new Random(7);
        random.nextBytes(first);
        random.nextBytes(second);
        client.send(HttpRequest.newBuilder(URI.create(base + "big")).PUT(BodyPublishers.noBody())
                .header("Content-Type", "application/octet-stream").build(), BodyHandlers.discarding());
        for (byte[] body : new byte[][] {first, second}) {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(base + "big"))
                    .POST(BodyPublishers.ofByteArray(body)).header("Content-Type", "application/octet-stream").build(),
                    BodyHandlers.discarding());
            assertThat(r.statusCode()).isEqualTo(204);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        String offset = "-1";
        int requests = 0;
        while (true) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + "big?offset=" + offset))
                    .build(), BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(r.body().length);
            all.writeBytes(r.body());
            requests++;
            offset = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
            if (r.headers().firstValue("Stream-Up-To-Date").isPresent()) break;
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(first);
        expected.writeBytes(second);
        assertThat(all.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(requests).as("bounded chunks: a whole append may exceed --max-read, but reads stop there")
                .isGreaterThanOrEqualTo(2);
    }
}
