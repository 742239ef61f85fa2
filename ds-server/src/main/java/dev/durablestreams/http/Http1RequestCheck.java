package dev.durablestreams.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;

/**
 * The HTTP/1 request heads the codec lets through but the server refuses: a protocol version other than 1.x (505;
 * the codec parses any {@code HTTP/d.d}), and a missing (HTTP/1.1), repeated or malformed {@code Host} (400, RFC 9112
 * section 3.2), which would otherwise be echoed in {@code Location}. {@link Http1Exchanges} applies it to each
 * request it passes on and closes the connection after a refusal. HTTP/1-only: HTTP/2 has no request line and
 * carries the authority as a pseudo-header.
 */
final class Http1RequestCheck {
    private Http1RequestCheck() {}

    /** The refusal of this request head, or null when it may be served. */
    static FullHttpResponse refusal(HttpRequest request) {
        if (!request.decoderResult().isSuccess()) return null; // the codec's own failure: answered further on
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1) {
            return Responses.problem(505, "only HTTP/1.0 and HTTP/1.1 are supported here");
        }
        // An iterator rather than getAll: no list for the one Host nearly every request has.
        Iterator<String> hosts = request.headers().valueStringIterator(HttpHeaderNames.HOST);
        if (!hosts.hasNext()) {
            return version.minorVersion() >= 1 ? Responses.problem(400, "Host is required") : null;
        }
        String host = hosts.next();
        if (hosts.hasNext()) return Responses.problem(400, "Host is repeated");
        if (!isValidHost(host)) return Responses.problem(400, "Host is malformed");
        return null;
    }

    /**
     * RFC 9110 {@code Host = uri-host [ ":" port ]}: the characters of a reg-name, an IPv4 address or an IP literal,
     * and a port. Checked by character class, which is enough to make the value safe to echo in a URL.
     */
    static boolean isValidHost(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 128 || !HOST_CHARS[c]) return false;
        }
        return true;
    }

    /** The characters of a Host value, by ASCII code (checked on every request). */
    private static final boolean[] HOST_CHARS = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) HOST_CHARS[c] = true;
        for (char c = 'a'; c <= 'z'; c++) HOST_CHARS[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) HOST_CHARS[c] = true;
        for (char c : "-._~!$&'()*+,;=%:[]".toCharArray()) HOST_CHARS[c] = true;
    }
}
