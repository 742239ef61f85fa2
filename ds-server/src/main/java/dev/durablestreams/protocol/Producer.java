package dev.durablestreams.protocol;

/**
 * The idempotent-producer triple a request carries ({@code Producer-Id}, {@code Producer-Epoch},
 * {@code Producer-Seq}).
 */
public record Producer(String id, long epoch, long seq) {

    /** Epoch and seq travel as JSON-safe integers (spec section 5.2.1). */
    public static final long MAX_VALUE = (1L << 53) - 1;

    /**
     * Reads the three producer headers. Returns {@code null} when none is present.
     *
     * @throws ProtocolException (400) when only some are present, the id is empty, or a number is invalid
     */
    public static Producer fromHeaders(String id, String epoch, String seq) {
        if (id == null && epoch == null && seq == null) return null;
        if (id == null || epoch == null || seq == null) {
            throw ProtocolException.badRequest("Producer-Id, Producer-Epoch and Producer-Seq must be sent together");
        }
        if (id.isEmpty()) throw ProtocolException.badRequest("Producer-Id must not be empty");
        return new Producer(id, number(epoch, "Producer-Epoch"), number(seq, "Producer-Seq"));
    }

    private static long number(String text, String name) {
        if (text.isEmpty() || text.length() > 16) throw ProtocolException.badRequest(name + " must be an integer in [0, 2^53-1]");
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') throw ProtocolException.badRequest(name + " must be an integer in [0, 2^53-1]");
            v = v * 10 + (c - '0');
        }
        if (v > MAX_VALUE) throw ProtocolException.badRequest(name + " must be an integer in [0, 2^53-1]");
        return v;
    }

    /** True when this request is exactly the one recorded as having closed a stream. */
    public boolean sameAs(Producer other) {
        return other != null && id.equals(other.id) && epoch == other.epoch && seq == other.seq;
    }
}
