package dev.durablestreams.storage.postgres;

import org.flywaydb.core.Flyway;

/** Creates or migrates a schema to the versioned migrations under {@code db/migration/postgresql}. */
final class Migrations {
    private Migrations() {}

    /**
     * Runs the pending migrations on their own connection: Flyway sets and restores search_path on the connection it
     * uses, so no pooled connection may be one it used. Safe to run from several nodes at once (Flyway locks).
     */
    static void migrate(PgConfig config) {
        Flyway.configure().dataSource(config.jdbcUrl(), config.user(), config.password())
                .schemas(config.schema()).defaultSchema(config.schema())
                .createSchemas(true).locations("classpath:db/migration/postgresql").load().migrate();
    }
}
