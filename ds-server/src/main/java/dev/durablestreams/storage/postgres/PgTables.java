package dev.durablestreams.storage.postgres;

import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.storage.engine.LogChunk;
import dev.durablestreams.storage.engine.RecordReader;
import dev.durablestreams.storage.rules.NewRecord;
import dev.durablestreams.storage.rules.StreamMeta;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * The SQL of the PostgreSQL backend: every statement touches one stream, keyed by its path (and its incarnation id).
 * Stores what the shared rules decide; decides nothing.
 */
final class PgTables {
    private PgTables() {}

    private static final String COLUMNS = "path, id, content_type, ttl_seconds, expires_at_ms, created_at_ms,"
            + " fork_source_path, fork_source_id, fork_offset, fork_sub_offset, depth, tail, closed, closed_by_id,"
            + " closed_by_epoch, closed_by_seq, last_seq, ref_count, soft_deleted, last_access_ms";

    /** The row at {@code path} (locked for the transaction when {@code forUpdate}), or {@code null}. */
    static StreamRow load(Connection c, String path, boolean forUpdate) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM streams WHERE path = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            st.setString(1, path);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    /**
     * Locks the rows at {@code paths} in the order given (sorted, so that transactions locking overlapping sets
     * cannot deadlock) and returns them by path; missing paths are absent. One {@code SELECT ... FOR UPDATE} per
     * stream, all sent in one round trip (several statements in one JDBC statement run in order).
     */
    static Map<String, StreamRow> lockAll(Connection c, List<String> paths) throws SQLException {
        Map<String, StreamRow> rows = new HashMap<>();
        if (paths.isEmpty()) return rows;
        String one = "SELECT " + COLUMNS + " FROM streams WHERE path = ? FOR UPDATE";
        try (PreparedStatement st = c.prepareStatement(String.join(";", java.util.Collections.nCopies(paths.size(), one)))) {
            for (int i = 0; i < paths.size(); i++) st.setString(i + 1, paths.get(i));
            boolean isResult = st.execute();
            while (true) {
                if (isResult) {
                    try (ResultSet rs = st.getResultSet()) {
                        if (rs.next()) {
                            StreamRow r = row(rs);
                            rows.put(r.path(), r);
                        }
                    }
                } else if (st.getUpdateCount() == -1) {
                    break;
                }
                isResult = st.getMoreResults();
            }
        }
        return rows;
    }

    /** The row of incarnation {@code id} at {@code path}, or {@code null} once it is purged. */
    static StreamRow load(Connection c, String path, long id, boolean forUpdate) throws SQLException {
        StreamRow r = load(c, path, forUpdate);
        return r != null && r.id() == id ? r : null;
    }

    /** The content type of the stream at {@code path}, or {@code null}: to validate a body before any lock. */
    static String contentType(Connection c, String path) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT content_type FROM streams WHERE path = ?")) {
            st.setString(1, path);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static StreamRow row(ResultSet rs) throws SQLException {
        String closedById = rs.getString("closed_by_id");
        Producer closedBy = closedById == null ? null
                : new Producer(closedById, rs.getLong("closed_by_epoch"), rs.getLong("closed_by_seq"));
        StreamMeta m = new StreamMeta(rs.getLong("id"), rs.getString("path"), rs.getString("content_type"),
                rs.getLong("ttl_seconds"), rs.getLong("expires_at_ms"), rs.getLong("created_at_ms"),
                rs.getLong("fork_source_id"), rs.getLong("fork_offset"), rs.getLong("fork_sub_offset"),
                rs.getLong("tail"), rs.getBoolean("closed"), closedBy, rs.getString("last_seq"),
                rs.getInt("ref_count"), rs.getBoolean("soft_deleted"), rs.getLong("last_access_ms"));
        return new StreamRow(m, rs.getString("fork_source_path"), rs.getInt("depth"));
    }

