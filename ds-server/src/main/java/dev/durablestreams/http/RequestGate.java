package dev.durablestreams.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * A check on a request's head, before its body is collected: it lets the request through or answers it at once.
 * An answered request's body is never read: if one is on its way the connection is closed after the answer,
 * otherwise the (empty) end of the request is dropped and the connection stays usable. CORS preflights and
 * requests the codec could not parse pass unchecked (the router answers them).
 */
abstract class RequestGate extends ChannelInboundHandlerAdapter {
    private boolean discarding;

    /** The refusal of this request, or {@code null} to let it through. */
    protected abstract FullHttpResponse refuse(ChannelHandlerContext ctx, HttpRequest request);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            discarding = false;
            if (request.decoderResult().isFailure() || request.method().equals(HttpMethod.OPTIONS)) {
                ctx.fireChannelRead(msg);
                return;
            }
            FullHttpResponse refusal = refuse(ctx, request);
            if (refusal == null) {
                ctx.fireChannelRead(msg);
                return;
            }
            boolean bodyPending = !(msg instanceof LastHttpContent)
                    && (HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request));
            ReferenceCountUtil.release(msg);
            discarding = !(msg instanceof LastHttpContent);
            Responses.send(ctx, refusal, HttpUtil.isKeepAlive(request) && !bodyPending);
        } else if (discarding && msg instanceof HttpContent content) {
            if (content instanceof LastHttpContent) discarding = false;
            content.release();
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
