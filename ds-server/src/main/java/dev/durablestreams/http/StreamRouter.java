package dev.durablestreams.http;

import dev.durablestreams.metrics.HttpMetrics;
import dev.durablestreams.metrics.HttpMetrics.ReadMode;
import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.protocol.ReadFrom;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.subscription.SubscriptionService;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Routes a request to the handler of its method. Requests under {@code /v1/stream/__ds/} go to the subscription
 * APIs and never reach a stream.
 */
final class StreamRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String RESERVED = "__ds";

    private final StreamStore store;
    private final ServerConfig config;
    private final CreateHandler create;
    private final AppendHandler append;
    private final MetadataHandler metadata;
    private final ReadHandler read;
    private final SseFrameCache frames;
    private final SubscriptionHandler subscriptions;
    private final HttpMetrics metrics;
    private final LiveReaders live;
    private SseSession sse;

    private final CacheScope cache;

    StreamRouter(StreamStore store, ServerConfig config, SseFrameCache frames, SubscriptionService subscriptions,
                 HttpMetrics metrics, LiveReaders live, CacheScope cache) {
        this.cache = cache;
        this.store = store;
        this.subscriptions = new SubscriptionHandler(subscriptions, config.host() + ":" + config.port());
        this.config = config;
        this.frames = frames;
        this.metrics = metrics;
        this.live = live;
        this.create = new CreateHandler(store, config.host() + ":" + config.port());
        this.append = new AppendHandler(store, metrics);
        this.metadata = new MetadataHandler(store);
        this.read = new ReadHandler(store, config, metrics, live, cache);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) {
        boolean keepAlive = HttpUtil.isKeepAlive(http);
        DecoderResult decoded = http.decoderResult();
        if (decoded.isFailure()) {
            Responses.send(ctx, Responses.problem(400, "malformed HTTP request"), false);
            return;
        }
        if (http.method().equals(HttpMethod.OPTIONS)) { // CORS preflight: answered the same for every path
            Responses.send(ctx, Responses.empty(204), keepAlive); // CorsHandler adds the preflight headers
            return;
        }
        try {
            StreamRequest req = StreamRequest.of(http);
            if (req == null) {
                Responses.send(ctx, Responses.problem(404, "not found; streams live under " + StreamRequest.ROOT),
                        keepAlive);
                return;
            }
            if (req.path.equals(RESERVED) || req.path.startsWith(RESERVED + "/")) {
                subscriptions.handle(ctx, req);
                return;
            }
            dispatch(ctx, req);
        } catch (ProtocolException e) {
            Responses.send(ctx, Responses.problem(e.status(), e.getMessage()), keepAlive);
        } catch (RuntimeException e) { // a bug: answer it rather than drop the connection without a word
            Responses.send(ctx, Responses.error(e), false);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, StreamRequest req) {
        HttpMethod m = req.http.method();
        if (m.equals(HttpMethod.GET)) get(ctx, req);
        else if (m.equals(HttpMethod.POST)) append.handle(ctx, req);
        else if (m.equals(HttpMethod.PUT)) create.handle(ctx, req);
        else if (m.equals(HttpMethod.HEAD)) metadata.head(ctx, req);
        else if (m.equals(HttpMethod.DELETE)) metadata.delete(ctx, req);
        else {
            FullHttpResponse r = Responses.problem(405, "method " + m + " is not supported on streams");
            r.headers().set(HttpHeaderNames.ALLOW, CorsHandler.ALLOW_METHODS);
            Responses.send(ctx, r, req.keepAlive);
        }
    }

    private void get(ChannelHandlerContext ctx, StreamRequest req) {
        String live = req.single("live");
        if (live == null) {
            ReadFrom from = ReadFrom.parse(req.single("offset"));
            metrics.read(ReadMode.CATCHUP);
            read.catchUp(ctx, req, from);
        } else if (live.equals("long-poll")) {
            ReadFrom from = ReadHandler.requireOffset(req);
            metrics.read(ReadMode.LONG_POLL);
            read.longPoll(ctx, req, from);
        } else if (live.equals("sse")) {
            ReadFrom from = ReadHandler.requireOffset(req);
            metrics.read(ReadMode.SSE);
            sse = new SseSession(ctx, req, store, config, frames, cache, from, metrics, this.live);
            sse.start();
        } else {
            throw ProtocolException.badRequest("live must be 'long-poll' or 'sse'");
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (sse != null) sse.writabilityChanged();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
