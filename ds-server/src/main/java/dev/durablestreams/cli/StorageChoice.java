package dev.durablestreams.cli;

import dev.durablestreams.storage.postgres.PgConfig;
import java.util.Locale;
import picocli.CommandLine;

/**
 * The value of {@code --storage}: a built-in backend ({@code rocksdb}, {@code memory}) or the URL of a PostgreSQL
 * database ({@code postgresql://user:pass@host:5432/db}) shared by any number of nodes.
 *
 * @param backend {@code rocksdb}, {@code memory} or {@code postgresql}
 * @param url the database URL for {@code postgresql}, else {@code null}
 */
record StorageChoice(String backend, String url) {

    static StorageChoice parse(String text) {
        if (PgConfig.isPostgresUrl(text)) return new StorageChoice("postgresql", text);
        String name = text.toLowerCase(Locale.ROOT);
        if (name.equals("rocksdb") || name.equals("memory")) return new StorageChoice(name, null);
        throw new IllegalArgumentException("must be rocksdb, memory or a postgresql:// URL");
    }

    /** picocli's converter for {@code --storage}. */
    static final class Converter implements CommandLine.ITypeConverter<StorageChoice> {
        @Override
        public StorageChoice convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' " + e.getMessage());
            }
        }
    }

    @Override
    public String toString() { // never print a password
        return url == null ? backend : url.replaceFirst("(://[^:/@]*:)[^@/]*@", "$1*****@");
    }
}
