package dev.durablestreams.http;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the resource limits of the transport are doing right now and have done since start: gauges (open
 * connections, pending output, in-flight request bodies) and counters (refusals, timeouts, closed slow readers).
 * Plain atomics so any metrics registry can read them through the getters; updated by the handlers that enforce
 * each limit.
 */
public final class ConnectionLimits {
    final AtomicLong openConnections = new AtomicLong();
    final LongAdder refusedConnections = new LongAdder();
    final LongAdder acceptErrors = new LongAdder();
    final LongAdder headerTimeouts = new LongAdder();
    final LongAdder bodyTimeouts = new LongAdder();
    final LongAdder idleTimeouts = new LongAdder();
    final AtomicLong pendingOutputBytes = new AtomicLong();
    final AtomicLong peakPendingOutputBytes = new AtomicLong();
    final AtomicLong unwritableConnections = new AtomicLong();
    final LongAdder slowReadersClosed = new LongAdder();
    final AtomicLong inflightBodyBytes = new AtomicLong();
    final LongAdder bodiesRefused = new LongAdder();

    /** Connections open now (accepted and not yet closed, refused ones excluded). */
    public long openConnections() { return openConnections.get(); }

    /** Connections closed at accept because {@code --max-connections} were already open. */
    public long refusedConnections() { return refusedConnections.sum(); }

    /** Failures to accept a connection (e.g. EMFILE, too many open files). */
    public long acceptErrors() { return acceptErrors.sum(); }

    /** Connections closed (after a 408 when possible) because a request head did not arrive in time. */
    public long headerTimeouts() { return headerTimeouts.sum(); }

    /** Connections closed (after a 408 when possible) because a request body stopped making progress. */
    public long bodyTimeouts() { return bodyTimeouts.sum(); }

    /** Keep-alive connections closed because no request came within the idle timeout. */
    public long idleTimeouts() { return idleTimeouts.sum(); }

    /** Response bytes written by the server and not yet taken by the clients' sockets, over all connections. */
    public long pendingOutputBytes() { return pendingOutputBytes.get(); }

    /** The largest {@link #pendingOutputBytes()} seen since start. */
    public long peakPendingOutputBytes() { return peakPendingOutputBytes.get(); }

    /** Connections whose socket buffer is full now (the client reads slower than the server writes). */
    public long unwritableConnections() { return unwritableConnections.get(); }

    /** Connections closed because pending output exceeded {@code --max-pending-output}. */
    public long slowReadersClosed() { return slowReadersClosed.sum(); }

    /** Request body bytes reserved by requests in progress (declared length, or received so far when chunked). */
    public long inflightBodyBytes() { return inflightBodyBytes.get(); }

    /** Requests answered 503 because {@code --max-inflight-body} was reached. */
    public long bodiesRefused() { return bodiesRefused.sum(); }

    long addPendingOutput(long n) {
        long total = pendingOutputBytes.addAndGet(n);
        if (n > 0) peakPendingOutputBytes.accumulateAndGet(total, Math::max);
        return total;
    }

    /** Reserves {@code n} body bytes unless that would take the total past {@code max}. */
    boolean tryReserveBody(long n, long max) {
        while (true) {
            long cur = inflightBodyBytes.get();
            if (cur + n > max) return false;
            if (inflightBodyBytes.compareAndSet(cur, cur + n)) return true;
        }
    }

    void releaseBody(long n) {
        if (n != 0) inflightBodyBytes.addAndGet(-n);
    }
}
