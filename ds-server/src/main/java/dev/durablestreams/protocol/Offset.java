package dev.durablestreams.protocol;

/**
 * A position in a stream, rendered as {@code %016d_%016d} ({@code readSeq_bytePosition}).
 *
 * <p>The read sequence is always 0 today; it exists so that a future compaction can move a stream to a
 * new generation while keeping offsets lexicographically sortable. The byte position counts stored bytes.
 */
public record Offset(long readSeq, long position) implements Comparable<Offset> {

    /** The start of every stream. */
    public static final Offset ZERO = new Offset(0, 0);

    /** Offsets must stay under 256 characters (spec section 8); 19 digits is also the long range. */
    private static final int MAX_PART_DIGITS = 18;
    private static final long MAX_PADDED = 9_999_999_999_999_999L;

    public Offset {
        if (readSeq < 0 || position < 0) throw new IllegalArgumentException("negative offset");
    }

    public static Offset at(long position) {
        return new Offset(0, position);
    }

    /**
     * Parses the server's own offset format.
     *
     * @throws ProtocolException (400) when the text is not {@code digits_digits}
     */
    public static Offset parse(String text) {
        int sep = text.indexOf('_');
        if (sep <= 0 || sep == text.length() - 1) throw ProtocolException.badRequest("malformed offset");
        return new Offset(digits(text, 0, sep), digits(text, sep + 1, text.length()));
    }

    private static long digits(String s, int from, int to) {
        if (to - from > MAX_PART_DIGITS) throw ProtocolException.badRequest("malformed offset");
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') throw ProtocolException.badRequest("malformed offset");
            v = v * 10 + (c - '0');
        }
        return v;
    }

    @Override
    public int compareTo(Offset o) {
        int c = Long.compare(readSeq, o.readSeq);
        return c != 0 ? c : Long.compare(position, o.position);
    }

    public boolean isAfter(Offset o) {
        return compareTo(o) > 0;
    }

    /** {@code %016d_%016d}, written by hand: this runs for every response and every SSE event. */
    @Override
    public String toString() {
        if (readSeq > MAX_PADDED || position > MAX_PADDED) {
            return String.format("%016d_%016d", readSeq, position); // wider than 16 digits: let format widen
        }
        byte[] out = new byte[33];
        pad(out, 0, readSeq);
        out[16] = '_';
        pad(out, 17, position);
        return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void pad(byte[] out, int at, long v) {
        for (int i = at + 15; i >= at; i--) {
            out[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
    }
}
