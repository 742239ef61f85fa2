package dev.durablestreams.http;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the listening socket: a failed accept (EMFILE when out of file descriptors, ENFILE, ENOBUFS) is counted and
 * logged as one rate-limited line without a stack trace, and accepting pauses for a second so the loop does not
 * spin on the same error. Netty's acceptor would do the same pause but log every failure with its stack trace.
 */
final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptErrorHandler.class);
    static final long PAUSE_MILLIS = 1000;

    private final ConnectionLimits stats;
    private final RateLimitedLog log = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10), System::nanoTime);

    AcceptErrorHandler(ConnectionLimits stats) {
        this.stats = stats;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.acceptErrors.increment();
        log.warn("accepting a connection failed, pausing accepts for " + PAUSE_MILLIS + " ms", cause.getMessage() != null ? cause.getMessage() : String.valueOf(cause));
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
