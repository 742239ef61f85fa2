package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.postgres.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server nodes on one PostgreSQL database behind the round-robin nginx of {@code scripts/proxy.sh}; six
 * idempotent producers append through the proxy while node B is SIGKILLed at random moments and restarted on the same
 * port. A request the dead node had (or the proxy could not hand it) fails with 502, and the producer sends the same
 * append again, to whichever node is next: if the dead node had committed it, the producer state in the database
 * answers the retry 204. Afterwards every acknowledged append must be in its stream exactly once, in producer order
 * and byte-exact, read through either node. Run with {@code -Dcrash.seed=N} to replay a logged seed.
 */
@ExtendWith(PostgresServer.Start.class)
class PostgresCrossNodeCrashTest {
    static final int KILLS = 8;
    static final Map<String, String> PRODUCERS = new LinkedHashMap<>();

    static {
        // Three producers share one stream (their appends serialize on its row); three write alone.
        for (int i = 0; i < 3; i++) PRODUCERS.put("p" + i, "shared");
        for (int i = 3; i < 6; i++) PRODUCERS.put("p" + i, "solo-" + i);
    }

    @TempDir Path dir;
    final StreamClient client = new StreamClient();
    final List<AutoCloseable> open = new ArrayList<>();
    ServerProcess nodeA;
    volatile ServerProcess nodeB;
    ProducerFleet fleet;
    int portA;
    int portB;
    NginxProxy proxy;

    /** The proxy first, over two ports picked now (outside the test's timeout: it may install nginx). */
    @BeforeEach
    void startProxy() throws IOException {
        portA = freePort();
        portB = freePort();
        proxy = NginxProxy.start(dir.resolve("proxy"), portA, portB);
        open.add(proxy);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (fleet != null) fleet.close();
        if (nodeB != null) nodeB.close();
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void acknowledgedAppendsSurviveKillNineOfANodeBehindTheProxy() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("PostgreSQL cross-node crash test: seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        Payloads payloads = new Payloads(seed);
        String schema = "cross_node_crash_" + ProcessHandle.current().pid();
        String[] storage = {"--storage", PostgresServer.url(), "--pg-schema", schema, "--pg-pool-size", "4"};
        nodeA = node("a", withPort(portA, storage));
        open.add(nodeA);
        nodeB = node("b", withPort(portB, storage));

        // 502: the proxy's answer for a request to a node that died under it or does not listen (yet).
        fleet = new ProducerFleet(client, payloads, PRODUCERS, id -> proxy.base(), Set.of(502), false,
                Duration.ofMillis(10));
        for (String stream : fleet.streams()) client.create(proxy.base(), stream);
        fleet.start();

        List<Long> restarts = new ArrayList<>();
        int kills = 0;
        for (int k = 0; k < KILLS; k++) {
            // Kill after a random number of further acknowledgements: a random moment relative to the traffic.
            fleet.awaitMoreAcks(1 + random.nextInt(60), Duration.ofSeconds(60));
            assertThat(nodeB.kill()).as("exit status of SIGKILL").isEqualTo(137);
            kills++;
            nodeB = node("b", withPort(portB, storage));
            restarts.add(nodeB.startMillis);
        }
        fleet.awaitMoreAcks(20, Duration.ofSeconds(60));
        fleet.finish(Duration.ofSeconds(60));

        // The same bytes through the proxy and from each node directly.
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String stream : fleet.streams()) {
            byte[] viaProxy = client.readAll(proxy.base(), stream);
            assertThat(client.readAll(nodeA.base(), stream)).as("%s read from node A", stream).isEqualTo(viaProxy);
            assertThat(client.readAll(nodeB.base(), stream)).as("%s read from node B", stream).isEqualTo(viaProxy);
            contents.put(stream, viaProxy);
        }
        ProducerFleet.Totals totals = fleet.verify(contents);
        long failed = fleet.refusals().getOrDefault(502, 0L);
        assertThat(kills).isEqualTo(KILLS);
        assertThat(failed).as("requests failed by the kills (502)").isPositive();
        assertThat(totals.retried()).as("appends retried after a kill").isPositive();
        restarts.sort(null);
        System.out.printf("PostgreSQL cross-node crash test: %d kills of one of 2 nodes behind nginx, %d appends "
                        + "acknowledged (%d bytes in %d streams), %d retried after %d requests failed with 502, "
                        + "%d answered 204 (committed before the kill, deduplicated by the producer state)%n",
                kills, totals.acknowledged(), totals.bytes(), contents.size(), totals.retried(), failed,
                totals.duplicates());
        System.out.printf("PostgreSQL cross-node crash test: node start to listening ms min %d median %d max %d%n",
                restarts.get(0), restarts.get(restarts.size() / 2), restarts.get(restarts.size() - 1));
    }

    private static ServerProcess node(String name, String... args) throws IOException {
        return ServerProcess.startNode(ServerProcess.logFile("pg-cross-node-crash-" + name), args);
    }

    private static String[] withPort(int port, String... args) {
        List<String> all = new ArrayList<>(List.of("--port", Integer.toString(port)));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** A port free now, for a node behind the proxy; node B is restarted on the same one. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
