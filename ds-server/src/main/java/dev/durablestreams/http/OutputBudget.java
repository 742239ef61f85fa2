package dev.durablestreams.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The budget of response bytes all connections may hold unsent (written by the server, not yet taken by the
 * client's socket). Each connection's {@link Meter} counts its own; when the total passes the budget, the readers
 * that have been stuck longest (not writable the longest, then with the most pending) are closed until the excess
 * is covered. Live readers resume from the last offset they saw, so closing one loses nothing.
 */
final class OutputBudget {
    private final long max;
    private final ConnectionLimits stats;
    private final Set<Meter> meters = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean shedding = new AtomicBoolean();

    OutputBudget(long max, ConnectionLimits stats) {
        this.max = max;
        this.stats = stats;
    }

    Meter newMeter() {
        return new Meter();
    }

    private void added(long n) {
        long total = stats.addPendingOutput(n);
        if (max > 0 && total > max && shedding.compareAndSet(false, true)) {
            try {
                shed(total - max);
            } finally {
                shedding.set(false);
            }
        }
    }

    /** Closes the slowest readers whose pending bytes cover {@code excess}, counting those already being closed. */
    private void shed(long excess) {
        List<Meter> candidates = new ArrayList<>();
        for (Meter m : meters) {
            if (m.closing) excess -= m.pending;
            else if (m.pending > 0) candidates.add(m);
        }
        if (excess <= 0) return;
        candidates.sort(Comparator.comparingLong((Meter m) -> m.unwritableSince == 0 ? Long.MAX_VALUE : m.unwritableSince)
                .thenComparing(Comparator.comparingLong((Meter m) -> m.pending).reversed()));
        for (Meter m : candidates) {
            if (excess <= 0) break;
            m.closing = true;
            excess -= m.pending;
            stats.slowReadersClosed.increment();
            m.ctx.channel().close();
        }
    }

    /** Per connection, right after the HTTP codec: counts what is written until the socket has taken it. */
    final class Meter extends ChannelDuplexHandler {
        private ChannelHandlerContext ctx;
        private volatile long pending; // written on the event loop, read by shedding on any loop
        private volatile long unwritableSince; // nanoTime when the channel became unwritable; 0 while writable
        private volatile boolean closing;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            meters.add(this);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            meters.remove(this);
            if (unwritableSince != 0) {
                unwritableSince = 0;
                stats.unwritableConnections.decrementAndGet();
            }
            super.channelInactive(ctx);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            long n = msg instanceof ByteBufHolder h ? h.content().readableBytes()
                    : msg instanceof ByteBuf b ? b.readableBytes() : 0;
            if (n == 0) {
                ctx.write(msg, promise);
                return;
            }
            pending += n;
            ChannelPromise p = promise.unvoid();
            // Completes when the socket took the bytes, or with a failure when the connection closed.
            p.addListener(f -> {
                pending -= n;
                stats.addPendingOutput(-n);
            });
            ctx.write(msg, p);
            added(n);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            boolean writable = ctx.channel().isWritable();
            if (!writable && unwritableSince == 0) {
                unwritableSince = System.nanoTime() | 1; // never 0, which means writable
                stats.unwritableConnections.incrementAndGet();
            } else if (writable && unwritableSince != 0) {
                unwritableSince = 0;
                stats.unwritableConnections.decrementAndGet();
            }
            super.channelWritabilityChanged(ctx);
        }
    }
}
