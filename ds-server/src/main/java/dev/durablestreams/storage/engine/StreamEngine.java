package dev.durablestreams.storage.engine;

import dev.durablestreams.protocol.Headers;
import dev.durablestreams.protocol.JsonMessages;
import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ProducerCheck;
import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.protocol.StreamSeq;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.AppendResult;
import dev.durablestreams.storage.CommitSignal;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.CreateResult;
import dev.durablestreams.storage.ForkSpec;
import dev.durablestreams.storage.ReadResult;
import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import dev.durablestreams.storage.StreamInfo;
import dev.durablestreams.storage.StreamStore;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, StreamState> byPath = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, StreamState> byId = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong totalBytes = new AtomicLong();
    private final Object structure = new Object();
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
        InitialBody body = InitialBody.parse(req.body(), expectedContentType(req));
        long now = clock.getAsLong();
        synchronized (structure) {
            StreamState existing = byPath.get(req.path());
            if (existing != null && !existing.softDeleted && existing.isExpired(now)) {
                removeLocked(existing);
                existing = null;
            }
            if (existing != null) {
                if (existing.softDeleted) {
                    throw new StreamError(Kind.CONFLICT, "stream was deleted; its path is retained while forks exist");
                }
                if (!sameConfig(existing, req)) {
                    throw new StreamError(Kind.CONFLICT, "stream exists with a different configuration");
                }
                StreamState found = existing;
                return found.lastCommit.thenApply(v -> new CreateResult(false, found.durableInfo()));
            }
            return req.fork() == null ? createPlain(req, body, now) : createFork(req, body, now);
        }
    }

    /** The content type a create will most likely get; a fork's is its source's, re-checked under the lock. */
    private String expectedContentType(CreateRequest req) {
        if (req.contentType() != null) return req.contentType();
        StreamState src = req.fork() == null ? null : byPath.get(req.fork().sourcePath());
        return src != null ? src.contentType : MediaType.DEFAULT;
    }

    private CompletableFuture<CreateResult> createPlain(CreateRequest req, InitialBody body, long now) {
        String contentType = req.contentType() == null ? MediaType.DEFAULT : req.contentType();
        byte[] initial = body.storedAs(contentType);
        checkLimits(initial.length, initial.length);
        StreamState s = new StreamState(nextId.getAndIncrement(), req.path(), contentType, req.ttlSeconds(),
                req.expiresAt(), now, null, 0, 0);
        List<LogOp> ops = new ArrayList<>(2);
        if (initial.length > 0) ops.add(new LogOp.PutRecord(s.id, 0, initial));
        synchronized (s) {
            s.tail = initial.length;
            s.closed = req.closed();
            ops.add(new LogOp.PutMeta(s.meta()));
            register(s, initial.length);
            return commit(ops, List.of(s), () -> markDurable(s, s.tail, s.closed, ops))
                    .thenApply(v -> new CreateResult(true, s.durableInfo()));
        }
    }

    private CompletableFuture<CreateResult> createFork(CreateRequest req, InitialBody body, long now) {
        ForkSpec fork = req.fork();
        StreamState src = byPath.get(fork.sourcePath());
        if (src != null && !src.softDeleted && src.isExpired(now)) {
            removeLocked(src);
            src = null;
        }
        if (src == null || !src.durableCreated) throw new StreamError(Kind.NOT_FOUND, "fork source not found");
        if (src.softDeleted) throw new StreamError(Kind.CONFLICT, "fork source was deleted");
        if (src.depth >= options.maxForkDepth()) {
            throw new StreamError(Kind.BAD_REQUEST, "fork chain too deep: at most " + options.maxForkDepth()
                    + " forks deep (--max-fork-depth)");
        }
        String contentType = req.contentType() == null ? src.contentType : req.contentType();
        if (!MediaType.sameType(contentType, src.contentType)) {
            throw new StreamError(Kind.CONFLICT, "fork content type differs from the source's");
        }
        long sourceTail = src.durable.tail();
        long at = sourceTail;
        if (fork.offset() != null) {
            if (fork.offset().readSeq() != 0 || fork.offset().position() > sourceTail) {
                throw new StreamError(Kind.BAD_REQUEST, "fork offset is beyond the source's tail");
            }
            at = fork.offset().position();
        }
        byte[] prefix = new byte[0];
        if (fork.subOffset() > 0) {
            if (fork.offset() == null) {
                throw new StreamError(Kind.BAD_REQUEST, "Stream-Fork-Sub-Offset needs an explicit Stream-Fork-Offset");
            }
            prefix = subOffsetPrefix(src, at, sourceTail, fork.subOffset());
        }
        byte[] initial = body.storedAs(contentType);
        checkLimits(prefix.length + initial.length, prefix.length + initial.length);
        boolean inherit = req.ttlSeconds() == null && req.expiresAt() == null;
        StreamState s = new StreamState(nextId.getAndIncrement(), req.path(), contentType,
                inherit ? src.ttlSeconds : req.ttlSeconds(), inherit ? src.expiresAt : req.expiresAt(), now,
                src, at, fork.subOffset());
        List<LogOp> ops = new ArrayList<>(4);
        long tail = at;
        if (prefix.length > 0) {
            ops.add(new LogOp.PutRecord(s.id, tail, prefix));
            tail += prefix.length;
        }
        if (initial.length > 0) {
            ops.add(new LogOp.PutRecord(s.id, tail, initial));
            tail += initial.length;
        }
        synchronized (s) {
            synchronized (src) {
                s.tail = tail;
                s.closed = req.closed();
                ops.add(new LogOp.PutMeta(s.meta()));
                src.refCount++;
                ops.add(new LogOp.PutMeta(src.meta()));
                register(s, prefix.length + initial.length);
                return commit(ops, List.of(s, src), () -> markDurable(s, s.tail, s.closed, ops))
                        .thenApply(v -> new CreateResult(true, s.durableInfo()));
            }
        }
    }

    /** The first {@code n} bytes (or JSON messages) of the append that starts exactly at {@code at}. */
    private byte[] subOffsetPrefix(StreamState src, long at, long sourceTail, long n) {
        if (at >= sourceTail) throw new StreamError(Kind.BAD_REQUEST, "no data at the fork offset to take a sub-offset of");
        byte[] record = ForkChain.recordAt(log, src, at, sourceTail);
        if (record == null) throw new StreamError(Kind.BAD_REQUEST, "fork offset is not at the start of an append");
        int len;
        if (src.json) {
            len = n > Integer.MAX_VALUE ? -1 : JsonMessages.prefixLength(record, (int) n);
        } else {
            len = n > record.length ? -1 : (int) n;
        }
        if (len < 0) throw new StreamError(Kind.BAD_REQUEST, "Stream-Fork-Sub-Offset is larger than the append");
        return Arrays.copyOf(record, len);
    }

    private static boolean sameConfig(StreamState s, CreateRequest req) {
        ForkSpec fork = req.fork();
        if (req.contentType() != null ? !MediaType.sameType(s.contentType, req.contentType())
                : fork == null && !MediaType.sameType(s.contentType, MediaType.DEFAULT)) {
            return false;
        }
        boolean inheritedLifetime = fork != null && req.ttlSeconds() == null && req.expiresAt() == null;
        if (!inheritedLifetime
                && (!Objects.equals(s.ttlSeconds, req.ttlSeconds()) || !Objects.equals(s.expiresAt, req.expiresAt()))) {
            return false;
        }
        synchronized (s) {
            if (s.closed != req.closed()) return false;
        }
        if (s.source == null || fork == null) return s.source == null && fork == null;
        return s.source.path.equals(fork.sourcePath())
                && (fork.offset() == null || fork.offset().equals(Offset.at(s.forkOffset)))
                && fork.subOffset() == s.forkSubOffset;
    }

    private void register(StreamState s, long bytes) {
        byPath.put(s.path, s);
        byId.put(s.id, s);
        totalBytes.addAndGet(bytes);
    }

    private void checkLimits(long streamBytesAfter, long added) {
        if (streamBytesAfter > options.maxStreamBytes()) {
            throw new StreamError(Kind.TOO_LARGE, "stream would exceed its size limit");
        }
        if (added > 0 && totalBytes.get() + added > options.maxTotalBytes()) {
            throw new StreamError(Kind.INSUFFICIENT_STORAGE, "storage is full");
        }
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
        // Parse before taking the lock (bodies may be large); report the error in its place in the check order.
        JsonMessages.Batch batch = null;
        ProtocolException jsonError = null;
        if (s.json && !req.closeOnly()) {
            try {
                batch = JsonMessages.parse(req.body());
            } catch (ProtocolException e) {
                jsonError = e;
            }
        }
        Producer p = req.producer();
        synchronized (s) {
            if (s.removed) throw StreamError.notFound();
            if (s.softDeleted) throw StreamError.gone();
            if (s.closed) return alreadyClosed(s, req);
            if (!req.closeOnly() && !MediaType.sameType(s.contentType, req.contentType())) {
                throw new StreamError(Kind.CONFLICT, "content type does not match the stream's");
            }
            if (p != null) {
                ProducerCheck check = ProducerCheck.evaluate(s.producers.get(p.id()), p);
                if (check instanceof ProducerCheck.Duplicate d) {
                    return s.lastCommit.thenApply(v -> durableResult(s, d.epoch(), d.lastSeq(), true));
                }
                rejectProducer(check);
            }
            if (req.streamSeq() != null && !req.closeOnly() && !StreamSeq.mayFollow(s.lastSeq, req.streamSeq())) {
                throw new StreamError(Kind.CONFLICT, "Stream-Seq must increase");
            }
            if (jsonError != null) throw new StreamError(Kind.BAD_REQUEST, jsonError.getMessage());
            if (batch != null && batch.count() == 0) {
                throw new StreamError(Kind.BAD_REQUEST, "an empty JSON array appends nothing");
            }
            byte[] bytes = batch != null ? batch.stored() : req.body();
            checkLimits(s.tail - s.forkOffset + bytes.length, bytes.length);

            List<LogOp> ops = new ArrayList<>(3);
            if (bytes.length > 0) {
                ops.add(new LogOp.PutRecord(s.id, s.tail, bytes));
                s.tail += bytes.length;
                totalBytes.addAndGet(bytes.length);
            }
            if (req.close()) {
                s.closed = true;
                s.closedBy = p;
            }
            if (p != null) {
                ProducerState ps = new ProducerState(p.epoch(), p.seq());
                s.producers.put(p.id(), ps);
                ops.add(new LogOp.PutProducer(s.id, p.id(), ps));
            }
            if (req.streamSeq() != null && !req.closeOnly()) s.lastSeq = req.streamSeq();
            ops.add(new LogOp.PutMeta(s.meta()));
            long tail = s.tail;
            boolean closed = s.closed;
            return commit(ops, List.of(s), () -> markDurable(s, tail, closed, ops))
                    .thenApply(v -> new AppendResult(Offset.at(tail), closed,
                            p == null ? -1 : p.epoch(), p == null ? -1 : p.seq(), false));
        }
    }

    /** A POST to a closed stream: a retry of the closing request or a close-only is fine, anything else 409. */
    private CompletableFuture<AppendResult> alreadyClosed(StreamState s, AppendRequest req) {
        Producer p = req.producer();
        if (p != null && p.sameAs(s.closedBy)) {
            return s.lastCommit.thenApply(v -> durableResult(s, p.epoch(), p.seq(), true));
        }
        if (req.closeOnly() && p == null) return s.lastCommit.thenApply(v -> durableResult(s, -1, -1, false));
        throw new StreamError(Kind.CONFLICT, "stream is closed", Map.of(
                Headers.STREAM_CLOSED, "true", Headers.STREAM_NEXT_OFFSET, Offset.at(s.tail).toString()));
    }

    private static AppendResult durableResult(StreamState s, long epoch, long seq, boolean duplicate) {
        StreamState.Durable d = s.durable;
        return new AppendResult(Offset.at(d.tail()), d.closed(), epoch, seq, duplicate);
    }

    private static void rejectProducer(ProducerCheck check) {
        if (check instanceof ProducerCheck.StaleEpoch st) {
            throw new StreamError(Kind.STALE_EPOCH, "producer epoch is stale",
                    Map.of(Headers.PRODUCER_EPOCH, Long.toString(st.currentEpoch())));
        }
        if (check instanceof ProducerCheck.BadEpochStart) {
            throw new StreamError(Kind.BAD_REQUEST, "a new producer epoch must start at seq 0");
        }
        if (check instanceof ProducerCheck.Gap g) {
            throw new StreamError(Kind.CONFLICT, "producer sequence gap", Map.of(
                    Headers.PRODUCER_EXPECTED_SEQ, Long.toString(g.expected()),
                    Headers.PRODUCER_RECEIVED_SEQ, Long.toString(g.received())));
        }
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
            if (s.refCount > 0) {
                s.softDeleted = true;
                ops.add(new LogOp.PutMeta(s.meta()));
                touched.add(s);
                return commit(ops, touched, () -> fireSignal(s));
            }
            List<StreamState> purged = new ArrayList<>();
            purged.add(s);
            StreamState survivor = s.source;
            while (survivor != null && survivor.softDeleted && survivor.refCount == 1) {
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
        long start;
        try {
            start = from.startIn(tail);
        } catch (ProtocolException e) {
            throw new StreamError(Kind.BAD_REQUEST, e.getMessage());
        }
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
                onDurable.run();
                return null;
            }
            StreamError failure = asStreamError(err);
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
            StreamState s = new StreamState(m.id(), m.path(), m.contentType(),
                    m.ttlSeconds() < 0 ? null : m.ttlSeconds(),
                    m.expiresAtMillis() < 0 ? null : Instant.ofEpochMilli(m.expiresAtMillis()), m.createdAtMillis(),
                    source, m.forkOffset(), m.forkSubOffset());
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
