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

    /** In-order, exactly-once check and latency recording for one reader; not thread-safe (one event loop). */
    static final class Tracker {
        long expected;       // next sequence number expected
        long received;       // messages received in order
        long duplicates;     // seq < expected
        long gaps;           // seq > expected (something skipped or reordered)
        private final StringBuilder partial = new StringBuilder();

        void feed(CharSequence s, Histogram delivery) {
            long now = System.nanoTime();
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == ';') {
                    message(now, delivery);
                    partial.setLength(0);
                } else if (ch != '\n' && ch != '\r') {
                    partial.append(ch);
                }
            }
        }

        private void message(long now, Histogram delivery) {
            int c1 = partial.indexOf(",");
            int c2 = c1 < 0 ? -1 : partial.indexOf(",", c1 + 1);
            if (c1 <= 0 || c2 < 0) {
                gaps++;
                return;
            }
            long seq = Long.parseLong(partial, 0, c1, 10);
            long sent = Long.parseLong(partial, c1 + 1, c2, 10);
            if (seq < expected) {
                duplicates++;
                return;
            }
            if (seq > expected) gaps++;
            expected = seq + 1;
            received++;
            if (delivery != null) delivery.recordValue(Math.max(1, (now - sent) / 1000));
        }
    }
}
