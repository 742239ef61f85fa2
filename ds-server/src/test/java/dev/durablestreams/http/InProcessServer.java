package dev.durablestreams.http;

import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import java.time.Duration;

/** A server on a free port over an in-memory store, for HTTP tests. */
final class InProcessServer implements AutoCloseable {
    final StreamEngine store = new StreamEngine(new MemoryLog(), EngineOptions.UNLIMITED);
    final HttpServer server;
    /** The stream root, e.g. {@code http://127.0.0.1:PORT/v1/stream/}. */
    final String base;

    InProcessServer(int maxBody, int maxRead, Duration longPoll, Duration sseMax, Duration sseKeepAlive)
            throws InterruptedException {
        this(maxBody, maxRead, longPoll, sseMax, sseKeepAlive, null);
    }

    /** Serves HTTPS when {@code tls} is not null ({@link #base} is then an https URL). */
    InProcessServer(int maxBody, int maxRead, Duration longPoll, Duration sseMax, Duration sseKeepAlive,
                    ReloadingSslContext tls) throws InterruptedException {
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, maxBody, maxRead, longPoll, sseMax, sseKeepAlive),
                store, tls);
        base = (tls == null ? "http" : "https") + "://127.0.0.1:" + server.start() + "/v1/stream/";
    }

    /** The bound port. */
    int port() {
        return java.net.URI.create(base).getPort();
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }
}
