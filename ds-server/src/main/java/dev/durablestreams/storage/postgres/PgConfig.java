package dev.durablestreams.storage.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the PostgreSQL backend keeps its tables.
 *
 * @param url {@code postgresql://user:pass@host:5432/db} (also {@code postgres://}; query parameters are passed to
 *     the JDBC driver)
 * @param schema the schema holding the tables, created and migrated at start
 * @param poolSize connections in the pool, and threads running statements on them
 */
public record PgConfig(String url, String schema, int poolSize) {

    /** The default of {@code --pg-schema}. */
    public static final String DEFAULT_SCHEMA = "durable_streams";

    public PgConfig {
        if (!isPostgresUrl(url)) throw new IllegalArgumentException("not a postgresql:// URL");
        if (schema == null || !schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema must be a plain SQL identifier");
        }
        if (poolSize < 1) throw new IllegalArgumentException("pool size must be at least 1");
    }

    /** Whether {@code storage} names a PostgreSQL database rather than a built-in backend. */
    public static boolean isPostgresUrl(String storage) {
        return storage != null && (storage.startsWith("postgresql://") || storage.startsWith("postgres://"));
    }

    /** The JDBC form of {@link #url}, without the credentials. */
    public String jdbcUrl() {
        URI u = uri();
        String host = u.getHost() == null ? "localhost" : u.getHost();
        String port = u.getPort() < 0 ? "" : ":" + u.getPort();
        String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
        return "jdbc:postgresql://" + host + port + (u.getRawPath() == null ? "/" : u.getRawPath()) + query;
    }

    /** The user in {@link #url}, or {@code null}. */
    public String user() {
        String info = uri().getRawUserInfo();
        if (info == null) return null;
        int colon = info.indexOf(':');
        return decode(colon < 0 ? info : info.substring(0, colon));
    }

    /** The password in {@link #url}, or {@code null}. */
    public String password() {
        String info = uri().getRawUserInfo();
        int colon = info == null ? -1 : info.indexOf(':');
        return colon < 0 ? null : decode(info.substring(colon + 1));
    }

    private URI uri() {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid PostgreSQL URL: " + e.getReason());
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() { // never print the password
        return "PgConfig[" + jdbcUrl() + ", user=" + user() + ", schema=" + schema + ", poolSize=" + poolSize + "]";
    }
}
