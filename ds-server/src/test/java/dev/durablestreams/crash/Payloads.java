package dev.durablestreams.crash;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Self-describing, verifiable append bodies: {@code [p=<producer>;s=<seq>;n=<len>]} then {@code len} bytes derived
 * from (seed, producer, seq). A retry rebuilds the identical body; a reader can tell every append apart and detect
 * torn, doubled or foreign bytes.
 */
final class Payloads {
    /** One append found in a stream: who wrote it and where it ends. */
    record Found(String producer, long seq, long end) {}

    private final long seed;

    Payloads(long seed) {
        this.seed = seed;
    }

    byte[] body(String producer, long seq) {
        Random r = new Random(seed * 1_000_003L + producer.hashCode() * 7_919L + seq);
        // One in five is at least 4 KiB so record values go to RocksDB blob files.
        int len = r.nextInt(5) == 0 ? 4096 + r.nextInt(16 * 1024) : 1 + r.nextInt(1500);
        byte[] filler = new byte[len];
        r.nextBytes(filler);
        byte[] head = ("[p=" + producer + ";s=" + seq + ";n=" + len + "]").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(head, head.length + len);
        System.arraycopy(filler, 0, out, head.length, len);
        return out;
    }

    /** Splits a stream into appends, checking each byte-exact against what its producer sent; fails otherwise. */
    List<Found> parse(byte[] stream) {
        List<Found> found = new ArrayList<>();
        int pos = 0;
        while (pos < stream.length) {
            int close = indexOf(stream, (byte) ']', pos, Math.min(stream.length, pos + 200));
            String head = close < 0 ? "" : new String(stream, pos, close + 1 - pos, StandardCharsets.US_ASCII);
            if (close < 0 || !head.matches("\\[p=[^;\\]]+;s=\\d+;n=\\d+\\]")) {
                throw new AssertionError("no append header at byte " + pos + " (torn or foreign data): "
                        + new String(stream, pos, Math.min(40, stream.length - pos), StandardCharsets.ISO_8859_1));
            }
            String[] f = head.substring(1, head.length() - 1).split(";");
            String producer = f[0].substring(2);
            long seq = Long.parseLong(f[1].substring(2));
            byte[] expected = body(producer, seq);
            if (pos + expected.length > stream.length
                    || !Arrays.equals(stream, pos, pos + expected.length, expected, 0, expected.length)) {
                throw new AssertionError("append " + producer + "/" + seq + " at byte " + pos + " is not byte-exact");
            }
            pos += expected.length;
            found.add(new Found(producer, seq, pos));
        }
        return found;
    }

    private static int indexOf(byte[] a, byte b, int from, int to) {
        for (int i = from; i < to; i++) if (a[i] == b) return i;
        return -1;
    }
}
