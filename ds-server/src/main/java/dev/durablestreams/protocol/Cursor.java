package dev.durablestreams.protocol;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The long-poll / SSE cache-busting cursor of spec section 10.1: 20-second intervals since
 * 2024-10-09T00:00:00Z, advanced with random jitter when a client echoes a current cursor so that
 * CDN-collapsed requests cannot loop on one cached response.
 */
public final class Cursor {
    static final long EPOCH_MILLIS = 1728432000000L; // 2024-10-09T00:00:00Z
    static final long INTERVAL_MILLIS = 20_000;
    static final int MIN_JITTER_SECONDS = 1;
    static final int MAX_JITTER_SECONDS = 3600;

    private Cursor() {}

    public static long intervalAt(long nowMillis) {
        return Math.floorDiv(nowMillis - EPOCH_MILLIS, INTERVAL_MILLIS);
    }

    /** The cursor to send, given the client's (possibly null or invalid) cursor. */
    public static String next(String clientCursor, long nowMillis) {
        return next(clientCursor, nowMillis, ThreadLocalRandom.current().nextInt(MIN_JITTER_SECONDS, MAX_JITTER_SECONDS + 1));
    }

    static String next(String clientCursor, long nowMillis, int jitterSeconds) {
        long current = intervalAt(nowMillis);
        long client = parse(clientCursor);
        if (client < current) return Long.toString(current);
        long step = Math.max(1, (jitterSeconds * 1000L + INTERVAL_MILLIS - 1) / INTERVAL_MILLIS);
        return Long.toString(client + step);
    }

    private static long parse(String cursor) {
        if (cursor == null || cursor.isEmpty() || cursor.length() > 18) return -1;
        long v = 0;
        for (int i = 0; i < cursor.length(); i++) {
            char c = cursor.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
