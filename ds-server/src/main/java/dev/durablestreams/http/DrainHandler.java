package dev.durablestreams.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.BooleanSupplier;

/**
 * Lets a connection end gracefully when the server drains: an idle connection closes at once; one with requests
 * in flight answers them, each response saying {@code Connection: close} (the keep-alive handler then closes the
 * connection after the last one).
 */
final class DrainHandler extends ChannelDuplexHandler {
    /** The user event that starts the drain of a connection. */
    static final Object DRAIN = new Object();

    private final BooleanSupplier draining;
    private int inFlight;
    private boolean informational;

    DrainHandler(BooleanSupplier draining) {
        this.draining = draining;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) inFlight++;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse r) {
            informational = r.status().code() < 200;
            if (!informational && draining.getAsBoolean()) HttpUtil.setKeepAlive(r, false);
        }
        if (msg instanceof LastHttpContent && !informational && inFlight > 0) inFlight--;
        ctx.write(msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == DRAIN) {
            if (inFlight == 0) ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
