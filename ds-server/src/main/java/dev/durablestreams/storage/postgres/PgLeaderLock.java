package dev.durablestreams.storage.postgres;

import dev.durablestreams.storage.subscription.LeaderLock;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription leader's lock on PostgreSQL: a session-level advisory lock on one dedicated connection, keyed by
 * the schema (nodes of one schema compete, other schemas have their own leader). PostgreSQL releases it when the
 * session ends, so a killed leader frees it as soon as its connection closes (TCP keep-alive covers a vanished
 * host). The leader's subscription commits run on the same session: a leader whose session is gone can no longer
 * write, even before it notices.
 */
public final class PgLeaderLock implements LeaderLock {
    private static final Logger LOG = LoggerFactory.getLogger(PgLeaderLock.class);
    /** High half of the lock key ("DS"); the low half is the schema's oid. */
    private static final String KEY = "((17491::bigint << 32) | (SELECT oid FROM pg_namespace WHERE nspname = current_schema())::bigint)";

    private final PgConfig config;
    private final LongSupplier clock;
    /** Serializes every use of the session (the lock checks here, the leader's commits on its own thread). */
    private final Object guard = new Object();
    private Connection session;
    private boolean holding;

    public PgLeaderLock(PgConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        Migrations.migrate(config);
    }

    @Override
    public SubscriptionStore tryAcquire(String advertiseUrl) {
        synchronized (guard) {
            try {
                Connection c = session();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + KEY + ")")) {
                    rs.next();
                    if (!rs.getBoolean(1)) return null;
                }
                holding = true;
                try (PreparedStatement st = c.prepareStatement("INSERT INTO subscription_leader (url, backend_pid, since_ms)"
                        + " VALUES (?, pg_backend_pid(), ?) ON CONFLICT (singleton) DO UPDATE"
                        + " SET url = excluded.url, backend_pid = excluded.backend_pid, since_ms = excluded.since_ms")) {
                    st.setString(1, advertiseUrl);
                    st.setLong(2, clock.getAsLong());
                    st.executeUpdate();
                }
                return PostgresSubscriptionStore.onSession(c, guard);
            } catch (SQLException e) {
                LOG.debug("subscription leader lock: {}", e.getMessage());
                drop();
                return null;
            }
        }
    }

    @Override
    public boolean held() {
        synchronized (guard) {
            if (!holding || session == null) return false;
            try (Statement st = session.createStatement()) {
                st.setQueryTimeout(5);
                st.execute("SELECT 1");
                return true;
            } catch (SQLException e) {
                LOG.warn("subscription leader session lost: {}", e.getMessage());
                drop();
                return false;
            }
        }
    }

    @Override
    public String leaderUrl() {
        synchronized (guard) {
            try (PreparedStatement st = session().prepareStatement("SELECT l.url FROM subscription_leader l"
                    + " WHERE EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted"
                    + " AND k.pid = l.backend_pid AND k.objsubid = 1 AND k.classid = 17491::oid"
                    + " AND k.objid = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
                    + " AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database()))")) {
                st.setQueryTimeout(5);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            } catch (SQLException e) {
                LOG.debug("subscription leader lookup: {}", e.getMessage());
                drop();
                return null;
            }
        }
    }

    @Override
    public void release() {
        synchronized (guard) {
            drop(); // ending the session releases the lock
        }
    }

    private Connection session() throws SQLException {
        if (session == null) session = Sessions.open(config);
        return session;
    }

    private void drop() {
        holding = false;
        if (session == null) return;
        try {
            session.close();
        } catch (SQLException ignored) {
            // broken already
        }
        session = null;
    }

    @Override
    public void close() {
        release();
    }
}
