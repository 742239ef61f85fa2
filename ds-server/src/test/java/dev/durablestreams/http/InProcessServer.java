package dev.durablestreams.http;

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
        this(maxBody, maxRead, longPoll, sseMax, sseKeepAlive, AccessControl.OPEN);
    }

    InProcessServer(int maxBody, int maxRead, Duration longPoll, Duration sseMax, Duration sseKeepAlive,
                    AccessControl access) throws InterruptedException {
        server = new HttpServer(new ServerConfig("127.0.0.1", 0, maxBody, maxRead, longPoll, sseMax, sseKeepAlive),
                store, access);
        base = "http://127.0.0.1:" + server.start() + "/v1/stream/";
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }
}
