package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request bodies in progress share one budget: past it a request gets 503 with Retry-After before its body is
 * read, and every reservation comes back, whether the request completes or the client goes away mid-body.
 */
class BodyBudgetTest {
    static final int BUDGET = 1 << 20;
    static final int BODY = 600 << 10;
    InProcessServer server;
    int port;

    @BeforeEach
    void start() throws Exception {
        Limits limits = new Limits(0, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Limits.DEFAULT_SSE_CHUNK, 0, BUDGET);
        server = new InProcessServer(new ServerConfig("127.0.0.1", 0, 4 << 20, 1 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(30), limits));
        port = server.port();
        try (RawConnection c = RawConnection.open(port)) {
            c.send("PUT /v1/stream/s HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 0\r\n\r\n");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 201");
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String postHead(int length) {
        return "POST /v1/stream/s HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                + length + "\r\n\r\n";
    }

    @Test
    void pastTheBudgetARequestGets503BeforeItsBodyAndTheBudgetReturns() throws Exception {
        try (RawConnection first = RawConnection.open(port); RawConnection second = RawConnection.open(port)) {
            first.send(postHead(BODY)).send(new byte[1000]);
            RawConnection.await("the first body is reserved", () -> server.limits().inflightBodyBytes() == BODY);
            second.send(postHead(BODY));
            String refused = second.readUntilClosed();
            assertThat(refused).startsWith("HTTP/1.1 503").contains("retry-after: 1").contains("connection: close")
                    .contains("application/problem+json");
            assertThat(server.limits().bodiesRefused()).isEqualTo(1);

            first.send(new byte[BODY - 1000]);
            assertThat(first.readResponse()).startsWith("HTTP/1.1 204");
            RawConnection.await("the budget is back to 0", () -> server.limits().inflightBodyBytes() == 0);
        }
        try (RawConnection retry = RawConnection.open(port)) {
            retry.send(postHead(BODY)).send(new byte[BODY]);
            assertThat(retry.readResponse()).startsWith("HTTP/1.1 204");
        }
        RawConnection.await("the budget is back to 0", () -> server.limits().inflightBodyBytes() == 0);
    }

    @Test
    void abortedUploadsReturnTheirReservations() throws Exception {
        List<RawConnection> uploads = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                uploads.add(RawConnection.open(port).send(postHead(BODY / 2)).send(new byte[BODY / 4]));
            }
            RawConnection chunked = RawConnection.open(port).send("POST /v1/stream/s HTTP/1.1\r\nHost: t\r\n"
                    + "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "400\r\n" + "x".repeat(0x400) + "\r\n");
            uploads.add(chunked);
            RawConnection.await("all bodies are reserved",
                    () -> server.limits().inflightBodyBytes() == 3L * (BODY / 2) + 0x400);
        } finally {
            for (RawConnection u : uploads) u.close(); // mid-body
        }
        RawConnection.await("every reservation returned", () -> server.limits().inflightBodyBytes() == 0);
        assertThat(server.limits().bodiesRefused()).isZero();
    }

    @Test
    void aChunkedBodyThatOutgrowsTheBudgetIsRefusedAndReleased() throws Exception {
        try (RawConnection holder = RawConnection.open(port); RawConnection chunked = RawConnection.open(port)) {
            holder.send(postHead(BODY)).send(new byte[10]);
            RawConnection.await("the first body is reserved", () -> server.limits().inflightBodyBytes() == BODY);
            chunked.send("POST /v1/stream/s HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            String piece = Integer.toHexString(64 << 10) + "\r\n" + "y".repeat(64 << 10) + "\r\n";
            String refused;
            try {
                for (int i = 0; i < 16; i++) chunked.send(piece); // 1 MiB: more than the budget has left
            } catch (java.io.IOException closedByServer) {
                // the server answered and closed while we were still sending
            }
            refused = chunked.readUntilClosed();
            // The 503 may be lost to the reset that the unread rest of the body causes; the server's count is not.
            assertThat(refused).satisfiesAnyOf(r -> assertThat(r).startsWith("HTTP/1.1 503"),
                    r -> assertThat(r).isEmpty());
            assertThat(server.limits().bodiesRefused()).isEqualTo(1);
        }
        RawConnection.await("every reservation returned", () -> server.limits().inflightBodyBytes() == 0);
    }
}
