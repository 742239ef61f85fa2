package dev.durablestreams.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.AppendResult;
import dev.durablestreams.storage.CommitSignal;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.CreateResult;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.StorageHealth;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import dev.durablestreams.storage.StreamInfo;
import dev.durablestreams.storage.StreamListener;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.storage.engine.CommitObserver;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.LogChunk;
import dev.durablestreams.storage.rules.AppendBody;
import dev.durablestreams.storage.rules.CreatePlan;
import dev.durablestreams.storage.rules.CreateRules;
import dev.durablestreams.storage.rules.Deletion;
import dev.durablestreams.storage.rules.ForkPoint;
import dev.durablestreams.storage.rules.InitialBody;
import dev.durablestreams.storage.rules.NewRecord;
import dev.durablestreams.storage.rules.ReadRules;
import dev.durablestreams.storage.rules.StreamMeta;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StreamStore} on PostgreSQL: any number of server nodes share one database and keep no stream state of
 * their own. Each mutation is one transaction that locks its stream's row ({@code FOR UPDATE}), applies the shared
 * rules of {@code storage.rules} to the row and writes what they decide (record, tail, producer state, Stream-Seq,
 * closed flag together), so concurrent appends to one stream serialize on its row and appends to different streams
 * never contend. Statements run on a bounded worker pool, never on the caller's thread.
 *
 * <p>Live readers are woken by commits on any node: each commit that changes a stream notifies what changed
 * ({@link ChangeFeed}); this node's own commits also wake its readers directly. The same notifications tell the
 * subscription leader about every node's changes ({@link #watch}).
 */
