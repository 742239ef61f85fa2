package dev.durablestreams.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A plain TCP connection speaking bytes, for tests that need a client that is slow, stalls, or never reads. */
final class RawConnection implements AutoCloseable {
    /** Generous upper bound for anything a test waits on; never reached when the server behaves. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawConnection open(int port) throws IOException {
        return open(port, 0);
    }

    /** With {@code receiveBuffer > 0}, a small socket receive buffer, set before connecting so it takes effect. */
    static RawConnection open(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
        s.setSoTimeout((int) PATIENCE.toMillis());
        s.connect(new InetSocketAddress("127.0.0.1", port));
        return new RawConnection(s);
    }

    RawConnection send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Everything the server sends until it closes the connection (a reset counts as a close). */
    String readUntilClosed() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) all.write(buf, 0, n);
        } catch (SocketException reset) {
            // closed with unread input on the server side: still closed
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** One response with a Content-Length body (or none), leaving the connection open. */
    String readResponse() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after " + head);
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        byte[] body = in.readNBytes(length);
        return h + new String(body, StandardCharsets.ISO_8859_1);
    }

    /** Reads until {@code marker} has arrived; returns everything read. */
    String readUntil(String marker) throws IOException {
        StringBuilder all = new StringBuilder();
        byte[] buf = new byte[8192];
        while (all.indexOf(marker) < 0) {
            int n = in.read(buf);
            if (n < 0) throw new IOException("closed before '" + marker + "' after: " + all);
            all.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        return all.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Waits for a condition the server reaches by itself, failing after {@link #PATIENCE}. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(5);
        }
    }
}
