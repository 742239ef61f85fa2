package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs the real server (RocksDB, sync durability) at random moments while idempotent producers append over
 * HTTP, restarts it on the same data directory, and lets the producers retry whatever was not acknowledged.
 * Afterwards every acknowledged append must be in its stream exactly once, in producer order and byte-exact,
 * with nothing torn or foreign. Run with {@code -Dcrash.seed=N} to replay a logged seed.
 */
class KillNineCrashTest {
    static final int KILLS = 20;
    static final Map<String, String> PRODUCERS = new LinkedHashMap<>();

    static {
        // Three producers share one stream (their commits interleave and share group commits); three write alone.
        for (int i = 0; i < 3; i++) PRODUCERS.put("p" + i, "shared");
        for (int i = 3; i < 6; i++) PRODUCERS.put("p" + i, "solo-" + i);
    }

    @TempDir Path dir;
    final StreamClient client = new StreamClient();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final List<Thread> threads = new ArrayList<>();
    final List<Long> recoveries = new ArrayList<>();
    final List<Long> starts = new ArrayList<>();

    /** Guards the fields below; notified on every acknowledgement, restart and failure. */
    final Object lock = new Object();
    ServerProcess server;
    String base;
    int generation;
    long acks;
    volatile boolean stopping;

    @AfterEach
    void cleanUp() throws InterruptedException {
        stopping = true;
        synchronized (lock) {
            if (server != null) server.close();
            lock.notifyAll();
        }
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) t.join(10_000);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void acknowledgedAppendsSurviveRepeatedKillNine() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("kill-9 crash test: seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        Payloads payloads = new Payloads(seed);
        Path data = dir.resolve("db");
        Path log = ServerProcess.logFile("kill-nine");

        restart(data, log);
        for (String stream : new java.util.TreeSet<>(PRODUCERS.values())) client.create(base, stream);

        Map<String, Producer> producers = new LinkedHashMap<>();
        PRODUCERS.forEach((id, stream) -> producers.put(id, new Producer(id, stream, payloads)));
        for (Producer p : producers.values()) {
            Thread t = new Thread(p, "producer-" + p.id);
            threads.add(t);
            t.start();
        }

        int kills = 0;
        int tornTails = 0;
        for (int k = 0; k < KILLS; k++) {
            // Kill after a random number of further acknowledgements: a random moment relative to the traffic.
            long target;
            synchronized (lock) {
                target = acks + 1 + random.nextInt(80);
            }
            long t = target;
            awaitCondition(() -> acks >= t, "acknowledgement " + t);
            tornTails += killAndRestart(data, log);
            kills++;
        }
        long finalTarget;
        synchronized (lock) {
            finalTarget = acks + 20;
        }
        awaitCondition(() -> acks >= finalTarget, "acknowledgement " + finalTarget);
        stopping = true; // producers finish the append they are on (retrying it until acknowledged), then stop
        for (Thread th : threads) th.join(60_000);
        throwIfFailed();
        for (Thread th : threads) assertThat(th.isAlive()).as(th.getName() + " finished").isFalse();

        // One more crash with everything idle, so the final state is also read back through recovery.
        tornTails += killAndRestart(data, log);
        kills++;

        Map<String, List<Payloads.Found>> byStream = new HashMap<>();
        for (String stream : new java.util.TreeSet<>(PRODUCERS.values())) {
            byStream.put(stream, payloads.parse(client.readAll(base, stream)));
        }
        long total = 0;
        long duplicates = 0;
        long retried = 0;
        for (Producer p : producers.values()) {
            List<Payloads.Found> mine = new ArrayList<>();
            for (Payloads.Found f : byStream.get(p.stream)) {
                assertThat(PRODUCERS.get(f.producer())).as("writer of %s/%d", f.producer(), f.seq()).isEqualTo(p.stream);
                if (f.producer().equals(p.id)) mine.add(f);
            }
            // Exactly the acknowledged appends, each once, in order: no loss, no doubled retry, no unacked extra.
            assertThat(mine).extracting(Payloads.Found::seq)
                    .as("appends of %s", p.id)
                    .containsExactly(LongStream.range(0, p.next).boxed().toArray(Long[]::new));
            for (Payloads.Found f : mine) {
                long acked = p.ackedOffsets.get(f.seq());
                // A 200 names the end of this very append; a 204 (duplicate) the tail at the time, never earlier.
                if (p.duplicateSeqs.contains(f.seq())) {
                    assertThat(acked).as("204 offset of %s/%d", p.id, f.seq()).isGreaterThanOrEqualTo(f.end());
                } else {
                    assertThat(acked).as("200 offset of %s/%d", p.id, f.seq()).isEqualTo(f.end());
                }
            }
            total += p.next;
            duplicates += p.duplicateSeqs.size();
            retried += p.retriedSeqs;
        }
        assertThat(kills).isGreaterThanOrEqualTo(KILLS);
        // Recovery flushes the replayed memtables; values of 4 KiB and more must have gone to blob files.
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(data)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("blob files").anyMatch(n -> n.endsWith(".blob"));
        }
        assertThat(retried).as("appends retried after a kill").isPositive();
        recoveries.sort(null);
        starts.sort(null);
        System.out.printf("kill-9 crash test: %d kills, %d appends acknowledged (%d bytes in %d streams), "
                        + "%d retried, %d answered 204 (stored before the kill, deduplicated), %d torn WAL tails dropped%n",
                kills, total, byStream.values().stream().mapToLong(l -> l.isEmpty() ? 0 : l.get(l.size() - 1).end()).sum(),
                byStream.size(), retried, duplicates, tornTails);
        System.out.printf("kill-9 crash test: recovery (storage ready) ms min %d median %d max %d; "
                        + "process start to listening ms min %d median %d max %d%n",
                recoveries.get(0), recoveries.get(recoveries.size() / 2), recoveries.get(recoveries.size() - 1),
                starts.get(0), starts.get(starts.size() / 2), starts.get(starts.size() - 1));
    }

    /** Kills the server with SIGKILL and starts a new one on the same data; returns 1 if it dropped a torn WAL tail. */
    private int killAndRestart(Path data, Path log) throws Exception {
        ServerProcess old;
        synchronized (lock) {
            old = server;
        }
        assertThat(old.kill()).as("exit status of SIGKILL").isEqualTo(137);
        restart(data, log);
        return (int) server.output().stream().filter(l -> l.contains("recovery: write-ahead log")).count();
    }

    private void restart(Path data, Path log) throws IOException {
        ServerProcess s = ServerProcess.start(data, log);
        if (generation > 0) {
            String ready = s.awaitLine(java.util.regex.Pattern.compile("storage ready: (\\d+) streams"),
                    java.time.Duration.ofSeconds(1)).group(1);
            assertThat(Integer.parseInt(ready)).as("streams recovered").isEqualTo(4);
        }
        recoveries.add(s.recoveryMillis);
        starts.add(s.startMillis);
        synchronized (lock) {
            server = s;
            base = s.base();
            generation++;
            lock.notifyAll();
        }
    }

    private void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                throwIfFailed();
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("timed out waiting for " + what + " (acks " + acks + ")");
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        throwIfFailed();
    }

    private void throwIfFailed() {
        Throwable t = failure.get();
        if (t != null) throw new AssertionError("a producer failed", t);
    }

    /** One idempotent producer: sends seq 0, 1, 2, ... and retries each (same body) until it is acknowledged. */
    final class Producer implements Runnable {
        final String id;
        final String stream;
        final Payloads payloads;
        /** Next seq to send = number of acknowledged appends. */
        volatile long next;
        final Map<Long, Long> ackedOffsets = new ConcurrentHashMap<>();
        final java.util.Set<Long> duplicateSeqs = ConcurrentHashMap.newKeySet();
        volatile long retriedSeqs;

        Producer(String id, String stream, Payloads payloads) {
            this.id = id;
            this.stream = stream;
            this.payloads = payloads;
        }

        @Override
        public void run() {
            try {
                while (!stopping || next == 0) {
                    long seq = next;
                    byte[] body = payloads.body(id, seq);
                    for (int attempt = 0; ; attempt++) {
                        if (attempt == 1) retriedSeqs++;
                        if (attempt > 2_000) throw new AssertionError(id + "/" + seq + " never acknowledged");
                        String b;
                        int gen;
                        synchronized (lock) {
                            b = base;
                            gen = generation;
                        }
                        HttpResponse<String> r;
                        try {
                            r = client.append(b, stream, id, 0, seq, body);
                        } catch (IOException e) {
                            awaitRestart(gen); // the server died under the request: retry on the next one
                            continue;
                        }
                        if (r.statusCode() != 200 && r.statusCode() != 204) {
                            throw new AssertionError(id + "/" + seq + ": " + r.statusCode() + " " + r.body());
                        }
                        ackedOffsets.put(seq, StreamClient.position(r.headers().firstValue("Stream-Next-Offset")
                                .orElseThrow(() -> new AssertionError("acknowledgement without Stream-Next-Offset"))));
                        if (r.statusCode() == 204) duplicateSeqs.add(seq);
                        break;
                    }
                    next = seq + 1;
                    synchronized (lock) {
                        acks++;
                        lock.notifyAll();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        }

        /** Waits for a server newer than {@code gen}, or briefly, in case the error was not a kill. */
        private void awaitRestart(int gen) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            synchronized (lock) {
                while (generation == gen && failure.get() == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return;
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }
    }
}
