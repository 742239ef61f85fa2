package dev.durablestreams.http;

import dev.durablestreams.auth.AuthPolicy;
import dev.durablestreams.auth.Principal;
import dev.durablestreams.protocol.Headers;
import dev.durablestreams.protocol.ProtocolException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.function.Predicate;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates and authorizes each request from its head ({@link AuthPolicy}): 401 with
 * {@code WWW-Authenticate: Bearer}, or 403, before the body is read and before any storage work. The caller's
 * {@link Principal} is left on the channel for the handlers after it. A {@code token} query parameter is removed
 * from the URI before the request goes on, so it appears in no later log or header.
 */
final class AuthHandler extends RequestGate {
    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);
    /** The principal of the request being passed along (set before it is fired on). */
    static final AttributeKey<Principal> PRINCIPAL = AttributeKey.valueOf("ds.principal");
    /** Which stream paths the current request's caller may read; absent when authentication is off. */
    static final AttributeKey<Predicate<String>> READABLE = AttributeKey.valueOf("ds.readable");
    static final String QUERY_TOKEN = "token";

    private final AuthPolicy policy;

    AuthHandler(AuthPolicy policy) {
        this.policy = policy;
    }

    @Override
    protected FullHttpResponse refuse(ChannelHandlerContext ctx, HttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        List<String> tokens;
        String path;
        String forkSource = null;
        try {
            // Only a query that may hold a token is parsed here; the router parses the query it needs.
            tokens = request.uri().contains(QUERY_TOKEN + "=") ? uri.parameters().get(QUERY_TOKEN) : null;
            // Stream paths are decoded exactly as the router decodes them, so grants see the name it will serve.
            String streamPath = StreamRequest.pathOf(uri);
            path = streamPath == null ? uri.path() : StreamRequest.ROOT + streamPath;
            if (request.method().equals(HttpMethod.PUT)) {
                String forkedFrom = request.headers().get(Headers.STREAM_FORKED_FROM);
                if (forkedFrom != null) forkSource = StreamRequest.streamPathOf(forkedFrom);
            }
        } catch (ProtocolException e) {
            return Responses.problem(e.status(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return Responses.problem(400, "invalid percent-escape in the request target");
        }
        if (tokens != null) request.setUri(withoutToken(uri));
        AuthPolicy.Decision d = policy.check(new AuthPolicy.Request(request.method().name(), path,
                request.headers().get(HttpHeaderNames.AUTHORIZATION),
                tokens == null || tokens.size() != 1 ? null : tokens.get(0), forkSource));
        if (d.allowed()) {
            Principal principal = d.principal();
            ctx.channel().attr(PRINCIPAL).set(principal);
            ctx.channel().attr(READABLE).set(stream -> policy.mayRead(principal, stream));
            return null;
        }
        // Reasons and addresses only: credentials are never logged.
        LOG.debug("refused {} {} from {}: {} {}", request.method(), path, ctx.channel().remoteAddress(),
                d.status(), d.detail());
        FullHttpResponse r = Responses.problem(d.status(), d.detail());
        if (d.status() == 401) {
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, request.headers().contains(HttpHeaderNames.AUTHORIZATION)
                    || tokens != null ? "Bearer realm=\"ds-server\", error=\"invalid_token\"" : "Bearer realm=\"ds-server\"");
        }
        return r;
    }

    private static String withoutToken(QueryStringDecoder uri) {
        QueryStringEncoder e = new QueryStringEncoder(uri.rawPath());
        for (Map.Entry<String, List<String>> p : uri.parameters().entrySet()) {
            if (p.getKey().equals(QUERY_TOKEN)) continue;
            for (String v : p.getValue()) e.addParam(p.getKey(), v);
        }
        return e.toString();
    }
}
