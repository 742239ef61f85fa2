package dev.durablestreams.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durablestreams.BuildInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball that {@code mvn package} builds, unpacked and started the way an operator would: its launcher, from
 * another working directory, with a configuration file; then real HTTP requests and a SIGTERM.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DistributionIT {
    private static final Pattern SERVING = Pattern.compile("serving Durable Streams on http://127\\.0\\.0\\.1:(\\d+)/v1/stream/");

    @TempDir Path tmp;
    Path home;
    Process process;
    final List<String> lines = new ArrayList<>();

    @BeforeEach
    void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("ds.dist.tarball", "target/ds-server-" + BuildInfo.current().version() + ".tar.gz"));
        assertThat(tarball).as("built by mvn package").isRegularFile();
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", tmp.toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor()).as(out).isZero();
        home = tmp.resolve("ds-server-" + BuildInfo.current().version());
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly); // a JVM the launcher failed to exec
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void hasTheDocumentedLayout() {
        assertThat(home.resolve("bin/ds-server")).isRegularFile().isExecutable();
        assertThat(home.resolve("lib/ds-server.jar")).isRegularFile();
        assertThat(home.resolve("conf/ds-server.yaml")).isRegularFile();
        assertThat(home.resolve("README")).isRegularFile();
        assertThat(home.resolve("LICENSE")).content().startsWith("MIT License");
    }

    @Test
    void launcherPrintsTheVersion() throws Exception {
        Process p = launcher(tmp, Map.of(), "--version").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out.trim()).isEqualTo("ds-server " + BuildInfo.current().describe());
    }

    @Test
    void startsFromAnotherDirectoryServesAndStopsOnSigterm() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("elsewhere"));
        Path config = Files.writeString(tmp.resolve("test.yaml"), "storage: memory\nlong-poll-timeout: 1s\n");
        process = launcher(work, Map.of("DS_JAVA_OPTS", "-Xmx128m -Dds.it.marker=1"),
                "--port", "0", "--config", config.toString()).redirectErrorStream(true).start();
        pump();

        int port = Integer.parseInt(await(SERVING).group(1));
        assertThat(await(Pattern.compile("ds-server (\\S+) \\(commit (\\S+)\\) starting")).group(1))
                .isEqualTo(BuildInfo.current().version());
        await(Pattern.compile("storage: memory"));
        // exec: the launcher's process is now the JVM itself, with DS_JAVA_OPTS, so signals reach the server.
        assertThat(process.info().command()).hasValueSatisfying(c -> assertThat(c).endsWith("/java"));
        assertThat(process.info().arguments()).hasValueSatisfying(a -> assertThat(a).contains("-Dds.it.marker=1"));

        HttpClient http = HttpClient.newHttpClient();
        String url = "http://127.0.0.1:" + port + "/v1/stream/dist-it";
        assertThat(send(http, HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(201);
        assertThat(send(http, HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello from the tarball"))).statusCode()).isIn(200, 204);
        HttpResponse<String> read = send(http, HttpRequest.newBuilder(URI.create(url + "?offset=-1")).GET());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo("hello from the tarball");

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
        assertThat(process.exitValue()).as(String.join("\n", output())).isEqualTo(0); // drained and stopped cleanly
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        assertThat(work.resolve("data")).as("memory storage from the config file").doesNotExist();
    }

    private ProcessBuilder launcher(Path workDir, Map<String, String> extraEnv, String... args) {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/ds-server").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("DS_"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(extraEnv);
        return pb;
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder req) throws Exception {
        return http.send(req.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void pump() {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process ended; waiters see it through isAlive()
            }
        }, "dist-output");
        t.setDaemon(true);
        t.start();
    }

    private List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The first output line matching {@code p}; fails if the server exits or 60 s pass first. */
    private Matcher await(Pattern p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    Matcher m = p.matcher(line);
                    if (m.find()) return m;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !process.isAlive()) {
                    throw new AssertionError("server never printed /" + p + "/ (alive=" + process.isAlive()
                            + "); output:\n" + String.join("\n", lines));
                }
                lines.wait(Math.min(left, 500));
            }
        }
    }
}
