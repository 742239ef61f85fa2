package dev.durablestreams.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server ({@code dev.durablestreams.cli.Main}) as a child JVM on the test class path, so it can be
 * killed with SIGKILL. Its combined output is kept in memory (to wait on and assert log lines) and copied to a
 * file under {@code target/crash-logs} for post-mortems.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile(
            // JSON logs escape the slashes
            "serving Durable Streams on http:\\\\?/\\\\?/127\\.0\\.0\\.1:(\\d+)\\\\?/v1\\\\?/stream\\\\?/");
    private static final Pattern READY = Pattern.compile("storage ready: (\\d+) streams recovered in (\\d+) ms");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread pump;
    private final long startedNanos = System.nanoTime();
    final int port;
    /** From the server's own {@code storage ready} line; -1 for a node on a shared backend. */
    final long recoveryMillis;
    /** From process start to the listening line: JVM start, RocksDB open, recovery, bind. */
    final long startMillis;

    private ServerProcess(List<String> serverArgs, Path logFile, boolean engine) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", // C1 only: faster start, this JVM is restarted many times
                // The server's logback.xml (INFO), not the tests' logback-test.xml (WARN): start-up lines are awaited.
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"),
                "dev.durablestreams.cli.Main"));
        if (!serverArgs.contains("--port")) cmd.addAll(List.of("--port", "0"));
        if (!serverArgs.contains("--long-poll-timeout")) cmd.addAll(List.of("--long-poll-timeout", "500ms"));
        cmd.addAll(serverArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("DS_LOG_LEVEL");
        process = pb.start();
        Files.createDirectories(logFile.getParent());
        PrintWriter copy = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
        pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    copy.println(line);
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process died; waiters see it through isAlive()
            } finally {
                copy.close();
                synchronized (lines) {
                    lines.notifyAll();
                }
            }
        }, "server-output");
        pump.setDaemon(true);
        pump.start();
        try {
            Matcher serving = awaitLine(SERVING, Duration.ofSeconds(60));
            port = Integer.parseInt(serving.group(1));
            startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            recoveryMillis = engine ? Long.parseLong(awaitLine(READY, Duration.ofSeconds(1)).group(2)) : -1;
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Starts the server on RocksDB in {@code dataDir} and waits until it listens. */
    static ServerProcess start(Path dataDir, Path logFile, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("--storage", "rocksdb", "--data-dir", dataDir.toString()));
        args.addAll(List.of(extraArgs));
        return new ServerProcess(args, logFile, true);
    }

    /**
     * Starts a node on a shared backend ({@code --storage postgresql://...} among {@code args}) and waits until it
     * listens; {@link #recoveryMillis} is -1 (such a node recovers nothing of its own).
     */
    static ServerProcess startNode(Path logFile, String... args) throws IOException {
        return new ServerProcess(List.of(args), logFile, false);
    }

    static Path logFile(String name) {
        return Path.of("target", "crash-logs", name + ".log");
    }

    String base() {
        return "http://127.0.0.1:" + port + "/v1/stream/";
    }

    /** Waits for the first output line matching {@code p} (already printed or future); fails on exit or deadline. */
    Matcher awaitLine(Pattern p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    Matcher m = p.matcher(lines.get(seen));
                    if (m.find()) return m;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !pump.isAlive())) {
                    throw new AssertionError("server never printed /" + p + "/ (alive=" + process.isAlive()
                            + "); output:\n" + String.join("\n", tail(40)));
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    private List<String> tail(int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    /**
     * SIGKILL: {@code destroyForcibly} sends SIGKILL on Linux; the exit status 137 (128 + 9) proves the process died
     * of that signal rather than a graceful shutdown (which would run the shutdown hook and exit 0 or 143).
     */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("server did not die after SIGKILL");
        pump.join(5_000); // all output read, so assertions on the log see everything
        return process.exitValue();
    }

    /**
     * SIGTERM: the server drains and stops. Waits up to {@code timeout} for the exit and returns its status, or fails
     * if the process is still running then. Sent through the process handle: {@code Process.destroy} would also
     * close the pipes, and the server's shutdown lines would be lost.
     */
    int terminate(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("server still running " + timeout + " after SIGTERM; output:\n"
                    + String.join("\n", output().subList(Math.max(0, output().size() - 40), output().size())));
        }
        pump.join(5_000);
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
