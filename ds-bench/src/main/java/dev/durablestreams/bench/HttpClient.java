package dev.durablestreams.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A Netty HTTP/1.1 client (epoll when available) that opens {@link Conn}s to one server. Requests are encoded by
 * {@link Conn} itself; responses go through Netty's decoder (never to HEAD requests, which it cannot frame alone).
 */
final class HttpClient implements AutoCloseable {
    final String host;
    final int port;
    final String hostHeader;
    /** Path prefix of streams, ending in '/', e.g. {@code /v1/stream/}. */
    final String base;
    /** Header lines sent with every request ({@code --header}), each ending in CRLF; empty for none. */
    final String extraHeaderLines;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    HttpClient(String url, int threads) {
        this(url, threads, List.of());
    }

    /** @param headers {@code Name: value} lines sent with every request, e.g. {@code Authorization: Bearer x} */
    HttpClient(String url, int threads, List<String> headers) {
        StringBuilder lines = new StringBuilder();
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0 || h.indexOf('\r') >= 0 || h.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("--header must be 'Name: value', got: " + h);
            }
            lines.append(h, 0, colon).append(": ").append(h.substring(colon + 1).trim()).append("\r\n");
        }
        this.extraHeaderLines = lines.toString();
        URI uri = URI.create(url.endsWith("/") ? url : url + "/");
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 80;
        this.hostHeader = host + ":" + port;
        this.base = uri.getRawPath();
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    String path(String stream) {
        return base + stream;
    }

    CompletableFuture<Conn> connect() {
        Conn conn = new Conn(this);
        CompletableFuture<Conn> f = new CompletableFuture<>();
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpResponseDecoder(new HttpDecoderConfig()
                        .setMaxInitialLineLength(4096).setMaxHeaderSize(64 * 1024).setMaxChunkSize(256 * 1024)
                        .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
                        .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(false))));
                ch.pipeline().addLast(conn);
            }
        });
        ChannelFuture cf = b.connect(host, port);
        conn.channel = cf.channel();
        cf.addListener(x -> {
            if (x.isSuccess()) f.complete(conn);
            else f.completeExceptionally(x.cause());
        });
        return f;
    }

    /** Opens n connections, at most 256 connects in flight (a burst of SYNs overflows accept queues). */
    List<Conn> connectAll(int n) throws Exception {
        Semaphore inFlight = new Semaphore(256);
        List<CompletableFuture<Conn>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            CompletableFuture<Conn> f = connect();
            f.whenComplete((c, e) -> inFlight.release());
            fs.add(f);
        }
        List<Conn> out = new ArrayList<>(n);
        for (CompletableFuture<Conn> f : fs) out.add(f.get(30, TimeUnit.SECONDS));
        return out;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
