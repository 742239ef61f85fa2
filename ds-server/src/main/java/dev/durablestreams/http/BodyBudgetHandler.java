package dev.durablestreams.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The budget of request body bytes all requests in progress may hold, in front of body collection. A request
 * with a declared {@code Content-Length} reserves it before any of its body is read; a chunked one reserves each
 * piece as it arrives. When the budget is spent the request gets 503 with {@code Retry-After} and the connection
 * is closed (its body is never read, so nothing of it can be taken for the next request). A reservation is
 * returned when the request's response is written, or when the connection closes, whichever comes first.
 */
final class BodyBudgetHandler extends ChannelDuplexHandler {
    static final String RETRY_AFTER_SECONDS = "1";

    private final long max;
    private final int maxBody;
    private final ConnectionLimits stats;
    /** Requests whose response is not written yet, oldest first. */
    private final ArrayDeque<Reservation> held = new ArrayDeque<>();
    private Reservation reading; // the request whose body is arriving
    private boolean refused;

    private static final class Reservation {
        long bytes;
        boolean fixed; // reserved its declared length up front
        boolean released;
    }

    BodyBudgetHandler(long max, int maxBody, ConnectionLimits stats) {
        this.max = max;
        this.maxBody = maxBody;
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            reading = new Reservation(); // every request gets one, so responses match them in order
            held.add(reading);
            long declared = req.decoderResult().isSuccess() ? declaredLength(req) : -1;
            // Declared lengths over --max-body are refused with 413 by body collection; never reserve them.
            if (declared > 0 && declared <= maxBody) {
                if (!reserve(ctx, msg, declared)) return;
                reading.fixed = true;
            }
        }
        if (msg instanceof HttpContent c && reading != null && !reading.fixed && !reading.released) {
            int n = c.content().readableBytes();
            if (n > 0 && !reserve(ctx, msg, n)) return;
        }
        if (msg instanceof LastHttpContent) reading = null;
        ctx.fireChannelRead(msg);
    }

    private boolean reserve(ChannelHandlerContext ctx, Object msg, long n) {
        if (max <= 0 || stats.tryReserveBody(n, max)) {
            if (max > 0) reading.bytes += n;
            return true;
        }
        refused = true;
        stats.bodiesRefused.increment();
        ReferenceCountUtil.release(msg);
        boolean earlierResponseDue = held.size() > 1;
        releaseAll();
        if (earlierResponseDue) { // a 503 now would interleave with it
            ctx.close();
            return false;
        }
        FullHttpResponse r = Responses.problem(503, "too many request bodies in progress; retry later");
        r.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        HttpUtil.setKeepAlive(r, false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        return false;
    }

    private static long declaredLength(HttpRequest req) {
        try {
            return HttpUtil.getContentLength(req, -1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // The end of a final response: its request's body is no longer held by the server.
        boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (msg instanceof LastHttpContent && !interim) {
            Reservation done = held.poll();
            if (done != null) release(done);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseAll();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseAll();
    }

    private void releaseAll() {
        for (Reservation r : held) release(r);
        held.clear();
    }

    private void release(Reservation r) {
        if (r.released) return;
        r.released = true;
        stats.releaseBody(r.bytes);
        r.bytes = 0;
    }
}
