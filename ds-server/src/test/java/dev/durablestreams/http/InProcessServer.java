package dev.durablestreams.http;

import dev.durablestreams.http.tls.ReloadingSslContext;
import dev.durablestreams.metrics.ServerMetrics;
import dev.durablestreams.storage.NotifyingStore;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.engine.StreamLog;
import dev.durablestreams.storage.memory.MemoryLog;
import dev.durablestreams.storage.subscription.MemorySubscriptionStore;
import dev.durablestreams.subscription.SubscriptionApi;
import dev.durablestreams.subscription.SubscriptionManager;
import dev.durablestreams.subscription.WebhookSender;
import dev.durablestreams.subscription.WebhookUrlPolicy;
import java.time.Duration;
import java.util.Set;

/** A server on a free port over an in-memory store (or the given log), with subscriptions, for HTTP tests. */
final class InProcessServer implements AutoCloseable {
    final StreamEngine store;
    final SubscriptionManager subscriptions;
    final HttpServer server;
    /** The stream root, e.g. {@code http://127.0.0.1:PORT/v1/stream/}. */
    final String base;
    final int port;

    InProcessServer(int maxBody, int maxRead, Duration longPoll, Duration sseMax, Duration sseKeepAlive)
            throws InterruptedException {
        this(new MemoryLog(), maxBody, maxRead, longPoll, sseMax, sseKeepAlive);
    }

    InProcessServer(int maxBody, int maxRead, Duration longPoll, Duration sseMax, Duration sseKeepAlive,
                    AccessControl access) throws InterruptedException {
        this(new MemoryLog(), new ServerConfig("127.0.0.1", 0, maxBody, maxRead, longPoll, sseMax, sseKeepAlive),
                access);
    }

    InProcessServer(StreamLog log, int maxBody, int maxRead, Duration longPoll, Duration sseMax, Duration sseKeepAlive)
            throws InterruptedException {
        this(log, new ServerConfig("127.0.0.1", 0, maxBody, maxRead, longPoll, sseMax, sseKeepAlive));
    }

    /** Serves HTTPS when {@code tls} is not null ({@link #base} is then an https URL). */
    InProcessServer(int maxBody, int maxRead, Duration longPoll, Duration sseMax, Duration sseKeepAlive,
                    ReloadingSslContext tls) throws InterruptedException {
        this(new MemoryLog(), new ServerConfig("127.0.0.1", 0, maxBody, maxRead, longPoll, sseMax, sseKeepAlive), tls);
    }

    InProcessServer(ServerConfig config) throws InterruptedException {
        this(new MemoryLog(), config);
    }

    InProcessServer(StreamLog log, ServerConfig config) throws InterruptedException {
        this(log, config, AccessControl.OPEN, null);
    }

    InProcessServer(StreamLog log, ServerConfig config, AccessControl access) throws InterruptedException {
        this(log, config, access, null);
    }

    InProcessServer(StreamLog log, ServerConfig config, ReloadingSslContext tls) throws InterruptedException {
        this(log, config, AccessControl.OPEN, tls);
    }

    InProcessServer(StreamLog log, ServerConfig config, AccessControl access, ReloadingSslContext tls)
            throws InterruptedException {
        store = new StreamEngine(log, EngineOptions.UNLIMITED);
        WebhookUrlPolicy urls = WebhookUrlPolicy.standard(Set.of());
        subscriptions = new SubscriptionManager(store, new MemorySubscriptionStore(), urls,
                new WebhookSender(urls, Duration.ofSeconds(2), Duration.ofSeconds(5), 4, 16),
                System::currentTimeMillis, Math::random);
        subscriptions.start(null);
        server = new HttpServer(config, new NotifyingStore(store, subscriptions), new SubscriptionApi(subscriptions),
                ServerMetrics.requestsOnly(), -1, access, tls);
        port = server.start();
        base = (tls == null ? "http" : "https") + "://127.0.0.1:" + port + "/v1/stream/";
    }

    int port() {
        return port;
    }

    ConnectionLimits limits() {
        return server.limits();
    }

    @Override
    public void close() {
        server.close();
        subscriptions.close();
        store.close();
    }
}
