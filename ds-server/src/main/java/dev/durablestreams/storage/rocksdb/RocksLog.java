package dev.durablestreams.storage.rocksdb;

import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.engine.CommitObserver;
import dev.durablestreams.storage.engine.LogChunk;
import dev.durablestreams.storage.engine.LogOp;
import dev.durablestreams.storage.engine.RecordReader;
import dev.durablestreams.storage.engine.StreamLog;
import dev.durablestreams.storage.rules.StreamMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link StreamLog}: one embedded RocksDB, no file per stream.
 *
 * <p>Keys use internal numeric stream ids: {@code meta/<id>}, {@code data/<id><offset>} (values of large records
 * go to blob files, out of compaction's rewrite path), {@code producers/<id><producer>}, {@code access/<id>}.
 *
 * <p>Group commit: one writer thread takes every commit queued while the previous sync ran, writes them as one
 * {@link WriteBatch} and syncs the write-ahead log once; each commit's future completes after that sync. With an
 * empty queue the writer simply blocks: no linger timer. A second thread answers a synced group while the writer
 * already writes the next one.
 *
 * <p>Recovery: RocksDB replays the write-ahead log in point-in-time mode, so a torn or corrupt tail is cut at the
 * last whole batch (whole commits only, by construction) and everything before it is kept; RocksDB's own report of
 * what it dropped is forwarded to this server's log.
 */
public final class RocksLog implements StreamLog {
    private static final Logger LOG = LoggerFactory.getLogger(RocksLog.class);
    private static final int MAX_GROUP = 4096;
    /** Written after an orderly close (memtables flushed, nothing left to replay); removed when the store opens. */
    static final String CLEAN_MARKER = "CLEAN_SHUTDOWN";

    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> cfOptions;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle data;
    private final ColumnFamilyHandle producers;
    private final ColumnFamilyHandle access;
    /** Key (default column family) of the highest stream id ever dropped: ids are never reused after a restart. */
    private static final byte[] HIGHEST_DROPPED_ID = bytes("highest-dropped-id");
    private volatile long highestDroppedId;
    private final WriteOptions commitWrite;
    private final WriteOptions lazyWrite;
    private final LRUCache cache;
    private final org.rocksdb.Logger rocksLogger;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /** Completes acknowledged commits, so the writer starts the next group's sync while the last one is answered. */
    private final ExecutorService acks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ds-rocksdb-ack");
        t.setDaemon(true);
        return t;
    });
    private final Path dir;
    private volatile boolean closing;
    private volatile CommitObserver observer = CommitObserver.NONE;

    private record Pending(List<LogOp> ops, BooleanSupplier valid, CompletableFuture<Void> done) {}

    private RocksLog(Path dir, RocksDB db, DBOptions dbOptions, List<ColumnFamilyOptions> cfOptions,
                     List<ColumnFamilyHandle> handles, boolean sync, LRUCache cache, org.rocksdb.Logger rocksLogger) {
        this.dir = dir;
        this.db = db;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.handles = handles;
        this.meta = handles.get(1);
        this.data = handles.get(2);
        this.producers = handles.get(3);
        this.access = handles.get(4);
        this.commitWrite = new WriteOptions().setSync(sync);
        this.lazyWrite = new WriteOptions().setSync(false);
        this.cache = cache;
        this.rocksLogger = rocksLogger;
        this.writer = new Thread(this::writeLoop, "ds-rocksdb-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens (or creates) the store in {@code dir}.
     *
     * @param sync acknowledge commits only after the write-ahead log is synced to disk
     */
    public static RocksLog open(Path dir, boolean sync) {
        try {
            Files.createDirectories(dir);
            boolean fresh = !Files.exists(dir.resolve("CURRENT"));
            Path marker = dir.resolve(CLEAN_MARKER);
            boolean clean = Files.exists(marker);
            long walBytes = walBytes(dir);
            LRUCache cache = new LRUCache(128L << 20);
            DBOptions dbOptions = new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    // Replay stops at the first cut or corrupt record, keeping every whole batch before it
                    // (TornTailTest). AbsoluteConsistency would refuse to open after a crash tore the unsynced
                    // tail; SkipAnyCorruptedRecords could replay batches after a hole. No WAL recycling (default
                    // recycle_log_file_num 0), so stale bytes of an old log never look like a valid tail.
                    .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                    .setMaxBackgroundJobs(2)
                    .setKeepLogFileNum(5)
                    .setStatsDumpPeriodSec(0);
            ForwardingLogger rocksLogger = new ForwardingLogger(dbOptions);
            dbOptions.setLogger(rocksLogger);
            ColumnFamilyOptions plain = columnOptions(cache);
            ColumnFamilyOptions blobs = columnOptions(cache)
                    .setEnableBlobFiles(true)
                    .setMinBlobSize(4096)
                    .setEnableBlobGarbageCollection(true);
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
                    new ColumnFamilyDescriptor(bytes("meta"), plain),
                    new ColumnFamilyDescriptor(bytes("data"), blobs),
                    new ColumnFamilyDescriptor(bytes("producers"), plain),
                    new ColumnFamilyDescriptor(bytes("access"), plain));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            long lastSeq = db.getLatestSequenceNumber();
            // The marker is gone before the first write, so a later crash is never mistaken for a clean stop.
            Files.deleteIfExists(marker);
            if (fresh) {
                LOG.info("rocksdb created at {}", dir);
            } else if (clean) {
                LOG.info("rocksdb opened at {}: clean open after an orderly shutdown ({} bytes of write-ahead log "
                        + "to replay), last sequence number {}", dir, walBytes, lastSeq);
            } else {
                LOG.info("rocksdb opened at {}: recovered after an unclean shutdown ({} bytes of write-ahead log "
                        + "to replay), last sequence number {}", dir, walBytes, lastSeq);
            }
            // RocksDB's own report is one line among many; restate each drop as one line an operator can act on.
            for (String[] drop : rocksLogger.endRecovery()) {
                LOG.warn("recovery: write-ahead log {} has a torn or corrupt tail after sequence {}; dropped {} bytes"
                        + " ({}); every commit before it is kept, the incomplete one is discarded",
                        drop[0], lastSeq, drop[1], drop[2]);
            }
            return new RocksLog(dir, db, dbOptions, List.of(plain, blobs), handles, sync, cache, rocksLogger);
        } catch (RocksDBException | IOException e) {
            throw new IllegalStateException("cannot open storage at " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long walBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (var files = Files.list(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().endsWith(".log")) total += Files.size(p);
            }
            return total;
        }
    }

    /** Receives each group commit's size and sync time (the metrics layer). */
    public void observe(CommitObserver observer) {
        this.observer = observer;
    }

    private static ColumnFamilyOptions columnOptions(LRUCache cache) {
        return new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache))
                .setWriteBufferSize(64L << 20);
    }

    // ---------------------------------------------------------------- writes

    @Override
    public CompletableFuture<Void> commit(List<LogOp> ops, BooleanSupplier valid) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new StreamError(StreamError.Kind.UNAVAILABLE, "storage is shutting down"));
            return done;
        }
        queue.add(new Pending(ops, valid, done));
        return done;
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        while (true) {
            try {
                Pending first = queue.take();
                if (first.ops == null) return; // poison pill from close()
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                boolean stop = group.get(group.size() - 1).ops == null;
                if (stop) group.remove(group.size() - 1);
                writeGroup(group);
                group.clear();
                if (stop) return;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("writer failed", e);
                for (Pending p : group) p.done.completeExceptionally(e);
                group.clear();
            }
        }
    }

    private void writeGroup(List<Pending> group) {
        List<Pending> written = new ArrayList<>(group.size());
        List<Pending> voided = new ArrayList<>();
        Set<Long> voidedStreams = new HashSet<>();
        try (WriteBatch batch = new WriteBatch()) {
            for (Pending p : group) {
                // A commit after a voided one on the same stream may have been validated on top of it: void it too.
                if (!p.valid.getAsBoolean() || touchesAny(p.ops, voidedStreams)) {
                    voided.add(p);
                    streamIds(p.ops, voidedStreams);
                    continue;
                }
                for (LogOp op : p.ops) apply(batch, op);
                written.add(p);
            }
            if (!written.isEmpty()) {
                long started = System.nanoTime();
                db.write(commitWrite, batch);
                observer.group(written.size(), System.nanoTime() - started);
            }
        } catch (RocksDBException e) {
            StreamError err = classify(e);
            LOG.error("write of {} commits failed ({}): {}", written.size(), err.kind(), e.getMessage());
            for (Pending p : written) p.done.completeExceptionally(err);
            written.clear();
        }
        // Successes are answered by the ack thread while this one syncs the next group. Failures complete here,
        // after the commits queued before them are durable (so an engine that reloads a stream's state on failure
        // reads every earlier commit) and before the next group is validated (its commits may depend on the
        // failed ones and must be voided).
        if (!written.isEmpty()) {
            acks.execute(() -> {
                for (Pending p : written) p.done.complete(null);
            });
        }
        for (Pending p : voided) {
            p.done.completeExceptionally(new StreamError(StreamError.Kind.UNAVAILABLE,
                    "an earlier write to this stream failed; retry"));
        }
    }

    private static void streamIds(List<LogOp> ops, Set<Long> into) {
        for (LogOp op : ops) into.add(op.streamId());
    }

    private static boolean touchesAny(List<LogOp> ops, Set<Long> streams) {
        if (streams.isEmpty()) return false;
        for (LogOp op : ops) if (streams.contains(op.streamId())) return true;
        return false;
    }

    private void apply(WriteBatch batch, LogOp op) throws RocksDBException {
        if (op instanceof LogOp.PutRecord r) {
            batch.put(data, key(r.streamId(), r.offset()), r.bytes());
        } else if (op instanceof LogOp.PutMeta m) {
            batch.put(meta, key(m.meta().id()), MetaCodec.encode(m.meta()));
        } else if (op instanceof LogOp.PutProducer p) {
            batch.put(producers, producerKey(p.streamId(), p.producerId()),
                    ByteBuffer.allocate(16).putLong(p.state().epoch()).putLong(p.state().lastSeq()).array());
        } else if (op instanceof LogOp.DropStream d) {
            long id = d.streamId();
            // Every drop writes the running maximum, so a failed batch's value is written by the next drop.
            highestDroppedId = Math.max(highestDroppedId, id);
            batch.put(db.getDefaultColumnFamily(), HIGHEST_DROPPED_ID, key(highestDroppedId));
            batch.delete(meta, key(id));
            batch.delete(access, key(id));
            batch.deleteRange(data, key(id, 0), key(id + 1, 0));
            batch.deleteRange(producers, key(id), key(id + 1));
        }
    }

    private static StreamError classify(RocksDBException e) {
        Status s = e.getStatus();
        boolean noSpace = s != null && (s.getSubCode() == Status.SubCode.NoSpace
                || String.valueOf(s.getState()).toLowerCase().contains("no space"));
        return noSpace ? new StreamError(StreamError.Kind.INSUFFICIENT_STORAGE, "storage is full")
                : new StreamError(StreamError.Kind.UNAVAILABLE, "storage write failed");
    }

    @Override
    public void persistAccessTimes(Map<Long, Long> lastAccessById) {
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<Long, Long> e : lastAccessById.entrySet()) {
                batch.put(access, key(e.getKey()), ByteBuffer.allocate(8).putLong(e.getValue()).array());
            }
            db.write(lazyWrite, batch);
        } catch (RocksDBException e) {
            LOG.warn("could not persist stream access times: {}", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public LogChunk read(long streamId, long from, long to, int maxBytes, boolean wholeRecords, boolean mustReturn) {
        RecordReader reader = new RecordReader(from, to, maxBytes, wholeRecords, mustReturn);
        try (ReadOptions ro = new ReadOptions().setFillCache(true);
             RocksIterator it = db.newIterator(data, ro)) {
            it.seekForPrev(key(streamId, from));
            if (!it.isValid() || idOf(it.key()) != streamId) it.seek(key(streamId, from));
            for (; it.isValid(); it.next()) {
                byte[] k = it.key();
                if (idOf(k) != streamId) break;
                if (!reader.offer(offsetOf(k), it.value())) break;
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StreamError(StreamError.Kind.UNAVAILABLE, "storage read failed: " + e.getMessage());
        }
        return reader.result();
    }

    @Override
    public byte[] recordAt(long streamId, long offset) {
        try {
            return db.get(data, key(streamId, offset));
        } catch (RocksDBException e) {
            throw new StreamError(StreamError.Kind.UNAVAILABLE, "storage read failed: " + e.getMessage());
        }
    }

    @Override
    public boolean readsBlock() {
        return true;
    }

    @Override
    public StreamMeta loadMeta(long streamId) {
        try {
            byte[] v = db.get(meta, key(streamId));
            if (v == null) return null;
            StreamMeta m = MetaCodec.decode(streamId, v);
            byte[] a = db.get(access, key(streamId));
            return a == null ? m : MetaCodec.withAccess(m, Math.max(m.lastAccessMillis(), ByteBuffer.wrap(a).getLong()));
        } catch (RocksDBException e) {
            throw new StreamError(StreamError.Kind.UNAVAILABLE, "storage read failed: " + e.getMessage());
        }
    }

    @Override
    public Map<String, ProducerState> loadProducers(long streamId) {
        Map<String, ProducerState> out = new HashMap<>();
        try (RocksIterator it = db.newIterator(producers)) {
            for (it.seek(key(streamId)); it.isValid() && idOf(it.key()) == streamId; it.next()) {
                out.put(producerIdOf(it.key()), producerState(it.value()));
            }
        }
        return out;
    }

    @Override
    public Recovered recover() {
        List<StreamMeta> metas = new ArrayList<>();
        Map<Long, Long> accessTimes = new HashMap<>();
        try (RocksIterator it = db.newIterator(access)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                accessTimes.put(idOf(it.key()), ByteBuffer.wrap(it.value()).getLong());
            }
        }
        try (RocksIterator it = db.newIterator(meta)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long id = idOf(it.key());
                StreamMeta m = MetaCodec.decode(id, it.value());
                Long a = accessTimes.get(id);
                metas.add(a == null ? m : MetaCodec.withAccess(m, Math.max(a, m.lastAccessMillis())));
            }
        }
        Map<Long, Map<String, ProducerState>> prods = new HashMap<>();
        try (RocksIterator it = db.newIterator(producers)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                prods.computeIfAbsent(idOf(it.key()), k -> new HashMap<>())
                        .put(producerIdOf(it.key()), producerState(it.value()));
            }
        }
        try {
            byte[] dropped = db.get(db.getDefaultColumnFamily(), HIGHEST_DROPPED_ID);
            highestDroppedId = dropped == null ? 0 : idOf(dropped);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the highest dropped stream id: " + e.getMessage(), e);
        }
        return new Recovered(metas, prods, highestDroppedId);
    }

    // ---------------------------------------------------------------- keys

    static byte[] key(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    static byte[] key(long id, long offset) {
        return ByteBuffer.allocate(16).putLong(id).putLong(offset).array();
    }

    private static byte[] producerKey(long id, String producerId) {
        byte[] p = producerId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + p.length).putLong(id).put(p).array();
    }

    private static long idOf(byte[] key) {
        return ByteBuffer.wrap(key, 0, 8).getLong();
    }

    private static long offsetOf(byte[] key) {
        return ByteBuffer.wrap(key, 8, 8).getLong();
    }

    private static String producerIdOf(byte[] key) {
        return new String(key, 8, key.length - 8, StandardCharsets.UTF_8);
    }

    private static ProducerState producerState(byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        return new ProducerState(b.getLong(), b.getLong());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void close() {
        if (closing) return;
        closing = true;
        queue.add(new Pending(null, null, null));
        try {
            writer.join(10_000);
            acks.shutdown();
            acks.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Flushing the memtables leaves the write-ahead log with nothing to replay, so the next start is a clean
        // open; only then is the marker written.
        boolean flushed = false;
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.syncWal();
            db.flush(fo, handles);
            flushed = true;
        } catch (RocksDBException e) {
            LOG.warn("final flush failed; the next start replays the write-ahead log: {}", e.getMessage());
        }
        for (ColumnFamilyHandle h : handles) h.close();
        db.close();
        if (flushed) writeCleanMarker();
        commitWrite.close();
        lazyWrite.close();
        for (ColumnFamilyOptions o : cfOptions) o.close();
        dbOptions.close();
        cache.close();
        rocksLogger.close();
    }

    private void writeCleanMarker() {
        Path marker = dir.resolve(CLEAN_MARKER);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(marker,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
            LOG.info("rocksdb closed cleanly at {}", dir);
        } catch (IOException e) {
            LOG.warn("could not write the clean-shutdown marker {}: {}", marker, e.getMessage());
        }
    }

    /** Sends RocksDB's own log (recovery reports, I/O errors) to SLF4J. */
    private static final class ForwardingLogger extends org.rocksdb.Logger {
        private static final Logger ROCKS = LoggerFactory.getLogger("rocksdb");
        private static final java.util.regex.Pattern REPORT = java.util.regex.Pattern.compile(
                "Corruption|corrupt|[Dd]ropping|[Tt]runcat|Point in time|Recovering log|recovered to");
        /** RocksDB's log-reader report during WAL replay: {@code <path>/000012.log: dropping 123 bytes; <status>}. */
        private static final java.util.regex.Pattern DROP = java.util.regex.Pattern.compile(
                "(\\d+\\.log): dropping (\\d+) bytes; (.*)$");
        private final List<String[]> drops = new ArrayList<>();
        private volatile boolean recovering = true;

        ForwardingLogger(DBOptions options) {
            super(options);
            setInfoLogLevel(InfoLogLevel.INFO_LEVEL);
        }

        /** The WAL drops reported while the database opened: {file, bytes, reason}. */
        synchronized List<String[]> endRecovery() {
            recovering = false;
            return List.copyOf(drops);
        }

        @Override
        protected void log(InfoLogLevel level, String message) {
            if (recovering) {
                java.util.regex.Matcher m = DROP.matcher(message);
                if (m.find()) {
                    synchronized (this) {
                        drops.add(new String[] {m.group(1), m.group(2), m.group(3).trim()});
                    }
                }
            }
            switch (level) {
                case ERROR_LEVEL, FATAL_LEVEL -> ROCKS.error(message);
                case WARN_LEVEL -> ROCKS.warn(message);
                default -> {
                    // Recovery and corruption reports are what an operator needs; the rest is noise.
                    if (REPORT.matcher(message).find()) {
                        ROCKS.info(message);
                    } else {
                        ROCKS.debug(message);
                    }
                }
            }
        }
    }
}
