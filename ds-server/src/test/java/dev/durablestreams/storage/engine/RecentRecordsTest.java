package dev.durablestreams.storage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecentRecordsTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String read(RecentRecords r, long from, long to, int max, boolean whole) {
        LogChunk c = r.read(from, new RecordReader(from, to, max, whole, true));
        StringBuilder out = new StringBuilder();
        c.buffers().forEach(buf -> out.append(StandardCharsets.UTF_8.decode(buf.duplicate())));
        return out.toString();
    }

    @Test
    void keepsTheNewestRecordsContiguousUpToTheTail() {
        RecentRecords r = RecentRecords.emptyAt(0);
        long tail = 0;
        for (int i = 0; i < RecentRecords.MAX_RECORDS + 3; i++) {
            r = r.plus(tail, b("ab"));
            tail += 2;
        }
        assertThat(r.records().length).isEqualTo(RecentRecords.MAX_RECORDS);
        assertThat(r.end()).isEqualTo(tail);
        assertThat(r.start()).isEqualTo(tail - 2L * RecentRecords.MAX_RECORDS);
        assertThat(r.covers(r.start(), tail)).isTrue();
        assertThat(r.covers(r.start() - 1, tail)).as("older bytes come from the log").isFalse();
        assertThat(r.covers(r.start(), tail + 1)).as("a tail it has not seen").isFalse();
    }

    @Test
    void theWindowHoldsAtMostItsByteBudget() {
        RecentRecords r = RecentRecords.emptyAt(0);
        long tail = 0;
        int size = RecentRecords.MAX_RECORD_BYTES; // two of these fill the window
        for (int i = 0; i < 3; i++) {
            r = r.plus(tail, new byte[size]);
            tail += size;
        }
        long held = 0;
        for (byte[] rec : r.records()) held += rec.length;
        assertThat(held).isLessThanOrEqualTo(RecentRecords.MAX_WINDOW_BYTES);
        assertThat(r.end()).isEqualTo(tail);
        assertThat(r.start()).isEqualTo(tail - held);
    }

    @Test
    void largeOrNonContiguousRecordsStartOver() {
        RecentRecords r = RecentRecords.emptyAt(0).plus(0, b("abc"));
        RecentRecords big = r.plus(3, new byte[RecentRecords.MAX_RECORD_BYTES + 1]);
        assertThat(big.records().length).isZero();
        assertThat(big.start()).isEqualTo(big.end()).isEqualTo(3 + RecentRecords.MAX_RECORD_BYTES + 1);
        RecentRecords gap = r.plus(10, b("xy"));
        assertThat(gap.start()).isEqualTo(10);
        assertThat(gap.end()).isEqualTo(12);
    }

    @Test
    void readsSliceTheFirstRecordAndRespectTheBudget() {
        RecentRecords r = RecentRecords.emptyAt(5).plus(5, b("hello")).plus(10, b("world"));
        assertThat(read(r, 7, 15, 100, false)).isEqualTo("lloworld");
        assertThat(read(r, 5, 15, 7, false)).isEqualTo("hellowo");
        assertThat(read(r, 5, 15, 7, true)).as("whole records only (JSON)").isEqualTo("hello");
        assertThat(read(r, 10, 15, 100, true)).isEqualTo("world");
    }
}
