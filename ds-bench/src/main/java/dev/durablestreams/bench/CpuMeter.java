package dev.durablestreams.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds used during a scenario by the generator (this JVM) and, with --server-pid, by the server
 * (utime + stime from /proc/<pid>/stat): on a shared machine this shows whether the generator could be the limit.
 */
final class CpuMeter {
    private final Long pid;
    private final long gen0;
    private final double server0;
    private final long wall0 = System.nanoTime();

    private CpuMeter(Long pid) {
        this.pid = pid;
        this.gen0 = genNanos();
        this.server0 = serverSeconds(pid);
    }

    static CpuMeter start(BenchMain.Common common) {
        return new CpuMeter(common.serverPid);
    }

    Result stop(Result r) {
        double wall = (System.nanoTime() - wall0) / 1e9;
        r.metric("wall_s", wall);
        r.metric("generator_cpu_s", (genNanos() - gen0) / 1e9);
        double s1 = serverSeconds(pid);
        if (pid != null && s1 >= 0 && server0 >= 0) r.metric("server_cpu_s", s1 - server0);
        return r;
    }

    private static long genNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime();
        return 0;
    }

    static double serverSeconds(Long pid) {
        if (pid == null) return -1;
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the command: state(3) ... utime(14) stime(15) -> indexes 11, 12 here
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return -1;
        }
    }
}
