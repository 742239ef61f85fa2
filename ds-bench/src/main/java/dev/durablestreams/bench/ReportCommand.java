package dev.durablestreams.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Reads the JSON results of scripts/bench.sh and writes docs/BENCHMARKS.md (machine, command, medians per
 * target, ratios ours/theirs, targets met) and a bar chart of the main ratios (PNG, JFreeChart, headless).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write the benchmark report (Markdown) and chart (PNG) from a directory of results.")
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--results", required = true, description = "Directory of result JSON files.") Path results;
    @Option(names = "--out", defaultValue = "docs/BENCHMARKS.md") Path out;
    @Option(names = "--chart", defaultValue = "docs/benchmarks.png") Path chart;
    @Option(names = "--command", defaultValue = "scripts/bench.sh", description = "The command that made the results.") String command;
    @Option(names = "--elapsed", defaultValue = "0", description = "Seconds the run took.") long elapsed;
    @Option(names = "--reps", defaultValue = "0") int reps;
    @Option(names = "--quick", arity = "1", defaultValue = "false") boolean quick;
    @Option(names = "--warmup", defaultValue = "", description = "Warm-up used, for the record.") String warmup;
    @Option(names = "--note", description = "A remark about this run, repeatable.") List<String> notes = new ArrayList<>();
    @Option(names = "--bounds", description = "A Markdown file explaining the targets this machine bounds; "
            + "inserted after the targets table.") java.nio.file.Path boundsFile;
    @Option(names = "--server-opts", defaultValue = "", description = "JVM and runtime flags, for the record.") String serverOpts;

    static final String[] TARGETS = {"ours-memory", "ours-rocksdb", "node-memory", "node-file"};
    /** Every target the report knows, in column order; the tables show those with results (or {@link #TARGETS}). */
    static final String[] ALL_TARGETS = {"ours-memory", "ours-rocksdb", "ours-postgres", "ours-postgres-2",
            "node-memory", "node-file"};
    /** Pairs compared: ours / theirs. */
    static final String[][] PAIRS = {{"ours-memory", "node-memory"}, {"ours-rocksdb", "node-file"}};

    record Run(String scenario, String label, String target, int rep, Map<String, Object> params,
               Map<String, Double> metrics) {}

    /** Main metrics per scenario; true = higher is better. */
    static final Map<String, Map<String, Boolean>> MAIN = new LinkedHashMap<>();
    static {
        MAIN.put("append", ordered("ops_per_s", true, "latency_p50_ms", false, "latency_p99_ms", false, "errors", false));
        MAIN.put("catchup", ordered("read_mb_per_s", true));
        MAIN.put("fanout", ordered("delivery_p50_ms", false, "delivery_p99_ms", false, "delivery_max_ms", false,
                "lost", false, "complete_readers", true, "append_rate", true));
        MAIN.put("roundtrip", ordered("roundtrip_p50_ms", false, "roundtrip_p99_ms", false));
        MAIN.put("idle", ordered("server_rss_mib", false, "ready_readers", true));
    }

    private static Map<String, Boolean> ordered(Object... kv) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Boolean) kv[i + 1]);
        return m;
    }

    final List<Run> runs = new ArrayList<>();
    final Set<String> labels = new LinkedHashSet<>();

    @Override
    public Integer call() throws Exception {
        File[] files = results.toFile().listFiles((d, n) -> n.endsWith(".json"));
        if (files == null || files.length == 0) {
            System.err.println("no results in " + results);
            return 1;
        }
        Arrays.sort(files);
        for (File f : files) {
            Run r = read(f);
            runs.add(r);
            labels.add(r.label);
        }
        String md = markdown();
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        writeChart();
        System.out.println("report: " + runs.size() + " results, " + labels.size() + " configurations -> " + out + ", " + chart);
        return 0;
    }

    // ---------------------------------------------------------------- reading

    static Run read(File f) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(f)) {
            Map<String, Object> top = readObject(p, p.nextToken());
            @SuppressWarnings("unchecked") Map<String, Object> params = (Map<String, Object>) top.getOrDefault("params", Map.of());
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) top.getOrDefault("metrics", Map.of());
            Map<String, Double> metrics = new LinkedHashMap<>();
            m.forEach((k, v) -> { if (v instanceof Number n) metrics.put(k, n.doubleValue()); });
            return new Run(String.valueOf(top.get("scenario")), String.valueOf(top.get("label")),
                    String.valueOf(top.get("target")), ((Number) top.getOrDefault("rep", 0)).intValue(), params, metrics);
        }
    }

    private static Map<String, Object> readObject(JsonParser p, JsonToken start) throws IOException {
        if (start != JsonToken.START_OBJECT) throw new IOException("expected an object");
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            m.put(name, switch (t) {
                case START_OBJECT -> readObject(p, t);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
                case VALUE_TRUE -> true;
                case VALUE_FALSE -> false;
                case VALUE_NULL -> null;
                default -> {
                    if (t.isStructStart()) p.skipChildren();
                    yield p.getValueAsString();
                }
            });
        }
        return m;
    }

    // ---------------------------------------------------------------- statistics

    Double median(String label, String target, String metric) {
        List<Double> v = new ArrayList<>();
        for (Run r : runs) {
            if (r.label.equals(label) && r.target.equals(target) && r.metrics.containsKey(metric)) v.add(r.metrics.get(metric));
        }
        if (v.isEmpty()) return null;
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    int count(String label, String target) {
        int n = 0;
        for (Run r : runs) if (r.label.equals(label) && r.target.equals(target)) n++;
        return n;
    }

    Run first(String label) {
        for (Run r : runs) if (r.label.equals(label)) return r;
        return null;
    }

    List<String> targetsOf(String label) {
        List<String> t = new ArrayList<>();
        for (Run r : runs) if (r.label.equals(label) && !t.contains(r.target)) t.add(r.target);
        return t;
    }

    boolean compared(String label) {
        List<String> t = targetsOf(label);
        return t.stream().anyMatch(x -> x.startsWith("node-")) && t.stream().anyMatch(x -> x.startsWith("ours-"));
    }

    Map<String, Boolean> metricsOf(String label) {
        Run r = first(label);
        Map<String, Boolean> m = MAIN.get(r.scenario);
        if (m != null) return m;
        Map<String, Boolean> all = new LinkedHashMap<>();
        for (Run x : runs) if (x.label.equals(label)) x.metrics.keySet().forEach(k -> all.putIfAbsent(k, true));
        return all;
    }

    static String fmt(Double v) {
        if (v == null || v.isNaN()) return "—";
        return Result.fmt(v);
    }

    static String ratio(Double a, Double b) {
        if (a == null || b == null || b == 0) return "—";
        double r = a / b;
        return r >= 100 ? String.format(Locale.ROOT, "%.0f", r) : r >= 10 ? String.format(Locale.ROOT, "%.1f", r)
                : String.format(Locale.ROOT, "%.2f", r);
    }

    // ---------------------------------------------------------------- markdown

    String markdown() throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Benchmarks\n\n");
        sb.append("ds-server (`ours-memory`: `--storage memory`; `ours-rocksdb`: `--storage rocksdb --durability sync`, "
                + "every append synced to disk before it is acknowledged, group commit) against the Node reference "
                + "server `@durable-streams/server` 0.3.7 (`node-memory`: in memory; `node-file`: file-backed, "
                + "`dataDir`), driven by the load generator in this repository (`bin/ds-bench`, "
                + "package `dev.durablestreams.bench`).\n\n");
        if (quick) {
            sb.append("> **This is a quick run** (`").append(command).append("`): short durations, ")
                    .append(reps).append(" repetition(s), smaller sizes. The numbers show that the harness works; "
                    + "the full run is `scripts/bench.sh`.\n\n");
        }
        sb.append(howToRun());
        sb.append("## This run\n\n");
        sb.append("- Command: `").append(command).append("`");
        if (elapsed > 0) sb.append(" (").append(elapsed / 60).append(" min ").append(elapsed % 60).append(" s)");
        sb.append("\n- Date: ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append('\n');
        sb.append("- Machine: ").append(machine()).append('\n');
        if (!serverOpts.isBlank()) sb.append("- Runtime flags: ").append(serverOpts).append('\n');
        if (!warmup.isBlank()) sb.append("- Unmeasured warm-up of the same load before each measurement: ").append(warmup)
                .append(" (a fresh JVM needs about 10 s of load to reach steady state; every target gets the same).\n");
        sb.append("- Repetitions per scenario and target: ").append(reps)
                .append(" (fewer for some configurations: see the last table); every value below is the median over them. Targets alternate within each repetition, each "
                        + "run on a fresh server process and data directory.\n");
        sb.append("- The generator shares the machine with the server under test, so ratios between servers are the "
                + "result, not the absolute numbers.\n");
        for (String n : notes) sb.append("- ").append(n).append('\n');
        sb.append('\n');

        sb.append("## Targets\n\n");
        sb.append(checks());

        sb.append(bounds());
        sb.append("## Medians\n\n");
        sb.append("| Scenario | Metric | ").append(String.join(" | ", columns())).append(" |\n");
        sb.append("|---|---|").append("---:|".repeat(columns().length)).append('\n');
        for (String label : labels) {
            if (!compared(label)) continue;
            for (String metric : metricsOf(label).keySet()) {
                sb.append("| ").append(label).append(" | ").append(metric).append(" |");
                for (String t : columns()) sb.append(' ').append(fmt(median(label, t, metric))).append(" |");
                sb.append('\n');
            }
        }
        sb.append("\n## Ratios ours / theirs\n\n");
        sb.append("Higher is better for throughput (ops/s, MB/s, readers complete); lower is better for latency, "
                + "memory and losses.\n\n");
        sb.append("| Scenario | Metric | better | ours-memory / node-memory | ours-rocksdb / node-file |\n");
        sb.append("|---|---|---|---:|---:|\n");
        for (String label : labels) {
            if (!compared(label)) continue;
            for (Map.Entry<String, Boolean> e : metricsOf(label).entrySet()) {
                String metric = e.getKey();
                if (metric.equals("errors") || metric.equals("lost") || metric.equals("ready_readers")
                        || metric.equals("complete_readers") || metric.equals("append_rate")) continue;
                sb.append("| ").append(label).append(" | ").append(metric).append(" | ")
                        .append(e.getValue() ? "> 1" : "< 1").append(" |");
                for (String[] pair : PAIRS) {
                    sb.append(' ').append(ratio(median(label, pair[0], metric), median(label, pair[1], metric))).append(" |");
                }
                sb.append('\n');
            }
        }
        sb.append("\n![main ratios](benchmarks.png)\n\n");

        List<String> oursOnly = new ArrayList<>();
        for (String label : labels) if (!compared(label) && !label.startsWith("generator-")) oursOnly.add(label);
        if (!oursOnly.isEmpty()) {
            sb.append("## Durable storage (ours-rocksdb, sync): connections, disk use, recovery\n\n");
            sb.append("| Configuration | Target | Metric | Median |\n|---|---|---|---:|\n");
            for (String label : oursOnly) {
                for (String t : targetsOf(label)) {
                    for (String metric : metricsOf(label).keySet()) {
                        Double v = median(label, t, metric);
                        if (v != null) sb.append("| ").append(label).append(" | ").append(t).append(" | ")
                                .append(metric).append(" | ").append(fmt(v)).append(" |\n");
                    }
                }
            }
            sb.append('\n');
        }
        sb.append(streamScaling());
        sb.append(generatorCheck());
        sb.append(errorsNote());
        sb.append(cpuTable());
        sb.append(parameters());
        sb.append(notes());
        return sb.toString();
    }

    private String howToRun() {
        return """
                ## How to run

                ```sh
                scripts/bench.sh            # full run: every scenario, 4 targets, 3 repetitions (about 12-13 minutes on 2 cores)
                scripts/bench.sh --quick    # about 3.5 minutes: 1 s runs, 1 repetition, fewer readers (or BENCH_QUICK=1)
                ```

                It builds the jar, installs the pinned Node server (`bench/node-ref`, `npm ci`), runs each scenario
                against `ours-memory`, `ours-rocksdb`, `node-memory` and `node-file` in turn (fresh server and data
                directory each time; servers are killed on exit), then runs `bin/ds-bench report`, which writes this
                file and `docs/benchmarks.png`. Environment: `BENCH_REPS`, `BENCH_TARGETS`, `BENCH_SERVER_JAVA_OPTS`
                (default `-Xmx1g`), `BENCH_WARM` (seconds of warm-up per append run, default 4), `BENCH_RESULTS` (where the
                JSON results go), `BENCH_SCENARIOS` (a subset of the scenarios), `BENCH_FAN_SSE` (SSE readers of the fan-out),
                `BENCH_OUT` (the report to write). `BENCH_TARGETS` may also name `ours-postgres` (one node on a PostgreSQL
                started by `scripts/pg.sh`) and `ours-postgres-2` (two nodes behind `scripts/proxy.sh`; live scenarios read
                from one node and write to the other). Needs Java 17+, Maven, Node.js 18+,
                npm; `wrk` (Debian package) is used, when installed, to check that the generator is not the bottleneck.

                Single scenarios against any server (`bin/ds-bench <scenario> --help`):

                ```sh
                bin/ds-bench append    --url http://127.0.0.1:4437/v1/stream/ -c 32 -s 8 -b 100 -d 5 [--producer]
                bin/ds-bench catchup   --url ... --size 256 --reads 3
                bin/ds-bench fanout    --url ... --mode sse|longpoll -r 2000 --rate 100 -d 5
                bin/ds-bench roundtrip --url ... -n 500
                bin/ds-bench idle      --url ... -r 10000 --server-pid <pid>
                bin/ds-bench smoke     --url ...        # seconds; part of scripts/test.sh
                ```

                """;
    }

    private String machine() {
        String model = "unknown CPU";
        String mem = "";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    model = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    mem = ", " + Math.round(Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0) + " GiB RAM";
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores (nproc), " + model + mem + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private String checks() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Target | Measured | Met |\n|---|---|---|\n");
        checkRatio(sb, "Small appends (32 conn, 8 streams, 100 B), durable (synced) ≥ 2× Node in memory",
                "append-c32-s8-b100", "ops_per_s", "ours-rocksdb", "node-memory", 2);
        checkRatio(sb, "Small appends, ours in memory ≥ 2× Node in memory",
                "append-c32-s8-b100", "ops_per_s", "ours-memory", "node-memory", 2);
        checkRatio(sb, "Small appends, durable ≥ 20× Node file-backed",
                "append-c32-s8-b100", "ops_per_s", "ours-rocksdb", "node-file", 20);
        for (String t : new String[] {"ours-rocksdb", "ours-memory"}) {
            Double p99 = median("append-c32-s8-b100", t, "latency_p99_ms");
            row(sb, "Small appends p99 ≤ 5 ms (" + t + ")", p99 == null ? null : fmt(p99) + " ms",
                    p99 == null ? null : p99 <= 5);
        }
        checkRatio(sb, "Catch-up read ≥ 3× Node (memory)", "catchup", "read_mb_per_s", "ours-memory", "node-memory", 3);
        checkRatio(sb, "Catch-up read ≥ 3× Node (durable vs file-backed)", "catchup", "read_mb_per_s", "ours-rocksdb", "node-file", 3);
        Run fan = first("fanout-sse");
        for (String t : new String[] {"ours-rocksdb", "ours-memory"}) {
            Double p99 = median("fanout-sse", t, "delivery_p99_ms");
            Double lost = median("fanout-sse", t, "lost");
            Double complete = median("fanout-sse", t, "complete_readers");
            Object readers = fan == null ? null : fan.params.get("readers");
            Object rate = fan == null ? null : fan.params.get("rate");
            String what = fan == null ? null : String.format(Locale.ROOT, "%s readers at %s/s: p99 %s ms, lost %s, complete readers %s",
                    fmtObj(readers), fmtObj(rate), fmt(p99), fmt(lost), fmt(complete));
            Boolean ok = p99 == null ? null : p99 <= 30 && lost != null && lost == 0 && readers instanceof Number n
                    && complete != null && complete.doubleValue() == n.doubleValue();
            row(sb, "Fan-out 2,000 SSE readers at 100 appends/s: delivery p99 ≤ 30 ms, nothing lost (" + t + ")", what, ok);
        }
        Run idle = first("idle-sse");
        for (String t : new String[] {"ours-rocksdb", "ours-memory"}) {
            Double rss = median("idle-sse", t, "server_rss_mib");
            Double ready = median("idle-sse", t, "ready_readers");
            Object readers = idle == null ? null : idle.params.get("readers");
            row(sb, "10,000 idle SSE readers: server RSS < 512 MiB (" + t + ")",
                    rss == null ? null : fmt(rss) + " MiB with " + fmt(ready) + " of " + fmtObj(readers) + " readers",
                    rss == null ? null : rss < 512 && readers instanceof Number n && ready != null && ready == n.doubleValue());
        }
        for (String t : new String[] {"ours-rocksdb", "ours-memory"}) {
            Double p50 = median("roundtrip", t, "roundtrip_p50_ms");
            row(sb, "Round trip append → waiting long-poll p50 < 1 ms (" + t + ")", p50 == null ? null : fmt(p50) + " ms",
                    p50 == null ? null : p50 < 1);
        }
        for (String t : new String[] {"ours-rocksdb", "ours-memory"}) {
            Double a = median("streams-100000", t, "ops_per_s");
            Double b = median("streams-100", t, "ops_per_s");
            row(sb, "100,000 streams ≥ ½ of the 100-stream throughput (" + t + ")",
                    a == null || b == null ? null : fmt(a) + " vs " + fmt(b) + " ops/s = " + ratio(a, b),
                    a == null || b == null ? null : a >= b / 2);
        }
        sb.append('\n');
        return sb.toString();
    }

    private static String fmtObj(Object o) {
        return o instanceof Number n ? Result.fmt(n.doubleValue()) : String.valueOf(o);
    }

    private void checkRatio(StringBuilder sb, String name, String label, String metric, String ours, String theirs, double min) {
        Double a = median(label, ours, metric), b = median(label, theirs, metric);
        String what = a == null || b == null ? null
                : fmt(a) + " vs " + fmt(b) + " " + metric + " = " + ratio(a, b) + "×";
        row(sb, name, what, a == null || b == null || b == 0 ? null : a / b >= min);
    }

    private static void row(StringBuilder sb, String name, String what, Boolean ok) {
        sb.append("| ").append(name).append(" | ").append(what == null ? "not measured" : what).append(" | ")
                .append(ok == null ? "—" : ok ? "yes" : "**no**").append(" |\n");
    }

    /** The targets with results, in {@link #ALL_TARGETS} order; the classic four when none of them ran. */
    String[] columns() {
        List<String> present = new ArrayList<>();
        for (String t : ALL_TARGETS) {
            for (Run r : runs) {
                if (r.target().equals(t)) {
                    present.add(t);
                    break;
                }
            }
        }
        return present.isEmpty() ? TARGETS : present.toArray(new String[0]);
    }

    private String streamScaling() {
        List<String> ls = new ArrayList<>();
        for (String l : labels) if (l.startsWith("streams-")) ls.add(l);
        if (ls.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("## Appends spread over many streams (ops/s, 32 connections, 100 B)\n\n");
        sb.append("| Streams | ").append(String.join(" | ", columns())).append(" |\n|---|")
                .append("---:|".repeat(columns().length)).append('\n');
        for (String l : ls) {
            sb.append("| ").append(l.substring("streams-".length())).append(" |");
            for (String t : columns()) sb.append(' ').append(fmt(median(l, t, "ops_per_s"))).append(" |");
            sb.append('\n');
        }
        return sb.append("\nnode-file is not run with 100,000 streams: it keeps files per stream, and creating "
                + "them takes minutes, beyond the time budget of the run.\n\n").toString();
    }

    private String generatorCheck() {
        if (first("generator-check") == null && first("generator-ceiling") == null) return "";
        Double wrk = median("generator-check", "wrk", "ops_per_s");
        Double gen = median("generator-check", "ds-bench", "ops_per_s");
        Double cWrk = median("generator-ceiling", "wrk", "ops_per_s");
        Double cGen = median("generator-ceiling", "ds-bench", "ops_per_s");
        double fastest = 0;
        String fastestWhere = "";
        for (String l : labels) {
            if (!l.startsWith("append") && !l.startsWith("streams")) continue;
            for (String t : TARGETS) {
                Double v = median(l, t, "ops_per_s");
                if (v != null && v > fastest) {
                    fastest = v;
                    fastestWhere = t + " in " + l;
                }
            }
        }
        StringBuilder sb = new StringBuilder("## Is the generator the bottleneck?\n\n");
        sb.append("32 connections, one stream, 100-byte appends, each generator in turn, on the same machine:\n\n");
        sb.append("| Generator | against ours-memory (warmed up) | against a null server (`bin/ds-bench sink`) |\n|---|---:|---:|\n");
        sb.append("| wrk (C, Debian package; `bench/wrk-append.lua`) | ").append(fmt(wrk)).append(" | ").append(fmt(cWrk)).append(" |\n");
        sb.append("| ds-bench append | ").append(fmt(gen)).append(" | ").append(fmt(cGen)).append(" |\n\n");
        sb.append("Against the null server, which costs almost nothing per request, ds-bench sends ").append(fmt(cGen))
                .append(" appends/s (").append(ratio(cGen, cWrk)).append("× wrk); the fastest append rate measured in "
                        + "the comparison above was ").append(fmt(fastest)).append(" ops/s (").append(fastestWhere)
                .append(")").append(cGen == null ? "." : cGen > fastest ? ", below the generator's ceiling."
                        : ": **above the ceiling measured here**, so in this run the generator may have limited the "
                        + "fastest target (or the machine was busier during the ceiling check; compare the CPU table).")
                .append(" The CPU table below shows, per run, how much of the 2 cores the generator itself used.\n\n");
        return sb.toString();
    }

    /** CPU seconds of the generator and of the server during each run: where the generator could be the limit. */
    private String cpuTable() {
        StringBuilder sb = new StringBuilder();
        for (String l : labels) {
            for (String t : targetsOf(l)) {
                Double g = median(l, t, "generator_cpu_s"), sv = median(l, t, "server_cpu_s"), w = median(l, t, "wall_s");
                if (g == null || sv == null) continue;
                sb.append("| ").append(l).append(" | ").append(t).append(" | ").append(fmt(w)).append(" | ")
                        .append(fmt(g)).append(" | ").append(fmt(sv)).append(" |\n");
            }
        }
        if (sb.length() == 0) return "";
        return "## CPU: generator and server\n\nCPU seconds used during each run (medians; wall time includes set-up and "
                + "warm-up). The machine has " + Runtime.getRuntime().availableProcessors() + " cores shared by both; "
                + "when generator and server together use about all of them, absolute numbers are capped by the machine, "
                + "which is why only ratios are compared.\n\n| Configuration | Target | wall s | generator CPU s | server CPU s |\n|---|---|---:|---:|---:|\n"
                + sb + "\n";
    }

    /** Lists every configuration where a target answered with errors or readers missed messages. */
    private String errorsNote() {
        StringBuilder sb = new StringBuilder();
        for (String l : labels) {
            for (String t : targetsOf(l)) {
                for (String m : new String[] {"errors", "lost", "duplicates", "out_of_order", "append_errors", "reader_errors"}) {
                    Double v = median(l, t, m);
                    if (v != null && v > 0) sb.append("- ").append(l).append(" on ").append(t).append(": median ")
                            .append(m).append(" = ").append(fmt(v)).append('\n');
                }
            }
        }
        if (sb.length() == 0) return "## Errors\n\nNo target answered an append or read with an error status, and every live reader got every message once, in order.\n\n";
        return "## Errors and losses\n\n`errors` are non-2xx responses (the generator prints the first few statuses on stderr, "
                + "kept in the run's log); `lost`, `duplicates`, `out_of_order` are per-reader checks of the live scenarios.\n\n"
                + sb + "\n";
    }

    private String parameters() {
        StringBuilder sb = new StringBuilder("## Parameters of each configuration\n\n| Configuration | Scenario | Runs per target | Parameters |\n|---|---|---:|---|\n");
        for (String l : labels) {
            Run r = first(l);
            StringBuilder p = new StringBuilder();
            r.params.forEach((k, v) -> p.append(p.length() > 0 ? ", " : "").append(k).append('=').append(fmtObj(v)));
            sb.append("| ").append(l).append(" | ").append(r.scenario).append(" | ").append(count(l, r.target))
                    .append(" | ").append(p).append(" |\n");
        }
        return sb.append('\n').toString();
    }

    /** The hand-written analysis of unmet targets: what bounds each, with the measurement that shows it. */
    private String bounds() {
        if (boundsFile == null || !java.nio.file.Files.exists(boundsFile)) return "";
        try {
            return java.nio.file.Files.readString(boundsFile).strip() + "\n\n";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String notes() {
        return """
                ## How the scenarios measure

                - **append**: closed loop; each connection keeps one request in flight and sends the next on the
                  response; connection j appends to streams j, j+C, j+2C, ... (mod S). Latency is from send to full
                  response (HdrHistogram). A warm-up precedes the measured window. `--producer` adds
                  `Producer-Id`/`Producer-Epoch`/`Producer-Seq` (one producer per connection and stream).
                  `errors` counts non-2xx responses.
                - **catchup**: fills one stream with 1 MiB appends, then reads it from `offset=-1` following
                  `Stream-Next-Offset` until `Stream-Up-To-Date: true`, on one connection; MB/s = 10^6 bytes/s.
                - **fanout**: R readers (SSE, or long-poll loops) on one stream; one writer appends 100-byte
                  timestamped messages at a fixed rate. Messages that fall due while an append is in flight go out in
                  the next append (order kept, rate kept); latency is measured from each message's *intended* send
                  time, so a slow server cannot hide its stalls (no coordinated omission). Every reader checks that it
                  got every message once, in order (`complete_readers`, `lost`).
                - **roundtrip**: a long-poll waits at the tail; time from sending an append until the reader has the
                  full long-poll response.
                - **idle**: N SSE readers connect; once each has its first control event and the server settled 2 s,
                  the server's VmRSS is read from `/proc/<pid>/status`.
                - **recovery**: 100,000 streams appended to on rocksdb, `kill -9`, restart; the server logs
                  `storage ready: N streams recovered in X ms`. **disk**: `du -sb` of the data directory over the
                  bytes acknowledged.

                """;
    }

    // ---------------------------------------------------------------- chart

    void writeChart() throws IOException {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        String[][] rows = {
                {"append-c32-s8-b100", "ops_per_s", "appends/s"},
                {"append-producer-c32-s8-b100", "ops_per_s", "producer appends/s"},
                {"append-c32-s8-b100", "latency_p99_ms", "append p99"},
                {"catchup", "read_mb_per_s", "catch-up MB/s"},
                {"fanout-sse", "delivery_p99_ms", "SSE fan-out p99"},
                {"fanout-longpoll", "delivery_p99_ms", "long-poll fan-out p99"},
                {"roundtrip", "roundtrip_p50_ms", "round trip p50"},
                {"streams-10000", "ops_per_s", "10k streams appends/s"},
                {"idle-sse", "server_rss_mib", "RSS, idle SSE"},
        };
        for (String[] row : rows) {
            Run r = first(row[0]);
            if (r == null) continue;
            boolean higher = MAIN.getOrDefault(r.scenario, Map.of()).getOrDefault(row[1], true);
            for (String[] pair : PAIRS) {
                Double ours = median(row[0], pair[0], row[1]), theirs = median(row[0], pair[1], row[1]);
                if (ours == null || theirs == null || ours <= 0 || theirs <= 0) continue;
                ds.addValue(higher ? ours / theirs : theirs / ours, pair[0] + " vs " + pair[1], row[2]);
            }
        }
        JFreeChart c = org.jfree.chart.ChartFactory.createBarChart(
                "ds-server vs Node reference server" + (quick ? " (quick run)" : ""),
                null, "× better", ds, PlotOrientation.VERTICAL, true, false, false);
        c.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = c.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        LogAxis axis = new LogAxis("× better (log scale): throughput ours/theirs, latency and RSS theirs/ours");
        axis.setBase(10);
        axis.setSmallestValue(0.01);
        axis.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        axis.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
        axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0));
        axis.setMinorTickMarksVisible(true);
        axis.setMinorTickCount(9);
        plot.setRangeAxis(axis);
        axis.setAutoRange(true);
        plot.addRangeMarker(new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1.5f)));
        CategoryAxis cat = plot.getDomainAxis();
        cat.setCategoryLabelPositions(CategoryLabelPositions.createUpRotationLabelPositions(Math.PI / 6));
        BarRenderer br = (BarRenderer) plot.getRenderer();
        br.setBarPainter(new StandardBarPainter());
        br.setShadowVisible(false);
        br.setBase(1.0);
        br.setSeriesPaint(0, new Color(0x2b6cb0));
        br.setSeriesPaint(1, new Color(0xdd6b20));
        br.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new java.text.DecimalFormat("0.0#")));
        br.setDefaultItemLabelsVisible(true);
        if (chart.getParent() != null) Files.createDirectories(chart.getParent());
        ChartUtils.saveChartAsPNG(chart.toFile(), c, 1100, 600);
    }
}
