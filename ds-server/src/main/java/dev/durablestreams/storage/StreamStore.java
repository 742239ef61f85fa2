package dev.durablestreams.storage;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.ReadFrom;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The storage contract: atomic combined operations on streams. Every mutation is one atomic, durable commit
 * (data, tail, producer state, Stream-Seq, closed flag and fork reference counts together), and its future
 * completes only once the commit is durable. Failures complete the future with a {@link StreamError}.
 *
 * <p>Callers may invoke these methods from event-loop threads: implementations never block the caller.
 */
public interface StreamStore extends AutoCloseable {

    /** PUT: create (optionally closed, with data, or as a fork), or confirm an identical existing stream. */
    CompletableFuture<CreateResult> create(CreateRequest request);

    /** POST: append, close-only, or append-and-close, with optional producer and Stream-Seq checks. */
    CompletableFuture<AppendResult> append(AppendRequest request);

    /** DELETE: removes the stream, or soft-deletes it while forks still read through it. */
    CompletableFuture<Void> delete(String path);

    /** HEAD: metadata; does not renew the sliding TTL. */
    CompletableFuture<StreamInfo> info(String path);

    /** Matches whichever stream lives at a path, in {@link #read(String, long, ReadFrom, int)}. */
    long ANY_INCARNATION = -1;

    /**
     * GET: reads at most about {@code maxBytes} starting at {@code from}; renews the sliding TTL. An empty
     * result at the tail carries the commit signal a live reader waits on. An offset beyond the tail fails with
     * a 400 {@link StreamError}.
     */
    default CompletableFuture<ReadResult> read(String path, ReadFrom from, int maxBytes) {
        return read(path, ANY_INCARNATION, from, maxBytes);
    }

    /**
     * Reads as {@link #read(String, ReadFrom, int)}, but only from the stream whose
     * {@link ReadResult#incarnation()} is {@code incarnation}: a live reader follows the stream it started on, so
     * once that stream is deleted it gets 404 (or 410 while forks read through it), never the data of a stream
     * re-created at the same path.
     */
    CompletableFuture<ReadResult> read(String path, long incarnation, ReadFrom from, int maxBytes);

    /**
     * Whether writes currently succeed, and commit failures by kind (for readiness and metrics). A store that does
     * not track them reports {@link StorageHealth#UNTRACKED}: always writable, no failures.
     */
    default StorageHealth health() {
        return StorageHealth.UNTRACKED;
    }

    /**
     * Tries one empty commit, so readiness can notice that storage accepts writes again after a fault without
     * waiting for client traffic. Completes (normally or not) once storage answered; the outcome lands in
     * {@link #health()}.
     */
    default CompletableFuture<Void> probeWrite() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The tails of the live streams among {@code paths}, for subscriptions catching up with stored state (a path
     * with no live stream is absent). Blocks its caller; backends that can read many rows at once override it.
     */
    default Map<String, Offset> tails(Collection<String> paths) {
        Map<String, Offset> out = new HashMap<>();
        for (String p : paths) {
            try {
                out.put(p, info(p).join().tail());
            } catch (RuntimeException e) {
                // missing, gone or unreadable: absent
            }
        }
        return out;
    }

    /**
     * The paths of the live streams, for subscription backfill; a weakly consistent view (streams created or
     * deleted meanwhile may or may not appear). Backends without a listing return an empty list.
     */
    default Collection<String> paths() {
        return List.of();
    }

    @Override
    void close();
}
