package dev.durablestreams.storage.postgres;

import dev.durablestreams.Scripts;
import java.nio.file.Path;
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

    private final Path dir;
    private final String url;

    private PostgresServer(Path dir, String url) {
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

    /**
     * A server of the caller's own, separate from the JVM's shared one, for a test that stops and starts it
     * ({@link #down()}, {@link #up()}); the caller closes it.
     */
    public static PostgresServer startOwn() {
        return start();
    }

    private static PostgresServer start() {
        // Directly under /tmp: the server runs as the postgres user when the tests run as root.
        Path dir = Path.of("/tmp", "ds-pg-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        String out = Scripts.run("pg.sh", 600, "start", dir.toString());
        String url = Scripts.lastLine(out);
        if (!url.startsWith("postgresql://")) throw new IllegalStateException("pg.sh start printed: " + out);
        return new PostgresServer(dir, url);
    }

    /** This server's URL ({@code postgresql://ds:ds@127.0.0.1:PORT/ds}). */
    public String connectionUrl() {
        return url;
    }

    /** Stops the server like a crash (immediate shutdown), keeping its data and port for {@link #up()}. */
    public void down() {
        Scripts.run("pg.sh", 120, "down", dir.toString(), "immediate");
    }

    /** Starts the server stopped by {@link #down()} again, on the same data and port; returns once it accepts connections. */
    public void up() {
        Scripts.run("pg.sh", 120, "up", dir.toString());
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            Scripts.run("pg.sh", 120, "stop", dir.toString());
            if (instance == this) instance = null;
        }
    }
}
