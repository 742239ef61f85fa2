package dev.durablestreams.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The one rule for turning a request path into a stream name, and back into a URL.
 *
 * <p>Decoding: each {@code %XX} escape becomes the byte it names (any other {@code %} is an error), every other
 * character stands for its own byte (request lines are read as ISO-8859-1, so raw UTF-8 bytes arrive as one
 * character each), and the bytes must be valid UTF-8. So {@code %E2%82%AC} and a raw {@code €} name the same stream,
 * while {@code %FF} names none. Refused with 400: {@code %2F} (an escaped {@code /} would make {@code a%2Fb} and
 * {@code a/b} two spellings of one name), control characters, {@code .} and {@code ..} segments, the empty path.
 */
public final class StreamPath {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private StreamPath() {}

    /**
     * Decodes a raw (still percent-encoded) path under the stream root into a stream name.
     *
     * @throws ProtocolException (400) when the path breaks any rule of this class
     */
    public static String decode(CharSequence raw) {
        if (isPlainAscii(raw)) { // the usual name: nothing to decode, the same characters
            String path = raw.toString();
            validate(path);
            return path;
        }
        byte[] bytes = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c > 0xFF) throw ProtocolException.badRequest("invalid character in stream path");
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (lo < 0) throw ProtocolException.badRequest("invalid percent-escape in stream path");
                int b = hi << 4 | lo;
                if (b == '/') throw ProtocolException.badRequest("an escaped '/' (%2F) is not allowed in a stream path");
                bytes[n++] = (byte) b;
                i += 2;
            } else {
                bytes[n++] = (byte) c;
            }
        }
        if (!Utf8.isValid(bytes, 0, n)) throw ProtocolException.badRequest("stream path is not valid UTF-8");
        String path = new String(bytes, 0, n, StandardCharsets.UTF_8);
        validate(path);
        return path;
    }

    private static boolean isPlainAscii(CharSequence raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c >= 0x80) return false;
        }
        return true;
    }

    /**
     * Checks a decoded stream name: not empty, no control characters, no {@code .} or {@code ..} segments.
     *
     * @throws ProtocolException (400) otherwise
     */
    public static void validate(String path) {
        if (path.isEmpty()) throw ProtocolException.badRequest("missing stream path");
        for (int i = 0; i < path.length(); i++) {
            if (Character.getType(path.charAt(i)) == Character.CONTROL) {
                throw ProtocolException.badRequest("control character in stream path");
            }
        }
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) end = path.length();
            int len = end - start;
            if ((len == 1 || len == 2) && path.startsWith("..".substring(0, len), start)) {
                throw ProtocolException.badRequest("invalid stream path: '.' and '..' segments are not allowed");
            }
            start = end + 1;
        }
    }

    /** Percent-encodes a stream name for a URL path: every byte outside RFC 3986 {@code pchar} and {@code /}. */
    public static String encode(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length + 8);
        for (byte x : bytes) {
            int c = x & 0xFF;
            if (isPathChar(c)) {
                b.append((char) c);
            } else {
                b.append('%').append((char) HEX[c >> 4]).append((char) HEX[c & 0xF]);
            }
        }
        return b.toString();
    }

    private static boolean isPathChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
    }
}
