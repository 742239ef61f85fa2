package dev.durablestreams.http;

import dev.durablestreams.metrics.HttpMetrics;
import dev.durablestreams.protocol.Headers;
import dev.durablestreams.protocol.Producer;
import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.StreamStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * POST: append, close, or append-and-close. Checks that need no stored state run here, in the order of spec
 * section 5.2 (producer headers, empty body, content type); the store applies the rest atomically.
 */
final class AppendHandler {
    private final StreamStore store;
    private final HttpMetrics metrics;

    AppendHandler(StreamStore store, HttpMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    void handle(ChannelHandlerContext ctx, StreamRequest req) {
        Producer producer = Producer.fromHeaders(
                req.header(Headers.PRODUCER_ID), req.header(Headers.PRODUCER_EPOCH), req.header(Headers.PRODUCER_SEQ));
        boolean close = Headers.isTrue(req.header(Headers.STREAM_CLOSED));
        byte[] body = req.body();
        if (body.length == 0 && !close) throw ProtocolException.badRequest("empty body: send data or Stream-Closed: true");
        String contentType = req.contentType(); // parsed and checked once
        if (body.length > 0 && contentType == null) throw ProtocolException.badRequest("Content-Type is required");
        AppendRequest append = new AppendRequest(req.path, contentType, body, close,
                req.header(Headers.STREAM_SEQ), producer);
        store.append(append).whenComplete((result, err) -> Responses.reply(ctx, req.keepAlive, () -> {
            if (err != null) return Responses.error(err);
            boolean applied = !result.duplicate() && !append.closeOnly();
            if (applied) metrics.appended(body.length);
            FullHttpResponse r = Responses.empty(producer != null && applied ? 200 : 204);
            r.headers().set(Headers.STREAM_NEXT_OFFSET, result.next().toString());
            if (result.closed()) r.headers().set(Headers.STREAM_CLOSED, "true");
            if (producer != null) {
                r.headers().set(Headers.PRODUCER_EPOCH, Long.toString(result.producerEpoch()));
                r.headers().set(Headers.PRODUCER_SEQ, Long.toString(result.producerSeq()));
            }
            return r;
        }));
    }
}
