package dev.durablestreams.storage.postgres;

/**
 * What one commit did to one stream, as its {@code NOTIFY} payload carries it to every node: {@code <kind><tail>
 * <path>}, e.g. {@code a1024 events/a}. Live readers need only the path; the subscription leader needs the kind and
 * the tail, the same events {@link dev.durablestreams.storage.StreamListener} gets on one node.
 *
 * @param kind {@link #CREATED}, {@link #ADVANCED}, {@link #DELETED}, or {@link #TOUCHED} (readers re-check only)
 * @param tail the stream's tail after the commit (created and advanced only, else 0)
 */
record StreamChange(char kind, String path, long tail) {
    static final char CREATED = 'c';
    static final char ADVANCED = 'a';
    static final char DELETED = 'd';
    static final char TOUCHED = 't';

    static StreamChange created(String path, long tail) {
        return new StreamChange(CREATED, path, tail);
    }

    static StreamChange advanced(String path, long tail) {
        return new StreamChange(ADVANCED, path, tail);
    }

    static StreamChange deleted(String path) {
        return new StreamChange(DELETED, path, 0);
    }

    static StreamChange touched(String path) {
        return new StreamChange(TOUCHED, path, 0);
    }

    /** Whether live readers of the path re-check: not for a creation, which no reader can be waiting for. */
    boolean wakesReaders() {
        return kind != CREATED;
    }

    String payload() {
        return kind + (kind == CREATED || kind == ADVANCED ? Long.toString(tail) : "") + " " + path;
    }

    /** The change a payload describes, or {@code null} when it names none (an empty or foreign payload). */
    static StreamChange parse(String payload) {
        int space = payload.indexOf(' ');
        if (space < 1) return null;
        char kind = payload.charAt(0);
        String path = payload.substring(space + 1);
        try {
            return switch (kind) {
                case CREATED, ADVANCED -> new StreamChange(kind, path, Long.parseLong(payload.substring(1, space)));
                case DELETED, TOUCHED -> space == 1 ? new StreamChange(kind, path, 0) : null;
                default -> null;
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
