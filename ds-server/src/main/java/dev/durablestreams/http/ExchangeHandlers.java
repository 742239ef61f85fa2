package dev.durablestreams.http;

import dev.durablestreams.storage.StreamStore;
import io.netty.channel.ChannelPipeline;
import java.util.List;

/**
 * The protocol-independent end of every pipeline: it sees {@code HttpObject}s whether they came from the
 * HTTP/1.1 codec on a connection or from an HTTP/2 stream's frame adapter, so each handler works unchanged over
 * both: protocol headers on every response, body collection with its size limit, routing.
 */
final class ExchangeHandlers {
    /** Handler names, in pipeline order. */
    static final List<String> NAMES = List.of("protocol-headers", "body", "router");

    private final StreamStore store;
    private final ServerConfig config;
    private final SseFrameCache frames;

    ExchangeHandlers(StreamStore store, ServerConfig config, SseFrameCache frames) {
        this.store = store;
        this.config = config;
        this.frames = frames;
    }

    void addTo(ChannelPipeline p) {
        p.addLast(NAMES.get(0), ProtocolHeadersHandler.INSTANCE)
                .addLast(NAMES.get(1), new BodyLimitHandler(config.maxBody()))
                .addLast(NAMES.get(2), new StreamRouter(store, config, frames));
    }
}
