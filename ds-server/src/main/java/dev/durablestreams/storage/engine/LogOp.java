package dev.durablestreams.storage.engine;

import dev.durablestreams.protocol.ProducerState;
import dev.durablestreams.storage.rules.StreamMeta;

/** One change inside an atomic commit. A commit's ops become durable together or not at all. */
public sealed interface LogOp {

    /** The stream this change belongs to. */
    long streamId();

    /** Writes (or rewrites) a stream's metadata. */
    record PutMeta(StreamMeta meta) implements LogOp {
        @Override
        public long streamId() {
            return meta.id();
        }
    }

    /** Stores one append's bytes, keyed by the offset at which they start. */
    record PutRecord(long streamId, long offset, byte[] bytes) implements LogOp {}

    /** Remembers a producer's epoch and highest accepted seq. */
    record PutProducer(long streamId, String producerId, ProducerState state) implements LogOp {}

    /** Removes a stream's metadata, records and producer states. */
    record DropStream(long streamId) implements LogOp {}
}
