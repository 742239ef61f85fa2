package dev.durablestreams.http;

import dev.durablestreams.metrics.HttpMetrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches each request-response exchange of a connection: counts it by method and status, times it from the
 * request head to the last response byte, and writes the access-log line (logger {@code access}, off unless
 * enabled). Responses come in request order, so pipelined requests wait in a queue.
 */
final class RequestObserver extends ChannelDuplexHandler {
    static final Logger ACCESS = LoggerFactory.getLogger("access");

    private final HttpMetrics metrics;
    // The exchange being answered, in fields: the common case allocates nothing.
    private boolean active;
    private long started;
    private int method;
    private String uri;
    private int status;
    private long bytes;
    private ArrayDeque<Object[]> waiting;

    RequestObserver(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest r) {
            long now = System.nanoTime();
            int m = methodIndex(r.method());
            if (!active) {
                begin(now, m, r.uri());
            } else {
                if (waiting == null) waiting = new ArrayDeque<>(2);
                waiting.add(new Object[] {now, m, r.uri()});
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void begin(long now, int m, String u) {
        active = true;
        started = now;
        method = m;
        uri = u;
        status = 0;
        bytes = 0;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (active) {
            if (msg instanceof HttpResponse r) {
                int code = r.status().code();
                if (code < 200) { // 100 Continue: the exchange goes on
                    ctx.write(msg, promise);
                    return;
                }
                status = code;
            }
            if (msg instanceof HttpContent c) bytes += c.content().readableBytes();
            if (msg instanceof LastHttpContent) complete(ctx);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // An SSE response or a long-poll whose client went away: still one exchange (status 0: nothing was sent).
        if (active) complete(ctx);
        super.channelInactive(ctx);
    }

    private void complete(ChannelHandlerContext ctx) {
        long nanos = System.nanoTime() - started;
        if (status != 0) metrics.request(method, status, nanos);
        if (ACCESS.isInfoEnabled()) log(ctx, nanos);
        active = false;
        uri = null;
        Object[] next = waiting == null ? null : waiting.poll();
        if (next != null) begin((Long) next[0], (Integer) next[1], (String) next[2]);
    }

    private void log(ChannelHandlerContext ctx, long nanos) {
        String target = AccessLog.redact(uri);
        String remote = String.valueOf(ctx.channel().remoteAddress());
        if (remote.startsWith("/")) remote = remote.substring(1);
        double ms = nanos / 1e6;
        ACCESS.atInfo()
                .addKeyValue("method", HttpMetrics.METHODS[method])
                .addKeyValue("path", target)
                .addKeyValue("status", status)
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", Math.round(ms * 1000) / 1000.0)
                .addKeyValue("remote", remote)
                .log("{} {} {} {} {}B {}ms", remote, HttpMetrics.METHODS[method], target, status, bytes,
                        String.format(java.util.Locale.ROOT, "%.3f", ms));
    }

    static int methodIndex(HttpMethod m) {
        if (m == HttpMethod.GET) return 0;
        if (m == HttpMethod.POST) return 1;
        return HttpMetrics.methodIndex(m.name());
    }
}
