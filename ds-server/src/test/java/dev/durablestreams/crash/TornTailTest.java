package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash that leaves the newest write-ahead log with a cut or corrupt tail (a partly written last record): the
 * server must start, keep every whole commit before the damage, drop the damaged one entirely, and say so.
 */
class TornTailTest {
    static final int APPENDS = 25;
    static final Pattern DROPPED = Pattern.compile(
            "recovery: write-ahead log (\\d+\\.log) has a torn or corrupt tail after sequence (\\d+); dropped (\\d+) bytes");

    @TempDir Path dir;
    ServerProcess server;
    final StreamClient client = new StreamClient();
    final Payloads payloads = new Payloads(20261125L);

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    @Timeout(120)
    void cutTail() throws Exception {
        crashDamageRestart("cut", wal -> {
            try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 5);
            }
        });
    }

    @Test
    @Timeout(120)
    void corruptTail() throws Exception {
        crashDamageRestart("corrupt", wal -> {
            try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer last = ByteBuffer.allocate(6);
                long at = ch.size() - last.capacity();
                ch.read(last, at);
                for (int i = 0; i < last.capacity(); i++) last.put(i, (byte) ~last.get(i));
                ch.write(last.flip(), at);
            }
        });
    }

    interface Damage {
        void apply(Path wal) throws IOException;
    }

    private void crashDamageRestart(String name, Damage damage) throws Exception {
        Path data = dir.resolve("db");
        server = ServerProcess.start(data, ServerProcess.logFile("torn-" + name));
        client.create(server.base(), "torn");
        for (int seq = 0; seq < APPENDS; seq++) {
            HttpResponse<String> r = client.append(server.base(), "torn", "w", 0, seq, payloads.body("w", seq));
            assertThat(r.statusCode()).as("append %d", seq).isEqualTo(200);
        }
        assertThat(server.kill()).as("exit status of SIGKILL").isEqualTo(137);
        server = null;

        Path wal = newestWal(data);
        long size = Files.size(wal);
        damage.apply(wal);
        System.out.printf("torn-tail[%s]: damaged the last bytes of %s (%d bytes)%n", name, wal.getFileName(), size);

        server = ServerProcess.start(data, ServerProcess.logFile("torn-" + name));
        Matcher m = server.awaitLine(DROPPED, Duration.ofSeconds(5));
        assertThat(m.group(1)).isEqualTo(wal.getFileName().toString());
        assertThat(Long.parseLong(m.group(3))).isPositive();
        System.out.printf("torn-tail[%s]: server said: %s; recovery %d ms, start %d ms%n",
                name, m.group(), server.recoveryMillis, server.startMillis);

        List<Payloads.Found> kept = payloads.parse(client.readAll(server.base(), "torn"));
        // Whole appends only, in order, from the start: a prefix of what was written.
        for (int i = 0; i < kept.size(); i++) {
            assertThat(kept.get(i).producer()).isEqualTo("w");
            assertThat(kept.get(i).seq()).isEqualTo(i);
        }
        // The damage is inside the last record, so everything before it survives and only the last append is lost.
        assertThat(kept).hasSize(APPENDS - 1);

        // The lost append's producer state was in the same lost batch: the retry is new data (200), not a duplicate.
        HttpResponse<String> retry = client.append(server.base(), "torn", "w", 0, APPENDS - 1,
                payloads.body("w", APPENDS - 1));
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(payloads.parse(client.readAll(server.base(), "torn"))).hasSize(APPENDS)
                .extracting(Payloads.Found::seq).containsExactly(
                        java.util.stream.LongStream.range(0, APPENDS).boxed().toArray(Long[]::new));
    }

    /** The live write-ahead log: the highest-numbered {@code NNNNNN.log} (not the info logs LOG, LOG.old.*). */
    static Path newestWal(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.filter(p -> p.getFileName().toString().matches("\\d+\\.log"))
                    .max((a, b) -> Long.compare(number(a), number(b)))
                    .orElseThrow(() -> new AssertionError("no write-ahead log in " + data));
        }
    }

    private static long number(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(0, n.indexOf('.')));
    }
}
