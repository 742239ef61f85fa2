package dev.durablestreams.bench;

import io.netty.handler.codec.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Scenario 2: fill one stream with --size MiB (appends of --chunk KiB), then read it from the start
 * --reads times, following Stream-Next-Offset until Stream-Up-To-Date, on one connection. MB/s = 10^6 bytes/s.
 */
@Command(name = "catchup", mixinStandardHelpOptions = true,
        description = "Catch-up read of a large stream from offset -1 to the tail.")
final class CatchUpBench implements Callable<Integer> {
    @Mixin BenchMain.Common common;

    @Option(names = "--size", defaultValue = "256", description = "Stream size in MiB (default ${DEFAULT-VALUE}).")
    int sizeMiB;

    @Option(names = "--chunk", defaultValue = "1024", description = "Append size in KiB (default ${DEFAULT-VALUE}).")
    int chunkKiB;

    @Option(names = "--reads", defaultValue = "3", description = "Full reads to time (default ${DEFAULT-VALUE}).")
    int reads;

    @Option(names = "--warm-reads", defaultValue = "1",
            description = "Unmeasured full reads first, to warm up the server (default ${DEFAULT-VALUE}).")
    int warmReads;

    @Option(names = "--writers", defaultValue = "4", description = "Connections that fill the stream (default ${DEFAULT-VALUE}).")
    int writers;

    @Override
    public Integer call() throws Exception {
        return common.measure(this::run, r -> r.metrics.get("bytes_read_ok") > 0);
    }

    Result run() throws Exception {
        try (HttpClient client = common.client()) {
            List<Conn> conns = client.connectAll(Math.max(1, writers));
            String path = client.path("bench-" + common.runId + "-catchup");
            Collect.create(conns.get(0), path, "application/octet-stream");
            byte[] chunk = new byte[chunkKiB * 1024];
            for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31 + 7);
            long total = (long) sizeMiB << 20;
            long appends = (total + chunk.length - 1) / chunk.length;
            total = appends * chunk.length;

            long f0 = System.nanoTime();
            AtomicLong next = new AtomicLong(), failed = new AtomicLong();
            CompletableFuture<?>[] done = new CompletableFuture<?>[conns.size()];
            for (int j = 0; j < conns.size(); j++) {
                Conn conn = conns.get(j);
                CompletableFuture<Void> f = new CompletableFuture<>();
                done[j] = f;
                new Runnable() {
                    @Override
                    public void run() {
                        if (next.getAndIncrement() >= appends) {
                            f.complete(null);
                            return;
                        }
                        conn.send(HttpMethod.POST, path, "application/octet-stream", chunk, new Collect(false, c -> {
                            if (!c.ok()) {
                                failed.incrementAndGet();
                                f.complete(null);
                                return;
                            }
                            run();
                        }));
                    }
                }.run();
            }
            CompletableFuture.allOf(done).get(600, TimeUnit.SECONDS);
            if (failed.get() > 0) throw new IllegalStateException("filling the stream failed");
            double fillSeconds = (System.nanoTime() - f0) / 1e9;

            Conn reader = conns.get(0);
            double[] mbps = new double[reads];
            long okBytes = 0;
            int requests = 0;
            for (int i = -warmReads; i < reads; i++) {
                long t0 = System.nanoTime();
                String offset = "-1";
                long got = 0;
                while (true) {
                    Collect c = Collect.call(reader, HttpMethod.GET,
                            path + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8), null, null, false);
                    requests++;
                    if (c.status != 200) throw new IllegalStateException("read at " + offset + " -> " + c.status);
                    got += c.bytes;
                    String nextOffset = c.header("Stream-Next-Offset");
                    if ("true".equals(c.header("Stream-Up-To-Date")) || nextOffset == null) break;
                    offset = nextOffset;
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (got != total) throw new IllegalStateException("read " + got + " bytes, expected " + total);
                if (i < 0) {
                    requests = 0;
                    continue;
                }
                okBytes += got;
                mbps[i] = got / s / 1e6;
            }
            conns.forEach(Conn::close);
            double[] sorted = mbps.clone();
            Arrays.sort(sorted);
            return new Result("catchup")
                    .param("size_mib", sizeMiB).param("chunk_kib", chunkKiB).param("reads", reads).param("warm_reads", warmReads)
                    .metric("read_mb_per_s", sorted[sorted.length / 2])
                    .metric("read_mb_per_s_best", sorted[sorted.length - 1])
                    .metric("requests_per_read", requests / (double) reads)
                    .metric("fill_mb_per_s", total / fillSeconds / 1e6)
                    .metric("bytes_read_ok", okBytes);
        }
    }
}
