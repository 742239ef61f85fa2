package dev.durablestreams.bench;

import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;

/**
 * Timestamped messages of the live scenarios: {@code <seq>,<sendNanos>,xxx...;} (text, no line breaks, ';'
 * ends a message), sendNanos being the writer's intended send time on this JVM's System.nanoTime clock.
 * A {@link Tracker} per reader checks that messages arrive once each, in order, and records delivery latency.
 */
final class Messages {
    private Messages() {}

    static byte[] encode(long seq, long nanos, int size) {
        StringBuilder sb = new StringBuilder(size);
        sb.append(seq).append(',').append(nanos).append(',');
        while (sb.length() < size - 1) sb.append('x');
        sb.append(';');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * In-order, exactly-once check and latency recording for one reader; a streaming parser over bytes (no
     * allocation per message). Not thread-safe: one reader, one event loop.
     */
    static final class Tracker {
        long expected;       // next sequence number expected
        long received;       // messages received in order
        long duplicates;     // seq < expected
        long gaps;           // seq > expected (something skipped or reordered), or a malformed message
        private int field;   // 0: seq digits, 1: send-time digits, 2: padding
        private long seq, sent;
        private boolean digits;
        /** Messages intended to be sent before this System.nanoTime are checked but their latency not recorded. */
        volatile long recordFrom = Long.MIN_VALUE;

        void feed(CharSequence s, Histogram delivery) {
            byte[] b = s.toString().getBytes(StandardCharsets.US_ASCII);
            feed(b, 0, b.length, delivery);
        }

        void feed(byte[] buf, int off, int len, Histogram delivery) {
            for (int i = off; i < off + len; i++) {
                byte ch = buf[i];
                if (ch == ';') {
                    message(delivery);
                    field = 0;
                    seq = 0;
                    sent = 0;
                    digits = false;
                } else if (ch == ',') {
                    if (field < 2) field++;
                } else if (ch >= '0' && ch <= '9') {
                    if (field == 0) { seq = seq * 10 + (ch - '0'); digits = true; }
                    else if (field == 1) sent = sent * 10 + (ch - '0');
                }
            }
        }

        private void message(Histogram delivery) {
            if (field < 2 || !digits) {
                gaps++;
                return;
            }
            if (seq < expected) {
                duplicates++;
                return;
            }
            if (seq > expected) gaps++;
            expected = seq + 1;
            received++;
            if (delivery != null && sent >= recordFrom) delivery.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
        }
    }
}
