package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.postgres.PostgresServer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stopped like a crash (immediate shutdown) and started again while idempotent producers append to two
 * nodes: while it is down every append is answered 503 (not left hanging, not a 500) and none is acknowledged,
 * the nodes report not ready; once it is back, the nodes recover by themselves (appends succeed, {@code /readyz}
 * answers 200, the change feed listens again), and every acknowledged append is in its stream exactly once, in
 * order, byte-exact. The database is this test's own, so stopping it disturbs no other test.
 */
class PostgresRestartTest {
    static final Map<String, String> PRODUCERS = new LinkedHashMap<>();
    static final int REFUSALS_WHILE_DOWN = 3;
    static final Pattern LISTENING_AGAIN = Pattern.compile("change notifications from PostgreSQL resumed");

    static {
        for (int i = 0; i < 3; i++) PRODUCERS.put("p" + i, "shared");
        for (int i = 3; i < 6; i++) PRODUCERS.put("p" + i, "solo-" + i);
    }

    final StreamClient client = new StreamClient();
    PostgresServer pg;
    ServerProcess nodeA;
    ServerProcess nodeB;
    ProducerFleet fleet;

    /** Outside the test's timeout: the first start on a fresh machine installs PostgreSQL. */
    @BeforeEach
    void startDatabase() {
        pg = PostgresServer.startOwn();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (fleet != null) fleet.close();
        if (nodeA != null) nodeA.close();
        if (nodeB != null) nodeB.close();
        if (pg != null) pg.close();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void nodesAnswer503WhileTheDatabaseIsDownAndRecoverByThemselves() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("PostgreSQL restart test: seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
        String[] storage = {"--storage", pg.connectionUrl(), "--pg-pool-size", "4"};
        nodeA = ServerProcess.startNode(ServerProcess.logFile("pg-restart-a"), storage);
        nodeB = ServerProcess.startNode(ServerProcess.logFile("pg-restart-b"), storage);
        // Producers alternate between the nodes, each always to the same one, so each node answers directly.
        Map<String, ServerProcess> nodeOf = new HashMap<>();
        int i = 0;
        for (String id : PRODUCERS.keySet()) nodeOf.put(id, i++ % 2 == 0 ? nodeA : nodeB);
        fleet = new ProducerFleet(client, new Payloads(seed), PRODUCERS, id -> nodeOf.get(id).base(), Set.of(503),
                false, Duration.ofMillis(50));
        for (String stream : fleet.streams()) client.create(nodeA.base(), stream);
        fleet.start();
        fleet.awaitMoreAcks(100, Duration.ofSeconds(60));
        assertReady(nodeA, 200, Duration.ofSeconds(5));
        assertReady(nodeB, 200, Duration.ofSeconds(5));

        Map<String, Long> refusedBefore = new HashMap<>();
        fleet.producers().forEach((id, p) -> refusedBefore.put(id, p.refused(503)));
        long refusedAtDown = fleet.refusals().getOrDefault(503, 0L);
        pg.down();
        long down = System.nanoTime();
        // Several 503s for every producer: the first from broken pooled connections, the later ones from failing to
        // connect at all. An I/O error (such as the client's 20 s timeout) or any other status fails the producer.
        fleet.await(() -> fleet.producers().values().stream()
                        .allMatch(p -> p.refused(503) >= refusedBefore.get(p.id) + REFUSALS_WHILE_DOWN),
                REFUSALS_WHILE_DOWN + " 503s for every producer", Duration.ofSeconds(60));
        long acksWhileDown = fleet.acks();
        assertReady(nodeA, 503, Duration.ofSeconds(30));
        assertReady(nodeB, 503, Duration.ofSeconds(30));
        assertThat(fleet.acks()).as("appends acknowledged while PostgreSQL is down").isEqualTo(acksWhileDown);

        pg.up();
        long up = System.nanoTime();
        Map<String, Long> ackedBefore = new HashMap<>();
        fleet.producers().forEach((id, p) -> ackedBefore.put(id, p.next));
        fleet.await(() -> fleet.producers().values().stream().allMatch(p -> p.next > ackedBefore.get(p.id)),
                "an acknowledgement for every producer after the restart", Duration.ofSeconds(60));
        long appending = System.nanoTime();
        long refusedInOutage = fleet.refusals().getOrDefault(503, 0L) - refusedAtDown;
        assertReady(nodeA, 200, Duration.ofSeconds(30));
        assertReady(nodeB, 200, Duration.ofSeconds(30));
        long ready = System.nanoTime();
        // Live readers across nodes depend on the LISTEN connection; it must come back without a node restart.
        nodeA.awaitLine(LISTENING_AGAIN, Duration.ofSeconds(30));
        nodeB.awaitLine(LISTENING_AGAIN, Duration.ofSeconds(30));
        long listening = System.nanoTime();

        fleet.awaitMoreAcks(50, Duration.ofSeconds(60));
        fleet.finish(Duration.ofSeconds(60));
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String stream : fleet.streams()) {
            byte[] fromA = client.readAll(nodeA.base(), stream);
            assertThat(client.readAll(nodeB.base(), stream)).as("%s read from node B", stream).isEqualTo(fromA);
            contents.put(stream, fromA);
        }
        ProducerFleet.Totals totals = fleet.verify(contents);
        System.out.printf("PostgreSQL restart test: PostgreSQL down (immediate shutdown) for %d ms under 6 producers "
                        + "on 2 nodes: %d appends answered 503 (slowest answer %d ms), none acknowledged; "
                        + "%d appends acknowledged in all (%d bytes), %d retried, %d answered 204 (committed, "
                        + "answer lost)%n",
                millis(up - down), refusedInOutage, fleet.slowestRefusalMillis(), totals.acknowledged(),
                totals.bytes(), totals.retried(), totals.duplicates());
        System.out.printf("PostgreSQL restart test: recovered without node restart, ms after PostgreSQL accepted "
                        + "connections again: every producer acknowledged %d, /readyz 200 on both nodes %d, "
                        + "change notifications resumed on both %d%n",
                millis(appending - up), millis(ready - up), millis(listening - up));
    }

    /** Polls the node's {@code /readyz} until it answers {@code status}. */
    private void assertReady(ServerProcess node, int status, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last;
        while ((last = client.get("http://127.0.0.1:" + node.port + "/readyz").statusCode()) != status) {
            fleet.throwIfFailed();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/readyz of port " + node.port + " answered " + last + ", not " + status
                        + " within " + timeout);
            }
            Thread.sleep(50); // poll interval; the deadline decides
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
