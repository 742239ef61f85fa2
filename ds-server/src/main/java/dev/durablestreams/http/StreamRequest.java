package dev.durablestreams.http;

import dev.durablestreams.protocol.MediaType;
import dev.durablestreams.protocol.ProtocolException;
import dev.durablestreams.protocol.StreamPath;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Iterator;
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

    /**
     * Returns {@code null} when the URI is not under the stream root.
     *
     * @throws ProtocolException (400) when the stream path breaks {@link StreamPath}'s rules or the query has a
     *     malformed percent-escape
     */
    static StreamRequest of(FullHttpRequest http) {
        QueryStringDecoder d = new QueryStringDecoder(http.uri());
        String path = pathOf(d);
        if (path == null) return null;
        Map<String, List<String>> query;
        try {
            query = d.parameters();
        } catch (IllegalArgumentException e) {
            throw ProtocolException.badRequest("invalid percent-escape in the request target");
        }
        return new StreamRequest(http, path, query);
    }

    /**
     * The path under the stream root as the router sees it (the one decoding rule, shared with authorization), or
     * {@code null} when the URI is not under the root.
     *
     * @throws ProtocolException (400) when the stream path breaks {@link StreamPath}'s rules
     */
    static String pathOf(QueryStringDecoder d) {
        String raw = d.rawPath();
        if (!raw.startsWith(ROOT)) return null;
        String rest = raw.substring(ROOT.length());
        try {
            // Subscription routes carry URL-encoded stream paths (.../streams/a%2Fb): decoded whole, then routed by
            // the subscription API; they never name a stream, so the stream path rules do not apply to them.
            return rest.equals(StreamRouter.RESERVED) || rest.startsWith(StreamRouter.RESERVED + "/")
                    ? d.path().substring(ROOT.length()) : StreamPath.decode(rest);
        } catch (IllegalArgumentException e) {
            throw ProtocolException.badRequest("invalid percent-escape in the request target");
        }
    }

    /** A query parameter that may appear at most once; {@code null} when absent. */
    String single(String name) {
        List<String> values = query.get(name);
        if (values == null) return null;
        if (values.size() > 1) throw ProtocolException.badRequest("query parameter '" + name + "' is repeated");
        return values.get(0);
    }

    /**
     * A header that may appear at most once; {@code null} when absent. Taking the first of several would let two
     * parties on the way read different values, so a repeat is refused.
     */
    String header(CharSequence name) {
        // Most of the headers asked for are absent: a plain lookup allocates nothing; only a present one is checked
        // for a repeat.
        String first = http.headers().get(name);
        if (first == null) return null;
        Iterator<String> values = http.headers().valueStringIterator(name);
        values.next();
        if (values.hasNext()) throw ProtocolException.badRequest("header " + name + " is repeated");
        return first;
    }

    /** Content-Type as sent; an empty value counts as absent. */
    String contentType() {
        String ct = header(HttpHeaderNames.CONTENT_TYPE);
        if (ct == null || ct.isBlank()) return null;
        if (!MediaType.isValid(ct)) throw ProtocolException.badRequest("Content-Type is not a valid media type");
        return ct;
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
        return scheme + "://" + (host == null || host.isBlank() ? fallbackHost : host) + ROOT + StreamPath.encode(path);
    }

    /**
     * Accepts Stream-Forked-From as a full stream URL path ({@code /v1/stream/x}) or as a bare stream path, decoded
     * by the same rules as request paths.
     */
    static String streamPathOf(String reference) {
        String r = reference.trim();
        int scheme = r.indexOf("://");
        if (scheme > 0) {
            int slash = r.indexOf('/', scheme + 3);
            r = slash < 0 ? "/" : r.substring(slash);
        }
        if (r.startsWith(ROOT)) r = r.substring(ROOT.length());
        else if (r.startsWith("/")) r = r.substring(1);
        return StreamPath.decode(r);
    }
}
