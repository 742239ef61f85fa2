package dev.durablestreams.http;

import dev.durablestreams.metrics.Readiness;
import dev.durablestreams.metrics.ServerMetrics;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.subscription.SubscriptionApi;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
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
 * The HTTP/1.1 front end. Pipeline per connection, each handler with one job: connection cap, codec, read
 * timeouts, pending-output accounting, protocol headers on every response, one request at a time so responses
 * leave in request order, request metrics and access log, CORS headers, request-line and Host checks,
 * keep-alive, drain, authentication and rate limit on the request head (when configured), the in-flight body
 * budget, body collection with its size limit, the operator endpoints (unless they have their own admin
 * listener), routing.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final ServerConfig config;
    private final StreamStore store;
    private final SubscriptionApi subscriptions;
    private final ServerMetrics metrics;
    private final int adminPort;
    private final EventLoopGroup group;
    private final SseFrameCache frames = new SseFrameCache();
    private final Readiness readiness;
    private final LiveReaders live;
    private final OpsHandler ops;
    private final ChannelGroup connections = new DefaultChannelGroup("ds-connections", GlobalEventExecutor.INSTANCE);
    private final AccessControl access;
    private final CacheScope cache;
    private final ConnectionLimits limits = new ConnectionLimits();
    private final ConnectionCap cap;
    private final OutputBudget output;
    private Channel channel;
    private Channel adminChannel;
    private int boundAdminPort = -1;

    public HttpServer(ServerConfig config, StreamStore store) {
        this(config, store, null);
    }

    /** @param subscriptions serves {@code /v1/stream/__ds/...}; null answers 404 there */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionApi subscriptions) {
        this(config, store, subscriptions, ServerMetrics.requestsOnly(), -1, AccessControl.OPEN);
    }

    /** An open server (no auth, rate limit or CORS restriction) with the given meters and admin listener. */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionApi subscriptions, ServerMetrics metrics,
                      int adminPort) {
        this(config, store, subscriptions, metrics, adminPort, AccessControl.OPEN);
    }

    /** A server with the given access policy, request meters only, and no admin listener. */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionApi subscriptions, AccessControl access) {
        this(config, store, subscriptions, ServerMetrics.requestsOnly(), -1, access);
    }

    /**
     * @param subscriptions serves {@code /v1/stream/__ds/...}; null answers 404 there
     * @param adminPort port of a separate listener for {@code /healthz}, {@code /readyz} and {@code /metrics}
     *                  (0: any free port); negative: they are served on the main listener
     * @param access authentication, rate limit and CORS policy ({@link AccessControl#OPEN}: none, any origin)
     */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionApi subscriptions, ServerMetrics metrics,
                      int adminPort, AccessControl access) {
        this.config = config;
        this.store = store;
        this.cap = new ConnectionCap(config.limits().maxConnections(), limits);
        this.output = new OutputBudget(config.limits().maxPendingOutput(), limits);
        this.subscriptions = subscriptions;
        this.metrics = metrics;
        limits.bindTo(metrics.registry());
        this.adminPort = adminPort;
        this.readiness = new Readiness(store);
        this.live = new LiveReaders(metrics.http());
        this.ops = new OpsHandler(readiness, metrics, adminPort >= 0);
        this.access = access;
        this.cache = access.cacheScope();
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
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ConnectionTimeouts timeouts = new ConnectionTimeouts(config.limits(), limits);
                        ChannelPipeline p = ch.pipeline()
                                .addLast("connection-cap", cap)
                                .addLast("timeouts-bytes", timeouts.byteSensor())
                                .addLast("codec", new HttpServerCodec(8192, 32 * 1024, 64 * 1024))
                                .addLast("timeouts", timeouts)
                                .addLast("pending-output", output.newMeter())
                                .addLast("protocol-headers", ProtocolHeadersHandler.INSTANCE)
                                .addLast("order", new Http1ResponseOrder())
                                .addLast("observer", new RequestObserver(metrics.http()))
                                // After "order": one request at a time, so each response answers its request's Origin.
                                .addLast("cors", new CorsHandler(access.cors()))
                                .addLast("request-check", new Http1RequestCheck())
                                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("drain", new DrainHandler(readiness::draining));
                        // Checks on the request head, before any body is budgeted or collected: who, then how often.
                        if (access.auth() != null) p.addLast("auth", new AuthHandler(access.auth()));
                        if (access.rateLimit() != null) {
                            p.addLast("rate-limit", new RateLimitHandler(access.rateLimit(), access.clients()));
                        }
                        p.addLast("body-budget", new BodyBudgetHandler(config.limits().maxInflightBody(),
                                        config.maxBody(), limits))
                                .addLast("body", new BodyLimitHandler(config.maxBody()));
                        if (adminPort < 0) p.addLast("ops", ops);
                        p.addLast("router",
                                new StreamRouter(store, config, frames, subscriptions, metrics.http(), live, cache));
                    }
                });
        channel = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        LOG.info("serving Durable Streams on http://{}:{}{} ({} transport)", config.host(), port, StreamRequest.ROOT,
                Epoll.isAvailable() ? "epoll" : "nio");
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

    /** What the connection, timeout and memory limits are doing; for metrics and tests. */
    public ConnectionLimits limits() {
        return limits;
    }

    public void awaitClose() throws InterruptedException {
        channel.closeFuture().sync();
    }

    /**
     * Graceful stop: readiness turns 503, the listener stops accepting, open long-polls answer 204 and SSE
     * responses end, requests in flight are answered (with {@code Connection: close}), idle connections close.
     * Connections still open after {@code grace} are closed. Storage stays open: the caller closes it afterwards.
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
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
