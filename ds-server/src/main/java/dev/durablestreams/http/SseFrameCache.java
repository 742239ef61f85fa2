package dev.durablestreams.http;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Encode once, send to many: SSE readers woken by the same commit read the same range and, within one cursor
 * interval, advertise the same cursor, so the first reader's encoded data and control events are reused by the
 * rest. A fixed number of slots keeps memory bounded whatever the number of streams; only small frames are kept.
 */
final class SseFrameCache {
    private static final int SLOTS = 1024;
    static final int MAX_FRAME = 64 * 1024;

    /** What a frame encodes: the range read, the stream's life, and what its control event says. */
    record Key(long incarnation, long start, long next, String cursor, boolean upToDate, boolean closed) {}

    private record Entry(Key key, byte[] frame) {}

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

    byte[] get(Key key) {
        Entry e = slots.get(slot(key));
        return e != null && e.key.equals(key) ? e.frame : null;
    }

    void put(Key key, byte[] frame) {
        if (frame.length <= MAX_FRAME) slots.set(slot(key), new Entry(key, frame));
    }

    private static int slot(Key key) {
        return (Long.hashCode(key.incarnation()) * 31 + Long.hashCode(key.start())) & (SLOTS - 1);
    }
}
