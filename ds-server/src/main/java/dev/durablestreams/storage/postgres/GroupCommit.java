package dev.durablestreams.storage.postgres;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.AppendResult;
import dev.durablestreams.storage.StorageHealth;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import dev.durablestreams.storage.engine.CommitObserver;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.rules.AppendBody;
import dev.durablestreams.storage.rules.AppendDecision;
import dev.durablestreams.storage.rules.AppendRules;
import dev.durablestreams.storage.rules.Limits;
import dev.durablestreams.storage.rules.StreamMeta;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of appends on PostgreSQL, the idea of the RocksDB writer: one thread runs one transaction at a time,
 * and every append that arrives while it runs goes into the next one. A transaction locks the rows of the streams
 * its appends touch ({@code FOR UPDATE}, one statement per stream, in path order so that nodes committing
 * overlapping batches cannot deadlock), applies the shared rules to each append in arrival order (later appends to
 * a stream see the earlier ones' new state), writes all accepted records with multi-row inserts, updates each
 * stream row once, queues one notification per changed stream and commits once. Every append is answered only
 * after that commit: a refused append (409, 403, ...) writes nothing and leaves the others alone; a database error
 * fails every append of the batch and none of them is stored.
 *
 * <p>Batches are bounded by count and bytes. An empty queue blocks the thread: no linger timer, so a lone append
 * is committed at once.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** Appends per transaction at most. */
    static final int MAX_BATCH = 512;
    /** Bytes of appended bodies per transaction at most (one larger append still goes alone). */
    static final long MAX_BATCH_BYTES = 8L << 20;
    /** Serialization failure and deadlock (with a delete or create locking a fork chain): run the batch again. */
    private static final List<String> RETRY = List.of("40001", "40P01");
    private static final int MAX_ATTEMPTS = 5;
    private static final Pending STOP = new Pending(null, null, null);

    /** One append waiting for its batch; {@code body} was validated against the stream's content type as known then. */
    record Pending(AppendRequest req, AppendBody body, CompletableFuture<AppendResult> done) {
        long bytes() {
            return req.body().length;
        }
    }

    private final DataSource pool;
    private final EngineOptions options;
    /** The size limits, built once: every append checks them. */
    private final Limits limits;
    private final LongSupplier clock;
    private final StorageHealth health;
    private final TxStep beforeCommit;
    private final Consumer<PostgresStore.Tx> afterCommit;
    private final BiConsumer<String, String> typeSeen;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Appends queued and not yet taken into a batch. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Held by the thread while it forms and commits a batch; tests hold it to gather one batch. */
    final ReentrantLock gate = new ReentrantLock();
    private final Thread thread;
    private boolean closing;
    private volatile CommitObserver observer = CommitObserver.NONE;
    /** An append that did not fit the last batch: the first of the next. */
    private Pending carried;

    /** A step run inside a transaction. */
    @FunctionalInterface
    interface TxStep {
        void run(PostgresStore.Tx tx) throws SQLException;
    }

    /**
     * @param beforeCommit queues the notifications of a transaction's changes (the store's, as for its other writes)
     * @param afterCommit wakes this node's readers of what a committed transaction changed
     * @param typeSeen told a stream's content type when a batch found a hint wrong
     */
    GroupCommit(DataSource pool, EngineOptions options, LongSupplier clock, StorageHealth health, TxStep beforeCommit,
                Consumer<PostgresStore.Tx> afterCommit, BiConsumer<String, String> typeSeen) {
        this.typeSeen = typeSeen;
        this.pool = pool;
        this.options = options;
        this.limits = options.limits();
        this.clock = clock;
        this.health = health;
        this.beforeCommit = beforeCommit;
        this.afterCommit = afterCommit;
        this.thread = new Thread(this::run, "ds-pg-commit");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues an append for the next batch; the future completes after that batch's commit. */
    CompletableFuture<AppendResult> submit(AppendRequest req, AppendBody body) {
        CompletableFuture<AppendResult> done = new CompletableFuture<>();
        synchronized (this) {
            if (closing) {
                done.completeExceptionally(new StreamError(Kind.UNAVAILABLE, "storage is shutting down"));
                return done;
            }
            queued.incrementAndGet();
            queue.add(new Pending(req, body, done));
        }
        return done;
    }

    /** Receives each batch's size and transaction time (the metrics layer). */
    void observe(CommitObserver observer) {
        this.observer = observer;
    }

    /** Appends queued and not yet in a batch (tests wait on it). */
    int queued() {
        return queued.get();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            Pending first;
            try {
                first = carried != null ? carried : queue.take();
            } catch (InterruptedException e) {
                break;
            }
            carried = null;
            if (first == STOP) break;
            gate.lock();
            try {
                batch.add(first);
                long bytes = first.bytes();
                while (batch.size() < MAX_BATCH) {
                    Pending p = queue.poll();
                    if (p == null) break;
                    if (p == STOP) {
                        stop = true;
                        break;
                    }
                    if (bytes + p.bytes() > MAX_BATCH_BYTES) {
                        carried = p;
                        break;
                    }
                    batch.add(p);
                    bytes += p.bytes();
                }
                queued.addAndGet(-batch.size());
                commit(batch);
            } catch (RuntimeException e) { // a bug: answer every append of the batch rather than leave them waiting
                LOG.error("append batch failed", e);
                for (Pending p : batch) p.done.completeExceptionally(e);
            } finally {
                batch.clear();
                gate.unlock();
            }
        }
        StreamError closed = new StreamError(Kind.UNAVAILABLE, "storage is shutting down");
        if (carried != null) carried.done.completeExceptionally(closed);
        for (Pending p; (p = queue.poll()) != null; ) if (p != STOP) p.done.completeExceptionally(closed);
    }

    /** Commits one batch, again after a deadlock or serialization failure (nothing of it was answered yet). */
    private void commit(List<Pending> batch) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                PostgresStore.Tx tx = new PostgresStore.Tx(c);
                Object[] outcomes;
                long started = System.nanoTime();
                try {
                    outcomes = apply(tx, batch);
                    beforeCommit.run(tx);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
                health.commitSucceeded();
                observer.group(batch.size(), System.nanoTime() - started);
                afterCommit.accept(tx);
                for (int i = 0; i < batch.size(); i++) {
                    if (outcomes[i] instanceof AppendResult r) batch.get(i).done.complete(r);
                    else batch.get(i).done.completeExceptionally((Throwable) outcomes[i]);
                }
                return;
            } catch (SQLException e) {
                if (RETRY.contains(e.getSQLState()) && attempt < MAX_ATTEMPTS) continue;
                StreamError err = PostgresStore.unavailable(e);
                LOG.warn("batch of {} appends failed ({}): {}", batch.size(), e.getSQLState(), e.getMessage());
                health.commitFailed(err.kind());
                for (Pending p : batch) p.done.completeExceptionally(err);
                return;
            }
        }
    }

    /** A stream of the batch as the appends before the current one left it. */
    private static final class Working {
        final StreamRow row; // as locked; null when missing (or just removed as expired)
        StreamMeta meta;
        boolean changed;
        boolean touched;
        final Map<String, ProducerState> producers = new HashMap<>();
        final Map<String, ProducerState> written = new LinkedHashMap<>();

        Working(StreamRow row) {
            this.row = row;
            this.meta = row == null ? null : row.meta();
        }

        ProducerState producer(Connection c, String id) throws SQLException {
            if (!producers.containsKey(id)) producers.put(id, PgTables.producer(c, row, id));
            return producers.get(id);
        }
    }

    /**
     * Locks, decides and writes the batch within {@code tx}; returns each append's outcome, an {@link AppendResult}
     * or the {@link RuntimeException} refusing it. Nothing is answered here: only after the commit.
     */
    private Object[] apply(PostgresStore.Tx tx, List<Pending> batch) throws SQLException {
        Connection c = tx.c;
        long now = clock.getAsLong();
        TreeSet<String> paths = new TreeSet<>();
        for (Pending p : batch) paths.add(p.req.path());
        Map<String, Working> streams = new HashMap<>();
        Map<String, StreamRow> locked = PgTables.lockAll(c, new ArrayList<>(paths)); // in path order
        for (String path : paths) {
            StreamRow s = locked.get(path);
            if (s != null && !s.meta().softDeleted() && s.meta().isExpired(now)) {
                PostgresStore.remove(tx, s); // stands once the batch commits, as a single append's removal would
                s = null;
            }
            streams.put(path, new Working(s));
        }
        long totalBytes = options.maxTotalBytes() == Long.MAX_VALUE ? 0 : PgTables.totalBytes(c);
        List<PgTables.RecordRow> records = new ArrayList<>();
        Object[] outcomes = new Object[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            Working w = streams.get(p.req.path());
            int before = records.size();
            try {
                outcomes[i] = decide(c, w, p, totalBytes, records);
            } catch (RuntimeException e) { // refused: this append writes nothing, the others go on
                outcomes[i] = e;
            }
            for (int k = before; k < records.size(); k++) totalBytes += records.get(k).bytes().length;
        }
        PgTables.insertRecords(c, records);
        List<PgTables.ProducerRow> producerRows = new ArrayList<>();
        List<StreamMeta> appended = new ArrayList<>();
        List<StreamRow> touched = new ArrayList<>();
        for (String path : paths) {
            Working w = streams.get(path);
            for (Map.Entry<String, ProducerState> e : w.written.entrySet()) {
                producerRows.add(new PgTables.ProducerRow(w.meta, e.getKey(), e.getValue()));
            }
            if (w.changed) {
                appended.add(w.meta);
                tx.changed(StreamChange.advanced(path, w.meta.tail()));
            } else if (w.touched) {
                touched.add(w.row);
            }
        }
        PgTables.putProducers(c, producerRows);
        PgTables.updateAppended(c, appended, now);
        for (StreamRow s : touched) PgTables.touch(c, s, now);
        return outcomes;
    }

    /** Applies the shared rules to one append against its stream's working state; adds its record to {@code records}. */
    private AppendResult decide(Connection c, Working w, Pending p, long totalBytes,
                                List<PgTables.RecordRow> records) throws SQLException {
        if (w.row == null) throw StreamError.notFound();
        StreamMeta m = w.meta;
        if (m.softDeleted()) throw StreamError.gone();
        AppendRequest req = p.req;
        AppendBody body = p.body;
        if (m.json() != (body.messages() >= 0 || body.error() != null) && !req.closeOnly()) {
            body = AppendBody.parse(m.json(), req); // validated for another content type (the path was re-created)
            typeSeen.accept(m.path(), m.contentType());
        }
        Producer producer = req.producer();
        AppendDecision decision = AppendRules.decide(m, producer == null ? null : w.producer(c, producer.id()), req,
                body, limits, totalBytes);
        if (decision instanceof AppendDecision.Answer a) {
            if (m.ttl() != null) w.touched = true;
            return new AppendResult(Offset.at(m.tail()), m.closed(), a.epoch(), a.seq(), a.duplicate());
        }
        AppendDecision.Write write = (AppendDecision.Write) decision;
        if (write.record().length > 0) {
            records.add(new PgTables.RecordRow(m, write.recordOffset(), write.record()));
        }
        if (write.producer() != null) {
            w.producers.put(write.producerId(), write.producer());
            w.written.put(write.producerId(), write.producer());
        }
        w.meta = write.next();
        w.changed = true;
        return new AppendResult(Offset.at(write.next().tail()), write.next().closed(),
                producer == null ? -1 : producer.epoch(), producer == null ? -1 : producer.seq(), false);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    /** Commits what is queued, then stops; appends submitted afterwards fail with 503. */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) return;
            closing = true;
            queue.add(STOP);
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
