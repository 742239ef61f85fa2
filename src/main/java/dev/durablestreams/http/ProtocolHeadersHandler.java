package dev.durablestreams.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Adds the CORS and browser-security headers every response carries (spec section 12), errors, 304s and SSE
 * included, so no handler can forget them.
 */
@ChannelHandler.Sharable
final class ProtocolHeadersHandler extends ChannelOutboundHandlerAdapter {
    static final ProtocolHeadersHandler INSTANCE = new ProtocolHeadersHandler();

    static final String ALLOW_METHODS = "GET, POST, PUT, DELETE, HEAD, OPTIONS";
    static final String ALLOW_HEADERS = "Content-Type, Authorization, Stream-Seq, Stream-TTL, Stream-Expires-At, "
            + "Stream-Closed, If-None-Match, Producer-Id, Producer-Epoch, Producer-Seq, Stream-Forked-From, "
            + "Stream-Fork-Offset, Stream-Fork-Sub-Offset";
    static final String EXPOSE_HEADERS = "Stream-Next-Offset, Stream-Cursor, Stream-Up-To-Date, Stream-Closed, "
            + "Stream-SSE-Data-Encoding, Stream-TTL, Stream-Expires-At, ETag, Location, Content-Type, "
            + "Content-Encoding, Vary, Producer-Epoch, Producer-Seq, Producer-Expected-Seq, Producer-Received-Seq";

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            HttpHeaders h = response.headers();
            h.set("Access-Control-Allow-Origin", "*");
            h.set("Access-Control-Allow-Methods", ALLOW_METHODS);
            h.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
            h.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Cross-Origin-Resource-Policy", "cross-origin");
        }
        ctx.write(msg, promise);
    }
}
