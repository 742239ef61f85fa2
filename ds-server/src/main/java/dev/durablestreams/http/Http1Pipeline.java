package dev.durablestreams.http;

import dev.durablestreams.metrics.Readiness;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.List;

/**
 * An HTTP/1.1 connection: the codec, protocol headers, then the handlers that exist only because HTTP/1.1 runs
 * one exchange at a time on the connection (timeouts, the output budget, {@link Http1Exchanges} for order, request
 * heads, keep-alive and drain, the body budget), around the {@link ExchangeHandlers}. When a cleartext connection
 * switches to HTTP/2, every handler after the codec is removed again and reading is handed back to the channel
 * ({@link #removeFrom}).
 */
final class Http1Pipeline {
    /** The HTTP/1-only handlers between the codec and the exchange handlers, in pipeline order. */
    static final List<String> CONNECTION_HANDLERS = List.of("timeouts", "pending-output", "exchanges",
            "body-budget");
    /** The byte sensor of {@link ConnectionTimeouts}, right before the codec. */
    static final String BYTE_SENSOR = "timeouts-bytes";

    private final ExchangeHandlers exchange;
    private final ServerConfig config;
    private final ConnectionLimits limits;
    private final OutputBudget output;
    private final Readiness readiness;

    Http1Pipeline(ExchangeHandlers exchange, ServerConfig config, ConnectionLimits limits, OutputBudget output,
                  Readiness readiness) {
        this.exchange = exchange;
        this.config = config;
        this.limits = limits;
        this.output = output;
        this.readiness = readiness;
    }

    static HttpServerCodec newCodec() {
        return new HttpServerCodec(8192, 32 * 1024, 64 * 1024);
    }

    /** A connection known to speak HTTP/1.1 (TLS with ALPN http/1.1 or none), already active. */
    void addTo(ChannelPipeline p) {
        addAround(p, () -> p.addLast("http1-codec", newCodec()));
    }

    /**
     * The HTTP/1 handlers around a codec that {@code addCodec} puts in place (the plain codec, or the cleartext
     * HTTP/2 detection that brings its own): the timeouts' byte sensor before it, everything else after.
     */
    void addAround(ChannelPipeline p, Runnable addCodec) {
        ConnectionTimeouts timeouts = new ConnectionTimeouts(config.limits(), limits);
        p.addLast(BYTE_SENSOR, timeouts.byteSensor());
        addCodec.run();
        p.addLast(CONNECTION_HANDLERS.get(0), timeouts)
                .addLast(CONNECTION_HANDLERS.get(1), output.newMeter());
        exchange.addHeaders(p);
        // The observer and CORS see every response, refusals of request heads included; they keep pipelined
        // requests in order themselves.
        exchange.addExchange(p);
        p.addLast(CONNECTION_HANDLERS.get(2), new Http1Exchanges(readiness::draining, timeouts::exchangeEnded));
        exchange.addGates(p);
        p.addLast(CONNECTION_HANDLERS.get(3), new BodyBudgetHandler(config.limits().maxInflightBody(),
                config.maxBody(), limits));
        exchange.addHandlers(p);
    }

    /**
     * Removes the handlers {@link #addAround} added, when the connection turns out to speak HTTP/2, and turns
     * auto-read back on ({@link Http1Exchanges} may have paused it).
     */
    static void removeFrom(ChannelPipeline p) {
        if (p.get(BYTE_SENSOR) != null) p.remove(BYTE_SENSOR);
        for (String name : CONNECTION_HANDLERS) if (p.get(name) != null) p.remove(name);
        for (String name : ExchangeHandlers.NAMES) if (p.get(name) != null) p.remove(name);
        p.channel().config().setAutoRead(true);
    }
}
