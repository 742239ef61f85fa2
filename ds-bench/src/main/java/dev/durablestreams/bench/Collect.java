package dev.durablestreams.bench;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A response handler that keeps status, headers, the body length and (optionally) the body. */
final class Collect implements Conn.ResponseHandler {
    int status;
    HttpHeaders headers;
    long bytes;
    final ByteArrayOutputStream body;
    Throwable error;
    private final Consumer<Collect> done;

    Collect(boolean keepBody, Consumer<Collect> done) {
        this.body = keepBody ? new ByteArrayOutputStream() : null;
        this.done = done;
    }

    @Override
    public void headers(HttpResponse response) {
        status = response.status().code();
        headers = response.headers();
    }

    @Override
    public void content(ByteBuf chunk) {
        bytes += chunk.readableBytes();
        if (body != null) {
            byte[] b = new byte[chunk.readableBytes()];
            chunk.getBytes(chunk.readerIndex(), b);
            body.write(b, 0, b.length);
        }
    }

    @Override
    public void end() {
        done.accept(this);
    }

    @Override
    public void error(Throwable cause) {
        error = cause;
        status = -1;
        done.accept(this);
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    String header(String name) {
        return headers == null ? null : headers.get(name);
    }

    /** Sends a request and waits for its full response. */
    static Collect call(Conn conn, HttpMethod method, String path, String contentType, byte[] body,
                        boolean keepBody, String... extraHeaders) throws Exception {
        CompletableFuture<Collect> f = new CompletableFuture<>();
        conn.send(method, path, contentType, body, new Collect(keepBody, f::complete), extraHeaders);
        Collect c = f.get(120, TimeUnit.SECONDS);
        if (c.error != null) throw new IllegalStateException(method + " " + path + " failed", c.error);
        return c;
    }

    /** PUT a stream (201 or 200); throws on any other status. */
    static void create(Conn conn, String path, String contentType) throws Exception {
        Collect c = call(conn, HttpMethod.PUT, path, contentType, null, false);
        if (c.status != 201 && c.status != 200) throw new IllegalStateException("PUT " + path + " -> " + c.status);
    }
}
