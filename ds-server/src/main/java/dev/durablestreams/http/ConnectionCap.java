package dev.durablestreams.http;

import io.netty.channel.Channel;

/**
 * Keeps the number of open connections under a cap set below the file-descriptor limit, so the server never runs
 * out of descriptors for storage files and new clients; a connection over the cap is closed as soon as it is
 * accepted, which costs its descriptor only for that moment.
 */
final class ConnectionCap {
    private final int max;
    private final ConnectionLimits stats;

    ConnectionCap(int max, ConnectionLimits stats) {
        this.max = max;
        this.stats = stats;
    }

    /** Counts the connection in, or closes it and returns false when the cap is reached. */
    boolean admit(Channel ch) {
        long open = stats.openConnections.incrementAndGet();
        if (max > 0 && open > max) {
            stats.openConnections.decrementAndGet();
            stats.refusedConnections.increment();
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> stats.openConnections.decrementAndGet());
        return true;
    }
}
