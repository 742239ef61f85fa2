package dev.durablestreams.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Read timeouts of one connection, right after the HTTP codec. Exactly one applies at a time:
 * <ul>
 * <li>head: from the first byte of a request until its head is decoded (slow headers); 408 and close;</li>
 * <li>body: between two pieces of a request body (stalled uploads); 408 and close;</li>
 * <li>idle: between requests, when no response is open; close.</li>
 * </ul>
 * While a response is open (a slow append, a long-poll, an SSE response) none applies: the connection is busy,
 * not idle. One timer per connection, pushed forward lazily rather than rescheduled on every read: it is never armed
 * further ahead than the shortest timeout, so a new phase's deadline is never earlier than the armed timer and a
 * request (idle, then body, then busy, then idle again) reschedules nothing; a timer that fires before its
 * deadline re-arms itself. Its
 * {@link #byteSensor()} goes right before the codec: only it can tell that bytes of a head arrived before the
 * codec decodes anything (a read completion alone proves nothing: epoll reports some that read no bytes).
 */
final class ConnectionTimeouts extends ChannelInboundHandlerAdapter {
    private enum Phase { IDLE, HEAD, BODY, BUSY }

    private final long idleNanos;
    private final long headNanos;
    private final long bodyNanos;
    private final ConnectionLimits stats;
    /** Each phase's timeout by ordinal (0: none), looked up on every request. */
    private final long[] timeouts = new long[Phase.values().length];
    /** The shortest enabled timeout: how far ahead the timer is ever armed. */
    private final long armNanos;

    private int open; // requests whose head arrived and whose response is not completely written
    private boolean inBody; // between a request head and its last content
    private boolean headStarted; // bytes of the next request head arrived, the head is not decoded yet
    private boolean messageThisRead;
    private boolean bytesThisRead;
    private boolean expired;
    private Phase phase = Phase.BUSY;
    private long deadline; // nanoTime at which the current phase times out; meaningful unless BUSY
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long timerAt;

    ConnectionTimeouts(Limits limits, ConnectionLimits stats) {
        this.idleNanos = limits.idleTimeout().toNanos();
        this.headNanos = limits.headerTimeout().toNanos();
        this.bodyNanos = limits.bodyTimeout().toNanos();
        this.stats = stats;
        long shortest = Long.MAX_VALUE;
        for (long t : new long[] {idleNanos, headNanos, bodyNanos}) if (t > 0) shortest = Math.min(shortest, t);
        this.armNanos = shortest;
        timeouts[Phase.IDLE.ordinal()] = idleNanos;
        timeouts[Phase.HEAD.ordinal()] = headNanos;
        timeouts[Phase.BODY.ordinal()] = bodyNanos; // BUSY: 0, none
    }

    /** The handler that goes right before the codec and notes that bytes arrived. */
    ChannelHandler byteSensor() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf b && b.isReadable()) bytesThisRead = true;
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** The timeout that applies now, for tests. */
    String phase() {
        return phase.name();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) update(ctx, false);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        update(ctx, false);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (expired) {
            ReferenceCountUtil.release(msg);
            return;
        }
        messageThisRead = true;
        boolean progress = false;
        if (msg instanceof HttpRequest) {
            headStarted = false;
            inBody = true;
            open++;
        }
        if (msg instanceof HttpContent) progress = true;
        if (msg instanceof LastHttpContent) inBody = false;
        update(ctx, progress);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Bytes arrived but the codec produced nothing: a request head is on its way.
        if (bytesThisRead && !messageThisRead && !inBody && !headStarted && !expired) {
            headStarted = true;
            update(ctx, false);
        }
        messageThisRead = false;
        bytesThisRead = false;
        ctx.fireChannelReadComplete();
    }

    /**
     * An exchange ended: the last part of its response was written (or failed to be). {@link Http1Exchanges} calls
     * this directly, so a response costs this handler no hop and no write listener.
     */
    void exchangeEnded() {
        if (open > 0) open--;
        if (ctx != null && ctx.channel().isActive()) update(ctx, false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    /** Re-derives the phase; a new phase, or progress within the body, starts its clock again. */
    private void update(ChannelHandlerContext ctx, boolean progress) {
        Phase next = inBody ? Phase.BODY : headStarted ? Phase.HEAD : open == 0 ? Phase.IDLE : Phase.BUSY;
        if (next != phase || (progress && next == Phase.BODY)) {
            phase = next;
            long timeout = timeoutOf(next);
            if (timeout <= 0) {
                phase = Phase.BUSY; // this timeout is disabled
                return;
            }
            deadline = System.nanoTime() + timeout;
            // A timer that fires later than the new deadline must be brought forward; an earlier one re-arms itself.
            if (timer == null || timerAt - deadline > 0) schedule(ctx, deadline);
        }
    }

    private long timeoutOf(Phase p) {
        return timeouts[p.ordinal()];
    }

    private void schedule(ChannelHandlerContext ctx, long at) {
        cancelTimer();
        long now = System.nanoTime();
        long delay = Math.max(0, Math.min(at - now, armNanos));
        timerAt = now + delay;
        timer = ctx.executor().schedule(() -> fire(ctx), delay, TimeUnit.NANOSECONDS);
    }

    private void fire(ChannelHandlerContext ctx) {
        timer = null;
        if (expired || phase == Phase.BUSY || !ctx.channel().isActive()) return;
        long now = System.nanoTime();
        if (now - deadline < 0) {
            schedule(ctx, deadline);
            return;
        }
        expired = true;
        switch (phase) {
            case IDLE -> {
                stats.idleTimeouts.increment();
                ctx.close();
            }
            case HEAD -> {
                stats.headerTimeouts.increment();
                closeWith408(ctx, open == 0, "request head not received in time");
            }
            case BODY -> {
                stats.bodyTimeouts.increment();
                closeWith408(ctx, open == 1, "request body stalled");
            }
            default -> { }
        }
    }

    /** Answers 408 when no other response is due on this connection (it would interleave), and closes. */
    private static void closeWith408(ChannelHandlerContext ctx, boolean answer, String detail) {
        if (!answer) {
            ctx.close();
            return;
        }
        FullHttpResponse r = Responses.problem(408, detail);
        HttpUtil.setKeepAlive(r, false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
