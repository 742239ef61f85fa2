package dev.durablestreams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The real server in a child JVM under a small file-descriptor limit ({@code ulimit -n}): by default it caps
 * connections below the limit, so a flood of clients never exhausts descriptors; forced past the limit with
 * {@code --max-connections}, failed accepts are logged as one rate-limited line without stack traces, and the
 * server serves again once clients leave.
 */
@EnabledOnOs(OS.LINUX)
class FdLimitTest {
    static final int FD_LIMIT = 256;
    static final Pattern SERVING = Pattern.compile("serving Durable Streams on http://127\\.0\\.0\\.1:(\\d+)/");
    static final Pattern LIMITS = Pattern.compile("limits: (\\d+) connections");

    @Test
    void theDefaultCapKeepsConnectionsBelowTheDescriptorLimit() throws Exception {
        try (Child server = new Child()) {
            int cap = Integer.parseInt(server.await(LIMITS).group(1));
            assertThat(cap).isEqualTo(Limits.connectionsFor(FD_LIMIT));
            List<RawConnection> clients = new ArrayList<>();
            int served = 0;
            int refused = 0;
            try {
                for (int i = 0; i < cap + 40; i++) clients.add(RawConnection.open(server.port));
                // Which ones are over the cap depends on the order their event loops admit them; how many does not.
                for (RawConnection c : clients) {
                    String answer;
                    try {
                        answer = c.send("HEAD /v1/stream/none HTTP/1.1\r\nHost: t\r\n\r\n").readUntil("\r\n\r\n");
                    } catch (IOException closedByServer) {
                        answer = "";
                    }
                    if (answer.startsWith("HTTP/1.1 404")) served++;
                    else refused++;
                }
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("server output:\n" + String.join("\n", server.output()) + "\n"
                        + server.descriptors(), e);
            } finally {
                for (RawConnection c : clients) c.close();
            }
            assertThat(served).as("connections served").isEqualTo(cap);
            assertThat(refused).as("connections closed at once").isEqualTo(40);
            server.assertNoDescriptorExhaustion();
        }
    }

    @Test
    void failedAcceptsAreLoggedRateLimitedWithoutStackTraces() throws Exception {
        try (Child server = new Child("--max-connections", "100000")) {
            List<RawConnection> clients = new ArrayList<>();
            try {
                for (int i = 0; i < FD_LIMIT + 50; i++) clients.add(RawConnection.open(server.port));
                server.await(Pattern.compile("accepting a connection failed"));
            } finally {
                for (RawConnection c : clients) c.close();
            }
            // Served again once descriptors are free (accepts resume after a pause).
            try (RawConnection c = RawConnection.open(server.port)) {
                c.send("PUT /v1/stream/s HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
                assertThat(c.readResponse()).startsWith("HTTP/1.1 201");
            }
            List<String> out = server.output();
            assertThat(out.stream().filter(l -> l.contains("accepting a connection failed")))
                    .as("one line per 10 s").hasSizeLessThanOrEqualTo(2);
            assertThat(out).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by"));
        }
    }

    /** The server under {@code ulimit -n FD_LIMIT}, with its output kept for assertions. */
    static final class Child implements AutoCloseable {
        final Process process;
        final List<String> lines = new ArrayList<>();
        final int port;

        Child(String... args) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // The server's logback.xml (INFO), not the tests' (WARN): start-up lines are awaited.
            StringBuilder cmd = new StringBuilder("ulimit -n " + FD_LIMIT + " && exec '" + java + "' -Xmx128m"
                    + " -XX:TieredStopAtLevel=1 -Dlogback.configurationFile=logback.xml -cp '" + System.getProperty("java.class.path")
                    + "' dev.durablestreams.cli.Main --port 0 --storage memory");
            for (String a : args) cmd.append(' ').append(a);
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true);
            pb.environment().remove("DS_LOG_LEVEL");
            process = pb.start();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "fd-limit-server-output");
            pump.setDaemon(true);
            pump.start();
            try {
                port = Integer.parseInt(await(SERVING).group(1));
            } catch (RuntimeException | Error e) {
                process.destroyForcibly(); // never leave a server behind
                throw e;
            }
        }

        Matcher await(Pattern p) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            synchronized (lines) {
                for (int seen = 0; ; ) {
                    for (; seen < lines.size(); seen++) {
                        Matcher m = p.matcher(lines.get(seen));
                        if (m.find()) return m;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive()) {
                        throw new AssertionError("server never printed /" + p + "/; output:\n" + String.join("\n", lines));
                    }
                    try {
                        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                }
            }
        }

        List<String> output() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        String descriptors() {
            String sockets;
            try {
                Process ss = new ProcessBuilder("ss", "-tan", "sport = :" + port).redirectErrorStream(true).start();
                sockets = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                        .filter(l -> !l.contains("ESTAB")).reduce("", (a, b) -> a + b + "\n");
            } catch (IOException e) {
                sockets = "ss failed: " + e;
            }
            try (var fds = java.nio.file.Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
                return "open descriptors: " + fds.count() + "; server sockets not established:\n" + sockets;
            } catch (IOException e) {
                return "open descriptors unknown: " + e;
            }
        }

        void assertNoDescriptorExhaustion() {
            assertThat(output()).noneMatch(l -> l.contains("Too many open files") || l.contains("accepting a connection failed"));
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }
}
