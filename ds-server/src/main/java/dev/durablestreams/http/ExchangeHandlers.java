package dev.durablestreams.http;

import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.subscription.SubscriptionApi;
import io.netty.channel.ChannelPipeline;
import java.util.List;

/**
 * The protocol-independent handlers of every pipeline: they see {@code HttpObject}s whether they came from the
 * HTTP/1.1 codec on a connection or from an HTTP/2 stream's frame adapter, so each works unchanged over both.
 * Protocol headers go right after the codec or adapter ({@link #addHeaders}), so that every response passes them,
 * those written by a protocol's own handlers included; body collection with its size limit and routing go last
 * ({@link #addHandlers}).
 */
final class ExchangeHandlers {
    /** Handler names, in pipeline order. */
    static final List<String> NAMES = List.of("protocol-headers", "body", "router");
    private static final String HEADERS = NAMES.get(0);

    private final StreamStore store;
    private final ServerConfig config;
    private final SseFrameCache frames;
    private final SubscriptionApi subscriptions;

    /** @param subscriptions serves {@code /v1/stream/__ds/...}; null answers 404 there */
    ExchangeHandlers(StreamStore store, ServerConfig config, SseFrameCache frames, SubscriptionApi subscriptions) {
        this.store = store;
        this.config = config;
        this.frames = frames;
        this.subscriptions = subscriptions;
    }

    /** CORS and security headers on every response (outbound); first after the codec or adapter. */
    void addHeaders(ChannelPipeline p) {
        p.addLast(HEADERS, ProtocolHeadersHandler.INSTANCE);
    }

    /** Body collection and routing; last in the pipeline. */
    void addHandlers(ChannelPipeline p) {
        p.addLast(NAMES.get(1), new BodyLimitHandler(config.maxBody()))
                .addLast(NAMES.get(2), new StreamRouter(store, config, frames, subscriptions));
    }
}
