package dev.durablestreams.storage.postgres;

import dev.durablestreams.storage.subscription.SubscriptionCommit;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Subscription state in three tables of the schema ({@code subscriptions}, {@code subscription_links},
 * {@code subscription_secrets}; migration V3). Each {@link #commit} is one transaction on one session with
 * {@code synchronous_commit} on: it returns once PostgreSQL has made it durable.
 *
 * <p>A store either owns its session (reopened after a failure) or runs on the session of a
 * leader lock: then a commit succeeds only while that session, and so the leadership, is alive, which
 * fences out a node that lost the lock without noticing yet.
 */
public final class PostgresSubscriptionStore implements SubscriptionStore {
    private final PgConfig config;
    private final Object guard;
    private Connection connection;

    private PostgresSubscriptionStore(PgConfig config, Connection connection, Object guard) {
        this.config = config;
        this.connection = connection;
        this.guard = guard;
    }

    /** Creates or migrates the schema and opens a store with a session of its own. */
    public static PostgresSubscriptionStore open(PgConfig config) {
        Migrations.migrate(config);
        return new PostgresSubscriptionStore(config, null, new Object());
    }

    /** A store on a session it does not own; {@code guard} serializes every use of that session. */
    static PostgresSubscriptionStore onSession(Connection session, Object guard) {
        return new PostgresSubscriptionStore(null, session, guard);
    }

    @Override
    public Contents load() {
        synchronized (guard) {
            try (Statement st = session().createStatement()) {
                Map<String, byte[]> subs = new HashMap<>();
                Map<String, Map<String, byte[]>> links = new HashMap<>();
                Map<String, byte[]> secrets = new HashMap<>();
                try (ResultSet rs = st.executeQuery("SELECT id, record FROM subscriptions")) {
                    while (rs.next()) subs.put(rs.getString(1), rs.getBytes(2));
                }
                try (ResultSet rs = st.executeQuery("SELECT id, path, link FROM subscription_links")) {
                    while (rs.next()) {
                        links.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2), rs.getBytes(3));
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT name, value FROM subscription_secrets")) {
                    while (rs.next()) secrets.put(rs.getString(1), rs.getBytes(2));
                }
                return new Contents(subs, links, secrets);
            } catch (SQLException e) {
                throw failed("read", e);
            }
        }
    }

    @Override
    public void commit(SubscriptionCommit commit) {
        if (commit.isEmpty()) return;
        synchronized (guard) {
            Connection c = session();
            try {
                c.setAutoCommit(false);
                try {
                    write(c, commit);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the session is broken: nothing was committed
                    }
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw failed("write", e);
            }
        }
    }

    /** Runs the writes in their order, consecutive writes of one kind as one batch. */
    private static void write(Connection c, SubscriptionCommit commit) throws SQLException {
        String batchSql = null;
        PreparedStatement batch = null;
        try {
            for (SubscriptionCommit.Write w : commit.writes()) {
                String sql = sql(w);
                if (!sql.equals(batchSql)) {
                    if (batch != null) {
                        batch.executeBatch();
                        batch.close();
                    }
                    batch = c.prepareStatement(sql);
                    batchSql = sql;
                }
                int i = 0;
                batch.setString(++i, w.id());
                if (w.kind() == SubscriptionCommit.Kind.LINK) batch.setString(++i, w.path());
                if (w.value() != null) batch.setBytes(++i, w.value());
                batch.addBatch();
            }
            if (batch != null) batch.executeBatch();
        } finally {
            if (batch != null) batch.close();
        }
    }

    private static String sql(SubscriptionCommit.Write w) {
        boolean delete = w.value() == null;
        return switch (w.kind()) {
            case SUBSCRIPTION -> delete ? "DELETE FROM subscriptions WHERE id = ?"
                    : "INSERT INTO subscriptions (id, record) VALUES (?, ?)"
                            + " ON CONFLICT (id) DO UPDATE SET record = excluded.record";
            case LINK -> delete ? "DELETE FROM subscription_links WHERE id = ? AND path = ?"
                    : "INSERT INTO subscription_links (id, path, link) VALUES (?, ?, ?)"
                            + " ON CONFLICT (id, path) DO UPDATE SET link = excluded.link";
            case SECRET -> delete ? "DELETE FROM subscription_secrets WHERE name = ?"
                    : "INSERT INTO subscription_secrets (name, value) VALUES (?, ?)"
                            + " ON CONFLICT (name) DO UPDATE SET value = excluded.value";
        };
    }

    /** The session: an owned one is (re)opened when missing or broken; a borrowed one is used as it is. */
    private Connection session() {
        if (config == null) return connection;
        try {
            if (connection == null) connection = Sessions.open(config);
            return connection;
        } catch (SQLException e) {
            throw failed("connect", e);
        }
    }

    /** A failure: an owned session is dropped (the next call opens a new one). */
    private IllegalStateException failed(String what, SQLException e) {
        if (config != null && connection != null) {
            closeQuietly(connection);
            connection = null;
        }
        return new IllegalStateException("subscription store " + what + " failed (" + e.getSQLState() + "): "
                + e.getMessage(), e);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken
        }
    }

    @Override
    public void close() {
        synchronized (guard) {
            if (config != null && connection != null) closeQuietly(connection); // a borrowed session stays its owner's
            connection = null;
        }
    }
}
