package dev.durablestreams.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;

/**
 * An HTTP/2 connection: the frame codec and a multiplexer giving each stream a child channel of its own. A
 * stream's channel adapts frames to {@code HttpObject}s and back, then runs the same {@link ExchangeHandlers} as
 * an HTTP/1.1 connection. The HTTP/1-only connection handlers never run here, and the adapter drops
 * connection-specific response headers ({@code Connection}, {@code Transfer-Encoding}, {@code Keep-Alive}), which
 * HTTP/2 forbids.
 *
 * <p>Flow control: frames the peer's stream or connection window does not admit yet stay queued, and count as
 * pending on the stream's channel until written; past {@link #STREAM_WATER_MARK} the channel turns unwritable, so
 * an SSE response to a slow stream stops reading storage exactly as it does on a slow HTTP/1.1 socket.
 */
final class Http2Pipeline {
    /** Streams one connection may have open at once: many SSE and long-poll readers may share a connection. */
    static final int MAX_CONCURRENT_STREAMS = 1000;
    /** Receive window per stream: large enough that an append body is not paced by window updates. */
    static final int INITIAL_WINDOW = 1024 * 1024;
    /** Bytes queued on one stream, beyond the peer's window, before its channel reports unwritable. */
    static final WriteBufferWaterMark STREAM_WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    /** Largest request header block, the same as the HTTP/1.1 codec's. */
    static final int MAX_HEADER_LIST = 32 * 1024;

    private final ExchangeHandlers exchange;
    private final ChannelHandler streamInitializer;

    Http2Pipeline(ExchangeHandlers exchange) {
        this.exchange = exchange;
        this.streamInitializer = new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.config().setWriteBufferWaterMark(STREAM_WATER_MARK);
                ch.pipeline().addLast("h2-stream-adapter", new Http2StreamFrameToHttpObjectCodec(true));
                Http2Pipeline.this.exchange.addHeaders(ch.pipeline());
                Http2Pipeline.this.exchange.addExchange(ch.pipeline());
                Http2Pipeline.this.exchange.addGates(ch.pipeline());
                Http2Pipeline.this.exchange.addHandlers(ch.pipeline());
            }
        };
    }

    /** A connection known to speak HTTP/2 (TLS with ALPN h2). */
    void addTo(ChannelPipeline p) {
        p.addLast(DRAIN, new Drain()).addLast("h2-codec", newFrameCodec()).addLast("h2-streams", newMultiplexer());
    }

    /**
     * For a cleartext connection that opened with the HTTP/2 preface: puts the HTTP/2 handlers in its own place
     * and removes the HTTP/1 handlers after it.
     */
    ChannelHandler priorKnowledge() {
        return new ChannelHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ChannelPipeline p = ctx.pipeline();
                Http1Pipeline.removeFrom(p);
                p.addAfter(ctx.name(), DRAIN, new Drain());
                p.addAfter(DRAIN, "h2-codec", newFrameCodec());
                p.addAfter("h2-codec", "h2-streams", newMultiplexer());
                p.remove(this);
            }
        };
    }

    /** For a cleartext HTTP/1.1 request with {@code Upgrade: h2c}; the request itself becomes stream 1. */
    HttpServerUpgradeHandler.UpgradeCodecFactory upgradeCodecs() {
        return protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                ? new Http2ServerUpgradeCodec(newFrameCodec(), newMultiplexer(), new ChannelHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        Http1Pipeline.removeFrom(ctx.pipeline());
                        ctx.pipeline().addFirst(DRAIN, new Drain());
                        ctx.pipeline().remove(this);
                    }
                })
                : null;
    }

    private static final String DRAIN = "h2-drain";

    /**
     * On a server drain ({@link Http1Exchanges#DRAIN}), closes the connection the HTTP/2 way: the frame codec sends
     * GOAWAY, lets the streams in flight finish (live reads are ended by the drain itself) and then closes.
     */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == Http1Exchanges.DRAIN) ctx.channel().close();
            else super.userEventTriggered(ctx, evt);
        }
    }

    private static Http2FrameCodec newFrameCodec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .initialWindowSize(INITIAL_WINDOW)
                        .maxHeaderListSize(MAX_HEADER_LIST))
                .build();
    }

    private Http2MultiplexHandler newMultiplexer() {
        return new Http2MultiplexHandler(streamInitializer);
    }
}
