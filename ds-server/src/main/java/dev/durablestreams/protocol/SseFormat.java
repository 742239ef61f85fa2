package dev.durablestreams.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Server-Sent Events framing (spec section 5.8). Every data event is followed by a control event;
 * text payloads are split on CR, LF and CRLF so that no payload byte can start a new SSE field or event.
 */
public final class SseFormat {
    private static final byte[] DATA_EVENT = "event: data\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_FIELD = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTROL_EVENT = "event: control\ndata:".getBytes(StandardCharsets.US_ASCII);

    private SseFormat() {}

    /** A data event carrying text (or a JSON array) as {@code data:} lines. */
    public static byte[] textEvent(byte[] payload, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 32);
        out.writeBytes(DATA_EVENT);
        int lineStart = off;
        int end = off + len;
        int i = off;
        while (i < end) {
            byte b = payload[i];
            if (b == '\r' || b == '\n') {
                line(out, payload, lineStart, i);
                i += (b == '\r' && i + 1 < end && payload[i + 1] == '\n') ? 2 : 1;
                lineStart = i;
            } else {
                i++;
            }
        }
        line(out, payload, lineStart, end);
        out.write('\n');
        return out.toByteArray();
    }

    /** A data event carrying binary bytes as one line of padded standard base64. */
    public static byte[] base64Event(byte[] payload, int off, int len) {
        byte[] encoded = Base64.getEncoder().encode(java.nio.ByteBuffer.wrap(payload, off, len)).array();
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length + 20);
        out.writeBytes(DATA_EVENT);
        out.writeBytes(DATA_FIELD);
        out.writeBytes(encoded);
        out.write('\n');
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * A control event. The cursor is omitted once the stream is closed and fully delivered.
     *
     * @param cursor the cursor to advertise, or {@code null}
     */
    public static byte[] controlEvent(Offset next, String cursor, boolean upToDate, boolean closed) {
        StringBuilder json = new StringBuilder(128).append("{\"streamNextOffset\":\"").append(next).append('"');
        if (closed) {
            json.append(",\"upToDate\":true,\"streamClosed\":true");
        } else {
            if (cursor != null) json.append(",\"streamCursor\":\"").append(cursor).append('"');
            if (upToDate) json.append(",\"upToDate\":true");
        }
        json.append("}\n\n");
        byte[] body = json.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[CONTROL_EVENT.length + body.length];
        System.arraycopy(CONTROL_EVENT, 0, out, 0, CONTROL_EVENT.length);
        System.arraycopy(body, 0, out, CONTROL_EVENT.length, body.length);
        return out;
    }

    private static void line(ByteArrayOutputStream out, byte[] payload, int from, int to) {
        out.writeBytes(DATA_FIELD);
        out.write(payload, from, to - from);
        out.write('\n');
    }
}
