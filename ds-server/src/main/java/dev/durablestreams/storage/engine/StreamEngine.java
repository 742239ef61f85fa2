package dev.durablestreams.storage.engine;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ProducerState;
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
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.storage.rules.AppendBody;
import dev.durablestreams.storage.rules.AppendDecision;
import dev.durablestreams.storage.rules.AppendRules;
import dev.durablestreams.storage.rules.CreatePlan;
import dev.durablestreams.storage.rules.CreateRules;
import dev.durablestreams.storage.rules.Deletion;
import dev.durablestreams.storage.rules.ForkPoint;
import dev.durablestreams.storage.rules.InitialBody;
import dev.durablestreams.storage.rules.NewRecord;
import dev.durablestreams.storage.rules.Limits;
import dev.durablestreams.storage.rules.ReadRules;
import dev.durablestreams.storage.rules.StreamMeta;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StreamStore} for single-node backends: all protocol rules (check order, producers, Stream-Seq,
 * forks, soft delete, TTL) applied to in-memory stream state, persisted through a {@link StreamLog}.
 *
 * <p>Concurrency: one monitor per stream orders validation and commit submission, so the log sees each
 * stream's commits in validation order; a structure monitor serializes creates and deletes. Locks nest
 * structure, then child stream, then its ancestors, never the other way. Responses wait for durability; readers
 * see only durable data.
 */
public final class StreamEngine implements StreamStore {
    private static final Logger LOG = LoggerFactory.getLogger(StreamEngine.class);
    private static final long SWEEP_MILLIS = 250;
    private static final long ACCESS_PERSIST_MILLIS = 5_000;
    private static final int INLINE_APPEND_BYTES = 64 * 1024;
    /** Storage worker threads: large validations and log reads that may block. */
    static final int WORKERS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private final StreamLog log;
    private final EngineOptions options;
    /** The size limits, built once: every append checks them. */
    private final Limits limits;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, StreamState> byPath = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, StreamState> byId = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong totalBytes = new AtomicLong();
    private final Object structure = new Object();
    private final StorageHealth health = new StorageHealth();
    private final ExecutorService workers;
    private final ScheduledExecutorService sweeper;
    private long lastAccessPersist;
    /** Runs where a create's body is validated; tests use it to hold a create there. */
    private volatile Consumer<CreateRequest> validationHook = r -> {};

    public StreamEngine(StreamLog log, EngineOptions options) {
        this(log, options, System::currentTimeMillis);
    }

