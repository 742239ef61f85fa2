package dev.durablestreams.storage.rules;

import dev.durablestreams.protocol.ProducerState;

/** What an accepted POST does, as decided by {@link AppendRules}. Refusals are thrown as {@code StreamError}s. */
public sealed interface AppendDecision {

    /**
     * Write one atomic commit: {@code record} at {@code recordOffset} (when non-empty), the new metadata, and the
     * producer's new state (when the request carries a producer).
     *
     * @param producerId the request's producer, or {@code null}
     */
    record Write(StreamMeta next, long recordOffset, byte[] record, String producerId, ProducerState producer)
            implements AppendDecision {}

    /**
     * Write nothing: a retry of something already applied (or a close of a closed stream). Answer with the stream's
     * committed tail and closed flag once every earlier commit is durable.
     *
     * @param epoch producer epoch to echo, or -1
     * @param seq producer seq to echo, or -1
     */
    record Answer(long epoch, long seq, boolean duplicate) implements AppendDecision {}
}
