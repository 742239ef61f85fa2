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
        void data(SseReader reader, String data);

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

    private final StringBuilder line = new StringBuilder(256);
    private final StringBuilder data = new StringBuilder(256);
    private String event;
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
        line.setLength(0);
        data.setLength(0);
        event = null;
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
                line.append((char) (b & 0xff));
            }
        }
    }

    private void line() {
        if (line.length() == 0) {
            dispatch();
            return;
        }
        int colon = line.indexOf(":");
        String field = colon < 0 ? line.toString() : line.substring(0, colon);
        int vstart = colon < 0 ? line.length() : colon + 1;
        if (vstart < line.length() && line.charAt(vstart) == ' ') vstart++;
        if (field.equals("event")) {
            event = line.substring(vstart);
        } else if (field.equals("data")) {
            if (hasData) data.append('\n');
            data.append(line, vstart, line.length());
            hasData = true;
        }
        line.setLength(0);
    }

    private void dispatch() {
        if (hasData) {
            if ("control".equals(event)) {
                String json = data.toString();
                String next = jsonString(json, "streamNextOffset");
                if (next != null) offset = next;
                if (json.contains("\"streamClosed\":true")) streamClosed = true;
                firstControl = true;
                listener.control(this, json.contains("\"upToDate\":true"));
            } else if (event == null || "data".equals(event) || "message".equals(event)) {
                listener.data(this, data.toString());
            }
        }
        event = null;
        hasData = false;
        data.setLength(0);
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
