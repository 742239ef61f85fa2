package dev.durablestreams.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;

/**
 * CORS headers on every response (errors, 304s and SSE included, so no handler can forget them), and the
 * preflight headers on responses to OPTIONS. With a list of allowed origins, each response answers the Origin of
 * its own request (remembered in request order, as HTTP/1.1 answers in that order) with {@code Vary: Origin};
 * other origins get no {@code Access-Control-Allow-Origin}, so browsers withhold the response.
 */
final class CorsHandler extends ChannelDuplexHandler {
    static final String ALLOW_METHODS = "GET, POST, PUT, DELETE, HEAD, OPTIONS";
    static final String ALLOW_HEADERS = "Content-Type, Authorization, Stream-Seq, Stream-TTL, Stream-Expires-At, "
            + "Stream-Closed, If-None-Match, Producer-Id, Producer-Epoch, Producer-Seq, Stream-Forked-From, "
            + "Stream-Fork-Offset, Stream-Fork-Sub-Offset";
    static final String EXPOSE_HEADERS = "Stream-Next-Offset, Stream-Cursor, Stream-Up-To-Date, Stream-Closed, "
            + "Stream-SSE-Data-Encoding, Stream-TTL, Stream-Expires-At, ETag, Location, Content-Type, "
            + "Content-Encoding, Vary, Producer-Epoch, Producer-Seq, Producer-Expected-Seq, Producer-Received-Seq, "
            + "WWW-Authenticate, Retry-After";

    private static final AsciiString EXPOSE_HEADERS_VALUE = AsciiString.cached(EXPOSE_HEADERS);
    /** The answer for any origin, on every response but a preflight's. */
    private static final ConstantHeaders ANY_ORIGIN = new ConstantHeaders(
            HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*",
            HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
    private static final ConstantHeaders ANY_ORIGIN_PREFLIGHT = new ConstantHeaders(
            HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*",
            HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS,
            HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS,
            HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS,
            HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");

    /** A request awaiting its response: its Origin and whether it is a preflight. */
    private record Pending(String origin, boolean preflight) {}

    // With any origin allowed the Origin itself is not needed: the two shapes are shared, nothing is allocated.
    private static final Pending ANY = new Pending(null, false);
    private static final Pending ANY_PREFLIGHT = new Pending(null, true);

    private final CorsPolicy policy;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(2);

    CorsHandler(CorsPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest r) {
            boolean preflight = r.method().equals(HttpMethod.OPTIONS);
            pending.add(policy.allowsAny() ? (preflight ? ANY_PREFLIGHT : ANY)
                    : new Pending(r.headers().get(HttpHeaderNames.ORIGIN), preflight));
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && response.status().code() >= 200) {
            Pending p = pending.poll();
            HttpHeaders h = response.headers();
            boolean preflight = p != null && p.preflight();
            if (policy.allowsAny()) {
                (preflight ? ANY_ORIGIN_PREFLIGHT : ANY_ORIGIN).setOn(h);
            } else {
                String allow = policy.allowOrigin(p == null ? null : p.origin());
                if (allow != null) {
                    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allow);
                    h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS_VALUE);
                    if (preflight) {
                        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
                        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
                        h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
                    }
                }
            }
            if (!policy.allowsAny()) Responses.addVary(h, "Origin");
        }
        super.write(ctx, msg, promise);
    }
}
