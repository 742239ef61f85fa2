package dev.durablestreams.storage.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared slicing rules for {@link StreamLog#read}: feed it records in offset order, it keeps the part inside
 * {@code [from, to)} within the byte budget and says when to stop.
 */
public final class RecordReader {
    private final long from;
    private final long to;
    private final int maxBytes;
    private final boolean wholeRecords;
    private final boolean mustReturn;
    private final List<ByteBuffer> out = new ArrayList<>();
    private long end;
    private int bytes;
    private boolean startsInside;

    public RecordReader(long from, long to, int maxBytes, boolean wholeRecords, boolean mustReturn) {
        this.from = from;
        this.to = to;
        this.maxBytes = maxBytes;
        this.wholeRecords = wholeRecords;
        this.mustReturn = mustReturn;
        this.end = from;
    }

    /**
     * Offers the record stored at {@code offset}.
     *
     * @return false when no further record is wanted
     */
    public boolean offer(long offset, byte[] record) {
        if (offset >= to) return false;
        long recEnd = offset + record.length;
        if (recEnd <= from) return true;
        if (out.isEmpty() && offset < from) startsInside = true;
        int start = (int) (Math.max(offset, from) - offset);
        int stop = (int) (Math.min(recEnd, to) - offset);
        int len = stop - start;
        int room = maxBytes - bytes;
        if (len > room) {
            if (wholeRecords) {
                if (!(out.isEmpty() && mustReturn)) return false;
            } else {
                if (room <= 0) return false;
                stop = start + room;
                len = room;
            }
        }
        out.add(ByteBuffer.wrap(record, start, len));
        bytes += len;
        end = offset + stop;
        return end < to && bytes < maxBytes;
    }

    public LogChunk result() {
        return new LogChunk(out, end, bytes, startsInside);
    }
}
