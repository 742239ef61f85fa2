package dev.durablestreams.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * HTTP/1.1 answers pipelined requests in the order they came (RFC 9112 section 9.3.2). Instead of buffering
 * responses, this handler passes on one request at a time: the next one is held back until the last part of the
 * current response has been written. A long-poll or SSE response therefore holds the requests behind it. While a
 * request is held, the socket is not read (auto-read off), so at most one read's worth is held; reading resumes
 * when the held requests have been passed on. A client that waits for each response (the usual case) never
 * pauses reading, so the socket's read interest is never toggled per request. Once a response says
 * {@code Connection: close}, nothing more is read or passed on.
 *
 * <p>HTTP/1-only: an HTTP/2 front end gives each stream its own channel and needs none of this.
 */
final class Http1ResponseOrder extends ChannelDuplexHandler {
    private final ArrayDeque<HttpObject> held = new ArrayDeque<>();
    /** A request has been passed on and the last part of its response is not written yet. */
    private boolean responding;
    /** The request passed on last has been passed on up to its last content. */
    private boolean requestRead = true;
    /** A response said Connection: close: the rest of the input is ignored. */
    private boolean closing;
    private boolean draining;
    /** The head written last was an informational (1xx) response, e.g. 100 Continue, which ends no exchange. */
    private boolean interim;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject object)) {
            ctx.fireChannelRead(msg);
        } else if (closing) {
            ReferenceCountUtil.release(msg);
        } else {
            held.add(object);
            drain(ctx);
            if (!held.isEmpty()) pauseReading(ctx); // a pipelined request waits: read no further meanwhile
        }
    }

    /** Reads requested further down (e.g. by the body aggregator) wait while a request is held back. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (ctx.channel().config().isAutoRead() || wantsInput()) ctx.read();
    }

    private void pauseReading(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
    }

    /** Turning auto-read back on also asks for a read, as the paused channel has none pending. */
    private void resumeReading(ChannelHandlerContext ctx) {
        if (!ctx.channel().config().isAutoRead()) ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (!interim && !HttpUtil.isKeepAlive(response)) {
                closing = true;
                releaseHeld();
                pauseReading(ctx);
            }
        }
        if (msg instanceof LastHttpContent) {
            if (!interim) promise = promise.unvoid().addListener(f -> responseWritten(ctx, (ChannelFuture) f));
            interim = false;
        }
        ctx.write(msg, promise);
    }

    private void responseWritten(ChannelHandlerContext ctx, ChannelFuture written) {
        if (!written.isSuccess()) {
            ctx.close();
            return;
        }
        responding = false;
        drain(ctx);
        if (wantsInput()) resumeReading(ctx);
    }

    /** Passes on held input up to the next request that must wait for the current response. */
    private void drain(ChannelHandlerContext ctx) {
        if (draining) return; // a response completed while passing a request on; the loop below continues
        draining = true;
        try {
            while (!closing && !held.isEmpty()) {
                HttpObject next = held.peek();
                if (next instanceof HttpRequest && responding) break;
                held.poll();
                if (next instanceof HttpRequest) {
                    responding = true;
                    requestRead = false;
                }
                if (next instanceof LastHttpContent) requestRead = true;
                ctx.fireChannelRead(next);
            }
        } finally {
            draining = false;
        }
    }

    /** More input is wanted when idle, or to finish the body of the request being answered. */
    private boolean wantsInput() {
        return !closing && held.isEmpty() && (!responding || !requestRead);
    }

    private void releaseHeld() {
        HttpObject o;
        while ((o = held.poll()) != null) ReferenceCountUtil.release(o);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }
}
