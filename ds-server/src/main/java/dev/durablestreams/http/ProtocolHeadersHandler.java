package dev.durablestreams.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Adds the browser-security headers every response carries (spec section 12), errors, 304s and SSE included, so
 * no handler can forget them. CORS headers are {@link CorsHandler}'s job.
 */
@ChannelHandler.Sharable
final class ProtocolHeadersHandler extends ChannelOutboundHandlerAdapter {
    static final ProtocolHeadersHandler INSTANCE = new ProtocolHeadersHandler();

    private static final ConstantHeaders SECURITY = new ConstantHeaders(
            "X-Content-Type-Options", "nosniff",
            "Cross-Origin-Resource-Policy", "cross-origin");

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            SECURITY.setOn(response.headers());
        }
        ctx.write(msg, promise);
    }
}
