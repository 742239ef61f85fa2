package dev.durablestreams.bench;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Scenario 1 and 5: closed-loop appends. C connections, each with one request in flight, spread over S streams
 * (connection j appends to streams j, j+C, j+2C, ... mod S in turn), B bytes per append, optionally with
 * idempotent producer headers (one producer per connection and stream). Latency is send to full response.
 */
@Command(name = "append", mixinStandardHelpOptions = true,
        description = "Small appends: throughput and latency (closed loop, one request in flight per connection).")
final class AppendBench implements Callable<Integer> {
    @Mixin BenchMain.Common common;

    @Option(names = {"-c", "--connections"}, defaultValue = "32", description = "Connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"-s", "--streams"}, defaultValue = "8", description = "Streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = {"-b", "--bytes"}, defaultValue = "100", description = "Bytes per append (default ${DEFAULT-VALUE}).")
    int bytes;

    @Option(names = {"-d", "--duration"}, defaultValue = "5", description = "Measured seconds (default ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = {"-w", "--warmup"}, defaultValue = "1", description = "Unmeasured seconds first (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--producer", description = "Send Producer-Id/Epoch/Seq headers (idempotent producer).")
    boolean producer;

    @Option(names = "--content-type", defaultValue = "application/octet-stream")
    String contentType;

    @Override
    public Integer call() throws Exception {
        return common.measure(this::run, r -> r.metrics.get("ops") > 0);
    }

    Result run() throws Exception {
        try (HttpClient client = common.client()) {
            List<Conn> conns = client.connectAll(connections);
            String[] paths = new String[streams];
            for (int i = 0; i < streams; i++) paths[i] = client.path("bench-" + common.runId + "-a" + i);

            // Create the streams, every connection in parallel.
            long c0 = System.nanoTime();
            CountDownLatch created = new CountDownLatch(connections);
            AtomicLong createErrors = new AtomicLong();
            for (int j = 0; j < connections; j++) {
                final int jj = j;
                new Runnable() {
                    int k = jj;
                    @Override
                    public void run() {
                        if (k >= streams) {
                            created.countDown();
                            return;
                        }
                        conns.get(jj).send(HttpMethod.PUT, paths[k], contentType, null, new Collect(false, c -> {
                            if (c.status != 201 && c.status != 200) createErrors.incrementAndGet();
                            k += connections;
                            run();
                        }));
                    }
                }.run();
            }
            if (!created.await(600, TimeUnit.SECONDS)) throw new IllegalStateException("stream creation timed out");
            double createSeconds = (System.nanoTime() - c0) / 1e9;
            if (createErrors.get() > 0) throw new IllegalStateException(createErrors.get() + " streams not created");

            byte[] body = new byte[bytes];
            for (int i = 0; i < bytes; i++) body[i] = (byte) ('a' + i % 26);
            body = new String(body, StandardCharsets.US_ASCII).getBytes(StandardCharsets.US_ASCII);

            Histogram hist = new ConcurrentHistogram(3);
            AtomicLong ops = new AtomicLong(), errors = new AtomicLong(), dups = new AtomicLong(), total = new AtomicLong();
            long start = System.nanoTime();
            long measureFrom = start + (long) (warmup * 1e9);
            long stopAt = measureFrom + (long) (duration * 1e9);
            CountDownLatch finished = new CountDownLatch(connections);
            final byte[] payload = body;
            for (int j = 0; j < connections; j++) {
                final Conn conn = conns.get(j);
                final String producerId = "bench-" + common.runId + "-p" + j;
                final long[] seqs = producer ? new long[streams] : null;
                final int jj = j;
                new Runnable() {
                    int k = jj % streams;
                    @Override
                    public void run() {
                        long t0 = System.nanoTime();
                        if (t0 >= stopAt) {
                            finished.countDown();
                            return;
                        }
                        final int stream = k;
                        k = (int) ((k + (long) connections) % streams);
                        String[] headers = producer
                                ? new String[] {"Producer-Id", producerId, "Producer-Epoch", "0",
                                        "Producer-Seq", Long.toString(seqs[stream]++)}
                                : new String[0];
                        conn.send(HttpMethod.POST, paths[stream], contentType, payload, new Collect(false, c -> {
                            long t1 = System.nanoTime();
                            if (c.ok()) {
                                total.incrementAndGet();
                                if (producer && c.status == 204) dups.incrementAndGet();
                                if (t0 >= measureFrom && t1 <= stopAt) {
                                    ops.incrementAndGet();
                                    hist.recordValue(Math.max(1, (t1 - t0) / 1000));
                                }
                            } else {
                                if (errors.incrementAndGet() <= 3) {
                                    System.err.println("append to " + paths[stream] + " -> " + c.status
                                            + (c.error != null ? " " + c.error : ""));
                                }
                                if (c.status < 0) { // connection lost: stop this connection
                                    finished.countDown();
                                    return;
                                }
                            }
                            run();
                        }), headers);
                    }
                }.run();
            }
            finished.await((long) (warmup + duration + 60), TimeUnit.SECONDS);
            double measured = duration;
            conns.forEach(Conn::close);
            return new Result("append")
                    .param("connections", connections).param("streams", streams).param("bytes", bytes)
                    .param("duration_s", duration).param("warmup_s", warmup).param("producer", producer)
                    .metric("ops_per_s", ops.get() / measured)
                    .metric("mb_per_s", ops.get() * (double) bytes / measured / 1e6)
                    .latency("latency", hist)
                    .metric("ops", ops.get())
                    .metric("errors", errors.get())
                    .metric("duplicates", dups.get())
                    .metric("bytes_appended", total.get() * (double) bytes)
                    .metric("create_streams_per_s", streams / createSeconds);
        }
    }
}