    /**
     * Paths of up to {@code limit} streams expired at {@code nowMillis}, locked for this transaction; streams locked
     * by others are skipped. The one statement that spans streams: maintenance, not a request.
     */
    static List<String> expiredPaths(Connection c, long nowMillis, int limit) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT path FROM streams WHERE NOT soft_deleted AND ("
                + "(expires_at_ms >= 0 AND expires_at_ms <= ?) OR (ttl_seconds >= 0 AND last_access_ms + ttl_seconds * 1000 <= ?))"
                + " LIMIT ? FOR UPDATE SKIP LOCKED")) {
            st.setLong(1, nowMillis);
            st.setLong(2, nowMillis);
            st.setInt(3, limit);
            List<String> paths = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) paths.add(rs.getString(1));
            }
            return paths;
        }
    }

    /**
     * Paths of every live stream, for the backfill of a new pattern subscription; spans streams like
     * {@link #expiredPaths}, and runs only when such a subscription is created.
     */
    static List<String> livePaths(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT path FROM streams WHERE NOT soft_deleted")) {
            st.setFetchSize(1_000);
            List<String> paths = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) paths.add(rs.getString(1));
            }
            return paths;
        }
    }

    /** Streams stored (soft-deleted ones included, as the engine counts them). Spans streams: for a gauge. */
    static long streamCount(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM streams");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Tails of the live (neither soft-deleted nor expired) streams among {@code paths}, in one statement: a
     * subscription catching up reads all its links at once.
     */
    static java.util.Map<String, Long> tails(Connection c, java.util.Collection<String> paths, long nowMillis)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT path, tail FROM streams WHERE path = ANY(?)"
                + " AND NOT soft_deleted AND (expires_at_ms < 0 OR expires_at_ms > ?)"
                + " AND (ttl_seconds < 0 OR last_access_ms + ttl_seconds * 1000 > ?)")) {
            st.setArray(1, c.createArrayOf("text", paths.toArray()));
            st.setLong(2, nowMillis);
            st.setLong(3, nowMillis);
            java.util.Map<String, Long> out = new java.util.HashMap<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
            return out;
        }
    }

    static long nextId(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT nextval('stream_ids')");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Bytes all streams hold themselves; asked only when a total limit is set. */
    static long totalBytes(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT coalesce(sum(tail - fork_offset), 0) FROM streams");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void insert(Connection c, StreamMeta m, String sourcePath, int depth) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO streams (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 0;
            st.setString(++i, m.path());
            st.setLong(++i, m.id());
            st.setString(++i, m.contentType());
            st.setLong(++i, m.ttlSeconds());
            st.setLong(++i, m.expiresAtMillis());
            st.setLong(++i, m.createdAtMillis());
            st.setString(++i, sourcePath);
            st.setLong(++i, m.forkSourceId());
            st.setLong(++i, m.forkOffset());
            st.setLong(++i, m.forkSubOffset());
            st.setInt(++i, depth);
            st.setLong(++i, m.tail());
            st.setBoolean(++i, m.closed());
            setProducer(st, i, m.closedBy());
            i += 3;
            st.setString(++i, m.lastSeq());
            st.setInt(++i, m.refCount());
            st.setBoolean(++i, m.softDeleted());
            st.setLong(++i, m.lastAccessMillis());
            st.executeUpdate();
        }
    }

    /**
     * Writes what a batch of appends changed, one row per stream: tail, closed flag, closing producer, Stream-Seq,
     * and the last access (never moved back). One statement per stream, sent as one JDBC batch (one round trip).
     */
    static void updateAppended(Connection c, List<StreamMeta> changed, long nowMillis) throws SQLException {
        if (changed.isEmpty()) return;
        try (PreparedStatement st = c.prepareStatement("UPDATE streams SET tail = ?, closed = ?, closed_by_id = ?,"
                + " closed_by_epoch = ?, closed_by_seq = ?, last_seq = ?,"
                + " last_access_ms = greatest(last_access_ms, ?) WHERE path = ? AND id = ?")) {
            for (StreamMeta m : changed) {
                st.setLong(1, m.tail());
                st.setBoolean(2, m.closed());
                setProducer(st, 2, m.closedBy());
                st.setString(6, m.lastSeq());
                st.setLong(7, nowMillis);
                st.setString(8, m.path());
                st.setLong(9, m.id());
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    private static void setProducer(PreparedStatement st, int after, Producer p) throws SQLException {
        if (p == null) {
            st.setNull(after + 1, java.sql.Types.VARCHAR);
            st.setNull(after + 2, java.sql.Types.BIGINT);
            st.setNull(after + 3, java.sql.Types.BIGINT);
        } else {
            st.setString(after + 1, p.id());
            st.setLong(after + 2, p.epoch());
            st.setLong(after + 3, p.seq());
        }
    }

    /** Renews the sliding-TTL clock (never moves it back). */
    static void touch(Connection c, StreamRow s, long nowMillis) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE streams SET last_access_ms = greatest(last_access_ms, ?)"
                + " WHERE path = ? AND id = ?")) {
            st.setLong(1, nowMillis);
            st.setString(2, s.path());
            st.setLong(3, s.id());
            st.executeUpdate();
        }
    }

    static void addReference(Connection c, StreamRow s, int delta) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE streams SET ref_count = ref_count + ? WHERE path = ? AND id = ?")) {
            st.setInt(1, delta);
            st.setString(2, s.path());
            st.setLong(3, s.id());
            st.executeUpdate();
        }
    }

    static void softDelete(Connection c, StreamRow s) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE streams SET soft_deleted = true WHERE path = ? AND id = ?")) {
            st.setString(1, s.path());
            st.setLong(2, s.id());
            st.executeUpdate();
        }
    }

    /** Removes a stream's row, records and producer states. */
    static void drop(Connection c, StreamRow s) throws SQLException {
        for (String table : new String[] {"records", "producers"}) {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM " + table + " WHERE path = ? AND stream_id = ?")) {
                st.setString(1, s.path());
                st.setLong(2, s.id());
                st.executeUpdate();
            }
        }
        try (PreparedStatement st = c.prepareStatement("DELETE FROM streams WHERE path = ? AND id = ?")) {
            st.setString(1, s.path());
            st.setLong(2, s.id());
            st.executeUpdate();
        }
    }

    static void insertRecord(Connection c, StreamMeta m, NewRecord r) throws SQLException {
        insertRecords(c, List.of(new RecordRow(m, r.offset(), r.bytes())));
    }

    /** A record to insert: {@code bytes} at {@code offset} of stream {@code m}. */
    record RecordRow(StreamMeta stream, long offset, byte[] bytes) {}

    /** Rows per multi-row insert: well below PostgreSQL's 65535 bind parameters. */
    private static final int ROWS_PER_INSERT = 1000;

    /**
     * Inserts records of one or more streams with multi-row inserts. Still Citus-compatible: every row carries its
     * stream's path as the leading key, and Citus routes each row of a multi-row insert to its stream's shard.
     */
    static void insertRecords(Connection c, List<RecordRow> rows) throws SQLException {
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<RecordRow> part = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            StringBuilder sql = new StringBuilder("INSERT INTO records (path, stream_id, off, data) VALUES ");
            for (int i = 0; i < part.size(); i++) sql.append(i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)");
            try (PreparedStatement st = c.prepareStatement(sql.toString())) {
                int i = 0;
                for (RecordRow r : part) {
                    st.setString(++i, r.stream().path());
                    st.setLong(++i, r.stream().id());
                    st.setLong(++i, r.offset());
                    st.setBytes(++i, r.bytes());
                }
                st.executeUpdate();
            }
        }
    }

    static ProducerState producer(Connection c, StreamRow s, String producerId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT epoch, seq FROM producers"
                + " WHERE path = ? AND stream_id = ? AND producer_id = ?")) {
            st.setString(1, s.path());
            st.setLong(2, s.id());
            st.setString(3, producerId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? new ProducerState(rs.getLong(1), rs.getLong(2)) : null;
            }
        }
    }

    /** A producer's new state in stream {@code stream}. */
    record ProducerRow(StreamMeta stream, String producerId, ProducerState state) {}

    /**
     * Stores producer states, each (stream, producer) at most once, in one multi-row upsert per
     * {@value #ROWS_PER_INSERT} rows (each row keyed by its stream's path first, as {@link #insertRecords}).
     */
    static void putProducers(Connection c, List<ProducerRow> rows) throws SQLException {
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<ProducerRow> part = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            StringBuilder sql = new StringBuilder("INSERT INTO producers (path, stream_id, producer_id, epoch, seq) VALUES ");
            for (int i = 0; i < part.size(); i++) sql.append(i == 0 ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)");
            sql.append(" ON CONFLICT (path, stream_id, producer_id) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq");
            try (PreparedStatement st = c.prepareStatement(sql.toString())) {
                int i = 0;
                for (ProducerRow r : part) {
                    st.setString(++i, r.stream().path());
                    st.setLong(++i, r.stream().id());
                    st.setString(++i, r.producerId());
                    st.setLong(++i, r.state().epoch());
                    st.setLong(++i, r.state().lastSeq());
                }
                st.executeUpdate();
            }
        }
    }

    /** The record starting exactly at {@code offset}, or {@code null}. */
    static byte[] recordAt(Connection c, String path, long id, long offset) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT data FROM records WHERE path = ? AND stream_id = ? AND off = ?")) {
            st.setString(1, path);
            st.setLong(2, id);
            st.setLong(3, offset);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    /** Reads one stream's stored bytes in {@code [from, to)} with the slicing rules of every backend. */
    static LogChunk read(Connection c, String path, long id, long from, long to, int maxBytes, boolean wholeRecords,
                         boolean mustReturn) throws SQLException {
        RecordReader reader = new RecordReader(from, to, maxBytes, wholeRecords, mustReturn);
        try (PreparedStatement st = c.prepareStatement("SELECT off, data FROM records WHERE path = ? AND stream_id = ?"
                + " AND off >= coalesce((SELECT max(off) FROM records WHERE path = ? AND stream_id = ? AND off <= ?), 0)"
                + " AND off < ? ORDER BY off")) {
            st.setFetchSize(16); // a cursor: rows arrive as the byte budget takes them
            st.setString(1, path);
            st.setLong(2, id);
            st.setString(3, path);
            st.setLong(4, id);
            st.setLong(5, from);
            st.setLong(6, to);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    if (!reader.offer(rs.getLong(1), rs.getBytes(2))) break;
                }
            }
        }
        return reader.result();
    }
}
