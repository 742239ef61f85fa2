package dev.durablestreams.http;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;

/**
 * Resource limits of the transport. A zero duration disables that timeout; a zero count or size means no limit.
 *
 * @param maxConnections connections open at once; more are closed as soon as they are accepted
 * @param headerTimeout time from the first byte of a request to the end of its head; then 408 and close
 * @param bodyTimeout longest pause between two pieces of a request body; then 408 and close
 * @param idleTimeout longest wait for the next request on a keep-alive connection with no response open
 * @param sseChunk largest chunk one SSE event carries (SSE reads use the smaller of this and the read limit)
 * @param maxPendingOutput response bytes all connections may hold unsent; past it the slowest readers are closed
 * @param maxInflightBody request body bytes all requests in progress may hold; past it new ones get 503
 */
public record Limits(int maxConnections, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout,
                     int sseChunk, long maxPendingOutput, long maxInflightBody) {

    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_SSE_CHUNK = 256 << 10;
    public static final long DEFAULT_MAX_PENDING_OUTPUT = 256L << 20;

    /** The defaults, with the connection cap and the body budget derived from the process. */
    public static Limits defaults(int maxBody) {
        return new Limits(defaultMaxConnections(), DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_SSE_CHUNK, DEFAULT_MAX_PENDING_OUTPUT, defaultMaxInflightBody(maxBody));
    }

    /**
     * The file-descriptor limit of the process minus headroom for storage files, logs and sockets being accepted
     * (a tenth, at least 256, at most half); {@code 0} (no cap) when the limit is not known.
     */
    public static int defaultMaxConnections() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return connectionsFor(unix.getMaxFileDescriptorCount());
        }
        return 0;
    }

    static int connectionsFor(long fdLimit) {
        if (fdLimit <= 0) return 0;
        long headroom = Math.min(fdLimit / 2, Math.max(256, fdLimit / 10));
        return (int) Math.min(Integer.MAX_VALUE, fdLimit - headroom);
    }

    /**
     * A quarter of the maximum heap, at most 512 MiB, and never less than one largest body (which would then
     * always be refused).
     */
    public static long defaultMaxInflightBody(int maxBody) {
        return Math.max(maxBody, Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4));
    }
}
