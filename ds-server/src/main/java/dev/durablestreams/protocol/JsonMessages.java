package dev.durablestreams.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * JSON mode (spec section 9.1): validates a body with a streaming tokenizer and flattens one level of a
 * top-level array into messages. Messages are kept as the client's exact bytes, never re-serialized, so
 * number formats and precision survive.
 *
 * <p>Stored form: every message followed by one {@code ','}. A read wraps stored bytes as
 * {@code '[' + bytes-without-last-comma + ']'}, which is valid JSON with no per-message work.
 */
public final class JsonMessages {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxNestingDepth(10_000)
                    .maxDocumentLength(-1)
                    .build())
            .build();

    private JsonMessages() {}

    /** A validated body: its messages in stored form, and how many there are. */
    public record Batch(byte[] stored, int count) {}

    /**
     * Validates and flattens an append or initial-create body.
     *
     * @throws ProtocolException (400) when the body is not one well-formed JSON value
     */
    public static Batch parse(byte[] body) {
        requireUtf8(body);
        int[] spans = spans(body, 0, body.length);
        int count = spans.length / 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + count);
        for (int i = 0; i < spans.length; i += 2) {
            out.write(body, spans[i], spans[i + 1] - spans[i]);
            out.write(',');
        }
        return new Batch(out.toByteArray(), count);
    }

    /**
     * JSON on the wire is UTF-8 (RFC 8259 section 8.1). The tokenizer neither rejects overlong forms or encoded
     * surrogates nor insists on UTF-8: a NUL among the first bytes makes it guess UTF-16 or UTF-32, and its byte
     * offsets would then not be ours. No valid UTF-8 JSON text has a NUL byte, so one up front is refused.
     */
    private static void requireUtf8(byte[] body) {
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) throw ProtocolException.badRequest("JSON body must be UTF-8");
        }
        if (!Utf8.isValid(body, 0, body.length)) throw ProtocolException.badRequest("JSON body is not valid UTF-8");
    }

    /**
     * The byte length of the first {@code n} messages of a stored record ({@code m1,m2,...,}), commas included.
     *
     * @return the length, or -1 when the record holds fewer than {@code n} messages
     */
    public static int prefixLength(byte[] stored, int n) {
        byte[] wrapped = new byte[stored.length + 1];
        wrapped[0] = '[';
        System.arraycopy(stored, 0, wrapped, 1, stored.length);
        wrapped[wrapped.length - 1] = ']'; // replaces the final comma
        int[] spans = spans(wrapped, 0, wrapped.length);
        if (spans.length / 2 < n) return -1;
        if (n == 0) return 0;
        return spans[2 * n - 1]; // end of message n in wrapped, i.e. in stored coordinates plus its comma
    }

    /**
     * Start/end pairs of the messages in {@code buf[from, to)}: the elements of a top-level array, or the
     * single top-level value.
     */
    static int[] spans(byte[] buf, int from, int to) {
        try (JsonParser p = FACTORY.createParser(buf, from, to - from)) {
            JsonToken first = p.nextToken();
            if (first == null) throw ProtocolException.badRequest("empty JSON body");
            int[] spans;
            if (first == JsonToken.START_ARRAY) {
                spans = arrayElements(p, buf, from);
            } else {
                long start = p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                spans = new int[] {from + (int) start, 0};
                if (p.nextToken() != null) throw ProtocolException.badRequest("trailing content after JSON value");
                spans[1] = trimEnd(buf, from, to);
                return spans;
            }
            if (p.nextToken() != null) throw ProtocolException.badRequest("trailing content after JSON value");
            return spans;
        } catch (IOException e) {
            throw ProtocolException.badRequest("invalid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static int[] arrayElements(JsonParser p, byte[] buf, int from) throws IOException {
        int[] starts = new int[8];
        int n = 0;
        int close;
        while (true) {
            JsonToken t = p.nextToken();
            int at = from + (int) p.currentTokenLocation().getByteOffset();
            if (t == JsonToken.END_ARRAY) {
                close = at;
                break;
            }
            if (t == null) throw ProtocolException.badRequest("invalid JSON: unterminated array");
            if (n == starts.length) starts = Arrays.copyOf(starts, n * 2);
            starts[n++] = at;
            p.skipChildren();
        }
        // An element ends at the last non-blank byte before the separator that follows it.
        int[] spans = new int[n * 2];
        for (int i = 0; i < n; i++) {
            int limit = i + 1 < n ? starts[i + 1] : close;
            int end = trimEnd(buf, starts[i], limit);
            if (i + 1 < n) {
                end--; // drop the comma
                end = trimEnd(buf, starts[i], end);
            }
            spans[2 * i] = starts[i];
            spans[2 * i + 1] = end;
        }
        return spans;
    }

    private static int trimEnd(byte[] buf, int from, int to) {
        int end = to;
        while (end > from && isBlank(buf[end - 1])) end--;
        return end;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed";
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
