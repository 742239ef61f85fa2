package dev.durablestreams.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

/**
 * Adds the CORS and browser-security headers every response carries (spec section 12), errors, 304s and SSE
 * included, so no handler can forget them. The preflight-only headers (allowed methods and request headers) go
 * on OPTIONS responses alone: browsers read them nowhere else, and they would add 300 bytes to every response.
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

    private static final AsciiString ALLOW_ORIGIN_NAME = AsciiString.cached("Access-Control-Allow-Origin");
    private static final AsciiString STAR = AsciiString.cached("*");
    private static final AsciiString EXPOSE_HEADERS_NAME = AsciiString.cached("Access-Control-Expose-Headers");
    private static final AsciiString EXPOSE_HEADERS_VALUE = AsciiString.cached(EXPOSE_HEADERS);
    private static final AsciiString NOSNIFF_NAME = AsciiString.cached("X-Content-Type-Options");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
    private static final AsciiString CORP_NAME = AsciiString.cached("Cross-Origin-Resource-Policy");
    private static final AsciiString CROSS_ORIGIN = AsciiString.cached("cross-origin");

    /** The answer to a CORS preflight. */
    static void preflight(HttpHeaders h) {
        h.set("Access-Control-Allow-Methods", ALLOW_METHODS);
        h.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
        h.set("Access-Control-Max-Age", "86400");
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            HttpHeaders h = response.headers();
            h.set(ALLOW_ORIGIN_NAME, STAR);
            h.set(EXPOSE_HEADERS_NAME, EXPOSE_HEADERS_VALUE);
            h.set(NOSNIFF_NAME, NOSNIFF);
            h.set(CORP_NAME, CROSS_ORIGIN);
        }
        ctx.write(msg, promise);
    }
}
