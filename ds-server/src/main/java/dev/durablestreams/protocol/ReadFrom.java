package dev.durablestreams.protocol;

/**
 * Where a read starts: the stream start ({@code -1} or no offset), the current tail ({@code now}), or a
 * concrete {@link Offset}.
 */
public record ReadFrom(Kind kind, Offset offset) {

    /** The three forms a read position takes on the wire. */
    public enum Kind { START, NOW, AT }

    public static final ReadFrom START = new ReadFrom(Kind.START, Offset.ZERO);
    public static final ReadFrom NOW = new ReadFrom(Kind.NOW, null);

    public static ReadFrom at(Offset offset) {
        return new ReadFrom(Kind.AT, offset);
    }

    /**
     * The byte position this read starts at, on a stream whose tail is {@code tail}. An offset this stream never
     * issued (beyond its tail, or with a read sequence it never used) is refused rather than clamped: clamping
     * would move the client backwards, or hand it another incarnation's data.
     *
     * @throws ProtocolException (400) for an offset beyond the tail
     */
    public long startIn(long tail) {
        return switch (kind) {
            case START -> 0;
            case NOW -> tail;
            case AT -> {
                if (offset.readSeq() != 0 || offset.position() > tail) {
                    throw ProtocolException.badRequest("offset is beyond the stream's tail");
                }
                yield offset.position();
            }
        };
    }

    /**
     * Parses the {@code offset} query parameter; {@code null} (absent) means the start.
     *
     * @throws ProtocolException (400) for an empty or malformed value
     */
    public static ReadFrom parse(String value) {
        if (value == null || value.equals("-1")) return START;
        if (value.equals("now")) return NOW;
        if (value.isEmpty()) throw ProtocolException.badRequest("empty offset");
        return at(Offset.parse(value));
    }
}
