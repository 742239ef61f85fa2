package dev.durablestreams.http;

import io.netty.handler.codec.http.QueryStringDecoder;

/** Formatting of access-log lines. Secrets never reach the log: any {@code token} query parameter is redacted. */
final class AccessLog {
    static final String REDACTED = "REDACTED";

    private AccessLog() {}

    /** The request target with the value of every {@code token} query parameter replaced. */
    static String redact(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) return uri;
        String query = uri.substring(q + 1);
        StringBuilder out = new StringBuilder(uri.length()).append(uri, 0, q + 1);
        int start = 0;
        while (start <= query.length()) {
            int amp = query.indexOf('&', start);
            int end = amp < 0 ? query.length() : amp;
            String part = query.substring(start, end);
            int eq = part.indexOf('=');
            String name = decode(eq < 0 ? part : part.substring(0, eq));
            if (name.equalsIgnoreCase("token")) {
                out.append(eq < 0 ? part : part.substring(0, eq)).append('=').append(REDACTED);
            } else {
                out.append(part);
            }
            if (amp < 0) break;
            out.append('&');
            start = amp + 1;
        }
        return out.toString();
    }

    private static String decode(String s) {
        try {
            return QueryStringDecoder.decodeComponent(s);
        } catch (IllegalArgumentException e) { // malformed escapes: compare the raw name
            return s;
        }
    }
}
