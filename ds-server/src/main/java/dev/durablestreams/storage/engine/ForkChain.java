package dev.durablestreams.storage.engine;

import dev.durablestreams.storage.StreamError;
import dev.durablestreams.storage.StreamError.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads through a fork chain: a fork's offsets below its fork offset come from its source, and so on up the
 * chain. Every walk is a loop, never recursion, so a chain as deep as {@code --max-fork-depth} allows cannot
 * overflow the stack of the thread that reads (an event loop, for the memory backend).
 */
final class ForkChain {
    private ForkChain() {}

    /**
     * Reads {@code [from, to)} of {@code s} into {@code out}, inherited ranges first; returns the offset reached.
     * Each stream of the chain owns {@code [forkOffset, limit)}, where its limit is the fork offset of the stream
     * forked from it (capped by the limits below it).
     */
    static long read(StreamLog log, StreamState s, long from, long to, int budget, List<ByteBuffer> out) {
        List<StreamState> chain = new ArrayList<>();
        List<Long> limits = new ArrayList<>();
        long limit = to;
        for (StreamState c = s; ; c = c.source) {
            chain.add(c);
            limits.add(limit);
            if (c.source == null || from >= c.forkOffset) break;
            limit = Math.min(limit, c.forkOffset);
        }
        long pos = from;
        int used = 0;
        for (int i = chain.size() - 1; i >= 0; i--) {
            StreamState c = chain.get(i);
            long end = limits.get(i);
            if (pos >= end) continue;
            if (used >= budget) return pos;
            LogChunk chunk = log.read(c.id, pos, end, budget - used, c.json, out.isEmpty());
            if (pos == from) requireMessageBoundary(c, chunk);
            out.addAll(chunk.buffers());
            used += chunk.bytes();
            pos = chunk.end();
            if (pos < end) return pos;
        }
        return pos;
    }

    /** The record starting exactly at {@code offset} as {@code s} sees it (cut at {@code limit}), or {@code null}. */
    static byte[] recordAt(StreamLog log, StreamState s, long offset, long limit) {
        while (s.source != null && offset < s.forkOffset) {
            limit = Math.min(limit, s.forkOffset);
            s = s.source;
        }
        byte[] record = log.recordAt(s.id, offset);
        if (record != null && offset + record.length > limit) record = Arrays.copyOf(record, (int) (limit - offset));
        return record;
    }

    /**
     * JSON streams only ever issue offsets between messages (appends are stored whole and reads cut only between
     * them), so a read starting inside a stored record names an offset the stream never issued: 400.
     */
    static void requireMessageBoundary(StreamState s, LogChunk chunk) {
        if (s.json && chunk.startsInsideRecord()) {
            throw new StreamError(Kind.BAD_REQUEST, "offset is not at a message boundary");
        }
    }
}
