package dev.durablestreams.bench;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a result file from values measured outside the generator (recovery time, disk use, wrk). */
@Command(name = "record", mixinStandardHelpOptions = true,
        description = "Write a result JSON from given metrics (for measurements made by scripts).")
final class RecordCommand implements Callable<Integer> {
    @Option(names = "--scenario", defaultValue = "record") String scenario;
    @Option(names = "--label", required = true) String label;
    @Option(names = "--target", required = true) String target;
    @Option(names = "--rep", defaultValue = "0") int rep;
    @Option(names = "--out", required = true) File out;
    @Option(names = "--metric", description = "name=number, repeatable") Map<String, Double> metrics = new LinkedHashMap<>();
    @Option(names = "--param", description = "name=value, repeatable") Map<String, String> params = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        BenchMain.Common c = new BenchMain.Common();
        c.url = "-";
        c.out = out;
        c.label = label;
        c.target = target;
        c.rep = rep;
        Result r = new Result(scenario);
        params.forEach(r::param);
        metrics.forEach(r::metric);
        r.write(c);
        return 0;
    }
}
