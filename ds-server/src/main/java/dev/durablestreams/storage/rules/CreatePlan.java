package dev.durablestreams.storage.rules;

import java.util.List;

/**
 * What a PUT that creates a stream writes: the new stream's metadata and its initial records (a fork's sub-offset
 * prefix, then the request's body). A fork also takes one reference on its source.
 */
public record CreatePlan(StreamMeta meta, List<NewRecord> records) {

    /** Bytes the new stream holds itself. */
    public long bytes() {
        return meta.ownBytes();
    }
}
