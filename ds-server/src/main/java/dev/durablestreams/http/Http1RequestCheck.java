package dev.durablestreams.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Refuses HTTP/1 requests the codec lets through: a protocol version other than 1.x (505; the codec parses any
 * {@code HTTP/d.d}), and a missing (HTTP/1.1), repeated or malformed {@code Host} (400, RFC 9112 section 3.2),
 * which would otherwise be echoed in {@code Location}. The refusal closes the connection. HTTP/1-only: HTTP/2 has
 * no request line and carries the authority as a pseudo-header.
 */
final class Http1RequestCheck extends ChannelInboundHandlerAdapter {
    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused && msg instanceof HttpObject) { // the rest of a refused request; the connection is closing
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            int status = 0;
            String detail = null;
            HttpVersion version = request.protocolVersion();
            List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
            if (version.majorVersion() != 1) {
                status = 505;
                detail = "only HTTP/1.0 and HTTP/1.1 are supported here";
            } else if (hosts.size() > 1) {
                status = 400;
                detail = "Host is repeated";
            } else if (hosts.isEmpty() && version.minorVersion() >= 1) {
                status = 400;
                detail = "Host is required";
            } else if (!hosts.isEmpty() && !isValidHost(hosts.get(0))) {
                status = 400;
                detail = "Host is malformed";
            }
            if (status != 0) {
                refused = true;
                ReferenceCountUtil.release(msg);
                Responses.send(ctx, Responses.problem(status, detail), false);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * RFC 9110 {@code Host = uri-host [ ":" port ]}: the characters of a reg-name, an IPv4 address or an IP literal,
     * and a port. Checked by character class, which is enough to make the value safe to echo in a URL.
     */
    static boolean isValidHost(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=%:[]".indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }
}
