package dev.durablestreams.http;

import dev.durablestreams.protocol.ProtocolException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/** A request addressed to one stream: its path under the stream root and its query. */
final class StreamRequest {
    static final String ROOT = "/v1/stream/";

    final FullHttpRequest http;
    /** The stream's path under {@link #ROOT}, percent-decoded. */
    final String path;
    final Map<String, List<String>> query;
    final boolean keepAlive;

    private StreamRequest(FullHttpRequest http, String path, Map<String, List<String>> query) {
        this.http = http;
        this.path = path;
        this.query = query;
        this.keepAlive = HttpUtil.isKeepAlive(http);
    }

    /** Returns {@code null} when the URI is not under the stream root. */
    static StreamRequest of(FullHttpRequest http) {
        QueryStringDecoder d = new QueryStringDecoder(http.uri());
        String p = d.path();
        if (!p.startsWith(ROOT)) return null;
        return new StreamRequest(http, p.substring(ROOT.length()), d.parameters());
    }

    /** A query parameter that may appear at most once; {@code null} when absent. */
    String single(String name) {
        List<String> values = query.get(name);
        if (values == null) return null;
        if (values.size() > 1) throw ProtocolException.badRequest("query parameter '" + name + "' is repeated");
        return values.get(0);
    }

    String header(CharSequence name) {
        return http.headers().get(name);
    }

    /** Content-Type as sent; an empty value counts as absent. */
    String contentType() {
        String ct = http.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return ct == null || ct.isBlank() ? null : ct;
    }

    byte[] body() {
        byte[] b = new byte[http.content().readableBytes()];
        http.content().getBytes(http.content().readerIndex(), b);
        return b;
    }

    /**
     * The absolute URL of this stream, built from the request's Host so it works behind any address.
     *
     * @param scheme {@code http} or {@code https}, as the request arrived
     */
    String url(String scheme, String fallbackHost) {
        String host = http.headers().get(HttpHeaderNames.HOST);
        return scheme + "://" + (host == null || host.isBlank() ? fallbackHost : host) + ROOT + path;
    }

    /** Accepts Stream-Forked-From as a full stream URL path ({@code /v1/stream/x}) or as a bare stream path. */
    static String streamPathOf(String reference) {
        String r = reference.trim();
        int scheme = r.indexOf("://");
        if (scheme > 0) {
            int slash = r.indexOf('/', scheme + 3);
            r = slash < 0 ? "/" : r.substring(slash);
        }
        r = QueryStringDecoder.decodeComponent(r);
        if (r.startsWith(ROOT)) return r.substring(ROOT.length());
        return r.startsWith("/") ? r.substring(1) : r;
    }

    /** Stream paths are names, never file names; still, refuse shapes that only an attack would use. */
    static void validatePath(String path) {
        if (path.isEmpty()) throw ProtocolException.badRequest("missing stream path");
        if (path.indexOf('\0') >= 0) throw ProtocolException.badRequest("invalid stream path");
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) throw ProtocolException.badRequest("invalid stream path");
        }
    }
}
