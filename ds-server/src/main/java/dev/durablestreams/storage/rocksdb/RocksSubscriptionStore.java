package dev.durablestreams.storage.rocksdb;

import dev.durablestreams.storage.subscription.SubscriptionCommit;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Subscription state in its own small RocksDB database (a directory next to the stream log's files), so its
 * rare, small commits never join the stream log's group commits. Keys: {@code s\0<id>} records,
 * {@code l\0<id>\0<path>} links, {@code k\0<name>} secrets. Each commit is one synced {@link WriteBatch}.
 */
public final class RocksSubscriptionStore implements SubscriptionStore {
    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    private final WriteOptions sync = new WriteOptions().setSync(true);

    private RocksSubscriptionStore(Options options, RocksDB db) {
        this.options = options;
        this.db = db;
    }

    public static RocksSubscriptionStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            Options options = new Options().setCreateIfMissing(true)
                    .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                    .setKeepLogFileNum(2)
                    .setStatsDumpPeriodSec(0);
            return new RocksSubscriptionStore(options, RocksDB.open(options, dir.toString()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot open subscription store at " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Contents load() {
        Map<String, byte[]> subs = new HashMap<>();
        Map<String, Map<String, byte[]>> links = new HashMap<>();
        Map<String, byte[]> secrets = new HashMap<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                String key = new String(it.key(), StandardCharsets.UTF_8);
                byte[] value = it.value();
                String rest = key.substring(2);
                switch (key.charAt(0)) {
                    case 's' -> subs.put(rest, value);
                    case 'k' -> secrets.put(rest, value);
                    case 'l' -> {
                        int sep = rest.indexOf('\0');
                        links.computeIfAbsent(rest.substring(0, sep), k -> new TreeMap<>())
                                .put(rest.substring(sep + 1), value);
                    }
                    default -> { } // unknown prefixes belong to a newer version; keep them untouched
                }
            }
        }
        return new Contents(subs, links, secrets);
    }

    @Override
    public void commit(SubscriptionCommit commit) {
        try (WriteBatch batch = new WriteBatch()) {
            for (SubscriptionCommit.Write w : commit.writes()) {
                byte[] key = key(w);
                if (w.value() == null) batch.delete(key);
                else batch.put(key, w.value());
            }
            db.write(sync, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("subscription store write failed: " + e.getMessage(), e);
        }
    }

    private static byte[] key(SubscriptionCommit.Write w) {
        String k = switch (w.kind()) {
            case SUBSCRIPTION -> "s\0" + w.id();
            case SECRET -> "k\0" + w.id();
            case LINK -> "l\0" + w.id() + "\0" + w.path();
        };
        return k.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            db.syncWal();
        } catch (RocksDBException ignored) {
            // every commit was already synced
        }
        db.close();
        sync.close();
        options.close();
    }
}
