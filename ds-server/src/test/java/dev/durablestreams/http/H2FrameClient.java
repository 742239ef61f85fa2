package dev.durablestreams.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A raw HTTP/2 client over one connection (prior knowledge on cleartext, or TLS with ALPN h2), exposing the
 * response header block exactly as sent, so tests can check what the HTTP/2 adapter puts on the wire.
 */
final class H2FrameClient implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final String authority;

    /** One response: its header block, then body bytes as they arrive, and its end. */
    static final class Exchange {
        final CompletableFuture<Http2Headers> headers = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        Http2StreamChannel stream;

        synchronized String body() {
            return body.toString(StandardCharsets.UTF_8);
        }

        private synchronized void append(ByteBuf b) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            body.writeBytes(bytes);
        }
    }

    /**
     * @param ssl null for cleartext prior knowledge
     * @param settings the client's SETTINGS, e.g. a small initial window
     */
    H2FrameClient(int port, SslContext ssl, Http2Settings settings) throws InterruptedException {
        this.authority = "127.0.0.1:" + port;
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    /**
     * Sends a request on a new stream.
     *
     * @param autoRead false to leave received data unconsumed, so the client sends no window updates for it
     */
    Exchange send(String method, String path, String contentType, String body, boolean autoRead)
            throws InterruptedException {
        Exchange ex = new Exchange();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        try {
                            if (msg instanceof Http2HeadersFrame h && !ex.headers.isDone()) ex.headers.complete(h.headers());
                            if (msg instanceof Http2DataFrame d) ex.append(d.content());
                            if (msg instanceof Http2HeadersFrame h && h.isEndStream()
                                    || msg instanceof Http2DataFrame d && d.isEndStream()) ex.ended.complete(null);
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        ex.ended.complete(null);
                        ex.headers.completeExceptionally(new IllegalStateException("stream closed before headers"));
                    }
                })
                .open().sync().getNow();
        stream.config().setAutoRead(autoRead);
        ex.stream = stream;
        Http2Headers h = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority(authority);
        if (contentType != null) h.set("content-type", contentType);
        if (body == null) {
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, true)).sync();
        } else {
            stream.write(new DefaultHttp2HeadersFrame(h, false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true)).sync();
        }
        return ex;
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
