package dev.durablestreams.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

/**
 * Adds the browser-security headers every response carries (spec section 12), errors, 304s and SSE included, so
 * no handler can forget them. CORS headers are {@link CorsHandler}'s job.
 */
@ChannelHandler.Sharable
final class ProtocolHeadersHandler extends ChannelOutboundHandlerAdapter {
    static final ProtocolHeadersHandler INSTANCE = new ProtocolHeadersHandler();

    private static final AsciiString NOSNIFF_NAME = AsciiString.cached("X-Content-Type-Options");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
    private static final AsciiString CORP_NAME = AsciiString.cached("Cross-Origin-Resource-Policy");
    private static final AsciiString CROSS_ORIGIN = AsciiString.cached("cross-origin");

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            HttpHeaders h = response.headers();
            h.set(NOSNIFF_NAME, NOSNIFF);
            h.set(CORP_NAME, CROSS_ORIGIN);
        }
        ctx.write(msg, promise);
    }
}
