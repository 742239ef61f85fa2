package dev.durablestreams.storage.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes this node's live readers when any node commits to their stream: every commit that changes a stream sends
 * {@code NOTIFY} on the schema's channel with what changed ({@link StreamChange}: kind, tail, path; PostgreSQL
 * delivers it after the commit), and one thread per node {@code LISTEN}s on its own connection. The same changes go
 * to a {@link #watch watcher} (the subscription leader), if any.
 *
 * <p>When that connection drops, notifications may be missed: every waiting reader is woken at once and then once a
 * {@link #RECHECK_MILLIS} until the connection is back (a reader woken for nothing re-reads the tail and waits
 * again), and the thread reconnects with backoff.
 */
final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    static final long RECHECK_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 10_000;
    /** NOTIFY payloads are at most 8000 bytes; a longer path wakes every reader of the node (an empty payload). */
    private static final int MAX_PAYLOAD = 7_900;

    private final PgConfig config;
    private final String channel;
    private final Signals signals;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;
    private volatile Watcher watcher;
    private final CountDownLatch listening = new CountDownLatch(1);

    ChangeFeed(PgConfig config, Signals signals) {
        this.config = config;
        this.channel = channel(config.schema());
        this.signals = signals;
        this.thread = new Thread(this::run, "ds-pg-listen");
        thread.setDaemon(true);
        thread.start();
    }

    /** The notification channel of a schema: nodes sharing a schema share it. */
    static String channel(String schema) {
        String c = "ds_" + schema;
        return c.length() > 63 ? c.substring(0, 63) : c;
    }

    /** Queues the notification of a change; sent when the transaction of {@code c} commits. */
    static void notify(Connection c, String channel, StreamChange change) throws SQLException {
        String payload = change.path().getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD ? "" : change.payload();
        try (PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            st.setString(1, channel);
            st.setString(2, payload);
            st.execute();
        }
    }

    /**
     * Queues the notifications of several changes in one statement (a group commit changes many streams); it
     * touches no table, so it stays within the one-stream-per-statement rule.
     */
    static void notify(Connection c, String channel, Collection<StreamChange> changes) throws SQLException {
        if (changes.isEmpty()) return;
        if (changes.size() == 1) {
            notify(c, channel, changes.iterator().next());
            return;
        }
        String[] payloads = new String[changes.size()];
        int i = 0;
        for (StreamChange change : changes) {
            payloads[i++] = change.path().getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD ? "" : change.payload();
        }
        try (PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, p) FROM unnest(?::text[]) p")) {
            st.setString(1, channel);
            st.setArray(2, c.createArrayOf("text", payloads));
            st.execute();
        }
    }

    private void run() {
        long backoff = 250;
        while (!closed) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + channel);
                }
                if (backoff > 250) LOG.info("change notifications from PostgreSQL resumed");
                backoff = 250;
                signals.fireAll(); // whatever was committed while not listening
                Watcher resumed = watcher;
                if (resumed != null) resumed.missed();
                listening.countDown();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] ns = pg.getNotifications((int) RECHECK_MILLIS);
                    if (ns == null) continue;
                    for (PGNotification n : ns) {
                        StreamChange change = StreamChange.parse(n.getParameter());
                        if (change == null) signals.fireAll();
                        else if (change.wakesReaders()) signals.fire(change.path());
                        Watcher w = watcher;
                        if (w == null) continue;
                        if (change == null) w.missed();
                        else w.changed(change);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) return;
                LOG.warn("change notifications from PostgreSQL interrupted ({}); live readers re-check every {} ms, "
                        + "reconnecting in {} ms", e.getMessage(), RECHECK_MILLIS, backoff);
            } finally {
                connection = null;
            }
            long until = System.currentTimeMillis() + backoff;
            while (!closed && System.currentTimeMillis() < until) {
                signals.fireAll();
                pause(Math.min(RECHECK_MILLIS, Math.max(1, until - System.currentTimeMillis())));
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    /** Told about every stream change of every node, on the feed's thread (so it only queues the work). */
    interface Watcher {
        void changed(StreamChange change);

        /** Changes may have been missed (the connection was lost, or a payload named no stream). */
        void missed();
    }

    /** Sends every change from now on to {@code w} as well. */
    void watch(Watcher w) {
        this.watcher = w;
    }

    /**
     * Waits until the first {@code LISTEN} is in place, so readers that start afterwards miss no notification and
     * are not woken for nothing; false when it took longer (the database is down: the feed keeps trying).
     */
    boolean awaitListening(long millis) {
        try {
            return listening.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (config.user() != null) p.setProperty("user", config.user());
        if (config.password() != null) p.setProperty("password", config.password());
        p.setProperty("connectTimeout", "5");
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(config.jdbcUrl(), p);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close(); // ends a wait in getNotifications
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
