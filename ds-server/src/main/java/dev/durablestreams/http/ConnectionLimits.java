package dev.durablestreams.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * What the resource limits of the transport are doing right now and have done since start: gauges (open
 * connections, pending output, in-flight request bodies) and counters (refusals, timeouts, closed slow readers).
 * Plain atomics so any metrics registry can read them through the getters; updated by the handlers that enforce
 * each limit.
 */
public final class ConnectionLimits implements MeterBinder {
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

    /** Publishes every gauge and counter as a meter ({@code ds_connections_open}, {@code ds_timeouts_total{kind}}...). */
    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "ds.connections.open", "Connections open now", c -> c.openConnections());
        gauge(registry, "ds.pending.output.bytes", "Response bytes written but not yet taken by sockets",
                c -> c.pendingOutputBytes());
        gauge(registry, "ds.connections.unwritable", "Connections whose socket is not writable now",
                c -> c.unwritableConnections());
        gauge(registry, "ds.inflight.body.bytes", "Request body bytes reserved by uploads in progress",
                c -> c.inflightBodyBytes());
        counter(registry, "ds.connections.refused", "Connections closed at once: the connection cap was reached",
                null, c -> c.refusedConnections());
        counter(registry, "ds.accept.errors", "Failed accepts (e.g. out of file descriptors)", null, c -> c.acceptErrors());
        counter(registry, "ds.timeouts", "Connections closed by a timeout", "header", c -> c.headerTimeouts());
        counter(registry, "ds.timeouts", "Connections closed by a timeout", "body", c -> c.bodyTimeouts());
        counter(registry, "ds.timeouts", "Connections closed by a timeout", "idle", c -> c.idleTimeouts());
        counter(registry, "ds.slow.readers.closed", "Readers closed because pending output passed its budget", null,
                c -> c.slowReadersClosed());
        counter(registry, "ds.bodies.refused", "Uploads refused with 503: the in-flight body budget was spent", null,
                c -> c.bodiesRefused());
    }

    private void gauge(MeterRegistry r, String name, String help, ToDoubleFunction<ConnectionLimits> value) {
        Gauge.builder(name, this, value).description(help).register(r);
    }

    private void counter(MeterRegistry r, String name, String help, String kind, ToDoubleFunction<ConnectionLimits> value) {
        FunctionCounter.Builder<ConnectionLimits> b = FunctionCounter.builder(name, this, value).description(help);
        if (kind != null) b.tag("kind", kind);
        b.register(r);
    }

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
