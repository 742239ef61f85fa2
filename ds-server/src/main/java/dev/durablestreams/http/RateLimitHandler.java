package dev.durablestreams.http;

import dev.durablestreams.auth.AccessRules;
import dev.durablestreams.auth.Principal;
import dev.durablestreams.limits.ClientAddresses;
import dev.durablestreams.limits.RateLimiter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Rate-limits stream requests per client (a token bucket per token name, or per client address when anonymous):
 * excess requests get 429 with {@code Retry-After}, before their body is read and before any storage work. A live
 * read is one request when it starts, however many events it delivers.
 */
final class RateLimitHandler extends RequestGate {
    private final RateLimiter limiter;
    private final ClientAddresses clients;

    RateLimitHandler(RateLimiter limiter, ClientAddresses clients) {
        this.limiter = limiter;
        this.clients = clients;
    }

    @Override
    protected FullHttpResponse refuse(ChannelHandlerContext ctx, HttpRequest request) {
        if (!request.uri().startsWith(AccessRules.ROOT)) return null; // probes and metrics are not rate-limited
        Principal p = ctx.channel().attr(AuthHandler.PRINCIPAL).get();
        String key = p != null && !p.isAnonymous() ? "principal:" + p.name()
                : "address:" + address(ctx.channel().remoteAddress(), request);
        long wait = limiter.acquire(key);
        if (wait == 0) return null;
        FullHttpResponse r = Responses.problem(429, "rate limit exceeded; retry later");
        r.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait - 1) + 1)));
        return r;
    }

    private String address(SocketAddress peer, HttpRequest request) {
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) return String.valueOf(peer);
        InetAddress a = inet.getAddress();
        return clients.resolve(a, request.headers().get("X-Forwarded-For"));
    }
}
