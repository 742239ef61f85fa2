package dev.durablestreams.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A seconds-long run of every scenario against one server, for the test command. It checks only that the harness
 * works: operations were counted and every live reader got every message once, in order. No timing thresholds.
 */
@Command(name = "smoke", mixinStandardHelpOptions = true,
        description = "Short run of every scenario; fails only if the harness counted nothing or lost messages.")
final class SmokeBench implements Callable<Integer> {
    @Option(names = "--url", required = true) String url;
    @Option(names = "--server-pid") Long serverPid;

    @Override
    public Integer call() throws Exception {
        List<String> failures = new ArrayList<>();
        String[] common = {"--url", url, "--target", "smoke"};

        Result a = CommandLine.populateCommand(new AppendBench(), cat(common, "-c", "4", "-s", "2", "-d", "1", "-w", "0.2")).run();
        print(a);
        if (a.metrics.get("ops") <= 0 || a.metrics.get("errors") > 0) failures.add("append");

        Result p = CommandLine.populateCommand(new AppendBench(), cat(common, "-c", "4", "-s", "2", "-d", "1", "-w", "0.2", "--producer")).run();
        print(p);
        if (p.metrics.get("ops") <= 0 || p.metrics.get("errors") > 0 || p.metrics.get("duplicates") > 0) failures.add("append --producer");

        Result m = CommandLine.populateCommand(new AppendBench(), cat(common, "-c", "4", "-s", "1000", "-d", "1", "-w", "0")).run();
        print(m);
        if (m.metrics.get("ops") <= 0 || m.metrics.get("errors") > 0) failures.add("append 1000 streams");

        Result c = CommandLine.populateCommand(new CatchUpBench(), cat(common, "--size", "8", "--chunk", "256", "--reads", "2", "--warm-reads", "0")).run();
        print(c);
        if (c.metrics.get("bytes_read_ok") <= 0) failures.add("catchup");

        for (String mode : new String[] {"sse", "longpoll"}) {
            Result f = CommandLine.populateCommand(new FanOutBench(),
                    cat(common, "--mode", mode, "-r", "50", "--rate", "50", "-d", "1", "-w", "0.2", "--drain", "5")).run();
            print(f);
            if (f.metrics.get("complete_readers") != 50 || f.metrics.get("lost") > 0
                    || f.metrics.get("duplicates") > 0 || f.metrics.get("delivery_count") <= 0) {
                failures.add("fanout " + mode);
            }
        }

        Result r = CommandLine.populateCommand(new RoundTripBench(), cat(common, "-n", "50", "-w", "0.2")).run();
        print(r);
        if (r.metrics.get("roundtrip_count") <= 0 || r.metrics.get("errors") > 0) failures.add("roundtrip");

        List<String> idleArgs = new ArrayList<>(List.of(cat(common, "-r", "200", "--settle", "0.2")));
        if (serverPid != null) idleArgs.addAll(List.of("--server-pid", serverPid.toString()));
        Result i = CommandLine.populateCommand(new IdleBench(), idleArgs.toArray(String[]::new)).run();
        print(i);
        if (i.metrics.get("ready_readers") != 200 || (serverPid != null && i.metrics.get("server_rss_mib") <= 0)) failures.add("idle");

        if (failures.isEmpty()) {
            System.out.println("bench smoke: all scenarios ran");
            return 0;
        }
        System.out.println("bench smoke FAILED: " + failures);
        return 1;
    }

    private static void print(Result r) throws Exception {
        BenchMain.Common c = new BenchMain.Common();
        c.target = "smoke";
        r.write(c);
    }

    private static String[] cat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
