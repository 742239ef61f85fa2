package dev.durablestreams.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.subscription.SubscriptionCommit;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import dev.durablestreams.subscription.SubscriptionStoreContract;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The subscription-store contract on PostgreSQL: every test gets its own schema, created by the store. */
@ExtendWith(PostgresServer.Start.class)
class PostgresSubscriptionStoreTest extends SubscriptionStoreContract {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private final String schema = "subs_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();

    @Override
    protected SubscriptionStore open() {
        return PostgresSubscriptionStore.open(new PgConfig(PostgresServer.url(), schema, 1));
    }

    @Test
    void aFailedCommitLeavesNothingAndTheStoreGoesOn() throws Exception {
        try (SubscriptionStore s = open()) {
            // The second write breaks a NOT NULL constraint: the first must not stay either.
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> s.commit(new SubscriptionCommit()
                    .putSubscription("a", "rec".getBytes(StandardCharsets.UTF_8))
                    .putLink(null, "p", "l".getBytes(StandardCharsets.UTF_8)))))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(s.load().subscriptions()).isEmpty();
            s.commit(new SubscriptionCommit().putSubscription("b", "rec".getBytes(StandardCharsets.UTF_8)));
            assertThat(s.load().subscriptions().keySet()).containsExactly("b");
        }
        PgConfig c = new PgConfig(PostgresServer.url(), schema, 1);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
             ResultSet rs = conn.createStatement().executeQuery("SELECT count(*) FROM " + schema + ".subscriptions")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
    }
}
