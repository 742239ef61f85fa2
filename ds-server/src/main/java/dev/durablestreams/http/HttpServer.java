package dev.durablestreams.http;

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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 front end. Pipeline per connection, each handler with one job: connection cap, codec, read
 * timeouts, pending-output accounting, protocol headers on every response, one request at a time so responses
 * leave in request order, CORS headers, request-line and Host checks, keep-alive, authentication and rate limit on
 * the request head (when configured), the in-flight body budget, body collection with its size limit, routing.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final ServerConfig config;
    private final StreamStore store;
    private final SubscriptionApi subscriptions;
    private final EventLoopGroup group;
    private final SseFrameCache frames = new SseFrameCache();
    private final AccessControl access;
    private final CacheScope cache;
    private final ConnectionLimits limits = new ConnectionLimits();
    private final ConnectionCap cap;
    private final OutputBudget output;
    private Channel channel;

    public HttpServer(ServerConfig config, StreamStore store) {
        this(config, store, null, AccessControl.OPEN);
    }

    /** @param subscriptions serves {@code /v1/stream/__ds/...}; null answers 404 there */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionApi subscriptions) {
        this(config, store, subscriptions, AccessControl.OPEN);
    }

    /**
     * @param subscriptions serves {@code /v1/stream/__ds/...}; null answers 404 there
     * @param access authentication, rate limit and CORS policy ({@link AccessControl#OPEN}: none, any origin)
     */
    public HttpServer(ServerConfig config, StreamStore store, SubscriptionApi subscriptions, AccessControl access) {
        this.config = config;
        this.store = store;
        this.cap = new ConnectionCap(config.limits().maxConnections(), limits);
        this.output = new OutputBudget(config.limits().maxPendingOutput(), limits);
        this.subscriptions = subscriptions;
        this.access = access;
        this.cache = access.cacheScope();
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
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ConnectionTimeouts timeouts = new ConnectionTimeouts(config.limits(), limits);
                        ChannelPipeline p = ch.pipeline()
                                .addLast("connection-cap", cap)
                                .addLast("timeouts-bytes", timeouts.byteSensor())
                                .addLast("codec", new HttpServerCodec(8192, 32 * 1024, 64 * 1024))
                                .addLast("timeouts", timeouts)
                                .addLast("pending-output", output.newMeter())
                                .addLast("protocol-headers", ProtocolHeadersHandler.INSTANCE)
                                .addLast("order", new Http1ResponseOrder())
                                // After "order": one request at a time, so each response answers its request's Origin.
                                .addLast("cors", new CorsHandler(access.cors()))
                                .addLast("request-check", new Http1RequestCheck())
                                .addLast("keep-alive", new HttpServerKeepAliveHandler());
                        // Checks on the request head, before any body is budgeted or collected: who, then how often.
                        if (access.auth() != null) p.addLast("auth", new AuthHandler(access.auth()));
                        if (access.rateLimit() != null) {
                            p.addLast("rate-limit", new RateLimitHandler(access.rateLimit(), access.clients()));
                        }
                        p.addLast("body-budget", new BodyBudgetHandler(config.limits().maxInflightBody(),
                                        config.maxBody(), limits))
                                .addLast("body", new BodyLimitHandler(config.maxBody()))
                                .addLast("router", new StreamRouter(store, config, frames, subscriptions, cache));
                    }
                });
        channel = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        LOG.info("serving Durable Streams on http://{}:{}{} ({} transport)", config.host(), port, StreamRequest.ROOT,
                Epoll.isAvailable() ? "epoll" : "nio");
        return port;
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
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
