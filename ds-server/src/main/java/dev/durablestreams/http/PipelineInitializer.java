package dev.durablestreams.http;

import dev.durablestreams.http.tls.ReloadingSslContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses each connection's protocol and sets up its pipeline.
 * <ul>
 *   <li>TLS: the TLS handler, then ALPN picks {@link Http2Pipeline} for {@code h2} or {@link Http1Pipeline}
 *   for {@code http/1.1} (also when the client offers no ALPN).</li>
 *   <li>Cleartext: HTTP/1.1 from the start, with two ways to HTTP/2: the connection preface as the first bytes
 *   (prior knowledge; the check costs only the first bytes) or a first request with {@code Upgrade: h2c}.</li>
 * </ul>
 */
final class PipelineInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineInitializer.class);

    private final ReloadingSslContext tls;
    private final ConnectionCap cap;
    private final Http1Pipeline http1;
    private final Http2Pipeline http2;
    private final int maxBody;
    private final LongAdder accepted = new LongAdder();
    private final ChannelGroup connections;

    /** @param connections every accepted connection is added here (a drain reaches them through it) */
    PipelineInitializer(ReloadingSslContext tls, ConnectionCap cap, Http1Pipeline http1, Http2Pipeline http2,
                        int maxBody, ChannelGroup connections) {
        this.connections = connections;
        this.tls = tls;
        this.cap = cap;
        this.http1 = http1;
        this.http2 = http2;
        this.maxBody = maxBody;
    }

    /** {@code https} for a connection (or an HTTP/2 stream of one) over TLS, else {@code http}. */
    static String scheme(Channel ch) {
        Channel connection = ch instanceof Http2StreamChannel ? ch.parent() : ch;
        return connection.pipeline().get(SslHandler.class) != null ? "https" : "http";
    }

    /** Connections accepted since start. */
    long accepted() {
        return accepted.sum();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        accepted.increment();
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("connection-cap", cap);
        if (tls != null) {
            p.addLast("tls", tls.current().newHandler(ch.alloc()));
            p.addLast("alpn", new Alpn());
        } else {
            HttpServerCodec codec = Http1Pipeline.newCodec();
            // Upgrade is honoured on the first request only (where clients send it): the upgrade handler then
            // leaves, and an HTTP/1.1 connection runs exactly the HTTP/1.1 pipeline from its second request on.
            HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, http2.upgradeCodecs(), maxBody,
                    DefaultHttpHeadersFactory.headersFactory(), DefaultHttpHeadersFactory.trailersFactory(), true);
            http1.addAround(p, () -> p.addLast("h2c-detect",
                    new CleartextHttp2ServerUpgradeHandler(codec, upgrade, http2.priorKnowledge())));
        }
    }

    /** Sets up the pipeline for the protocol ALPN agreed on, once the handshake is done. */
    private final class Alpn extends ApplicationProtocolNegotiationHandler {
        Alpn() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) http2.addTo(ctx.pipeline());
            else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) http1.addTo(ctx.pipeline());
            else throw new IllegalStateException("unsupported application protocol: " + protocol);
        }

        // Failed handshakes (scanners, plain HTTP sent to the TLS port, untrusted certificates) are the client's
        // business: logged at debug, not as warnings.
        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("TLS connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
