package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that never read: a live reader holds at most one SSE chunk beyond the socket buffer, every pending
 * response counts against the output budget, and past the budget the readers stuck longest are closed. Asserted on
 * the server's own accounting of unsent bytes, never on process memory.
 */
class PendingOutputTest {
    static final int MAX_READ = 16 << 20;
    /** Stored as four appends of a quarter each; a catch-up read returns all of it at once. */
    static final int STREAM_BYTES = MAX_READ;
    static final int SSE_CHUNK = 64 << 10;
    /** Netty's high water mark for a connection: writes beyond it make the channel unwritable. */
    static final int HIGH_WATER = 256 << 10;

    InProcessServer server;
    int port;

    void start(long maxPendingOutput) throws Exception {
        Limits limits = new Limits(0, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(60),
                SSE_CHUNK, maxPendingOutput, 64L << 20);
        server = new InProcessServer(new ServerConfig("127.0.0.1", 0, STREAM_BYTES / 4, MAX_READ, Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(30), limits));
        port = server.port();
        byte[] data = new byte[STREAM_BYTES / 4];
        new Random(3).nextBytes(data);
        try (RawConnection c = RawConnection.open(port)) {
            c.send("PUT /v1/stream/big HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 0\r\n\r\n");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 201");
            for (int i = 0; i < 4; i++) {
                c.send("POST /v1/stream/big HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: " + data.length + "\r\n\r\n").send(data);
                assertThat(c.readResponse()).startsWith("HTTP/1.1 204");
            }
        }
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    static RawConnection nonReader(int port, String query) throws Exception {
        RawConnection c = RawConnection.open(port, 4096);
        c.send("GET /v1/stream/big?" + query + " HTTP/1.1\r\nHost: t\r\n\r\n");
        return c;
    }

    @Test
    void sseReaderThatNeverReadsHoldsOneChunkBeyondTheSocketBuffer() throws Exception {
        start(0);
        try (RawConnection reader = nonReader(port, "offset=-1&live=sse")) {
            RawConnection.await("the reader's socket is full", () -> server.limits().unwritableConnections() == 1);
            // One base64 data event of a chunk, plus its control event, beyond the high water mark.
            long bound = HIGH_WATER + 2L * SSE_CHUNK;
            assertThat(server.limits().pendingOutputBytes()).isPositive().isLessThanOrEqualTo(bound);
            assertThat(server.limits().peakPendingOutputBytes()).isLessThanOrEqualTo(bound);
        }
        RawConnection.await("pending bytes released on close", () -> server.limits().pendingOutputBytes() == 0);
    }

    @Test
    void catchUpToANonReaderCountsUntilTheConnectionCloses() throws Exception {
        start(0);
        try (RawConnection reader = nonReader(port, "offset=-1")) {
            // A whole --max-read chunk is written at once and counted until the socket takes it.
            RawConnection.await("the catch-up chunk is counted",
                    () -> server.limits().peakPendingOutputBytes() >= STREAM_BYTES);
        }
        RawConnection.await("pending bytes released on close", () -> server.limits().pendingOutputBytes() == 0);
    }

    @Test
    void pastTheBudgetTheReadersStuckLongestAreClosed() throws Exception {
        long budget = 1 << 20;
        start(budget);
        List<RawConnection> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                readers.add(nonReader(port, "offset=-1&live=sse"));
                long opened = i + 1;
                // Each new reader is stuck before the next arrives, so the oldest are the slowest.
                RawConnection.await("reader " + i + " is stuck", () -> server.limits().unwritableConnections()
                        + server.limits().slowReadersClosed() == opened);
            }
            RawConnection.await("some readers were closed", () -> server.limits().slowReadersClosed() > 0);
            RawConnection.await("pending output back within the budget",
                    () -> server.limits().pendingOutputBytes() <= budget);
            // The first reader was stuck longest: it was closed, which the client sees once it reads.
            assertThat(readers.get(0).readUntilClosed()).startsWith("HTTP/1.1 200");
            assertThat(readers.get(readers.size() - 1).socket.isClosed()).isFalse();
        } finally {
            for (RawConnection r : readers) r.close();
        }
        RawConnection.await("pending bytes released on close", () -> server.limits().pendingOutputBytes() == 0);
    }
}
