package dev.durablestreams.storage.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * What {@link StreamEngine} needs from a persistence backend: atomic, ordered commits and ranged reads of
 * stored records. All protocol rules live in the engine; a log only stores.
 */
public interface StreamLog extends AutoCloseable {

    /**
     * Everything persisted, for start-up.
     *
     * @param highestDroppedId the highest id of a stream ever dropped (0 if none): ids are never given out again,
     *     so a stream re-created after a restart never shares an id (and so an ETag) with a deleted one
     */
    record Recovered(List<StreamMeta> streams, Map<Long, Map<String, dev.durablestreams.protocol.ProducerState>> producers,
                     long highestDroppedId) {
        public Recovered(List<StreamMeta> streams,
                         Map<Long, Map<String, dev.durablestreams.protocol.ProducerState>> producers) {
            this(streams, producers, 0);
        }
    }

    Recovered recover();

    /**
     * Applies {@code ops} atomically and durably, in submission order relative to other commits. The future
     * completes once the commit is durable (or failed). {@code valid} is evaluated just before the commit is
     * written; when it is false the commit fails without being written (its stream's state was reset after an
     * earlier failure it depended on). A failure completes only after every commit submitted before it is durable
     * or failed, because the engine then reloads the stream with {@link #loadMeta} and must see those commits.
     */
    CompletableFuture<Void> commit(List<LogOp> ops, BooleanSupplier valid);

    /**
     * Reads stored bytes of one stream in {@code [from, to)}, about {@code maxBytes} at most. A record that
     * starts before {@code from} or ends after {@code to} is sliced. With {@code wholeRecords}, records are never
     * cut by the byte budget (one is always returned when {@code mustReturn}); otherwise the budget is filled
     * exactly. May block; the engine calls it off event loops when {@link #readsBlock()}.
     */
    LogChunk read(long streamId, long from, long to, int maxBytes, boolean wholeRecords, boolean mustReturn);

    /** One stream's persisted metadata, or {@code null} when it has none (used to reset after a failed commit). */
    StreamMeta loadMeta(long streamId);

    /** One stream's persisted producer states. */
    Map<String, dev.durablestreams.protocol.ProducerState> loadProducers(long streamId);

    /** The record starting exactly at {@code offset}, or {@code null}. */
    byte[] recordAt(long streamId, long offset);

    /** Whether reads may touch disk (and so must run off event loops). */
    boolean readsBlock();

    /** Persists last-access times of sliding-TTL streams; best effort, not synced. */
    void persistAccessTimes(Map<Long, Long> lastAccessById);

    @Override
    void close();
}
