package dev.durablestreams.storage.engine;

import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.storage.CommitSignal;
import dev.durablestreams.storage.StreamInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * In-memory state of one stream. Mutable fields are guarded by the object's monitor.
 *
 * <p>Two views of the tail: {@code tail}/{@code closed} include commits that are validated but not yet durable
 * (so pipelined appends validate against each other); {@link #durable} is what
 * readers see, advanced only when the log confirms a commit.
 */
final class StreamState {
    final long id;
    final String path;
    final String contentType;
    final boolean json;
    final Long ttlSeconds;
    final Instant expiresAt;
    final long createdAtMillis;
    final StreamState source;
    final long forkOffset;
    final long forkSubOffset;
    /** Forks between this stream and the root of its chain (0 when it is no fork). */
    final int depth;

    long tail;
    boolean closed;
    Producer closedBy;
    String lastSeq;
    final Map<String, ProducerState> producers = new HashMap<>();
    int refCount;
    boolean softDeleted;
    boolean removed;

    /** What readers see, replaced as a whole on each durable commit so the read path takes no lock. */
    record Durable(long tail, boolean closed, CommitSignal signal, RecentRecords recent) {}

    volatile Durable durable = new Durable(0, false, new CommitSignal(), RecentRecords.emptyAt(0));
    volatile boolean durableCreated;

    /** Bumped when state is reloaded after a failed commit; commits validated under an older value are void. */
    volatile long generation;
    CompletableFuture<Void> lastCommit = CompletableFuture.completedFuture(null);

    volatile long lastAccessMillis;
    long persistedAccessMillis;

    /**
     * When a reader last waited at this stream's tail. Only streams read live within {@link #LIVE_READER_NANOS}
     * keep their newest records in memory ({@link RecentRecords}).
     */
    private volatile long liveReaderNanos = System.nanoTime() - LIVE_READER_NANOS;
    private static final long LIVE_READER_NANOS = 30_000_000_000L;

    StreamState(long id, String path, String contentType, Long ttlSeconds, Instant expiresAt, long createdAtMillis,
                StreamState source, long forkOffset, long forkSubOffset) {
        this.id = id;
        this.path = path;
        this.contentType = contentType;
        this.json = MediaType.isJson(contentType);
        this.ttlSeconds = ttlSeconds;
        this.expiresAt = expiresAt;
        this.createdAtMillis = createdAtMillis;
        this.source = source;
        this.forkOffset = forkOffset;
        this.forkSubOffset = forkSubOffset;
        this.depth = source == null ? 0 : source.depth + 1;
        this.lastAccessMillis = createdAtMillis;
    }

    boolean isExpired(long nowMillis) {
        if (expiresAt != null && nowMillis >= expiresAt.toEpochMilli()) return true;
        return ttlSeconds != null && nowMillis - lastAccessMillis >= ttlSeconds * 1000;
    }

    synchronized StreamMeta meta() {
        return new StreamMeta(id, path, contentType, ttlSeconds == null ? -1 : ttlSeconds,
                expiresAt == null ? -1 : expiresAt.toEpochMilli(), createdAtMillis,
                source == null ? -1 : source.id, forkOffset, forkSubOffset,
                tail, closed, closedBy, lastSeq, refCount, softDeleted, lastAccessMillis);
    }

    StreamInfo durableInfo() {
        Durable d = durable;
        return new StreamInfo(path, contentType, Offset.at(d.tail()), d.closed(), ttlSeconds, expiresAt);
    }

    /** A reader at the tail will wait for what comes next: keep the next records in memory for it. */
    void noteLiveReader() {
        long now = System.nanoTime();
        if (now - liveReaderNanos > 1_000_000_000L) liveReaderNanos = now; // at most once a second: a shared write
    }

    /**
     * Publishes a new durable view and fires the previous commit signal. Callers serialize per stream (they hold the
     * stream's monitor or are the log's single completion thread).
     */
    void publish(long tail, boolean closed, List<LogOp> ops) {
        Durable old = durable;
        long newTail = Math.max(old.tail(), tail);
        RecentRecords recent = old.recent();
        if (System.nanoTime() - liveReaderNanos < LIVE_READER_NANOS) {
            for (LogOp op : ops) {
                if (op instanceof LogOp.PutRecord r && r.streamId() == id) recent = recent.plus(r.offset(), r.bytes());
            }
        }
        if (recent.end() != newTail) recent = RecentRecords.emptyAt(newTail);
        durable = new Durable(newTail, old.closed() || closed, new CommitSignal(), recent);
        durableCreated = true;
        old.signal().fire();
    }

    /** Restores the pending view from persisted metadata (after a failed commit, and at start-up). */
    synchronized void restore(StreamMeta m, Map<String, ProducerState> persistedProducers) {
        tail = m.tail();
        closed = m.closed();
        closedBy = m.closedBy();
        lastSeq = m.lastSeq();
        refCount = m.refCount();
        softDeleted = m.softDeleted();
        producers.clear();
        if (persistedProducers != null) producers.putAll(persistedProducers);
        Durable old = durable;
        durable = new Durable(tail, closed, new CommitSignal(), RecentRecords.emptyAt(tail));
        durableCreated = true;
        generation++;
        old.signal().fire();
    }
}
