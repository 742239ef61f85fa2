package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durablestreams.protocol.Offset;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.CreateRequest;
import dev.durablestreams.storage.NotifyingStore;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.storage.engine.EngineOptions;
import dev.durablestreams.storage.engine.StreamEngine;
import dev.durablestreams.storage.memory.MemoryLog;
import dev.durablestreams.storage.subscription.MemorySubscriptionStore;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A subscription manager over a real memory engine, with a hand-driven clock and fixed jitter; requests go through
 * {@link SubscriptionApi} exactly as the HTTP layer sends them.
 */
final class Harness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ROOT = "http://test.invalid/v1/stream/";

    final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    final StreamEngine engine = new StreamEngine(new MemoryLog(), EngineOptions.UNLIMITED);
    final SubscriptionStore subscriptionStore;
    final WebhookUrlPolicy urls = WebhookUrlPolicy.standard(Set.of());
    SubscriptionManager manager;
    SubscriptionApi api;
    StreamStore streams;

    Harness() {
        this(new MemorySubscriptionStore());
    }

    Harness(SubscriptionStore store) {
        this.subscriptionStore = store;
        start();
    }

    /** (Re)starts the manager over the same stores, as a server restart does. */
    void start() {
        manager = new SubscriptionManager(engine, subscriptionStore, urls,
                new WebhookSender(urls, Duration.ofSeconds(2), Duration.ofSeconds(5), 4, 16), now::get, () -> 0.5);
        manager.start(null);
        api = new SubscriptionApi(manager);
        streams = new NotifyingStore(engine, manager);
    }

    void restart() {
        manager.close();
        start();
    }

    record Res(int status, JsonNode body) {
        String code() {
            return body.path("error").path("code").asText();
        }
    }

    Res call(String method, String route, String token, String body) {
        SubscriptionApi.Response r = api.handle(method, route, token == null ? null : "Bearer " + token,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), ROOT).join();
        try {
            return new Res(r.status(), r.body().length == 0 ? null : JSON.readTree(r.body()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    Res put(String id, String body) {
        return call("PUT", "subscriptions/" + id, null, body);
    }

    Res get(String id) {
        return call("GET", "subscriptions/" + id, null, null);
    }

    Res claim(String id, String worker) {
        return call("POST", "subscriptions/" + id + "/claim", null, "{\"worker\":\"" + worker + "\"}");
    }

    Res ack(String id, JsonNode claim, String acks, boolean done) {
        return call("POST", "subscriptions/" + id + "/ack", claim.path("token").asText(),
                "{\"wake_id\":\"" + claim.path("wake_id").asText() + "\",\"generation\":"
                        + claim.path("generation").asLong() + ",\"acks\":" + acks + ",\"done\":" + done + "}");
    }

    void createJson(String path, String body) {
        streams.create(new CreateRequest(path, "application/json", null, null, false,
                body.getBytes(StandardCharsets.UTF_8), null)).join();
    }

    Offset append(String path, String json) {
        return streams.append(new AppendRequest(path, "application/json", json.getBytes(StandardCharsets.UTF_8),
                false, null, null)).join().next();
    }

    /** The wake stream's events, as a JSON array. */
    JsonNode events(String wake) {
        try {
            var r = engine.read(wake, dev.durablestreams.protocol.ReadFrom.parse("-1"), 1 << 20).join();
            StringBuilder b = new StringBuilder();
            for (var buf : r.chunks()) {
                byte[] a = new byte[buf.remaining()];
                buf.duplicate().get(a);
                b.append(new String(a, StandardCharsets.UTF_8));
            }
            String all = b.toString();
            if (all.endsWith(",")) all = all.substring(0, all.length() - 1); // stored messages end with a comma
            return JSON.readTree("[" + all + "]");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Waits (bounded) until the wake stream holds {@code n} events, and returns them. */
    JsonNode awaitEvents(String wake, int n) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode e = events(wake);
        while (e.size() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            manager.tick().join();
            e = events(wake);
        }
        if (e.size() != n) throw new AssertionError("expected " + n + " wake events, got " + e);
        return e;
    }

    void advance(long ms) {
        now.addAndGet(ms);
        manager.tick().join();
    }

    @Override
    public void close() {
        manager.close();
        subscriptionStore.close();
        engine.close();
    }
}
