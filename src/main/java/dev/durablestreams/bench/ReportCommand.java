package dev.durablestreams.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Write docs/BENCHMARKS.md and the chart.")
final class ReportCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
