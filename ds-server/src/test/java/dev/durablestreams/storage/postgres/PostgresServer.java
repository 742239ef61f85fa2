package dev.durablestreams.storage.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throw-away PostgreSQL server per test JVM, started by {@code scripts/pg.sh} on first use and stopped when the
 * JVM's tests are done. A test class uses it with {@code @ExtendWith(PostgresServer.Start.class)} and reads
 * {@link #url()}.
 */
public final class PostgresServer implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    private static final Object LOCK = new Object();
    private static PostgresServer instance;

    /** Starts the JVM's server, if not yet running, before the class's first test. */
    public static final class Start implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            url(context);
        }
    }

    /** The running server's URL; {@link Start} must have run. */
    public static String url() {
        synchronized (LOCK) {
            if (instance == null) throw new IllegalStateException("no PostgreSQL: @ExtendWith(PostgresServer.Start.class)");
            return instance.url;
        }
    }

    private final Path script;
    private final Path dir;
    private final String url;

    private PostgresServer(Path script, Path dir, String url) {
        this.script = script;
        this.dir = dir;
        this.url = url;
    }

    /** The server's URL ({@code postgresql://ds:ds@127.0.0.1:PORT/ds}), starting it on first use. */
    public static String url(ExtensionContext context) {
        synchronized (LOCK) {
            if (instance == null) {
                instance = start();
                // Closed with the root context: after the last test class of this JVM.
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(PostgresServer.class, instance);
            }
            return instance.url;
        }
    }

    private static PostgresServer start() {
        Path script = repoRoot().resolve("scripts/pg.sh");
        // Directly under /tmp: the server runs as the postgres user when the tests run as root.
        Path dir = Path.of("/tmp", "ds-pg-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        String out = run(script, "start", dir).trim();
        String url = out.substring(out.lastIndexOf('\n') + 1);
        if (!url.startsWith("postgresql://")) throw new IllegalStateException("pg.sh start printed: " + out);
        return new PostgresServer(script, dir, url);
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            run(script, "stop", dir);
            instance = null;
        }
    }

    private static String run(Path script, String command, Path dir) {
        try {
            Path log = Files.createTempFile("pg-sh", ".log");
            Process p = new ProcessBuilder("bash", script.toString(), command, dir.toString())
                    .redirectErrorStream(false).redirectError(log.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("scripts/pg.sh " + command + " failed:\n" + out + Files.readString(log));
            }
            Files.deleteIfExists(log);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run scripts/pg.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/pg.sh"))) return p;
        }
        throw new IllegalStateException("scripts/pg.sh not found above " + Path.of("").toAbsolutePath());
    }
}
