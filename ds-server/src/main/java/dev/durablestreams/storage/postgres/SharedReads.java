package dev.durablestreams.storage.postgres;

import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.ReadResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Identical reads waiting at once on this node share one query. A commit wakes every live reader of its stream at
 * the same moment, all at the same offset: without sharing, R readers cost R queries per append; with it, a few.
 * A read joins another only until that one's query starts, so every reader's query begins after its request
 * arrived and sees every append acknowledged before it (read-your-writes holds, across nodes too); reads arriving
 * while a query runs share the next one.
 */
final class SharedReads {
    /** What makes two reads the same. */
    record Key(String path, long incarnation, ReadFrom from, int maxBytes) {}

    /** Reads whose query has not started yet: others may still join them. */
    private final ConcurrentHashMap<Key, CompletableFuture<ReadResult>> waiting = new ConcurrentHashMap<>();

    /**
     * The result of {@code key}'s read: a waiting one's, or a new one by {@code query}, which must run the
     * {@code Runnable} it is given before its first statement (from then on, no one joins it).
     */
    CompletableFuture<ReadResult> read(Key key, Function<Runnable, CompletableFuture<ReadResult>> query) {
        CompletableFuture<ReadResult> mine = new CompletableFuture<>();
        CompletableFuture<ReadResult> other = waiting.putIfAbsent(key, mine);
        if (other != null) return other.thenApply(SharedReads::ownBuffers);
        query.apply(() -> waiting.remove(key, mine)).whenComplete((r, err) -> {
            waiting.remove(key, mine); // when the query failed before it started
            if (err != null) mine.completeExceptionally(err);
            else mine.complete(r);
        });
        return mine;
    }

    /** The same result with buffer positions of its own, so no reader's consumption moves another's. */
    private static ReadResult ownBuffers(ReadResult r) {
        if (r.chunks().isEmpty()) return r;
        List<ByteBuffer> chunks = new ArrayList<>(r.chunks().size());
        for (ByteBuffer b : r.chunks()) chunks.add(b.duplicate());
        return new ReadResult(r.incarnation(), r.contentType(), r.json(), r.start(), chunks, r.next(), r.upToDate(),
                r.closed(), r.nextCommit());
    }
}
