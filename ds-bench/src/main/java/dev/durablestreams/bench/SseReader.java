package dev.durablestreams.bench;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One SSE reader of a stream. Parses the event stream incrementally (CR, LF and CRLF line ends, one optional space
 * after the field colon, multi-line data joined by LF), hands data events to {@link Listener#data} and remembers
 * {@code streamNextOffset} from control events. When the server ends the response (e.g. its maximum SSE duration)
 * it reconnects from the last offset on a new connection, unless the stream was closed or the reader stopped.
 */
final class SseReader implements Conn.ResponseHandler {
    interface Listener {
        /** Bytes of a data event's data lines, as they arrive; a data event may come in several calls. */
        void data(SseReader reader, byte[] buf, int off, int len);

        /** End of one data line (the SSE data of an event is its lines joined by LF). */
        default void dataLineEnd(SseReader reader) {}

        default void control(SseReader reader, boolean upToDate) {}
    }

    private final HttpClient client;
    private final String path;
    private final Listener listener;
    Conn conn;
    volatile String offset;
    volatile boolean firstControl;
    volatile boolean stopped;
    volatile boolean streamClosed;
    volatile int reconnects;
    volatile int badStatus;
    final Object attachment;

    // Parser state: the current line (bytes), the event type, buffered data of events not known to be "data".
    private byte[] line = new byte[512];
    private int lineLen;
    private int eventType; // 0 none yet, 1 data, 2 control, 3 other
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
    private boolean hasData;
    private boolean lastCR;
    private int status;

    SseReader(HttpClient client, String path, String offset, Listener listener, Object attachment) {
        this.client = client;
        this.path = path;
        this.offset = offset;
        this.listener = listener;
        this.attachment = attachment;
    }

    void start(Conn c) {
        this.conn = c;
        lineLen = 0;
        eventType = 0;
        pending.reset();
        hasData = false;
        lastCR = false;
        c.send(HttpMethod.GET, path + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8) + "&live=sse",
                null, null, this, "Accept", "text/event-stream");
    }

    void stop() {
        stopped = true;
        if (conn != null) conn.close();
    }

    @Override
    public void headers(HttpResponse response) {
        status = response.status().code();
        if (status != 200) badStatus++;
    }

    @Override
    public void content(ByteBuf chunk) {
        if (status != 200) return;
        int end = chunk.writerIndex();
        for (int i = chunk.readerIndex(); i < end; i++) {
            byte b = chunk.getByte(i);
            if (b == '\n') {
                if (lastCR) {
                    lastCR = false;
                    continue;
                }
                line();
            } else if (b == '\r') {
                lastCR = true;
                line();
            } else {
                lastCR = false;
                if (lineLen == line.length) line = java.util.Arrays.copyOf(line, line.length * 2);
                line[lineLen++] = b;
            }
        }
    }

    private boolean startsWith(String field) {
        int n = field.length();
        if (lineLen < n) return false;
        for (int i = 0; i < n; i++) if (line[i] != field.charAt(i)) return false;
        return true;
    }

    private void line() {
        int len = lineLen;
        lineLen = 0;
        if (len == 0) {
            dispatch();
            return;
        }
        lineLen = len; // for startsWith
        if (startsWith("data:")) {
            int v = 5;
            if (v < len && line[v] == ' ') v++;
            if (eventType == 1) {
                if (hasData) listener.dataLineEnd(this);
                listener.data(this, line, v, len - v);
            } else {
                if (hasData) pending.write('\n');
                pending.write(line, v, len - v);
            }
            hasData = true;
        } else if (startsWith("event:")) {
            int v = 6;
            if (v < len && line[v] == ' ') v++;
            String type = new String(line, v, len - v, StandardCharsets.US_ASCII);
            eventType = switch (type) {
                case "data", "message" -> 1;
                case "control" -> 2;
                default -> 3;
            };
            if (eventType == 1 && pending.size() > 0) {
                byte[] p = pending.toByteArray();
                pending.reset();
                listener.data(this, p, 0, p.length);
            }
        }
        lineLen = 0;
    }

    private void dispatch() {
        if (hasData) {
            if (eventType == 2) {
                String json = pending.toString(StandardCharsets.UTF_8);
                String next = jsonString(json, "streamNextOffset");
                if (next != null) offset = next;
                if (json.contains("\"streamClosed\":true")) streamClosed = true;
                firstControl = true;
                listener.control(this, json.contains("\"upToDate\":true"));
            } else if (eventType == 1) {
                listener.dataLineEnd(this);
            } else if (eventType == 0 && pending.size() > 0) { // data without an event line: type "message"
                byte[] p = pending.toByteArray();
                listener.data(this, p, 0, p.length);
                listener.dataLineEnd(this);
            }
        }
        eventType = 0;
        hasData = false;
        pending.reset();
    }

    static String jsonString(String json, String key) {
        String k = "\"" + key + "\"";
        int i = json.indexOf(k);
        if (i < 0) return null;
        i = json.indexOf('"', json.indexOf(':', i + k.length()) + 1);
        int j = json.indexOf('"', i + 1);
        return i < 0 || j < 0 ? null : json.substring(i + 1, j);
    }

    @Override
    public void end() {
        reconnect();
    }

    @Override
    public void error(Throwable cause) {
        reconnect();
    }

    private void reconnect() {
        if (stopped || streamClosed) return;
        reconnects++;
        Conn old = conn;
        old.close();
        old.channel.eventLoop().schedule(() -> client.connect().whenComplete((c, e) -> {
            if (e != null || stopped) {
                if (c != null) c.close();
                if (!stopped) old.channel.eventLoop().schedule(this::reconnect, 100, TimeUnit.MILLISECONDS);
                return;
            }
            start(c);
        }), 10, TimeUnit.MILLISECONDS);
    }
}
