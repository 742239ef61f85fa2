package dev.durablestreams.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Collects request bodies (fixed-length and chunked alike) up to the configured limit. A declared
 * {@code Content-Length} over the limit is refused with 413 before any of the body is read; a chunked body
 * that grows past it is refused when it does, and the connection is closed since the rest cannot be skipped.
 */
final class BodyLimitHandler extends HttpObjectAggregator {

    BodyLimitHandler(int maxBody) {
        super(maxBody);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse r = Responses.problem(413, "request body exceeds the limit of " + maxContentLength() + " bytes");
        boolean mustClose = oversized instanceof FullHttpMessage
                || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
        if (mustClose) {
            HttpUtil.setKeepAlive(r, false);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
            // The aggregator discards the remaining body, so the connection stays usable.
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
