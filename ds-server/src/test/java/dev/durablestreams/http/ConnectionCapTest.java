package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Connections over the cap are closed as soon as they are accepted; a freed place is usable again. */
class ConnectionCapTest {
    InProcessServer server;
    int port;

    @BeforeEach
    void start() throws Exception {
        Limits limits = new Limits(2, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ZERO,
                Limits.DEFAULT_SSE_CHUNK, 0, 1 << 20);
        server = new InProcessServer(new ServerConfig("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(30), limits));
        port = server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnce() throws Exception {
        try (RawConnection a = RawConnection.open(port); RawConnection b = RawConnection.open(port)) {
            RawConnection.await("both connections are open", () -> server.limits().openConnections() == 2);
            try (RawConnection over = RawConnection.open(port)) {
                assertThat(over.readUntilClosed()).isEmpty();
            }
            assertThat(server.limits().refusedConnections()).isEqualTo(1);
            a.send("PUT /v1/stream/s HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
            assertThat(a.readResponse()).startsWith("HTTP/1.1 201");
        }
        RawConnection.await("both places are free", () -> server.limits().openConnections() == 0);
        try (RawConnection again = RawConnection.open(port)) {
            again.send("HEAD /v1/stream/s HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(again.readUntil("\r\n\r\n")).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void theDefaultCapLeavesHeadroomBelowTheDescriptorLimit() {
        assertThat(Limits.connectionsFor(1024)).isEqualTo(768);
        assertThat(Limits.connectionsFor(20_000)).isEqualTo(18_000);
        assertThat(Limits.connectionsFor(300)).isEqualTo(150);
        assertThat(Limits.connectionsFor(-1)).isZero();
    }
}
