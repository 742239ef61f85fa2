package dev.durablestreams.http;

import dev.durablestreams.metrics.HttpMetrics;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.subscription.SubscriptionService;
import io.netty.channel.ChannelPipeline;
import java.util.List;

/**
 * The protocol-independent handlers of every pipeline: they see {@code HttpObject}s whether they came from the
 * HTTP/1.1 codec on a connection or from an HTTP/2 stream's frame adapter, so each works unchanged over both. They
 * go in three places, each HTTP/1.1 connection handler between them: protocol headers right after the codec or
 * adapter ({@link #addHeaders}), so every response passes them; then, once exchanges arrive one at a time, the
 * request observer and CORS ({@link #addExchange}); then the checks on the request head, authentication and rate
 * limit, before any body is read ({@link #addGates}); last body collection, the operator endpoints and routing
 * ({@link #addHandlers}).
 */
final class ExchangeHandlers {
    /** Handler names, in pipeline order (those not configured are absent). */
    static final List<String> NAMES = List.of("protocol-headers", "observer", "cors", "auth", "rate-limit", "body",
            "ops", "router");

    private final StreamStore store;
    private final ServerConfig config;
    private final SseFrameCache frames;
    private final SubscriptionService subscriptions;
    private final HttpMetrics metrics;
    private final LiveReaders live;
    private final AccessControl access;
    private final OpsHandler ops;

    /**
     * @param subscriptions serves {@code /v1/stream/__ds/...}; null answers 404 there
     * @param ops the operator endpoints on this listener, or null when they have their own
     */
    ExchangeHandlers(StreamStore store, ServerConfig config, SseFrameCache frames, SubscriptionService subscriptions,
                     HttpMetrics metrics, LiveReaders live, AccessControl access, OpsHandler ops) {
        this.store = store;
        this.config = config;
        this.frames = frames;
        this.subscriptions = subscriptions;
        this.metrics = metrics;
        this.live = live;
        this.access = access;
        this.ops = ops;
    }

    /** Security headers on every response (outbound); first after the codec or adapter. */
    void addHeaders(ChannelPipeline p) {
        p.addLast(NAMES.get(0), ProtocolHeadersHandler.INSTANCE);
    }

    /** Per exchange, one at a time: metrics and the access log, and CORS answering the request's own Origin. */
    void addExchange(ChannelPipeline p) {
        p.addLast(NAMES.get(1), new RequestObserver(metrics))
                .addLast(NAMES.get(2), new CorsHandler(access.cors()));
    }

    /** Who, then how often, decided on the request head: a 401/403/429 never waits for a body. */
    void addGates(ChannelPipeline p) {
        if (access.auth() != null) p.addLast(NAMES.get(3), new AuthHandler(access.auth()));
        if (access.rateLimit() != null) {
            p.addLast(NAMES.get(4), new RateLimitHandler(access.rateLimit(), access.clients()));
        }
    }

    /** Body collection, the operator endpoints (unless on their own listener) and routing; last in the pipeline. */
    void addHandlers(ChannelPipeline p) {
        p.addLast(NAMES.get(5), new BodyLimitHandler(config.maxBody()));
        if (ops != null) p.addLast(NAMES.get(6), ops);
        p.addLast(NAMES.get(7), new StreamRouter(store, config, frames, subscriptions, metrics, live,
                access.cacheScope()));
    }
}
