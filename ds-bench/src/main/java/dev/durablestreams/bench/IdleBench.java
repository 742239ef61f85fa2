package dev.durablestreams.bench;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Scenario 6: open N SSE readers (spread over --streams streams, each holding one small message), wait until every
 * reader has its first control event, let the server settle, and report the server's resident memory (VmRSS of
 * --server-pid, read from /proc) before and with the readers connected.
 */
@Command(name = "idle", mixinStandardHelpOptions = true,
        description = "Idle connections: server resident memory with N open SSE readers.")
final class IdleBench implements Callable<Integer> {
    @Mixin BenchMain.Common common;

    @Option(names = {"-r", "--readers"}, defaultValue = "10000", description = "SSE readers (default ${DEFAULT-VALUE}).")
    int readers;

    @Option(names = {"-s", "--streams"}, defaultValue = "1", description = "Streams they read (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--settle", defaultValue = "2", description = "Seconds to wait once all are connected (default ${DEFAULT-VALUE}).")
    double settle;

    @Override
    public Integer call() throws Exception {
        return common.measure(this::run, r -> r.metrics.get("ready_readers") == readers);
    }

    static double rssMiB(Long pid) {
        if (pid == null) return -1;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    Result run() throws Exception {
        try (HttpClient client = common.client()) {
            Conn setup = client.connect().get(10, TimeUnit.SECONDS);
            String[] paths = new String[streams];
            for (int i = 0; i < streams; i++) {
                paths[i] = client.path("bench-" + common.runId + "-idle" + i);
                Collect.create(setup, paths[i], "text/plain");
                Collect a = Collect.call(setup, HttpMethod.POST, paths[i], "text/plain", "hello".getBytes(), false);
                if (!a.ok()) throw new IllegalStateException("append -> " + a.status);
            }
            Thread.sleep(500);
            double before = rssMiB(common.serverPid);
            long c0 = System.nanoTime();
            List<Conn> conns = client.connectAll(readers);
            List<SseReader> rs = new ArrayList<>(readers);
            for (int i = 0; i < readers; i++) {
                SseReader r = new SseReader(client, paths[i % streams], "-1", (rd, b, o, l) -> {}, null);
                rs.add(r);
                r.start(conns.get(i));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int ready = 0;
            while (System.nanoTime() < deadline) {
                ready = 0;
                for (SseReader r : rs) if (r.firstControl) ready++;
                if (ready == readers) break;
                Thread.sleep(50);
            }
            double connectSeconds = (System.nanoTime() - c0) / 1e9;
            Thread.sleep((long) (settle * 1000));
            double with = rssMiB(common.serverPid);
            int open = 0, reconnects = 0;
            for (SseReader r : rs) {
                if (!r.conn.closed) open++;
                reconnects += r.reconnects;
            }
            rs.forEach(SseReader::stop);
            setup.close();
            Result res = new Result("idle")
                    .param("readers", readers).param("streams", streams).param("settle_s", settle)
                    .metric("ready_readers", ready)
                    .metric("open_at_measure", open)
                    .metric("reconnects", reconnects)
                    .metric("connect_s", connectSeconds);
            if (common.serverPid != null) {
                res.metric("server_rss_mib", with).metric("server_rss_before_mib", before)
                        .metric("kib_per_reader", (with - before) * 1024 / readers);
            }
            return res;
        }
    }
}