public final class PostgresStore implements StreamStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    /** SQLSTATEs after which a transaction is simply run again: unique violation (a concurrent create), serialization, deadlock. */
    private static final List<String> RETRY = List.of("23505", "40001", "40P01");
    private static final int MAX_ATTEMPTS = 5;
    private static final long SWEEP_MILLIS = 1_000;
    private static final int SWEEP_BATCH = 100;
    private static final int MAX_TYPE_HINTS = 100_000;
    /** Bodies up to this size are validated on the caller's thread (the engine's threshold). */
    private static final int INLINE_APPEND_BYTES = 64 * 1024;
    /** SQLSTATE disk_full. */
    private static final String DISK_FULL = "53100";

    private final HikariDataSource pool;
    private final HikariDataSource commitPool;
    private final ExecutorService workers;
    private final EngineOptions options;
    private final LongSupplier clock;
    private final Signals signals = new Signals();
    private final StorageHealth health = new StorageHealth();
    private final String channel;
    private final ChangeFeed feed;
    private final ScheduledExecutorService sweeper;
    final GroupCommit commits; // tests gather batches through its gate
    /**
     * Content types of recently appended streams, by path: appends validate their body before joining a batch
     * without asking the database each time. Only a hint; the batch re-validates when the stream's type differs.
     */
    private final ConcurrentHashMap<String, String> typeHints = new ConcurrentHashMap<>();
    private final StreamCount streamCount;
    private final SharedReads sharedReads = new SharedReads();

    private static HikariDataSource pool(PgConfig config, String name, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.jdbcUrl());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(1);
        hc.setAutoCommit(false);
        // search_path is a startup parameter of every pooled connection, not a later SET that could be undone.
        hc.addDataSourceProperty("currentSchema", config.schema());
        hc.setSchema(config.schema());
        hc.setPoolName(name);
        hc.setConnectionTimeout(5_000);
        hc.setInitializationFailTimeout(-1); // start even while the database is down; requests answer 503 meanwhile
        return new HikariDataSource(hc);
    }

    /** Connects, creates or migrates the schema, and opens the store. */
    public static PostgresStore open(PgConfig config, EngineOptions options) {
        return new PostgresStore(config, options, System::currentTimeMillis, SWEEP_MILLIS);
    }

    PostgresStore(PgConfig config, EngineOptions options, LongSupplier clock) {
        this(config, options, clock, SWEEP_MILLIS);
    }

    /** @param sweepMillis how often this node sweeps expired streams; 0 for never (tests call {@link #sweep()}) */
    PostgresStore(PgConfig config, EngineOptions options, LongSupplier clock, long sweepMillis) {
        this.options = options;
        this.clock = clock;
        // Migrations run on their own connection before the pool exists: Flyway sets and restores search_path on the
        // connection it uses, and no pooled connection may keep a search_path from before the schema existed.
        Migrations.migrate(config);
        this.pool = pool(config, "ds-pg", config.poolSize());
        // The group commit's own connection: appends never wait for one behind reads holding the workers' ones.
        this.commitPool = pool(config, "ds-pg-commit", 1);
        this.channel = ChangeFeed.channel(config.schema());
        this.feed = new ChangeFeed(config, signals);
        if (!feed.awaitListening(10_000)) LOG.warn("not yet listening for changes of other nodes; still trying");
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.poolSize(), r -> {
            Thread t = new Thread(r, "ds-pg-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ds-pg-expiry");
            t.setDaemon(true);
            return t;
        });
        if (sweepMillis > 0) {
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        }
        this.commits = new GroupCommit(commitPool, options, clock, health, this::notifyChanges, this::afterCommit,
                this::hint);
        this.streamCount = new StreamCount(() -> inTx(tx -> PgTables.streamCount(tx.c)), workers);
        streamCount.get(); // the first count, so the gauge has a value by the first scrape
        LOG.info("storage ready: PostgreSQL {}", config);
    }

    /**
     * Sends every durable create, append and delete made by any node on this database to {@code listener} (on the
     * change feed's thread, in commit order per stream), and calls {@code missed} when some may have been lost (the
     * notification connection dropped): the listener should then re-read what it tracks.
     */
    public void watch(StreamListener listener, Runnable missed) {
        feed.watch(new ChangeFeed.Watcher() {
            @Override
            public void changed(StreamChange c) {
                switch (c.kind()) {
                    case StreamChange.CREATED -> listener.created(c.path(), Offset.at(c.tail()));
                    case StreamChange.ADVANCED -> listener.advanced(c.path(), Offset.at(c.tail()));
                    case StreamChange.DELETED -> listener.deleted(c.path());
                    default -> { } // readers only
                }
            }

            @Override
            public void missed() {
                missed.run();
            }
        });
    }

    // ---------------------------------------------------------------- create

    @Override
    public CompletableFuture<CreateResult> create(CreateRequest req) {
        return async(() -> {
            String sourceType = req.fork() == null ? null : inTx(tx -> PgTables.contentType(tx.c, req.fork().sourcePath()));
            InitialBody body = InitialBody.parse(req.body(), CreateRules.expectedContentType(req, sourceType));
            return inTx(tx -> doCreate(tx, req, body));
        });
    }

    private CreateResult doCreate(Tx tx, CreateRequest req, InitialBody body) throws SQLException {
        long now = clock.getAsLong();
        StreamRow existing = PgTables.load(tx.c, req.path(), true);
        if (existing != null && !existing.meta().softDeleted() && existing.meta().isExpired(now)) {
            remove(tx, existing);
            existing = null;
        }
        if (existing != null) {
            CreateRules.requireSame(existing.meta(), existing.sourcePath(), req);
            return new CreateResult(false, info(existing.meta()));
        }
        if (req.fork() == null) {
            CreatePlan plan = CreateRules.plain(PgTables.nextId(tx.c), now, req, body, options.limits(), totalBytes(tx));
            write(tx, plan, null, 0);
            tx.changed(StreamChange.created(plan.meta().path(), plan.meta().tail()));
            return new CreateResult(true, info(plan.meta()));
        }
        StreamRow src = PgTables.load(tx.c, req.fork().sourcePath(), true);
        if (src != null && !src.meta().softDeleted() && src.meta().isExpired(now)) {
            remove(tx, src);
            src = null;
        }
        ForkPoint point = CreateRules.fork(src == null ? null : src.meta(), src == null ? 0 : src.depth(),
                src == null ? 0 : src.meta().tail(), req, options.maxForkDepth());
        byte[] record = point.needsRecord() ? recordAt(tx.c, src, point.at(), point.sourceTail()) : null;
        byte[] prefix = CreateRules.subOffsetPrefix(point, record, src.meta().json());
        CreatePlan plan = CreateRules.fork(PgTables.nextId(tx.c), now, req, body, src.meta(), point, prefix,
                options.limits(), totalBytes(tx));
        write(tx, plan, src.path(), src.depth() + 1);
        PgTables.addReference(tx.c, src, 1);
        tx.changed(StreamChange.created(plan.meta().path(), plan.meta().tail()));
        return new CreateResult(true, info(plan.meta()));
    }

    private static void write(Tx tx, CreatePlan plan, String sourcePath, int depth) throws SQLException {
        PgTables.insert(tx.c, plan.meta(), sourcePath, depth);
        for (NewRecord r : plan.records()) PgTables.insertRecord(tx.c, plan.meta(), r);
    }

    /** The record starting exactly at {@code offset} as {@code s} sees it (cut at {@code limit}), or {@code null}. */
    private static byte[] recordAt(Connection c, StreamRow s, long offset, long limit) throws SQLException {
        while (s != null && s.sourcePath() != null && offset < s.meta().forkOffset()) {
            limit = Math.min(limit, s.meta().forkOffset());
            s = PgTables.load(c, s.sourcePath(), s.meta().forkSourceId(), false);
        }
        if (s == null) return null;
        byte[] record = PgTables.recordAt(c, s.path(), s.id(), offset);
        if (record != null && offset + record.length > limit) record = Arrays.copyOf(record, (int) (limit - offset));
        return record;
    }

    private long totalBytes(Tx tx) throws SQLException {
        return options.maxTotalBytes() == Long.MAX_VALUE ? 0 : PgTables.totalBytes(tx.c);
    }

    // ---------------------------------------------------------------- append and close

    /**
     * Validates the body, then joins the next group commit ({@link GroupCommit}). A small append to a stream whose
     * type this node knows is validated on the caller's thread, as the engine does (no hop, and no wait behind
     * reads queued on the workers); others on a worker, which asks the database for the type.
     */
    @Override
    public CompletableFuture<AppendResult> append(AppendRequest req) {
        String hint = typeHints.get(req.path());
        if (hint != null && req.body().length <= INLINE_APPEND_BYTES) {
            return commits.submit(req, AppendBody.parse(MediaType.isJson(hint), req));
        }
        return async(() -> {
            String type = typeHints.get(req.path());
            if (type == null) {
                type = inTx(tx -> PgTables.contentType(tx.c, req.path()));
                if (type != null) hint(req.path(), type);
            }
            return AppendBody.parse(type != null && MediaType.isJson(type), req);
        }).thenCompose(body -> commits.submit(req, body));
    }

    private void hint(String path, String contentType) {
        if (typeHints.size() >= MAX_TYPE_HINTS) typeHints.clear(); // a bound, not a cache policy: misses cost a query
        typeHints.put(path, contentType);
    }

    // ---------------------------------------------------------------- delete and expiry

    @Override
    public CompletableFuture<Void> delete(String path) {
        return async(() -> inTx(tx -> {
            remove(tx, lookup(tx, path, clock.getAsLong(), true));
            return null;
        }));
    }

    /**
     * Deletes {@code s} (its row locked): a soft delete while forks read through it, else a purge that releases its
     * source and cascades up the chain, locking each ancestor it changes (child before source, as creates do).
     */
    static void remove(Tx tx, StreamRow s) throws SQLException {
        if (Deletion.isSoft(s.meta().refCount())) {
            PgTables.softDelete(tx.c, s);
            tx.changed(StreamChange.deleted(s.path()));
            return;
        }
        List<StreamRow> purged = new ArrayList<>();
        purged.add(s);
        StreamRow survivor = source(tx.c, s);
        while (survivor != null && Deletion.purgedWithLastFork(survivor.meta().softDeleted(), survivor.meta().refCount())) {
            purged.add(survivor);
            survivor = source(tx.c, survivor);
        }
        for (StreamRow c : purged) {
            PgTables.drop(tx.c, c);
            tx.changed(StreamChange.deleted(c.path()));
        }
        if (survivor != null) {
            PgTables.addReference(tx.c, survivor, -1);
            tx.changed(StreamChange.touched(survivor.path()));
        }
    }

    /**
     * Removes up to a batch of expired streams; returns how many. Any number of nodes sweep at once without doing
     * the same work twice: each locks the streams it takes ({@code FOR UPDATE SKIP LOCKED}) and skips those another
     * node (or a request) holds. Streams are also removed when a request finds them expired.
     */
    int sweep() {
        return inTx(tx -> {
            long now = clock.getAsLong();
            int removed = 0;
            for (String path : PgTables.expiredPaths(tx.c, now, SWEEP_BATCH)) {
                StreamRow s = PgTables.load(tx.c, path, true); // already locked by this transaction
                if (s != null && !s.meta().softDeleted() && s.meta().isExpired(now)) {
                    remove(tx, s);
                    removed++;
                }
            }
            return removed;
        });
    }

    private void sweepQuietly() {
        try {
            while (sweep() == SWEEP_BATCH) {
                // a full batch: more may be waiting
            }
        } catch (RuntimeException e) {
            LOG.warn("expiry sweep failed: {}", e.getMessage());
        }
    }

    private static StreamRow source(Connection c, StreamRow s) throws SQLException {
        return s.sourcePath() == null ? null : PgTables.load(c, s.sourcePath(), s.meta().forkSourceId(), true);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public CompletableFuture<StreamInfo> info(String path) {
        return async(() -> inTx(tx -> info(lookup(tx, path, clock.getAsLong(), false).meta())));
    }

    @Override
    public CompletableFuture<ReadResult> read(String path, long incarnation, ReadFrom from, int maxBytes) {
        // Taken before the tail is read: a commit landing in between fires it (no lost wake-up).
        return sharedReads.read(new SharedReads.Key(path, incarnation, from, maxBytes), started -> async(() -> {
            started.run();
            // Taken before the tail is read: a commit landing in between fires it (no lost wake-up).
            CommitSignal signal = signals.current(path);
            return inTx(tx -> doRead(tx, path, incarnation, from, maxBytes, signal));
        }));
    }

    private ReadResult doRead(Tx tx, String path, long incarnation, ReadFrom from, int maxBytes, CommitSignal signal)
            throws SQLException {
        long now = clock.getAsLong();
        StreamRow s = lookup(tx, path, now, false);
        if (incarnation != ANY_INCARNATION && s.id() != incarnation) throw StreamError.notFound();
        StreamMeta m = s.meta();
        if (m.ttl() != null) PgTables.touch(tx.c, s, now);
        long tail = m.tail();
        long start = ReadRules.start(from, tail);
        if (start == tail) {
            return new ReadResult(s.id(), m.contentType(), m.json(), Offset.at(tail), List.of(), Offset.at(tail), true,
                    m.closed(), signal);
        }
        List<ByteBuffer> out = new ArrayList<>();
        long end = readChain(tx.c, s, start, tail, Math.max(1, maxBytes), out);
        return new ReadResult(s.id(), m.contentType(), m.json(), Offset.at(start), out, Offset.at(end), end == tail,
                m.closed() && end == tail, signal);
    }

    /**
     * Reads {@code [from, to)} through the fork chain, inherited ranges first (one statement per stream), as
     * {@code ForkChain.read} does for the engine.
     */
    private static long readChain(Connection c, StreamRow s, long from, long to, int budget, List<ByteBuffer> out)
            throws SQLException {
        List<StreamRow> chain = new ArrayList<>();
        List<Long> limits = new ArrayList<>();
        long limit = to;
        for (StreamRow r = s; ; ) {
            chain.add(r);
            limits.add(limit);
            if (r.sourcePath() == null || from >= r.meta().forkOffset()) break;
            limit = Math.min(limit, r.meta().forkOffset());
            StreamRow next = PgTables.load(c, r.sourcePath(), r.meta().forkSourceId(), false);
            if (next == null) throw new StreamError(Kind.UNAVAILABLE, "fork source is missing");
            r = next;
        }
        long pos = from;
        int used = 0;
        for (int i = chain.size() - 1; i >= 0; i--) {
            StreamRow r = chain.get(i);
            long end = limits.get(i);
            if (pos >= end) continue;
            if (used >= budget) return pos;
            LogChunk chunk = PgTables.read(c, r.path(), r.id(), pos, end, budget - used, r.meta().json(), out.isEmpty());
            if (pos == from && r.meta().json() && chunk.startsInsideRecord()) {
                throw new StreamError(Kind.BAD_REQUEST, "offset is not at a message boundary");
            }
            out.addAll(chunk.buffers());
            used += chunk.bytes();
            pos = chunk.end();
            if (pos < end) return pos;
        }
        return pos;
    }

    /**
     * Finds a usable stream: 404 when missing or expired (an expired stream is removed, and that committed, first),
     * 410 when soft-deleted. Locks its row when {@code forUpdate}.
     */
    private static StreamRow lookup(Tx tx, String path, long now, boolean forUpdate) throws SQLException {
        StreamRow s = PgTables.load(tx.c, path, forUpdate);
        if (s == null) throw StreamError.notFound();
        if (s.meta().softDeleted()) throw StreamError.gone();
        if (s.meta().isExpired(now)) {
            StreamRow locked = forUpdate ? s : PgTables.load(tx.c, path, s.id(), true);
            if (locked != null && !locked.meta().softDeleted() && locked.meta().isExpired(now)) remove(tx, locked);
            tx.commitBeforeFailing = true;
            throw StreamError.notFound();
        }
        return s;
    }

    /** Blocks its caller (the subscription thread) for one query: the listing is synchronous by contract. */
    @Override
    public Collection<String> paths() {
        return inTx(tx -> PgTables.livePaths(tx.c));
    }

    /** One statement for all the paths, on the caller's thread (the subscription thread). */
    @Override
    public Map<String, Offset> tails(Collection<String> paths) {
        if (paths.isEmpty()) return Map.of();
        Map<String, Offset> out = new HashMap<>();
        inTx(tx -> PgTables.tails(tx.c, paths, clock.getAsLong())).forEach((p, t) -> out.put(p, Offset.at(t)));
        return out;
    }

    private static StreamInfo info(StreamMeta m) {
        return new StreamInfo(m.path(), m.contentType(), Offset.at(m.tail()), m.closed(), m.ttl(), m.expiresAt());
    }

    // ---------------------------------------------------------------- transactions

    /** One transaction's connection, and what to do once it commits. */
    static final class Tx {
        final Connection c;
        final List<StreamChange> changes = new ArrayList<>(2);
        /** A refusal that follows a change which must stand (an expired stream removed on the way). */
        boolean commitBeforeFailing;

        Tx(Connection c) {
            this.c = c;
        }

        void changed(StreamChange change) {
            changes.add(change);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /** Runs {@code work} in one transaction, again on a transient conflict; live readers are woken after commit. */
    private <T> T inTx(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                Tx tx = new Tx(c);
                try {
                    T result = work.run(tx);
                    notifyChanges(tx);
                    c.commit();
                    health.commitSucceeded();
                    afterCommit(tx);
                    return result;
                } catch (StreamError e) {
                    if (tx.commitBeforeFailing) {
                        notifyChanges(tx);
                        c.commit();
                        afterCommit(tx);
                    } else {
                        c.rollback();
                    }
                    health.commitSucceeded(); // the database answered: a refusal by the rules, not a fault
                    throw e;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                if (RETRY.contains(e.getSQLState()) && attempt < MAX_ATTEMPTS) continue;
                LOG.warn("PostgreSQL statement failed ({}): {}", e.getSQLState(), e.getMessage());
                StreamError err = unavailable(e);
                health.commitFailed(err.kind());
                throw err;
            }
        }
    }

    /** The answer to a failed statement: 507 when the database is out of disk, else 503. */
    static StreamError unavailable(SQLException e) {
        return DISK_FULL.equals(e.getSQLState())
                ? new StreamError(Kind.INSUFFICIENT_STORAGE, "storage is full")
                : new StreamError(Kind.UNAVAILABLE, "storage unavailable");
    }

    /** Queues the notifications of {@code tx}'s changes in one statement; PostgreSQL sends them when it commits. */
    void notifyChanges(Tx tx) throws SQLException {
        ChangeFeed.notify(tx.c, channel, tx.changes);
    }

    void afterCommit(Tx tx) {
        for (StreamChange change : tx.changes) if (change.wakesReaders()) signals.fire(change.path());
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    /**
     * Fails from a transaction that could not reach the database (or was not committed) until the next one that
     * did: readiness reports such a node not ready while PostgreSQL is down.
     */
    @Override
    public StorageHealth health() {
        return health;
    }

    /** One empty transaction, so readiness notices that the database is back without waiting for client traffic. */
    @Override
    public CompletableFuture<Void> probeWrite() {
        return async(() -> inTx(tx -> null));
    }

    /** Receives each group commit's size and transaction time (the metrics layer), as the RocksDB writer's. */
    public void observe(CommitObserver observer) {
        commits.observe(observer);
    }

    /**
     * Streams stored in the database (all nodes'), for the {@code ds.streams} gauge: the last count, refreshed in
     * the background when older than a few seconds, so reading it never waits for the database; -1 before the
     * first count.
     */
    public int streamCount() {
        return streamCount.get();
    }

    private <T> CompletableFuture<T> async(Supplier<T> op) {
        try {
            return CompletableFuture.supplyAsync(op, workers);
        } catch (RuntimeException e) { // rejected: closed
            return CompletableFuture.failedFuture(new StreamError(Kind.UNAVAILABLE, "storage is closed"));
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commits.close(); // after the workers: appends they validated still get their batch
        feed.close();
        pool.close();
        commitPool.close();
    }
}
