package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.http.tls.TlsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many SSE readers share one HTTP/2 connection over TLS, and each gets every message, in order. */
class Http2SseFanOutTest {
    static final int READERS = 200;
    static final int MESSAGES = 100;

    /** Collects the data-event payload of one SSE response, line by line. */
    static final class Reader implements Flow.Subscriber<String> {
        final StringBuilder payload = new StringBuilder();
        final CompletableFuture<String> done = new CompletableFuture<>();
        final int expectedLength;
        boolean inData;
        volatile HttpClient.Version version;

        Reader(int expectedLength) {
            this.expectedLength = expectedLength;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.equals("event: data")) inData = true;
            else if (line.isEmpty()) inData = false;
            else if (inData && line.startsWith("data:")) payload.append(line.substring(5));
            if (payload.length() >= expectedLength) done.complete(payload.toString());
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(payload.toString());
        }
    }

    @Test
    void twoHundredSseReadersOnOneConnectionEachGetEveryMessageInOrder() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "h2-fanout");
        TestCertificates.Pair cert = TestCertificates.generate(dir.resolve("c.pem"), dir.resolve("k.pem"),
                "localhost", "RSA");
        try (InProcessServer server = new InProcessServer(1 << 20, 1 << 20, Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofSeconds(30),
                new ReloadingSslContext(new TlsOptions(cert.cert(), cert.key(), Duration.ZERO)))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(cert.trustingContext()).build();
            URI stream = URI.create(server.base + "fan-out");
            // The first request sets up the connection; the readers then share it.
            HttpResponse<Void> put = client.send(HttpRequest.newBuilder(stream).PUT(BodyPublishers.noBody())
                    .header("Content-Type", "text/plain").build(), BodyHandlers.discarding());
            assertThat(put.version()).isEqualTo(HttpClient.Version.HTTP_2);

            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < MESSAGES; i++) expected.append(String.format("m%05d;", i));
            CountDownLatch connected = new CountDownLatch(READERS);
            List<Reader> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                Reader r = new Reader(expected.length());
                readers.add(r);
                client.sendAsync(HttpRequest.newBuilder(URI.create(stream + "?offset=-1&live=sse"))
                        .build(), info -> {
                            r.version = info.version();
                            connected.countDown(); // response headers received: the reader is live
                            return BodyHandlers.fromLineSubscriber(r).apply(info);
                        });
            }
            assertThat(connected.await(60, TimeUnit.SECONDS)).as("all SSE responses started").isTrue();

            for (int i = 0; i < MESSAGES; i++) {
                HttpResponse<Void> post = client.send(HttpRequest.newBuilder(stream)
                        .POST(BodyPublishers.ofString(String.format("m%05d;", i)))
                        .header("Content-Type", "text/plain").build(), BodyHandlers.discarding());
                assertThat(post.statusCode()).isEqualTo(204);
            }
            for (int i = 0; i < READERS; i++) {
                assertThat(readers.get(i).done.get(60, TimeUnit.SECONDS)).as("reader %d", i)
                        .isEqualTo(expected.toString());
                assertThat(readers.get(i).version).isEqualTo(HttpClient.Version.HTTP_2);
            }
            assertThat(server.server.connectionsAccepted()).as("connections the server accepted").isEqualTo(1);
        }
    }
}
