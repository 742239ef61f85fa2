package dev.durablestreams.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Collects request bodies (fixed-length and chunked alike) up to the configured limit. A declared
 * {@code Content-Length} over the limit is refused with 413 before any of the body is read; a chunked body
 * that grows past it is refused when it does, and the connection is closed since the rest cannot be skipped.
 *
 * <p>A refused expectation (417 for anything but {@code 100-continue}, 413 for a {@code 100-continue} body over the
 * limit) closes the connection: the body the client may still send would otherwise be parsed as the next request.
 */
final class BodyLimitHandler extends HttpObjectAggregator {

    BodyLimitHandler(int maxBody) {
        super(maxBody, true);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(response instanceof HttpResponse r) || r.status().codeClass() != HttpStatusClass.CLIENT_ERROR) {
            return response;
        }
        int status = r.status().code();
        ReferenceCountUtil.release(response);
        FullHttpResponse refusal = Responses.problem(status, status == HttpResponseStatus.EXPECTATION_FAILED.code()
                ? "only the 100-continue expectation is supported"
                : "request body exceeds the limit of " + maxContentLength + " bytes");
        HttpUtil.setKeepAlive(refusal, false);
        return refusal;
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
