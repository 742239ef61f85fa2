package dev.durablestreams.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A bare HTTP/1.1 client over one socket: writes exactly the bytes given (pipelined requests, malformed request
 * lines, bodies no real client would send) and parses responses one at a time.
 */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** The next response answers a HEAD (sent alone), so its Content-Length describes no body. */
    private boolean headPending;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends text as ISO-8859-1: each character is one byte. */
    RawHttp send(String text) throws IOException {
        if (text.startsWith("HEAD ")) headPending = true;
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** One response, in full; fails the test when the connection ends first. */
    Response read() throws IOException {
        String status = line();
        if (status == null) throw new IOException("connection closed before a response");
        String[] parts = status.split(" ", 3);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h = line(); h != null && !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        Response r = new Response(Integer.parseInt(parts[1]), headers, null);
        byte[] body;
        if (headPending) {
            headPending = false;
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(r.header("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                b.write(in.readNBytes(size));
                line();
            }
            line();
            body = b.toByteArray();
        } else if (r.header("content-length") != null) {
            body = in.readNBytes(Integer.parseInt(r.header("content-length")));
        } else {
            body = new byte[0];
        }
        return new Response(r.status, headers, body);
    }

    /** True when the server closed the connection (end of stream) with nothing more to read. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') return b.toString(StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A plain request with a Content-Length body (or none). */
    static String request(String method, String target, String body, String... headers) {
        StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: test\r\n");
        for (int i = 0; i < headers.length; i += 2) b.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        if (body != null) b.append("Content-Length: ").append(body.length()).append("\r\n");
        return b.append("\r\n").append(body == null ? "" : body).toString();
    }

    record Response(int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + text();
        }
    }
}
