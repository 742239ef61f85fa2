package dev.durablestreams.http;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Encode once, send to many: SSE readers woken by the same commit read the same range, so the first one's
 * encoded data event is reused by the rest. A fixed number of slots keeps memory bounded whatever the number of
 * streams; only small frames are kept.
 */
final class SseFrameCache {
    private static final int SLOTS = 1024;
    static final int MAX_FRAME = 64 * 1024;

    private record Entry(long incarnation, String start, String next, byte[] frame) {}

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

    byte[] get(long incarnation, String start, String next) {
        Entry e = slots.get(slot(incarnation, start));
        if (e != null && e.incarnation == incarnation && e.start.equals(start) && e.next.equals(next)) return e.frame;
        return null;
    }

    void put(long incarnation, String start, String next, byte[] frame) {
        if (frame.length <= MAX_FRAME) slots.set(slot(incarnation, start), new Entry(incarnation, start, next, frame));
    }

    private static int slot(long incarnation, String start) {
        return (Long.hashCode(incarnation) * 31 + start.hashCode()) & (SLOTS - 1);
    }
}
