package dev.durablestreams.http;

import java.time.Duration;

/**
 * Transport settings.
 *
 * @param maxBody largest accepted request body; larger ones get 413 before they are read
 * @param maxRead largest response chunk of a catch-up read or SSE data event
 * @param longPollTimeout how long a long-poll waits before answering 204
 * @param sseMaxDuration how long an SSE response lasts before the server ends it (clients reconnect)
 * @param sseKeepAlive idle interval after which an SSE response gets a keep-alive control event
 * @param limits connection, timeout and memory limits
 */
public record ServerConfig(
        String host, int port, int maxBody, int maxRead, Duration longPollTimeout, Duration sseMaxDuration,
        Duration sseKeepAlive, Limits limits) {

    /** Settings with the default {@link Limits}. */
    public ServerConfig(String host, int port, int maxBody, int maxRead, Duration longPollTimeout,
                        Duration sseMaxDuration, Duration sseKeepAlive) {
        this(host, port, maxBody, maxRead, longPollTimeout, sseMaxDuration, sseKeepAlive, Limits.defaults(maxBody));
    }

    /** Largest chunk one SSE data event carries. */
    int sseChunk() {
        return limits.sseChunk() > 0 ? Math.min(maxRead, limits.sseChunk()) : maxRead;
    }
}
