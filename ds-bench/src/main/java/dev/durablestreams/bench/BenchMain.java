package dev.durablestreams.bench;

import java.io.File;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ds-bench}: a load generator for any Durable Streams server (by URL), and the report writer of
 * {@code scripts/bench.sh}. Every scenario prints one summary line and, with {@code --out}, writes a JSON result.
 */
@Command(name = "ds-bench", mixinStandardHelpOptions = true, version = "ds-bench 0.1.0",
        description = "Load generator and benchmark report for Durable Streams servers.",
        subcommands = {AppendBench.class, CatchUpBench.class, FanOutBench.class, RoundTripBench.class,
                IdleBench.class, SmokeBench.class, SinkCommand.class, RecordCommand.class, ReportCommand.class})
public final class BenchMain implements Runnable {

    /** Options shared by every scenario. */
    static final class Common {
        @Option(names = "--url", required = true,
                description = "Stream base URL, e.g. http://127.0.0.1:4437/v1/stream/")
        String url;

        @Option(names = "--out", description = "Write the result as JSON to this file.")
        File out;

        @Option(names = "--label", description = "Name of this configuration in the report (default: the scenario).")
        String label;

        @Option(names = "--target", description = "Name of the server under test, e.g. ours-memory, node-file.")
        String target;

        @Option(names = "--rep", defaultValue = "0", description = "Repetition number, recorded in the result.")
        int rep;

        @Option(names = "--server-pid",
                description = "Process id of the server (same machine): its CPU time and, for idle, its RSS are reported.")
        Long serverPid;

        @Option(names = "--threads", defaultValue = "0",
                description = "Client event-loop threads (default: number of cores).")
        int threads;

        /**
         * Runs a scenario, adds the generator's and server's CPU seconds, writes the result; the exit code is 0 when
         * {@code ok} holds for it.
         */
        int measure(java.util.concurrent.Callable<Result> scenario, java.util.function.Predicate<Result> ok)
                throws Exception {
            CpuMeter cpu = CpuMeter.start(this);
            Result r = cpu.stop(scenario.call());
            r.write(this);
            return ok.test(r) ? 0 : 1;
        }

        @Option(names = "--header", description = "A header sent with every request, 'Name: value' "
                + "(e.g. 'Authorization: Bearer TOKEN'); repeatable.")
        java.util.List<String> headers = new java.util.ArrayList<>();

        /** A client for {@link #url} that sends the {@code --header}s with every request. */
        HttpClient client() {
            return client(url);
        }

        /** A client for another server's {@code url} (e.g. another node of a cluster), with the same headers. */
        HttpClient client(String otherUrl) {
            return new HttpClient(otherUrl, threads(), headers);
        }

        int threads() {
            return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        }

        /** A run id so that stream names never collide with earlier runs against the same server. */
        final String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36)
                + Integer.toString((int) (Math.random() * 1296), 36);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
