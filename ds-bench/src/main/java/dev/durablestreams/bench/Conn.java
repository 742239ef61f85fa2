package dev.durablestreams.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection with at most one request in flight. The response is delivered to a
 * {@link ResponseHandler} piece by piece (headers, body chunks, end) on the connection's event loop, so
 * bodies are never aggregated unless the handler wants them.
 */
final class Conn extends ChannelInboundHandlerAdapter {
    /** Receives one response. All methods run on the connection's event loop. */
    interface ResponseHandler {
        default void headers(HttpResponse response) {}
        default void content(ByteBuf chunk) {}
        void end();
        default void error(Throwable cause) {}
    }

    private final HttpClient client;
    Channel channel;
    private ResponseHandler current;
    volatile boolean closed;

    Conn(HttpClient client) {
        this.client = client;
    }

    /**
     * Sends a request; the handler gets its response. Callable from any thread. The request is encoded here,
     * directly into one buffer (no HttpRequestEncoder: this is the generator's hot path).
     */
    void send(HttpMethod method, String pathAndQuery, String contentType, byte[] body, ResponseHandler handler,
              String... extraHeaders) {
        int bodyLen = body == null ? 0 : body.length;
        StringBuilder sb = new StringBuilder(160 + pathAndQuery.length());
        sb.append(method.name()).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\nHost: ")
                .append(client.hostHeader).append("\r\n");
        if (contentType != null) sb.append("Content-Type: ").append(contentType).append("\r\n");
        if (body != null || method == HttpMethod.POST || method == HttpMethod.PUT) {
            sb.append("Content-Length: ").append(bodyLen).append("\r\n");
        }
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            sb.append(extraHeaders[i]).append(": ").append(extraHeaders[i + 1]).append("\r\n");
        }
        sb.append(client.extraHeaderLines).append("\r\n");
        ByteBuf req = channel.alloc().buffer(sb.length() + bodyLen);
        req.writeCharSequence(sb, StandardCharsets.US_ASCII);
        if (bodyLen > 0) req.writeBytes(body);
        if (channel.eventLoop().inEventLoop()) {
            write(req, handler);
        } else {
            channel.eventLoop().execute(() -> write(req, handler));
        }
    }

    private void write(ByteBuf req, ResponseHandler handler) {
        if (closed || !channel.isActive()) {
            req.release();
            handler.error(new ClosedChannelException());
            return;
        }
        if (current != null) {
            req.release();
            handler.error(new IllegalStateException("request already in flight on this connection"));
            return;
        }
        current = handler;
        channel.writeAndFlush(req, channel.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ResponseHandler h = current;
            if (h == null) return;
            if (msg instanceof HttpResponse r) h.headers(r);
            if (msg instanceof HttpContent c) {
                if (c.content().isReadable()) h.content(c.content());
                if (msg instanceof LastHttpContent) {
                    current = null;
                    h.end();
                }
            }
        } finally {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        ResponseHandler h = current;
        current = null;
        if (h != null) h.error(new ClosedChannelException());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    void close() {
        closed = true;
        if (channel != null) channel.close();
    }
}