    StreamEngine(StreamLog log, EngineOptions options, LongSupplier clock) {
        this.log = log;
        this.options = options;
        this.limits = options.limits();
        this.clock = clock;
        this.workers = Executors.newFixedThreadPool(WORKERS, daemon("ds-storage"));
        long started = System.nanoTime();
        int recovered = recover();
        LOG.info("storage ready: {} streams recovered in {} ms", recovered,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("ds-expiry"));
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- create

    @Override
    public CompletableFuture<CreateResult> create(CreateRequest req) {
        // Like appends: small plain creates run on the caller's thread (the structure monitor is held only
        // briefly), so they never queue behind large bodies being validated on the workers. Forks go to a worker:
        // a sub-offset reads the log.
        if (req.fork() != null || req.body().length > INLINE_APPEND_BYTES) return async(() -> doCreate(req));
        try {
            return doCreate(req);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** For tests: {@code hook} runs for every create, where its body is validated. */
    void onCreateValidation(Consumer<CreateRequest> hook) {
        validationHook = hook;
    }

    private CompletableFuture<CreateResult> doCreate(CreateRequest req) {
        validationHook.accept(req);
        StreamState expectedSource = req.fork() == null ? null : byPath.get(req.fork().sourcePath());
        InitialBody body = InitialBody.parse(req.body(),
                CreateRules.expectedContentType(req, expectedSource == null ? null : expectedSource.contentType));
        long now = clock.getAsLong();
        synchronized (structure) {
            StreamState existing = byPath.get(req.path());
            if (existing != null && !existing.softDeleted && existing.isExpired(now)) {
                removeLocked(existing);
                existing = null;
            }
            if (existing != null) {
                CreateRules.requireSame(existing.meta(), existing.source == null ? null : existing.source.path, req);
                StreamState found = existing;
                return found.lastCommit.thenApply(v -> new CreateResult(false, found.durableInfo()));
            }
            return req.fork() == null ? createPlain(req, body, now) : createFork(req, body, now);
        }
    }

    private CompletableFuture<CreateResult> createPlain(CreateRequest req, InitialBody body, long now) {
        CreatePlan plan = CreateRules.plain(nextId.get(), now, req, body, limits, totalBytes.get());
        nextId.incrementAndGet(); // creates are serialized by the structure monitor
        StreamState s = new StreamState(plan.meta(), null);
        List<LogOp> ops = new ArrayList<>(2);
        addRecords(s, plan, ops);
        synchronized (s) {
            s.tail = plan.meta().tail();
            s.closed = plan.meta().closed();
            ops.add(new LogOp.PutMeta(s.meta()));
            register(s, plan.bytes());
            return commit(ops, List.of(s), () -> markDurable(s, s.tail, s.closed, ops))
                    .thenApply(v -> new CreateResult(true, s.durableInfo()));
        }
    }

    private CompletableFuture<CreateResult> createFork(CreateRequest req, InitialBody body, long now) {
        StreamState src = byPath.get(req.fork().sourcePath());
        if (src != null && !src.softDeleted && src.isExpired(now)) {
            removeLocked(src);
            src = null;
        }
        boolean usable = src != null && src.durableCreated;
        StreamMeta srcMeta = usable ? src.meta() : null;
        ForkPoint point = CreateRules.fork(srcMeta, usable ? src.depth : 0, usable ? src.durable.tail() : 0, req,
                options.maxForkDepth());
        byte[] record = point.needsRecord() ? ForkChain.recordAt(log, src, point.at(), point.sourceTail()) : null;
        byte[] prefix = CreateRules.subOffsetPrefix(point, record, src.json);
        CreatePlan plan = CreateRules.fork(nextId.get(), now, req, body, srcMeta, point, prefix, limits,
                totalBytes.get());
        nextId.incrementAndGet(); // creates are serialized by the structure monitor
        StreamState s = new StreamState(plan.meta(), src);
        List<LogOp> ops = new ArrayList<>(4);
        addRecords(s, plan, ops);
        synchronized (s) {
            synchronized (src) {
                s.tail = plan.meta().tail();
                s.closed = plan.meta().closed();
                ops.add(new LogOp.PutMeta(s.meta()));
                src.refCount++;
                ops.add(new LogOp.PutMeta(src.meta()));
                register(s, plan.bytes());
                return commit(ops, List.of(s, src), () -> markDurable(s, s.tail, s.closed, ops))
                        .thenApply(v -> new CreateResult(true, s.durableInfo()));
            }
        }
    }

    private static void addRecords(StreamState s, CreatePlan plan, List<LogOp> ops) {
        for (NewRecord r : plan.records()) ops.add(new LogOp.PutRecord(s.id, r.offset(), r.bytes()));
    }

    private void register(StreamState s, long bytes) {
        byPath.put(s.path, s);
        byId.put(s.id, s);
        totalBytes.addAndGet(bytes);
    }

    // ---------------------------------------------------------------- append and close

    @Override
    public CompletableFuture<AppendResult> append(AppendRequest req) {
        // Validation and commit submission never block, so small appends run on the caller's thread (one hop
        // fewer per request); large bodies go to a worker because JSON validation of them takes a while.
        if (req.body().length > INLINE_APPEND_BYTES) return async(() -> doAppend(req));
        try {
            return doAppend(req);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<AppendResult> doAppend(AppendRequest req) {
        StreamState s = lookup(req.path(), true);
        AppendBody body = AppendBody.parse(s.json, req); // before the lock: bodies may be large
        Producer p = req.producer();
        synchronized (s) {
            if (s.removed) throw StreamError.notFound();
            AppendDecision decision = AppendRules.decide(s.meta(), p == null ? null : s.producers.get(p.id()), req,
                    body, limits, totalBytes.get());
            if (decision instanceof AppendDecision.Answer a) {
                return s.lastCommit.thenApply(v -> durableResult(s, a));
            }
            AppendDecision.Write w = (AppendDecision.Write) decision;
            List<LogOp> ops = new ArrayList<>(3);
            if (w.record().length > 0) {
                ops.add(new LogOp.PutRecord(s.id, w.recordOffset(), w.record()));
                totalBytes.addAndGet(w.record().length);
            }
            s.tail = w.next().tail();
            s.closed = w.next().closed();
            s.closedBy = w.next().closedBy();
            s.lastSeq = w.next().lastSeq();
            if (w.producer() != null) {
                s.producers.put(w.producerId(), w.producer());
                ops.add(new LogOp.PutProducer(s.id, w.producerId(), w.producer()));
            }
            ops.add(new LogOp.PutMeta(w.next())); // the state just set from it: the same as s.meta(), built once
            long tail = s.tail;
            boolean closed = s.closed;
            return commit(ops, List.of(s), () -> markDurable(s, tail, closed, ops))
                    .thenApply(v -> new AppendResult(Offset.at(tail), closed,
                            p == null ? -1 : p.epoch(), p == null ? -1 : p.seq(), false));
        }
    }

    private static AppendResult durableResult(StreamState s, AppendDecision.Answer a) {
        StreamState.Durable d = s.durable;
        return new AppendResult(Offset.at(d.tail()), d.closed(), a.epoch(), a.seq(), a.duplicate());
    }

    // ---------------------------------------------------------------- delete and expiry

    @Override
    public CompletableFuture<Void> delete(String path) {
        // On the caller's thread: a delete does no I/O but queue its commit, so it never waits for a worker.
        try {
            synchronized (structure) {
                StreamState s = lookup(path, false);
                return removeLocked(s);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Deletes {@code s}: a soft delete while forks read through it, else a purge that releases its source and
     * cascades up the chain. One atomic commit. Caller holds the structure monitor.
     *
     * <p>Only {@code s} and the first ancestor that survives can take appends meanwhile, so only their monitors
     * are held (child first). The ancestors purged in between are soft-deleted: they refuse appends, and only
     * creates and deletes, serialized by the structure monitor, commit to them. Holding a monitor per ancestor
     * would nest as deep as the chain.
     */
    private CompletableFuture<Void> removeLocked(StreamState s) {
        synchronized (s) {
            List<LogOp> ops = new ArrayList<>();
            List<StreamState> touched = new ArrayList<>();
            if (Deletion.isSoft(s.refCount)) {
                s.softDeleted = true;
                ops.add(new LogOp.PutMeta(s.meta()));
                touched.add(s);
                return commit(ops, touched, () -> fireSignal(s));
            }
            List<StreamState> purged = new ArrayList<>();
            purged.add(s);
            StreamState survivor = s.source;
            while (survivor != null && Deletion.purgedWithLastFork(survivor.softDeleted, survivor.refCount)) {
                purged.add(survivor);
                survivor = survivor.source;
            }
            if (survivor == null) return purge(purged, null, ops, touched);
            synchronized (survivor) {
                return purge(purged, survivor, ops, touched);
            }
        }
    }

    private CompletableFuture<Void> purge(List<StreamState> purged, StreamState survivor, List<LogOp> ops,
                                          List<StreamState> touched) {
        for (StreamState c : purged) {
            synchronized (c) { // uncontended but for s: publishes the changes to the read path's monitors
                drop(c, ops, touched);
            }
        }
        if (survivor != null) {
            survivor.refCount--;
            ops.add(new LogOp.PutMeta(survivor.meta()));
            touched.add(survivor);
        }
        return commit(ops, touched, () -> {
            for (StreamState t : touched) fireSignal(t);
        });
    }

    private void drop(StreamState c, List<LogOp> ops, List<StreamState> touched) {
        c.removed = true;
        byPath.remove(c.path, c);
        byId.remove(c.id, c);
        totalBytes.addAndGet(-(c.tail - c.forkOffset));
        ops.add(new LogOp.DropStream(c.id));
        touched.add(c);
    }

    private void sweep() {
        try {
            long now = clock.getAsLong();
            for (StreamState s : byPath.values()) {
                if (!s.softDeleted && s.durableCreated && s.isExpired(now)) {
                    synchronized (structure) {
                        if (byPath.get(s.path) == s && !s.softDeleted && s.isExpired(now)) removeLocked(s);
                    }
                }
            }
            if (now - lastAccessPersist >= ACCESS_PERSIST_MILLIS) {
                lastAccessPersist = now;
                persistAccessTimes();
            }
        } catch (RuntimeException e) {
            LOG.warn("expiry sweep failed", e);
        }
    }

    /** The sliding-TTL clock lives in memory; it reaches the log coarsely, never on the read path. */
    private void persistAccessTimes() {
        Map<Long, Long> changed = new HashMap<>();
        for (StreamState s : byId.values()) {
            long t = s.lastAccessMillis;
            if (s.ttlSeconds != null && t != s.persistedAccessMillis) {
                changed.put(s.id, t);
                s.persistedAccessMillis = t;
            }
        }
        if (!changed.isEmpty()) log.persistAccessTimes(changed);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public CompletableFuture<StreamInfo> info(String path) {
        try {
            return CompletableFuture.completedFuture(lookup(path, false).durableInfo());
        } catch (StreamError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<ReadResult> read(String path, long incarnation, ReadFrom from, int maxBytes) {
        try {
            StreamState s = lookup(path, true);
            // A live reader follows the stream it started on, never a stream re-created at its path.
            if (incarnation != ANY_INCARNATION && s.id != incarnation) throw StreamError.notFound();
            // Reads at the tail, and live readers woken by a commit, are answered from memory on the caller's
            // thread; only reads that need the log hop to a storage worker (when the log's reads may block).
            ReadResult r = doRead(s, from, maxBytes, !log.readsBlock());
            if (r != null) return CompletableFuture.completedFuture(r);
            return CompletableFuture.supplyAsync(() -> doRead(s, from, maxBytes, true), workers);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Reads one chunk; returns {@code null} when that needs the log and {@code mayUseLog} is false. */
    private ReadResult doRead(StreamState s, ReadFrom from, int maxBytes, boolean mayUseLog) {
        // One volatile read: the signal belongs to exactly this tail, so the next commit fires it (no lost wake-up).
        StreamState.Durable d = s.durable;
        CommitSignal signal = d.signal();
        long tail = d.tail();
        boolean closed = d.closed();
        long start = ReadRules.start(from, tail);
        if (start == tail) {
            if (!closed) s.noteLiveReader();
            return new ReadResult(s.id, s.contentType, s.json, Offset.at(tail), List.of(),
                    Offset.at(tail), true, closed, signal);
        }
        int budget = Math.max(1, maxBytes);
        long end;
        List<ByteBuffer> out;
        if (d.recent().covers(start, tail)) {
            LogChunk chunk = d.recent().read(start, new RecordReader(start, tail, budget, s.json, true));
            ForkChain.requireMessageBoundary(s, chunk);
            out = chunk.buffers();
            end = chunk.end();
        } else if (mayUseLog) {
            out = new ArrayList<>();
            end = ForkChain.read(log, s, start, tail, budget, out);
        } else {
            return null;
        }
        return new ReadResult(s.id, s.contentType, s.json, Offset.at(start), out, Offset.at(end), end == tail,
                closed && end == tail, signal);
    }

    /** Finds a usable stream: 404 when missing or expired, 410 when soft-deleted. */
    private StreamState lookup(String path, boolean touch) {
        StreamState s = byPath.get(path);
        if (s == null || !s.durableCreated) throw StreamError.notFound();
        if (s.softDeleted) throw StreamError.gone();
        long now = clock.getAsLong();
        if (s.isExpired(now)) {
            synchronized (structure) {
                if (byPath.get(path) == s && !s.softDeleted) removeLocked(s);
            }
            throw StreamError.notFound();
        }
        if (touch) s.lastAccessMillis = now;
        return s;
    }

    // ---------------------------------------------------------------- commits

    /**
     * Submits one atomic commit. Callers hold the monitors of every stream in {@code touched} that can take
     * appends (soft-deleted ones commit only under the structure monitor), so each stream's commits reach the log
     * in validation order. If the commit fails, touched streams are reset from the log and
     * commits validated on top of the failed one are voided by the generation check.
     */
    private CompletableFuture<Void> commit(List<LogOp> ops, List<StreamState> touched, Runnable onDurable) {
        long[] generations = new long[touched.size()];
        for (int i = 0; i < generations.length; i++) generations[i] = touched.get(i).generation;
        BooleanSupplier valid = () -> {
            for (int i = 0; i < generations.length; i++) {
                if (touched.get(i).generation != generations[i]) return false;
            }
            return true;
        };
        CompletableFuture<Void> done = log.commit(ops, valid).handle((v, err) -> {
            if (err == null) {
                health.commitSucceeded();
                onDurable.run();
                return null;
            }
            StreamError failure = asStreamError(err);
            health.commitFailed(failure.kind());
            for (int i = 0; i < generations.length; i++) {
                if (touched.get(i).generation == generations[i]) {
                    // The first failure of this stream's pending state (later ones are voided commits): say why.
                    LOG.warn("commit to stream {} failed ({}): {}; reloading its state from storage",
                            touched.get(i).path, failure.kind(), unwrap(err).toString());
                    reset(touched.get(i));
                }
            }
            throw failure;
        });
        for (StreamState t : touched) t.lastCommit = done;
        return done;
    }

    private static void markDurable(StreamState s, long tail, boolean closed, List<LogOp> ops) {
        synchronized (s) {
            s.publish(tail, closed, ops);
        }
    }

    private static void fireSignal(StreamState s) {
        synchronized (s) {
            s.publish(0, false, List.of());
        }
    }

    /** Resets a stream's pending view to what the log holds, after a commit it depended on failed. */
    private void reset(StreamState s) {
        StreamMeta meta;
        Map<String, ProducerState> producers;
        try {
            meta = log.loadMeta(s.id);
            producers = log.loadProducers(s.id);
        } catch (RuntimeException e) {
            LOG.error("cannot reload stream {} after a failed commit", s.path, e);
            meta = null;
            producers = Map.of();
        }
        synchronized (s) {
            if (meta == null) {
                // Never durably created: release the quota its pending bytes took (unless a drop already did).
                if (!s.removed) totalBytes.addAndGet(-(s.tail - s.forkOffset));
                s.removed = true;
                s.generation++;
                byPath.remove(s.path, s);
                byId.remove(s.id, s);
                s.durable.signal().fire(); // waiters re-read and find the stream gone
            } else {
                // A failed drop already released the stream's bytes; the restore below counts them again.
                long ownBefore = s.removed ? 0 : s.tail - s.forkOffset;
                s.restore(meta, producers);
                s.removed = false;
                byPath.putIfAbsent(s.path, s);
                byId.putIfAbsent(s.id, s);
                totalBytes.addAndGet((s.tail - s.forkOffset) - ownBefore);
            }
        }
    }

    private static Throwable unwrap(Throwable err) {
        return err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    }

    private static StreamError asStreamError(Throwable err) {
        Throwable cause = unwrap(err);
        if (cause instanceof StreamError se) return se;
        return new StreamError(Kind.UNAVAILABLE, "storage write failed");
    }

    private <T> CompletableFuture<T> async(Supplier<CompletableFuture<T>> op) {
        return CompletableFuture.supplyAsync(op, workers).thenCompose(f -> f);
    }

    // ---------------------------------------------------------------- lifecycle

    private int recover() {
        StreamLog.Recovered r = log.recover();
        List<StreamMeta> metas = new ArrayList<>(r.streams());
        metas.sort(Comparator.comparingLong(StreamMeta::id)); // a source is always older than its forks
        long maxId = 0;
        for (StreamMeta m : metas) {
            StreamState source = m.forkSourceId() < 0 ? null : byId.get(m.forkSourceId());
            if (m.forkSourceId() >= 0 && source == null) {
                throw new IllegalStateException("stream " + m.path() + " forks missing stream id " + m.forkSourceId());
            }
            StreamState s = new StreamState(m, source);
            s.restore(m, r.producers().get(m.id()));
            s.lastAccessMillis = m.lastAccessMillis();
            s.persistedAccessMillis = m.lastAccessMillis();
            byPath.put(s.path, s);
            byId.put(s.id, s);
            totalBytes.addAndGet(s.tail - s.forkOffset);
            maxId = Math.max(maxId, m.id());
        }
        nextId.set(Math.max(maxId, r.highestDroppedId()) + 1);
        return metas.size();
    }

    @Override
    public StorageHealth health() {
        return health;
    }

    @Override
    public CompletableFuture<Void> probeWrite() {
        return log.commit(List.of(), () -> true).handle((v, err) -> {
            if (err == null) health.commitSucceeded();
            else health.commitFailed(asStreamError(err).kind());
            return null;
        });
    }

    /** Number of streams currently known (live, soft-deleted or pending). */
    @Override
    public java.util.Collection<String> paths() {
        List<String> out = new ArrayList<>();
        byPath.forEach((path, s) -> {
            if (s.durableCreated && !s.softDeleted) out.add(path);
        });
        return out;
    }

    public int streamCount() {
        return byPath.size();
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        persistAccessTimes();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
