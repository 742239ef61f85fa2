package dev.durablestreams.storage.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** Single connections outside the pool, for work that keeps a session of its own (locks, subscription state). */
final class Sessions {
    private Sessions() {}

    /**
     * Opens a connection to the schema, in autocommit mode, with {@code synchronous_commit} on whatever the server's
     * default: a commit returns only once it is durable. TCP keep-alive lets both ends notice a dead peer.
     */
    static Connection open(PgConfig config) throws SQLException {
        Properties p = new Properties();
        if (config.user() != null) p.setProperty("user", config.user());
        if (config.password() != null) p.setProperty("password", config.password());
        p.setProperty("connectTimeout", "5");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("currentSchema", config.schema());
        Connection c = DriverManager.getConnection(config.jdbcUrl(), p);
        try (Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = on");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }
}
