package dev.durablestreams.http;

import dev.durablestreams.metrics.Readiness;
import dev.durablestreams.metrics.ServerMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;

/**
 * The operator endpoints: {@code /healthz} (the process answers), {@code /readyz} (it should get traffic) and
 * {@code /metrics} (Prometheus text). Outside the stream namespace, without authentication, and they never touch a
 * stream. On the admin listener this is the last handler and anything else gets 404; on the main listener the
 * router asks {@link #respond} for paths outside the stream namespace, so stream requests cross no extra handler.
 */
@ChannelHandler.Sharable
final class OpsHandler extends ChannelInboundHandlerAdapter {
    static final String HEALTH = "/healthz";
    static final String READY = "/readyz";
    static final String METRICS = "/metrics";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Readiness readiness;
    private final ServerMetrics metrics;

    OpsHandler(Readiness readiness, ServerMetrics metrics) {
        this.readiness = readiness;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpResponse resp = respond(req);
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        req.release();
        if (resp == null) resp = Responses.problem(404, "not found; this listener serves " + HEALTH + ", " + READY
                + " and " + METRICS);
        Responses.send(ctx, resp, keepAlive);
    }

    /**
     * The answer to an operator endpoint, or null when the request is for none of them. On the main listener the
     * router asks this for paths outside the stream namespace (OPTIONS stays the CORS preflight of every path
     * there); the request stays the caller's to release.
     */
    FullHttpResponse respond(FullHttpRequest req) {
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        return switch (path) {
            case HEALTH -> onlyGet(req, this::health);
            case READY -> onlyGet(req, this::ready);
            case METRICS -> onlyGet(req, this::scrape);
            default -> null;
        };
    }

    private static FullHttpResponse onlyGet(FullHttpRequest req, java.util.function.Supplier<FullHttpResponse> get) {
        HttpMethod m = req.method();
        if (m.equals(HttpMethod.GET)) return get.get();
        if (m.equals(HttpMethod.HEAD)) {
            FullHttpResponse full = get.get();
            FullHttpResponse head = Responses.empty(full.status().code());
            head.headers().set(full.headers());
            full.release();
            return head;
        }
        FullHttpResponse r = Responses.problem(405, "only GET and HEAD");
        r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        return r;
    }

    private FullHttpResponse health() {
        return json(200, "{\"status\":\"ok\"}");
    }

    private FullHttpResponse ready() {
        Readiness.NotReady why = readiness.check();
        if (why == null) return json(200, "{\"status\":\"ready\"}");
        return json(503, "{\"status\":\"not ready\",\"reason\":\"" + why.code() + "\",\"detail\":\""
                + Responses.jsonEscape(why.detail()) + "\"}");
    }

    private FullHttpResponse scrape() {
        FullHttpResponse r = Responses.withBody(200, PROMETHEUS_TEXT,
                Unpooled.copiedBuffer(metrics.scrape(), StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static FullHttpResponse json(int status, String body) {
        FullHttpResponse r = Responses.withBody(status, "application/json",
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }
}
