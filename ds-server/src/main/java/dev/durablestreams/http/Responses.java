package dev.durablestreams.http;

import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.storage.StreamError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Building and sending responses; the single place where errors become statuses and problem bodies. */
final class Responses {
    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

    private Responses() {}

    static FullHttpResponse empty(int status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.EMPTY_BUFFER);
        HttpUtil.setContentLength(r, 0);
        return r;
    }

    static FullHttpResponse withBody(int status, String contentType, ByteBuf body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(r, body.readableBytes());
        return r;
    }

    /** An RFC 9457 problem response with a short human-readable detail. */
    static FullHttpResponse problem(int status, String detail) {
        HttpResponseStatus s = HttpResponseStatus.valueOf(status);
        String json = "{\"type\":\"about:blank\",\"title\":\"" + jsonEscape(s.reasonPhrase()) + "\",\"status\":" + status
                + ",\"detail\":\"" + jsonEscape(detail == null ? s.reasonPhrase() : detail) + "\"}";
        FullHttpResponse r = withBody(status, "application/problem+json",
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    /** Maps any failure of a request to its response. */
    static FullHttpResponse error(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof StreamError se) {
            FullHttpResponse r = problem(se.kind().status, se.getMessage());
            for (Map.Entry<String, String> h : se.headers().entrySet()) r.headers().set(h.getKey(), h.getValue());
            if (se.kind().status >= 500) LOG.warn("storage refused a request: {}", se.getMessage());
            return r;
        }
        if (t instanceof ProtocolException pe) return problem(pe.status(), pe.getMessage());
        LOG.error("unexpected failure", t);
        return problem(500, "internal error");
    }

    /**
     * Builds a response and sends it. A failure while building (a bug, or a header value Netty refuses) must not
     * leave the client waiting: it is logged and answered 500, and the connection closed.
     */
    static void reply(ChannelHandlerContext ctx, boolean keepAlive, Supplier<FullHttpResponse> build) {
        FullHttpResponse response;
        try {
            response = build.get();
        } catch (RuntimeException e) {
            send(ctx, error(e), false);
            return;
        }
        send(ctx, response, keepAlive);
    }

    static ChannelFuture send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture f = response.content().readableBytes() > SLICE ? sendSliced(ctx, response)
                : ctx.writeAndFlush(response);
        f.addListener(CLOSE_ON_WRITE_FAILURE);
        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
        return f;
    }

    /**
     * Closes the connection when a response could not be written: the client would otherwise wait forever for a
     * response that is never coming. Logged once per failure; a peer that went away is not worth a warning.
     */
    static final ChannelFutureListener CLOSE_ON_WRITE_FAILURE = f -> {
        if (f.isSuccess()) return;
        Throwable cause = f.cause();
        if (cause instanceof java.io.IOException || !f.channel().isActive()) {
            LOG.debug("response not written, closing the connection: {}", cause.toString());
        } else {
            LOG.warn("response not written, closing the connection", cause);
        }
        f.channel().close();
    };

    /** Large bodies go out in slices: the transport copies heap bytes to direct memory one pooled slice at a time. */
    static final int SLICE = 256 * 1024;

    private static ChannelFuture sendSliced(ChannelHandlerContext ctx, FullHttpResponse full) {
        DefaultHttpResponse head = new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
        ctx.write(head);
        ByteBuf body = full.content();
        for (int i = body.readerIndex(); i < body.writerIndex(); i += SLICE) {
            ctx.write(new DefaultHttpContent(body.retainedSlice(i, Math.min(SLICE, body.writerIndex() - i))));
        }
        full.release();
        return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** Adds {@code token} to the response's {@code Vary} header, keeping what is there. */
    static void addVary(io.netty.handler.codec.http.HttpHeaders h, String token) {
        String vary = h.get(HttpHeaderNames.VARY);
        if (vary == null || vary.isBlank()) h.set(HttpHeaderNames.VARY, token);
        else if (!vary.toLowerCase(java.util.Locale.ROOT).contains(token.toLowerCase(java.util.Locale.ROOT))) {
            h.set(HttpHeaderNames.VARY, vary + ", " + token);
        }
    }

    static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }
}
