package dev.durablestreams.bench;

import io.netty.handler.codec.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Scenario 4: a long-poll reader waits at the tail; the writer appends one message; round trip = from sending the
 * append to the reader having the full long-poll response. Repeated --iterations times, one at a time.
 */
@Command(name = "roundtrip", mixinStandardHelpOptions = true,
        description = "Append, then the time until a waiting long-poll reader has it.")
final class RoundTripBench implements Callable<Integer> {
    @Mixin BenchMain.Common common;

    @Option(names = {"-n", "--iterations"}, defaultValue = "500", description = "Round trips (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--park", defaultValue = "2",
            description = "Milliseconds between sending the long-poll and the append, so it waits (default ${DEFAULT-VALUE}).")
    double parkMs;

    @Option(names = {"-w", "--warmup"}, defaultValue = "2",
            description = "Seconds of unmeasured round trips first (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = {"-b", "--bytes"}, defaultValue = "100", description = "Bytes per append (default ${DEFAULT-VALUE}).")
    int bytes;

    @Option(names = "--write-url",
            description = "Stream base URL the writer uses, when it is another server than the reader's --url (e.g. "
                    + "another node of a cluster: the reader is woken across nodes); default: --url.")
    String writeUrl;

    /** Whether the writer uses another server than the readers. */
    private boolean crossNode() {
        return writeUrl != null && !writeUrl.equals(common.url);
    }

    @Override
    public Integer call() throws Exception {
        return common.measure(this::run, r -> r.metrics.get("roundtrip_count") > 0);
    }

    Result run() throws Exception {
        try (HttpClient client = common.client();
             HttpClient writes = crossNode() ? common.client(writeUrl) : null) {
            Conn reader = client.connect().get(10, TimeUnit.SECONDS);
            Conn writer = (writes == null ? client : writes).connect().get(10, TimeUnit.SECONDS);
            String path = client.path("bench-" + common.runId + "-rt");
            Collect.create(writer, path, "application/octet-stream");
            byte[] body = new byte[bytes];
            java.util.Arrays.fill(body, (byte) 'r');
            Collect first = Collect.call(reader, HttpMethod.GET, path + "?offset=-1", null, null, false);
            String offset = first.header("Stream-Next-Offset");
            String cursor = first.header("Stream-Cursor");
            Histogram rtt = new Histogram(3), append = new Histogram(3);
            int early = 0, errors = 0;
            long warmUntil = System.nanoTime() + (long) (warmup * 1e9);
            int measured = 0;
            while (measured < iterations) {
                boolean warm = System.nanoTime() < warmUntil;
                CompletableFuture<Long> got = new CompletableFuture<>();
                Collect[] poll = new Collect[1];
                String q = path + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8) + "&live=long-poll"
                        + (cursor != null ? "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8) : "");
                reader.send(HttpMethod.GET, q, null, null, new Collect(false, c -> {
                    poll[0] = c;
                    got.complete(System.nanoTime());
                }));
                java.util.concurrent.locks.LockSupport.parkNanos((long) (parkMs * 1e6)); // sleep, not spin: 2 cores
                if (got.isDone()) early++;
                long t0 = System.nanoTime();
                Collect a = Collect.call(writer, HttpMethod.POST, path, "application/octet-stream", body, false);
                long ta = System.nanoTime();
                long t1 = got.get(30, TimeUnit.SECONDS);
                Collect c = poll[0];
                if (!a.ok() || c.status != 200 || c.bytes != bytes) {
                    errors++;
                    if (c.status < 0 || a.status < 0) break;
                }
                if (c.header("Stream-Next-Offset") != null) offset = c.header("Stream-Next-Offset");
                if (c.header("Stream-Cursor") != null) cursor = c.header("Stream-Cursor");
                if (!warm) {
                    measured++;
                    rtt.recordValue(Math.max(1, (t1 - t0) / 1000));
                    append.recordValue(Math.max(1, (ta - t0) / 1000));
                }
            }
            reader.close();
            writer.close();
            return new Result("roundtrip")
                    .param("iterations", iterations).param("cross_node", crossNode()).param("warmup_s", warmup).param("park_ms", parkMs).param("bytes", bytes)
                    .latency("roundtrip", rtt)
                    .latency("append", append)
                    .metric("early_responses", early)
                    .metric("errors", errors);
        }
    }
}
