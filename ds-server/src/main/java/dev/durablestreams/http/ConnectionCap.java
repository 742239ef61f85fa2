package dev.durablestreams.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Keeps the number of open connections under a cap set below the file-descriptor limit, so the server never runs
 * out of descriptors for storage files and new clients; a connection over the cap is closed as soon as it is
 * active, before anything is read from it, which costs its descriptor only for that moment. First in the pipeline.
 */
@ChannelHandler.Sharable
final class ConnectionCap extends ChannelInboundHandlerAdapter {
    private final int max;
    private final ConnectionLimits stats;

    ConnectionCap(int max, ConnectionLimits stats) {
        this.max = max;
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        long open = stats.openConnections.incrementAndGet();
        if (max > 0 && open > max) {
            stats.openConnections.decrementAndGet();
            stats.refusedConnections.increment();
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(f -> stats.openConnections.decrementAndGet());
        super.channelActive(ctx);
        ctx.pipeline().remove(this);
    }
}
