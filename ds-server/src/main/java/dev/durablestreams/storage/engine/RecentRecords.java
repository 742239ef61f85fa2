package dev.durablestreams.storage.engine;

import java.util.Arrays;

/**
 * The newest durable records of one stream, immutable, published with each commit. Live readers woken by a commit
 * read exactly what it added, so they are served from here without touching the log: with a thousand readers on a
 * stream, one append costs no disk read at all. Small by construction (at most {@value #MAX_RECORDS} records and
 * {@value #MAX_WINDOW_BYTES} bytes), and kept only for streams that have live readers (see {@link StreamState}),
 * so memory follows the number of watched streams, not of all streams; anything older or larger is read from the
 * log.
 *
 * @param start the offset of the first record held; records are contiguous up to the stream's durable tail
 */
record RecentRecords(long start, long[] offsets, byte[][] records) {
    static final int MAX_RECORDS = 8;
    static final int MAX_RECORD_BYTES = 16 * 1024;
    static final int MAX_WINDOW_BYTES = 32 * 1024;
    private static final long[] NO_OFFSETS = new long[0];
    private static final byte[][] NO_RECORDS = new byte[0][];

    /** Holds nothing; covers only offsets from {@code tail} on. */
    static RecentRecords emptyAt(long tail) {
        return new RecentRecords(tail, NO_OFFSETS, NO_RECORDS); // once per commit without live readers: no arrays
    }

    long end() {
        int n = records.length;
        return n == 0 ? start : offsets[n - 1] + records[n - 1].length;
    }

    /** This window plus a record at {@code offset}; starts over when the record is large or not contiguous. */
    RecentRecords plus(long offset, byte[] record) {
        if (record.length > MAX_RECORD_BYTES) return emptyAt(offset + record.length);
        if (offset != end()) return new RecentRecords(offset, new long[] {offset}, new byte[][] {record});
        int keep = Math.min(records.length, MAX_RECORDS - 1);
        long bytes = record.length;
        for (int i = records.length - keep; i < records.length; i++) bytes += records[i].length;
        for (int i = records.length - keep; bytes > MAX_WINDOW_BYTES; i++) { // oldest go first
            bytes -= records[i].length;
            keep--;
        }
        int drop = records.length - keep;
        long[] o = Arrays.copyOfRange(offsets, drop, records.length + 1);
        byte[][] r = Arrays.copyOfRange(records, drop, records.length + 1);
        o[keep] = offset;
        r[keep] = record;
        return new RecentRecords(o[0], o, r);
    }

    /** Whether reads from {@code from} up to {@code tail} can be answered from this window alone. */
    boolean covers(long from, long tail) {
        return from >= start && end() == tail;
    }

    /** Feeds the records that overlap {@code [from, ...)} to {@code reader}. */
    LogChunk read(long from, RecordReader reader) {
        for (int i = 0; i < records.length; i++) {
            if (offsets[i] + records[i].length <= from) continue;
            if (!reader.offer(offsets[i], records[i])) break;
        }
        return reader.result();
    }
}
