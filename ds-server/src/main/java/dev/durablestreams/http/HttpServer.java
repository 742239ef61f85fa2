package dev.durablestreams.http;

import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.metrics.Readiness;
import dev.durablestreams.metrics.ServerMetrics;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.subscription.SubscriptionService;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front end: binds the port and hands each connection to {@link PipelineInitializer}, which sets up an
 * HTTP/1.1 ({@link Http1Pipeline}) or HTTP/2 ({@link Http2Pipeline}) pipeline, over TLS or cleartext. Both end in
 * the same {@link ExchangeHandlers}. Optionally a second small listener serves the operator endpoints; and
 * {@link #drain} stops the server gracefully.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final ServerConfig config;
    private final ReloadingSslContext tls;
    private final int adminPort;
    private final EventLoopGroup group;
    private final Readiness readiness;
    private final LiveReaders live;
    private final OpsHandler ops;
    private final ChannelGroup connections = new DefaultChannelGroup("ds-connections", GlobalEventExecutor.INSTANCE);
    private final ConnectionLimits limits = new ConnectionLimits();
    private final PipelineInitializer pipelines;
    private Channel channel;
    private Channel adminChannel;
    private int boundAdminPort = -1;

    /** A cleartext server: HTTP/1.1, and HTTP/2 by prior knowledge or {@code Upgrade: h2c}. */
    public HttpServer(ServerConfig config, StreamStore store) {
        this(config, store, null);
    }

    /** A cleartext, open server whose subscription routes are served by {@code subscriptions}. */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionService subscriptions) {
        this(config, store, subscriptions, ServerMetrics.requestsOnly(), -1, AccessControl.OPEN, null);
    }

    /** A cleartext, open server with the given meters and admin listener. */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionService subscriptions, ServerMetrics metrics,
                      int adminPort) {
        this(config, store, subscriptions, metrics, adminPort, AccessControl.OPEN, null);
    }

    /** A cleartext server with the given access policy. */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionService subscriptions, AccessControl access) {
        this(config, store, subscriptions, ServerMetrics.requestsOnly(), -1, access, null);
    }

    /** An open server over TLS when {@code tls} is not null (HTTP/2 and HTTP/1.1 by ALPN), else cleartext. */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionService subscriptions, ReloadingSslContext tls) {
        this(config, store, subscriptions, ServerMetrics.requestsOnly(), -1, AccessControl.OPEN, tls);
    }

    /**
     * @param subscriptions serves {@code /v1/stream/__ds/...}; null answers 404 there
     * @param adminPort port of a separate listener for {@code /healthz}, {@code /readyz} and {@code /metrics}
     *                  (0: any free port); negative: they are served on the main listener
     * @param access authentication, rate limit and CORS policy ({@link AccessControl#OPEN}: none, any origin)
     * @param tls the certificate source (closed with this server), or null for cleartext
     */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionService subscriptions, ServerMetrics metrics,
                      int adminPort, AccessControl access, ReloadingSslContext tls) {
        this.config = config;
        this.tls = tls;
        this.adminPort = adminPort;
        limits.bindTo(metrics.registry());
        this.readiness = new Readiness(store);
        this.live = new LiveReaders(metrics.http());
        this.ops = new OpsHandler(readiness, metrics, adminPort >= 0);
        ExchangeHandlers exchange = new ExchangeHandlers(store, config, new SseFrameCache(), subscriptions,
                metrics.http(), live, access, adminPort < 0 ? ops : null);
        Http1Pipeline http1 = new Http1Pipeline(exchange, config, limits,
                new OutputBudget(config.limits().maxPendingOutput(), limits), readiness);
        this.pipelines = new PipelineInitializer(tls, new ConnectionCap(config.limits().maxConnections(), limits),
                http1, new Http2Pipeline(exchange), config.maxBody(), connections);
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(0, io);
    }

    /** Binds and starts serving; returns the bound port (useful with port 0). */
    public int start() throws InterruptedException {
        ServerBootstrap b = bootstrap()
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
        if (adminPort >= 0) startAdmin();
        return port;
    }

    /** A second, small listener on the same event loops for the operator endpoints only. */
    private void startAdmin() throws InterruptedException {
        ServerBootstrap b = bootstrap().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast("codec", new HttpServerCodec())
                        .addLast("keep-alive", new HttpServerKeepAliveHandler())
                        .addLast("body", new BodyLimitHandler(64 * 1024))
                        .addLast("ops", ops);
            }
        });
        adminChannel = b.bind(new InetSocketAddress(config.host(), adminPort)).sync().channel();
        boundAdminPort = ((InetSocketAddress) adminChannel.localAddress()).getPort();
        LOG.info("admin endpoints on http://{}:{} ({}, {}, {})", config.host(), boundAdminPort, OpsHandler.HEALTH,
                OpsHandler.READY, OpsHandler.METRICS);
    }

    private ServerBootstrap bootstrap() {
        Class<? extends ServerChannel> channelType =
                Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        return new ServerBootstrap().group(group).channel(channelType);
    }

    /** The admin listener's port, or -1 without one. */
    public int adminPort() {
        return boundAdminPort;
    }

    public Readiness readiness() {
        return readiness;
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

    /**
     * Graceful stop: readiness turns 503, the listener stops accepting, open long-polls answer 204 and SSE
     * responses end, requests in flight are answered (HTTP/1.1 with {@code Connection: close}; HTTP/2 connections
     * get GOAWAY), idle connections close. Connections still open after {@code grace} are closed. Storage stays
     * open: the caller closes it afterwards.
     *
     * @return whether every connection ended within the grace period
     */
    public boolean drain(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        readiness.startDraining();
        if (channel != null) channel.close().syncUninterruptibly();
        int liveReads = live.size();
        live.drain();
        int open = connections.size();
        for (Channel c : connections) {
            c.eventLoop().execute(() -> c.pipeline().fireUserEventTriggered(DrainHandler.DRAIN));
        }
        boolean clean = connections.newCloseFuture()
                .awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (!clean) {
            LOG.warn("drain: {} connections still open after the grace period of {}; closing them",
                    connections.size(), grace);
            connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        LOG.info("drain: listener closed, {} connections and {} live reads ended", open, liveReads);
        close();
        return clean;
    }

    @Override
    public void close() {
        readiness.startDraining();
        if (channel != null) channel.close().syncUninterruptibly();
        if (adminChannel != null) adminChannel.close().syncUninterruptibly();
        if (tls != null) tls.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
