package dev.durablestreams.http;

import dev.durablestreams.protocol.Headers;
import dev.durablestreams.storage.StreamStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;

/** HEAD (metadata, no TTL renewal) and DELETE. */
final class MetadataHandler {
    private final StreamStore store;

    MetadataHandler(StreamStore store) {
        this.store = store;
    }

    void head(ChannelHandlerContext ctx, StreamRequest req) {
        store.info(req.path).whenComplete((info, err) -> Responses.reply(ctx, req.keepAlive, () -> {
            FullHttpResponse r;
            if (err != null) {
                r = Responses.error(err);
                r.content().clear(); // HEAD responses carry no body
            } else {
                r = Responses.empty(200);
                CreateHandler.describe(r, info);
                r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                if (info.ttlSeconds() != null) r.headers().set(Headers.STREAM_TTL, info.ttlSeconds().toString());
                if (info.expiresAt() != null) r.headers().set(Headers.STREAM_EXPIRES_AT, info.expiresAt().toString());
            }
            return r;
        }));
    }

    void delete(ChannelHandlerContext ctx, StreamRequest req) {
        store.delete(req.path).whenComplete((v, err) -> Responses.reply(ctx, req.keepAlive,
                () -> err != null ? Responses.error(err) : Responses.empty(204)));
    }
}
