package dev.durablestreams.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * The exchanges of one HTTP/1.1 connection, from the connection's side: which request is answered now, and
 * whether the connection outlives its response. Four rules that all turn on the same two events (a request is
 * passed on; the last part of its response is written), kept in one handler so a request crosses one hop for them:
 * <ul>
 *   <li><b>Order.</b> Pipelined requests are answered in the order they came (RFC 9112 section 9.3.2). Instead of
 *   buffering responses, one request is passed on at a time; the next is held until the last part of the current
 *   response is written, so a long-poll or SSE response holds the requests behind it. While a request is held the
 *   socket is not read (auto-read off), so at most one read's worth is held; a client that waits for each response
 *   (the usual case) never pauses reading, and a request that is not held costs no queueing.</li>
 *   <li><b>Request heads.</b> {@link Http1RequestCheck} refuses what the codec lets through (a version other than
 *   1.x, a bad {@code Host}) as the request is passed on, and the connection closes.</li>
 *   <li><b>Persistence.</b> A request without keep-alive, or a response that says {@code Connection: close} or has
 *   no self-delimited length, ends the connection after that response: nothing more is read or passed on.</li>
 *   <li><b>Drain.</b> When the server drains ({@link #DRAIN}), an idle connection closes at once; one with an
 *   exchange in progress answers it with {@code Connection: close} and closes after it.</li>
 * </ul>
 * HTTP/1-only: an HTTP/2 front end gives each stream its own channel and needs none of this.
 */
final class Http1Exchanges extends ChannelDuplexHandler {
    /** The user event that starts the drain of a connection (HTTP/2 connections answer it too). */
    static final Object DRAIN = new Object();

    private final BooleanSupplier serverDraining;
    private final Runnable exchangeEnded;
    /** Input held back behind the exchange in progress; empty almost always. */
    private final ArrayDeque<HttpObject> held = new ArrayDeque<>(2);
    /** A request has been passed on and the last part of its response is not written yet. */
    private boolean responding;
    /** The request passed on last has been passed on up to its last content. */
    private boolean requestRead = true;
    /** The request being answered asked to keep the connection open. */
    private boolean persistent = true;
    /** The connection ends after the response in progress: the rest of the input is ignored. */
    private boolean closing;
    /** Held input is being passed on (a response can complete meanwhile; the loop then continues). */
    private boolean passingHeld;
    /** The head written last was an informational (1xx) response, e.g. 100 Continue, which ends no exchange. */
    private boolean interim;

    /**
     * @param serverDraining whether the server is draining (each final response then says close)
     * @param exchangeEnded told when the last part of a response has been written, or failed to be
     */
    Http1Exchanges(BooleanSupplier serverDraining, Runnable exchangeEnded) {
        this.serverDraining = serverDraining;
        this.exchangeEnded = exchangeEnded;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject object)) {
            ctx.fireChannelRead(msg);
        } else if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (held.isEmpty() && !passingHeld && !(responding && msg instanceof HttpRequest)) {
            pass(ctx, object); // the common case: nothing waits, nothing is queued
        } else {
            held.add(object);
            drain(ctx);
            if (!held.isEmpty()) pauseReading(ctx); // a pipelined request waits: read no further meanwhile
        }
    }

    private void pass(ChannelHandlerContext ctx, HttpObject next) {
        if (next instanceof HttpRequest request) {
            responding = true;
            requestRead = next instanceof LastHttpContent;
            FullHttpResponse refusal = Http1RequestCheck.refusal(request);
            if (refusal != null) {
                ReferenceCountUtil.release(next);
                refuse(ctx, refusal);
                return;
            }
            persistent = HttpUtil.isKeepAlive(request);
        } else if (next instanceof LastHttpContent) {
            requestRead = true;
        }
        ctx.fireChannelRead(next);
    }

    /** Answers a refused head and closes: its body, if any, must never be read as the next request. */
    private void refuse(ChannelHandlerContext ctx, FullHttpResponse refusal) {
        endAfterThisResponse(ctx);
        // Written from here, the refusal passes the handlers in front of this one (CORS, the request observer).
        Responses.send(ctx, refusal, false);
    }

    /** Reads requested further down (e.g. by the body aggregator) wait while a request is held back. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (ctx.channel().config().isAutoRead() || wantsInput()) ctx.read();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (!interim) {
                if (!persistent || serverDraining.getAsBoolean() || !selfDelimited(response)) {
                    HttpUtil.setKeepAlive(response, false);
                }
                if (!HttpUtil.isKeepAlive(response)) endAfterThisResponse(ctx);
            }
        }
        if (msg instanceof LastHttpContent) {
            if (!interim) promise = promise.unvoid().addListener(f -> responseWritten(ctx, (ChannelFuture) f));
            interim = false;
        }
        ctx.write(msg, promise);
    }

    /** A response whose end the client can tell without the connection closing (else it must close). */
    private static boolean selfDelimited(HttpResponse r) {
        return HttpUtil.isContentLengthSet(r) || HttpUtil.isTransferEncodingChunked(r)
                || r.status().code() == HttpResponseStatus.NO_CONTENT.code()
                || r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private void endAfterThisResponse(ChannelHandlerContext ctx) {
        closing = true;
        releaseHeld();
        pauseReading(ctx);
    }

    private void responseWritten(ChannelHandlerContext ctx, ChannelFuture written) {
        exchangeEnded.run();
        if (!written.isSuccess() || closing) {
            ctx.close();
            return;
        }
        responding = false;
        drain(ctx);
        if (wantsInput()) resumeReading(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt != DRAIN) {
            super.userEventTriggered(ctx, evt);
        } else if (!responding && held.isEmpty()) {
            ctx.close(); // idle: nothing to finish
        }
        // Otherwise the response in progress says close (serverDraining) and the connection ends after it.
    }

    /** Passes on held input up to the next request that must wait for the current response. */
    private void drain(ChannelHandlerContext ctx) {
        if (passingHeld) return;
        passingHeld = true;
        try {
            while (!closing && !held.isEmpty()) {
                if (held.peek() instanceof HttpRequest && responding) break;
                pass(ctx, held.poll());
            }
        } finally {
            passingHeld = false;
        }
    }

    private void pauseReading(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
    }

    /** Turning auto-read back on also asks for a read, as the paused channel has none pending. */
    private void resumeReading(ChannelHandlerContext ctx) {
        if (!ctx.channel().config().isAutoRead()) ctx.channel().config().setAutoRead(true);
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
