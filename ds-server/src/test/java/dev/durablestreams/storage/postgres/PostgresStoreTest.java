package dev.durablestreams.storage.postgres;

import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamStoreContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The storage contract on PostgreSQL, against a real server started by {@code scripts/pg.sh}. Every test gets its
 * own schema, created and migrated by the store; a restart reopens the same schema.
 */
@ExtendWith(PostgresServer.Start.class)
class PostgresStoreTest extends StreamStoreContract {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private String schema;

    @Override
    protected StreamStore open(EngineOptions options) {
        if (schema == null) schema = "contract_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        return new PostgresStore(new PgConfig(PostgresServer.url(), schema, 4), options, clock::get);
    }

    @Override
    protected boolean persistent() {
        return true;
    }

    @Override
    protected long storedStreams() {
        PgConfig c = new PgConfig(PostgresServer.url(), schema, 1);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
             ResultSet rs = conn.createStatement().executeQuery("SELECT count(*) FROM " + schema + ".streams")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
