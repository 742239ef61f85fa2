package dev.durablestreams.http;

import dev.durablestreams.subscription.SubscriptionApi;
import dev.durablestreams.subscription.SubscriptionService;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** Hands {@code /v1/stream/__ds/...} requests to the subscription service and writes its answers back. */
final class SubscriptionHandler {
    private final SubscriptionService api;
    private final String fallbackHost;

    SubscriptionHandler(SubscriptionService api, String fallbackHost) {
        this.api = api;
        this.fallbackHost = fallbackHost;
    }

    /** What the caller may read (a claim needs its wake stream); anything when authentication is off. */
    private static Predicate<String> readable(ChannelHandlerContext ctx) {
        Predicate<String> r = ctx.channel().attr(AuthHandler.READABLE).get();
        return r == null ? stream -> true : r;
    }

    void handle(ChannelHandlerContext ctx, StreamRequest req) {
        String route = req.path.equals(StreamRouter.RESERVED) ? "" : req.path.substring(StreamRouter.RESERVED.length() + 1);
        // A request another node forwarded carries the stream root its client used (callback URLs are built on it).
        String forwardedRoot = req.header(SubscriptionForwarder.FORWARDED_ROOT);
        String host = req.header(HttpHeaderNames.HOST);
        String root = forwardedRoot != null ? forwardedRoot : PipelineInitializer.scheme(ctx.channel()) + "://"
                + (host == null || host.isBlank() ? fallbackHost : host) + StreamRequest.ROOT;
        CompletableFuture<SubscriptionApi.Response> answer = api == null
                ? CompletableFuture.completedFuture(new SubscriptionApi.Response(404, "application/json",
                        "{\"error\":{\"code\":\"SUBSCRIPTION_NOT_FOUND\",\"message\":\"subscriptions are not enabled\"}}"
                                .getBytes(StandardCharsets.UTF_8), java.util.Map.of()))
                : api.handle(new SubscriptionService.Request(req.http.method().name(), route,
                        req.header(HttpHeaderNames.AUTHORIZATION), req.body(), root, readable(ctx), forwardedRoot != null));
        answer.whenComplete((r, err) -> ctx.executor().execute(() -> {
            FullHttpResponse out;
            if (err != null) out = Responses.error(err);
            else if (r.body().length == 0 && r.contentType() == null) out = Responses.empty(r.status());
            else out = Responses.withBody(r.status(), r.contentType(), Unpooled.wrappedBuffer(r.body()));
            if (r != null) r.headers().forEach((k, v) -> out.headers().set(k, v));
            Responses.send(ctx, out, req.keepAlive);
        }));
    }
}
