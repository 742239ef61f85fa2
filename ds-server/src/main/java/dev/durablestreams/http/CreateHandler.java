package dev.durablestreams.http;

import dev.durablestreams.protocol.Headers;
import dev.durablestreams.protocol.Lifetime;
import dev.durablestreams.protocol.Offset;
import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.ForkSpec;
import dev.durablestreams.storage.StreamInfo;
import dev.durablestreams.storage.StreamStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Instant;

/** PUT: create a stream (plain, closed, with data, or as a fork) or confirm an identical one. */
final class CreateHandler {
    private final StreamStore store;
    private final String fallbackHost;

    CreateHandler(StreamStore store, String fallbackHost) {
        this.store = store;
        this.fallbackHost = fallbackHost;
    }

    void handle(ChannelHandlerContext ctx, StreamRequest req) {
        CreateRequest create = parse(req);
        String location = req.url(PipelineInitializer.scheme(ctx.channel()), fallbackHost);
        store.create(create).whenComplete((result, err) -> Responses.reply(ctx, req.keepAlive, () -> {
            if (err != null) return Responses.error(err);
            FullHttpResponse r = Responses.empty(result.created() ? 201 : 200);
            if (result.created()) r.headers().set(HttpHeaderNames.LOCATION, location);
            describe(r, result.info());
            return r;
        }));
    }

    static void describe(FullHttpResponse r, StreamInfo info) {
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, info.contentType());
        r.headers().set(Headers.STREAM_NEXT_OFFSET, info.tail().toString());
        if (info.closed()) r.headers().set(Headers.STREAM_CLOSED, "true");
    }

    private static CreateRequest parse(StreamRequest req) {
        Long ttl = Lifetime.parseTtl(req.header(Headers.STREAM_TTL));
        Instant expiresAt = Lifetime.parseExpiresAt(req.header(Headers.STREAM_EXPIRES_AT));
        if (ttl != null && expiresAt != null) {
            throw ProtocolException.badRequest("Stream-TTL and Stream-Expires-At are mutually exclusive");
        }
        String forkedFrom = req.header(Headers.STREAM_FORKED_FROM);
        String forkOffset = req.header(Headers.STREAM_FORK_OFFSET);
        String subOffset = req.header(Headers.STREAM_FORK_SUB_OFFSET);
        ForkSpec fork = null;
        if (forkedFrom == null) {
            if (subOffset != null) throw ProtocolException.badRequest("Stream-Fork-Sub-Offset needs Stream-Forked-From");
            if (forkOffset != null) throw ProtocolException.badRequest("Stream-Fork-Offset needs Stream-Forked-From");
        } else {
            String source = StreamRequest.streamPathOf(forkedFrom);
            fork = new ForkSpec(source, forkOffset == null ? null : Offset.parse(forkOffset), parseSubOffset(subOffset));
        }
        return new CreateRequest(req.path, req.contentType(), ttl, expiresAt,
                Headers.isTrue(req.header(Headers.STREAM_CLOSED)), req.body(), fork);
    }

    private static long parseSubOffset(String value) {
        if (value == null) return 0;
        boolean ok = !value.isEmpty() && value.length() <= 15 && (value.equals("0") || value.charAt(0) != '0');
        for (int i = 0; ok && i < value.length(); i++) ok = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        if (!ok) throw ProtocolException.badRequest("Stream-Fork-Sub-Offset must be a non-negative integer");
        return Long.parseLong(value);
    }
}
