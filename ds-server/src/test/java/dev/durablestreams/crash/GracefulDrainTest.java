package dev.durablestreams.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the real server (RocksDB, sync durability) while producers append and live readers wait.
 *
 * <p>What clients may see once the drain begins: an append gets either its normal 2xx answer (it is durable) or an
 * I/O error because the connection was refused, closed or reset before any answer (it was not acknowledged and
 * may or may not be stored: an idempotent retry resolves it); never a 5xx or any other status. A waiting
 * long-poll answers 204 with {@code Stream-Up-To-Date}; an SSE response ends normally (end of body, no reset), so
 * the client reconnects from its last offset. The process exits 0 within the grace period and the next start opens
 * storage clean, with nothing to replay; every acknowledged append is there, in order, exactly once.
 */
class GracefulDrainTest {
    static final int PRODUCERS = 6;
    static final Duration GRACE = Duration.ofSeconds(10);

    @TempDir Path dir;
    ServerProcess server;
    final StreamClient client = new StreamClient();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final Payloads payloads = new Payloads(77L);

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void sigtermDrainsInFlightWorkAndStopsClean() throws Exception {
        Path data = dir.resolve("db");
        Path log = ServerProcess.logFile("graceful-drain");
        server = ServerProcess.start(data, log, "--long-poll-timeout", "60s", "--sse-max-duration", "120s",
                "--shutdown-grace", GRACE.getSeconds() + "s");
        String base = server.base();
        String admin = "http://127.0.0.1:" + server.port;
        client.create(base, "load");
        client.create(base, "idle");

        // Live readers at the tail of a stream nobody writes to: only the drain can answer them.
        CompletableFuture<HttpResponse<String>> longPoll = http.sendAsync(HttpRequest.newBuilder(
                URI.create(base + "idle?offset=now&live=long-poll")).timeout(Duration.ofSeconds(90)).build(),
                BodyHandlers.ofString());
        CompletableFuture<String> sse = CompletableFuture.supplyAsync(() -> readSse(base + "idle?offset=-1&live=sse"));
        awaitMetric(admin, "ds_live_readers{mode=\"long-poll\"} 1.0");
        awaitMetric(admin, "ds_live_readers{mode=\"sse\"} 1.0");

        Map<String, List<Long>> acked = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicLong ackCount = new AtomicLong();
        List<Thread> producers = new ArrayList<>();
        for (int i = 0; i < PRODUCERS; i++) {
            String id = "p" + i;
            List<Long> ends = new CopyOnWriteArrayList<>();
            acked.put(id, ends);
            Thread t = new Thread(() -> produce(base, id, ends, ackCount, violations), "producer-" + id);
            producers.add(t);
            t.start();
        }
        synchronized (ackCount) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ackCount.get() < 300 && violations.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("producers never reached 300 acknowledged appends");
                ackCount.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }

        int exit = server.terminate(GRACE.plusSeconds(20));
        for (Thread t : producers) t.join(30_000);

        assertThat(violations).as("responses after SIGTERM other than 2xx or a refused/closed connection").isEmpty();
        assertThat(exit).as("exit status after SIGTERM").isZero();
        assertThat(server.output()).as("the drain ended within the grace period")
                .anyMatch(l -> l.contains("stopped cleanly"));
        HttpResponse<String> lp = longPoll.get(30, TimeUnit.SECONDS);
        assertThat(lp.statusCode()).isEqualTo(204);
        assertThat(lp.headers().firstValue("Stream-Up-To-Date")).contains("true");
        assertThat(sse.get(30, TimeUnit.SECONDS)).as("the SSE response ended normally, after its first control event")
                .contains("event: control");

        server = ServerProcess.start(data, log, "--log-format", "json", "--access-log");
        server.awaitLine(Pattern.compile("clean open after an orderly shutdown \\(0 bytes of write-ahead log"),
                Duration.ofSeconds(5));
        List<Payloads.Found> found = payloads.parse(client.readAll(server.base(), "load"));
        long total = 0;
        for (Map.Entry<String, List<Long>> e : acked.entrySet()) {
            List<Long> ends = e.getValue();
            List<Payloads.Found> mine = found.stream().filter(f -> f.producer().equals(e.getKey())).toList();
            // Every acknowledged append, once, in order, where its acknowledgement said; at most the one
            // unanswered append after them.
            assertThat(mine.size()).as(e.getKey()).isBetween(ends.size(), ends.size() + 1);
            assertThat(mine.subList(0, ends.size())).extracting(Payloads.Found::seq)
                    .containsExactly(LongStream.range(0, ends.size()).boxed().toArray(Long[]::new));
            assertThat(mine.subList(0, ends.size())).extracting(Payloads.Found::end).containsExactlyElementsOf(ends);
            total += ends.size();
        }
        assertThat(total).isGreaterThanOrEqualTo(300);
        // --log-format json: every line is one JSON object, access lines carry their fields.
        String accessLine = server.awaitLine(Pattern.compile("\"loggerName\":\"access\""), Duration.ofSeconds(5))
                .group();
        assertThat(server.output()).allSatisfy(GracefulDrainTest::assertJsonObject);
        assertThat(server.output()).anyMatch(l -> l.contains("\"loggerName\":\"access\"")
                && l.contains("\"method\"") && l.contains("GET") && l.contains("\"status\""));
        assertThat(accessLine).isNotEmpty();

        // After a kill -9 there is no marker: the next start says it recovered.
        server.kill();
        server = ServerProcess.start(data, log);
        server.awaitLine(Pattern.compile("recovered after an unclean shutdown"), Duration.ofSeconds(5));
        System.out.printf("graceful drain test: %d appends acknowledged before the stop, %d stored%n", total,
                found.size());
    }

    private static void assertJsonObject(String line) {
        try (JsonParser p = new JsonFactory().createParser(line)) {
            assertThat(p.nextToken()).as(line).isEqualTo(JsonToken.START_OBJECT);
            p.skipChildren();
            assertThat(p.nextToken()).as("one object per line: " + line).isNull();
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** Appends until the server stops answering; records acknowledged ends and anything not allowed. */
    private void produce(String base, String id, List<Long> ends, AtomicLong ackCount, List<String> violations) {
        for (long seq = 0; ; seq++) {
            HttpResponse<String> r;
            try {
                r = client.append(base, "load", id, 0, seq, payloads.body(id, seq));
            } catch (IOException e) {
                return; // refused, closed or reset: not acknowledged, which the client may see during a stop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (r.statusCode() != 200) {
                violations.add(id + "/" + seq + ": " + r.statusCode() + " " + r.body());
                return;
            }
            ends.add(StreamClient.position(r.headers().firstValue("Stream-Next-Offset").orElseThrow()));
            synchronized (ackCount) {
                ackCount.incrementAndGet();
                ackCount.notifyAll();
            }
        }
    }

    /** Reads an SSE response to its end; an I/O error (a reset rather than an orderly end) fails. */
    private String readSse(String url) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(90)).build(), BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            try (InputStream in = r.body()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new AssertionError("SSE response did not end cleanly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Polls /metrics until it has {@code line}: the live readers are registered before the stop. */
    private void awaitMetric(String admin, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = http.send(HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(), BodyHandlers.ofString())
                    .body();
            if (last.lines().anyMatch(line::equals)) return;
            Thread.onSpinWait();
        }
        throw new AssertionError("metrics never showed " + line + ":\n" + last);
    }
}
