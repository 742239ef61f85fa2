package dev.durablestreams.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A server that does nothing: PUT answers 201, everything else 204 with a fixed Stream-Next-Offset, at once.
 * Driving it shows the generator's own ceiling (what it can send when the server costs almost nothing).
 */
@Command(name = "sink", mixinStandardHelpOptions = true,
        description = "Null HTTP server for measuring the generator's ceiling (PUT -> 201, else 204).")
final class SinkCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "0") int port;
    @Option(names = "--threads", defaultValue = "1", description = "Event-loop threads (default ${DEFAULT-VALUE}).") int threads;

    @Override
    public Integer call() throws Exception {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Channel ch = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new HttpServerCodec());
                        c.pipeline().addLast(new SimpleChannelInboundHandler<HttpObject>() {
                            HttpMethod method;

                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                if (msg instanceof HttpRequest r) method = r.method();
                                if (msg instanceof LastHttpContent) {
                                    boolean put = HttpMethod.PUT.equals(method);
                                    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                            put ? HttpResponseStatus.CREATED : HttpResponseStatus.NO_CONTENT);
                                    res.headers().set("Stream-Next-Offset", "0000000000000000_0000000000000000");
                                    if (put) res.headers().set("Content-Length", "0");
                                    ctx.writeAndFlush(res);
                                }
                            }
                        });
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        int p = ((InetSocketAddress) ch.localAddress()).getPort();
        System.out.println("serving Durable Streams on http://127.0.0.1:" + p + "/v1/stream/ (sink)");
        System.out.flush();
        ch.closeFuture().sync();
        return 0;
    }
}
