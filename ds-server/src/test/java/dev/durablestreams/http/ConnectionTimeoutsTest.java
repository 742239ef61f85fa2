package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slow headers, stalled bodies and idle keep-alive connections are closed (408 where an answer is due), while
 * open live responses are never taken for idle. Timeouts are tiny here; the tests wait for the server to act.
 */
class ConnectionTimeoutsTest {
    static final Duration TIMEOUT = Duration.ofMillis(200);
    InProcessServer server;
    int port;

    @BeforeEach
    void start() throws Exception {
        Limits limits = new Limits(0, TIMEOUT, TIMEOUT, TIMEOUT, Limits.DEFAULT_SSE_CHUNK, 0, 1 << 20);
        server = new InProcessServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(30), limits));
        port = server.port();
        try (RawConnection c = RawConnection.open(port)) {
            c.send("PUT /v1/stream/s HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 201");
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void headersDrippedByteByByteGet408AndClose() throws Exception {
        try (RawConnection c = RawConnection.open(port)) {
            c.send("GET /v1/stream/s?offset=-1 HTTP/1.1\r\nHost: t\r\n");
            AtomicBoolean stop = new AtomicBoolean();
            // A slowloris client: one more header byte every 20 ms, which must not keep the head's clock running.
            Thread drip = new Thread(() -> {
                try {
                    c.send("X-Pad: ");
                    while (!stop.get()) {
                        c.send("a");
                        Thread.sleep(20);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the server closed the connection
                }
            });
            drip.start();
            String answer = c.readUntilClosed();
            stop.set(true);
            drip.join();
            assertThat(answer).startsWith("HTTP/1.1 408").contains("application/problem+json")
                    .contains("connection: close");
        }
        assertThat(server.limits().headerTimeouts()).isEqualTo(1);
    }

    @Test
    void stalledBodyGets408AndClose() throws Exception {
        try (RawConnection c = RawConnection.open(port)) {
            c.send("POST /v1/stream/s HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
                    + "only ten b");
            assertThat(c.readUntilClosed()).startsWith("HTTP/1.1 408");
        }
        assertThat(server.limits().bodyTimeouts()).isEqualTo(1);
        RawConnection.await("the stalled body's reservation returned", () -> server.limits().inflightBodyBytes() == 0);
    }

    @Test
    void idleConnectionsAreClosedBeforeAndBetweenRequests() throws Exception {
        try (RawConnection silent = RawConnection.open(port); RawConnection kept = RawConnection.open(port)) {
            kept.send("GET /v1/stream/s?offset=-1 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(kept.readResponse()).startsWith("HTTP/1.1 200");
            assertThat(kept.readUntilClosed()).isEmpty();
            assertThat(silent.readUntilClosed()).isEmpty();
        }
        assertThat(server.limits().idleTimeouts()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void openSseAndLongPollResponsesAreNotIdle() throws Exception {
        try (RawConnection sse = RawConnection.open(port); RawConnection poll = RawConnection.open(port)) {
            sse.send("GET /v1/stream/s?offset=now&live=sse HTTP/1.1\r\nHost: t\r\n\r\n");
            sse.readUntil("event: control");
            poll.send("GET /v1/stream/s?offset=now&live=long-poll HTTP/1.1\r\nHost: t\r\n\r\n");
            // Proof that more than the idle timeout has passed since both were opened: a connection opened after
            // them is closed as idle.
            try (RawConnection later = RawConnection.open(port)) {
                assertThat(later.readUntilClosed()).isEmpty();
            }
            try (RawConnection writer = RawConnection.open(port)) {
                writer.send("POST /v1/stream/s HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
                        + "\r\ntick");
                assertThat(writer.readResponse()).startsWith("HTTP/1.1 204");
            }
            assertThat(sse.readUntil("data:tick")).contains("event: data");
            assertThat(poll.readResponse()).startsWith("HTTP/1.1 200").endsWith("tick");
        }
    }
}
