package dev.durablestreams.http;

import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.subscription.SubscriptionApi;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front end: binds the port and hands each connection to {@link PipelineInitializer}, which sets up an
 * HTTP/1.1 ({@link Http1Pipeline}) or HTTP/2 ({@link Http2Pipeline}) pipeline, over TLS or cleartext. Both end in
 * the same {@link ExchangeHandlers}.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final ServerConfig config;
    private final ReloadingSslContext tls;
    private final PipelineInitializer pipelines;
    private final EventLoopGroup group;
    private final ConnectionLimits limits = new ConnectionLimits();
    private Channel channel;

    /** A cleartext server: HTTP/1.1, and HTTP/2 by prior knowledge or {@code Upgrade: h2c}. */
    public HttpServer(ServerConfig config, StreamStore store) {
        this(config, store, null);
    }

    /** A cleartext server whose subscription routes are served by {@code subscriptions}. */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionApi subscriptions) {
        this(config, store, subscriptions, null);
    }

    /**
     * A server over TLS when {@code tls} is not null (HTTP/2 and HTTP/1.1 by ALPN), else cleartext.
     *
     * @param subscriptions serves {@code /v1/stream/__ds/...}; null answers 404 there
     * @param tls the certificate source, closed with this server
     */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionApi subscriptions, ReloadingSslContext tls) {
        this.config = config;
        this.tls = tls;
        ExchangeHandlers exchange = new ExchangeHandlers(store, config, new SseFrameCache(), subscriptions);
        Http1Pipeline http1 = new Http1Pipeline(exchange, config, limits,
                new OutputBudget(config.limits().maxPendingOutput(), limits));
        this.pipelines = new PipelineInitializer(tls, new ConnectionCap(config.limits().maxConnections(), limits),
                http1, new Http2Pipeline(exchange), config.maxBody());
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(0, io);
    }

    /** Binds and starts serving; returns the bound port (useful with port 0). */
    public int start() throws InterruptedException {
        Class<? extends ServerChannel> channelType =
                Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .handler(new AcceptErrorHandler(limits))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(pipelines);
        channel = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        LOG.info("serving Durable Streams on {}://{}:{}{} ({} transport; {})", tls == null ? "http" : "https",
                config.host(), port, StreamRequest.ROOT, Epoll.isAvailable() ? "epoll" : "nio",
                tls == null ? "HTTP/1.1, h2c" : "h2 and HTTP/1.1 by ALPN");
        return port;
    }

    /** Connections accepted since start (each HTTP/2 connection counts once, however many streams it carries). */
    public long connectionsAccepted() {
        return pipelines.accepted();
    }

    /** What the connection, timeout and memory limits are doing; for metrics and tests. */
    public ConnectionLimits limits() {
        return limits;
    }

    public void awaitClose() throws InterruptedException {
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        if (channel != null) channel.close().syncUninterruptibly();
        if (tls != null) tls.close();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
