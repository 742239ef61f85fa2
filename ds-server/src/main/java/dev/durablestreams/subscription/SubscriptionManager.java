package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.durablestreams.protocol.Offset;
import dev.durablestreams.storage.AppendRequest;
import dev.durablestreams.storage.StreamInfo;
import dev.durablestreams.storage.StreamListener;
import dev.durablestreams.storage.StreamStore;
import dev.durablestreams.storage.subscription.SubscriptionCommit;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions (protocol 6-7): membership, cursors, wakes, leases, fencing and delivery. All state lives on one
 * thread ({@code ds-subscriptions}): requests and stream events are tasks on it, so they are ordered and need no
 * locks, and its blocking store commits never touch an event loop. Every state change is one
 * {@link SubscriptionStore#commit} made before the change is answered or acted on.
 */
public final class SubscriptionManager implements StreamListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionManager.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN_KEY = "token-key";
    static final long TOKEN_TTL_MS = 3_600_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A result for the transport: status and JSON body (null for 204). */
    public record Reply(int status, JsonNode body) {}

    private final StreamStore streams;
    private final SubscriptionStore store;
    private final WebhookUrlPolicy urls;
    private final WebhookSender sender;
    private final LongSupplier clock;
    private final DoubleSupplier jitter;
    private final ScheduledExecutorService thread;
    private final Map<String, Subscription> subs = new HashMap<>();
    /**
     * False until a subscription exists (or is being created): until then stream events are not queued at all, so
     * appends pay nothing for subscriptions nobody has. Set before a new subscription reads stream tails, so an
     * append whose event was skipped is already in the tails it reads.
     */
    private volatile boolean watching;
    /** Explicit links: stream path → subscriptions linking it (an append finds them without a scan). */
    private final Map<String, Set<Subscription>> explicitIndex = new HashMap<>();
    /** Subscriptions with a pattern: each append checks each pattern once. */
    private final Set<Subscription> globbed = new LinkedHashSet<>();
    private SigningKeys keys;
    private Tokens tokens;

    public SubscriptionManager(StreamStore streams, SubscriptionStore store, WebhookUrlPolicy urls, WebhookSender sender,
                               LongSupplier clock, DoubleSupplier jitter) {
        this.streams = streams;
        this.store = store;
        this.urls = urls;
        this.sender = sender;
        this.clock = clock;
        this.jitter = jitter;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ds-subscriptions");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Loads every subscription, its links and the keys, then rebuilds pending work and timers: leases and retry
     * schedules continue; a wake that was being delivered or announced when the server stopped is issued again
     * with a new generation (its old tokens are fenced).
     *
     * @param signingKey a configured webhook key, or null to use (or create) the stored one
     */
    public void start(KeyPair signingKey) {
        on(() -> {
            SubscriptionStore.Contents c = store.load();
            Map<String, byte[]> secrets = new HashMap<>();
            keys = SigningKeys.load(c.secrets().get(SigningKeys.ACTIVE), c.secrets().get(SigningKeys.RETIRED),
                    signingKey, clock.getAsLong(), secrets);
            byte[] tk = c.secrets().get(TOKEN_KEY);
            if (tk == null) secrets.put(TOKEN_KEY, tk = Tokens.newKey());
            tokens = new Tokens(tk);
            if (!secrets.isEmpty()) {
                SubscriptionCommit commit = new SubscriptionCommit();
                secrets.forEach(commit::putSecret);
                store.commit(commit);
            }
            Set<String> linked = new HashSet<>();
            c.links().values().forEach(m -> linked.addAll(m.keySet()));
            Map<String, Offset> tails = streams.tails(linked); // every linked stream's tail at once
            c.subscriptions().forEach((id, record) -> {
                Subscription s = Subscription.decode(id, record);
                subs.put(id, s);
                if (s.deleted) return;
                watching = true;
                c.links().getOrDefault(id, Map.of()).forEach((path, link) -> {
                    Offset tail = tails.getOrDefault(path, Offset.ZERO);
                    s.links.put(path, Subscription.Link.decode(link, tail));
                    s.refreshPending(path);
                });
                index(s);
            });
            for (Subscription s : subs.values()) {
                if (s.deleted) continue;
                boolean resumable = s.leaseExpiresAt > 0 || s.nextAttemptAt > 0;
                if (s.wakeId != null && !resumable) {
                    s.clearWake();
                    store.commit(record(s));
                }
                maybeWake(s);
            }
            LOG.info("subscriptions: {} loaded", subs.values().stream().filter(s -> !s.deleted).count());
            tick();
            return null;
        }).join();
    }

    // ------------------------------------------------------------------ requests

    /** PUT: create (201), re-confirm an identical configuration (200), or 409 for a different one. */
    public CompletableFuture<Reply> put(String id, JsonNode body, String baseUrl) {
        return on(() -> {
            watching = true;
            SubscriptionConfig config = SubscriptionConfig.parse(body);
            if (config.webhook()) urls.validate(config.webhookUrl());
            Subscription existing = subs.get(id);
            if (existing != null && !existing.deleted) {
                if (!existing.hash.equals(config.hash())) {
                    throw new SubscriptionError(409, "SUBSCRIPTION_ALREADY_EXISTS",
                            "subscription exists with a different configuration");
                }
                return new Reply(200, SubscriptionJson.view(existing, keys.kid()));
            }
            Subscription s = new Subscription(id);
            s.configure(config);
            s.createdAt = clock.getAsLong();
            s.baseUrl = baseUrl;
            // A re-created id continues the old generation numbers, so tokens of the deleted one stay fenced.
            s.generation = existing == null ? 0 : existing.generation;
            SubscriptionCommit commit = new SubscriptionCommit();
            if (s.glob != null) {
                for (String p : streams.paths()) {
                    if (s.glob.matches(p) && !p.equals(config.wakeStream())) {
                        Offset tail = tailOf(p);
                        s.links.put(p, new Subscription.Link(false, true, tail, tail));
                    }
                }
            }
            for (String p : config.streams()) {
                Subscription.Link l = s.links.get(p);
                if (l != null) l.explicit = true;
                else {
                    Offset tail = tailOf(p);
                    s.links.put(p, new Subscription.Link(true, false, tail, tail));
                }
            }
            s.links.forEach((p, l) -> commit.putLink(id, p, l.encode()));
            commit.putSubscription(id, s.encode());
            store.commit(commit);
            subs.put(id, s);
            index(s);
            return new Reply(201, SubscriptionJson.view(s, keys.kid()));
        });
    }

    public CompletableFuture<Reply> get(String id) {
        return on(() -> new Reply(200, SubscriptionJson.view(live(id), keys.kid())));
    }

    /** DELETE: tombstones the subscription; its in-flight tokens can never match again. */
    public CompletableFuture<Reply> delete(String id) {
        return on(() -> {
            Subscription s = subs.get(id);
            if (s == null || s.deleted) return new Reply(204, null);
            unindex(s);
            SubscriptionCommit commit = new SubscriptionCommit();
            s.links.keySet().forEach(p -> commit.deleteLink(id, p));
            s.links.clear();
            s.pending.clear();
            s.clearWake();
            s.deleted = true;
            store.commit(commit.putSubscription(id, s.encode()));
            return new Reply(204, null);
        });
    }

    /** POST streams: adds explicit links at the streams' current tails; idempotent. */
    public CompletableFuture<Reply> addStreams(String id, JsonNode body) {
        return on(() -> {
            Subscription s = live(id);
            List<String> paths = SubscriptionConfig.streamList(body == null ? null : body.get("streams"), false);
            SubscriptionCommit commit = new SubscriptionCommit();
            for (String p : paths) {
                Subscription.Link l = s.links.get(p);
                if (l != null && l.explicit) continue;
                if (l != null) l.explicit = true;
                else {
                    Offset tail = tailOf(p);
                    s.links.put(p, l = new Subscription.Link(true, false, tail, tail));
                }
                commit.putLink(id, p, l.encode());
            }
            if (!commit.isEmpty()) store.commit(commit);
            index(s);
            return new Reply(204, null);
        });
    }

    /** DELETE streams/:path: removes only the explicit link; a glob link of a matching pattern stays. */
    public CompletableFuture<Reply> removeStream(String id, String path) {
        return on(() -> {
            Subscription s = live(id);
            Subscription.Link l = s.links.get(path);
            if (l == null || !l.explicit) return new Reply(204, null);
            SubscriptionCommit commit = new SubscriptionCommit();
            boolean keepAsGlob = s.glob != null && s.glob.matches(path);
            if (keepAsGlob) {
                l.explicit = false;
                l.glob = true;
                commit.putLink(id, path, l.encode());
            } else {
                s.links.remove(path);
                s.pending.remove(path);
                commit.deleteLink(id, path);
            }
            store.commit(commit);
            Set<Subscription> set = explicitIndex.get(path);
            if (set != null && set.remove(s) && set.isEmpty()) explicitIndex.remove(path);
            return new Reply(204, null);
        });
    }

    /** Pull-wake claim: takes the lease of the current wake (issuing one if work is pending). */
    public CompletableFuture<Reply> claim(String id, JsonNode body) {
        return claim(id, body, stream -> true);
    }

    /** A claim by a caller who may read only the streams {@code readable} accepts: it must read the wake stream. */
    public CompletableFuture<Reply> claim(String id, JsonNode body, Predicate<String> readable) {
        return on(() -> {
            Subscription s = live(id);
            if (s.config.webhook()) throw SubscriptionError.invalid("claim is for pull-wake subscriptions");
            if (!readable.test(s.config.wakeStream())) {
                throw new SubscriptionError(403, "FORBIDDEN", "claiming needs read on the wake stream '"
                        + s.config.wakeStream() + "'", Map.of());
            }
            String worker = body != null && body.path("worker").isTextual() ? body.path("worker").asText() : null;
            if (worker == null || worker.isEmpty()) throw SubscriptionError.invalid("worker is required");
            long now = clock.getAsLong();
            expireIfDue(s, now);
            if (s.holder != null) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("current_holder", s.holder);
                extra.put("generation", s.generation);
                throw new SubscriptionError(409, "ALREADY_CLAIMED", "another worker holds the lease", extra);
            }
            if (s.wakeId == null) {
                if (s.pending.isEmpty()) catchUp(s);
                if (s.pending.isEmpty()) throw new SubscriptionError(409, "NO_PENDING_WORK", "no pending work");
                newWake(s);
            }
            s.holder = worker;
            s.leaseExpiresAt = now + s.config.leaseTtlMs();
            s.snapshot = currentTails(s);
            store.commit(record(s));
            schedule(s.leaseExpiresAt);
            ObjectNode o = JSON.createObjectNode();
            o.put("wake_id", s.wakeId).put("generation", s.generation)
                    .put("token", tokens.issue(id, s.generation, now + TOKEN_TTL_MS));
            o.set("streams", SubscriptionJson.wakeStreams(s));
            o.put("lease_ttl_ms", s.config.leaseTtlMs());
            return new Reply(200, o);
        });
    }

    /**
     * Ack (pull-wake) and callback (webhook): applies the acks; with {@code done} releases the lease, otherwise
     * extends it (heartbeat). Fenced unless token, token generation, request generation and wake id all match.
     */
    public CompletableFuture<Reply> ack(String id, String bearer, JsonNode body) {
        return on(() -> {
            long now = clock.getAsLong();
            Subscription s = fenced(id, bearer, body, now);
            List<Map.Entry<String, Offset>> acks = Fencing.acks(s, body.get("acks"));
            boolean done = body.path("done").asBoolean(false);
            SubscriptionCommit commit = new SubscriptionCommit();
            for (Map.Entry<String, Offset> a : acks) {
                Subscription.Link l = s.links.get(a.getKey());
                l.acked = a.getValue();
                s.refreshPending(a.getKey());
                commit.putLink(id, a.getKey(), l.encode());
            }
            if (done) s.clearWake();
            else {
                s.leaseExpiresAt = now + s.config.leaseTtlMs();
                schedule(s.leaseExpiresAt);
            }
            store.commit(commit.putSubscription(id, s.encode()));
            boolean next = !s.pending.isEmpty();
            if (done) maybeWake(s);
            ObjectNode o = JSON.createObjectNode();
            o.put("ok", true).put("next_wake", next);
            return new Reply(200, o);
        });
    }

    /** Release without acking; a new wake follows if work is pending. */
    public CompletableFuture<Reply> release(String id, String bearer, JsonNode body) {
        return on(() -> {
            Subscription s = fenced(id, bearer, body, clock.getAsLong());
            s.clearWake();
            store.commit(record(s));
            maybeWake(s);
            return new Reply(204, null);
        });
    }

    /** The JWK Set of the webhook signing keys. */
    public byte[] jwks() {
        return keys.jwks(clock.getAsLong());
    }

    // ------------------------------------------------------------------ stream events

    @Override
    public void created(String path, Offset tail) {
        if (!watching) return;
        post(() -> guarded(() -> streamEvent(path, tail, true)));
    }

    @Override
    public void advanced(String path, Offset tail) {
        if (!watching) return;
        post(() -> guarded(() -> streamEvent(path, tail, false)));
    }

    @Override
    public void deleted(String path) {
        if (!watching) return;
        post(() -> guarded(() -> {
            for (Subscription s : matching(path)) {
                Subscription.Link l = s.links.get(path);
                if (l == null) continue;
                SubscriptionCommit commit = new SubscriptionCommit();
                if (l.explicit) { // kept, restarted from zero for a stream created again at this path
                    l.glob = false;
                    l.acked = Offset.ZERO;
                    l.tail = Offset.ZERO;
                    commit.putLink(s.id, path, l.encode());
                } else {
                    s.links.remove(path);
                    commit.deleteLink(s.id, path);
                }
                s.pending.remove(path);
                store.commit(commit);
            }
        }));
    }

    /**
     * Re-reads the tail of every linked stream, after stream events may have been lost (a shared backend's change
     * notifications were interrupted): pending work and wakes follow from what is stored.
     */
    public CompletableFuture<Void> resync() {
        return on(() -> {
            guarded(() -> {
                for (Subscription s : subs.values()) {
                    if (s.deleted) continue;
                    catchUp(s);
                    maybeWake(s);
                }
            });
            return null;
        });
    }

    /**
     * Moves each link's tail up to its stream's stored tail. With several nodes an append acknowledged by another
     * node may not have reached this one as an event yet; a claim finding nothing pending looks here first, so a
     * client's own earlier append is never missed.
     */
    private void catchUp(Subscription s) {
        Map<String, Offset> tails = streams.tails(s.links.keySet());
        for (Map.Entry<String, Subscription.Link> e : s.links.entrySet()) {
            Offset tail = tails.getOrDefault(e.getKey(), Offset.ZERO);
            if (tail.isAfter(e.getValue().tail)) {
                e.getValue().tail = tail;
                s.refreshPending(e.getKey());
            }
        }
    }

    /** A durable create or append: link newly matching streams from their start, then mark pending and wake. */
    private void streamEvent(String path, Offset tail, boolean created) {
        for (Subscription s : matching(path)) {
            Subscription.Link l = s.links.get(path);
            if (l == null) {
                l = new Subscription.Link(false, true, Offset.ZERO, tail);
                s.links.put(path, l);
                store.commit(new SubscriptionCommit().putLink(s.id, path, l.encode()));
            } else if (created) {
                // A new incarnation (e.g. after expiry, which sends no delete): its cursor restarts at its start.
                l.acked = Offset.ZERO;
                l.tail = tail;
                store.commit(new SubscriptionCommit().putLink(s.id, path, l.encode()));
            }
            if (tail.isAfter(l.tail)) l.tail = tail;
            s.refreshPending(path);
            maybeWake(s);
        }
    }

    private List<Subscription> matching(String path) {
        List<Subscription> out = new ArrayList<>(explicitIndex.getOrDefault(path, Set.of()));
        for (Subscription s : globbed) {
            if (!out.contains(s) && s.glob.matches(path) && !path.equals(s.config.wakeStream())) out.add(s);
        }
        return out;
    }

    // ------------------------------------------------------------------ waking and delivery

    /** Issues a wake when work is pending and no wake is in flight or leased. */
    private void maybeWake(Subscription s) {
        if (s.deleted || s.wakeId != null || s.pending.isEmpty()) return;
        newWake(s);
        s.snapshot = currentTails(s);
        store.commit(record(s));
        if (s.config.webhook()) deliver(s);
        else announce(s);
    }

    private void newWake(Subscription s) {
        s.generation++;
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        s.wakeId = "w_" + HexFormat.of().formatHex(id);
    }

    /** Pull-wake: appends a wake event to the application's wake stream. */
    private void announce(Subscription s) {
        ObjectNode e = JSON.createObjectNode();
        e.put("type", "wake").put("subscription_id", s.id).put("stream", s.pending.iterator().next())
                .put("generation", s.generation).put("ts", clock.getAsLong());
        byte[] body = e.toString().getBytes(StandardCharsets.UTF_8);
        String wake = s.config.wakeStream();
        streams.info(wake)
                .thenCompose(info -> streams.append(new AppendRequest(wake, info.contentType(), body, false, null, null)))
                .whenComplete((r, err) -> {
                    if (err == null) advanced(wake, r.next()); // appended to the engine directly: announce it here
                    else LOG.warn("subscription {}: cannot append wake event to {}: {}", s.id, wake,
                            err.getCause() != null ? err.getCause().getMessage() : err.getMessage());
                });
    }

    /** Webhook: signs and POSTs the wake; the outcome is handled back on the subscription thread. */
    private void deliver(Subscription s) {
        long now = clock.getAsLong();
        ObjectNode o = JSON.createObjectNode();
        o.put("subscription_id", s.id).put("wake_id", s.wakeId).put("generation", s.generation);
        o.set("streams", SubscriptionJson.wakeStreams(s));
        o.put("callback_url", s.baseUrl + "__ds/subscriptions/" + s.id + "/callback");
        o.put("callback_token", tokens.issue(s.id, s.generation, now + TOKEN_TTL_MS));
        byte[] body = o.toString().getBytes(StandardCharsets.UTF_8);
        String wakeId = s.wakeId;
        s.delivering = true;
        sender.send(URI.create(s.config.webhookUrl()), body, keys.signatureHeader(now / 1000, body))
                .whenComplete((r, err) -> post(() -> guarded(() -> delivered(s, wakeId, r, err))));
    }

    private void delivered(Subscription s, String wakeId, WebhookSender.Response r, Throwable err) {
        s.delivering = false;
        if (s.deleted || !wakeId.equals(s.wakeId)) return; // answered by a callback meanwhile, or deleted
        long now = clock.getAsLong();
        if (err == null && r.status() >= 200 && r.status() < 300) {
            if (isDone(r.body())) {
                SubscriptionCommit commit = new SubscriptionCommit();
                s.snapshot.forEach((path, tail) -> {
                    Subscription.Link l = s.links.get(path);
                    if (l != null && tail.isAfter(l.acked)) {
                        l.acked = tail;
                        s.refreshPending(path);
                        commit.putLink(s.id, path, l.encode());
                    }
                });
                s.clearWake();
                store.commit(commit.putSubscription(s.id, s.encode()));
                maybeWake(s);
            } else {
                s.attempt = 0;
                s.nextAttemptAt = 0;
                s.leaseExpiresAt = now + s.config.leaseTtlMs();
                store.commit(record(s));
                schedule(s.leaseExpiresAt);
            }
            return;
        }
        s.attempt++;
        s.nextAttemptAt = now + RetryPolicy.delayMillis(s.attempt, jitter.getAsDouble());
        store.commit(record(s));
        LOG.debug("subscription {}: webhook attempt {} failed ({}); retry at {}", s.id, s.attempt,
                err != null ? err.toString() : "status " + r.status(), Instant.ofEpochMilli(s.nextAttemptAt));
        schedule(s.nextAttemptAt);
    }

    private static boolean isDone(byte[] body) {
        try {
            return body.length > 0 && JSON.readTree(body).path("done").asBoolean(false);
        } catch (Exception e) {
            return false;
        }
    }

    /** Runs due timers: expired leases are cleared (and re-woken if pending), due webhook retries are sent. */
    public CompletableFuture<Void> tick() {
        return on(() -> {
            long now = clock.getAsLong();
            long next = Long.MAX_VALUE;
            for (Subscription s : subs.values()) {
                if (s.deleted) continue;
                expireIfDue(s, now);
                if (s.wakeId != null && s.nextAttemptAt > 0 && s.nextAttemptAt <= now && !s.delivering) {
                    s.snapshot = currentTails(s); // a retry reports what is pending now
                    store.commit(record(s));
                    deliver(s);
                }
                if (s.leaseExpiresAt > 0) next = Math.min(next, s.leaseExpiresAt);
                if (s.nextAttemptAt > now) next = Math.min(next, s.nextAttemptAt);
            }
            if (next != Long.MAX_VALUE) schedule(next);
            return null;
        });
    }

    private void expireIfDue(Subscription s, long now) {
        if (s.leaseExpiresAt > 0 && s.leaseExpiresAt <= now) {
            s.clearWake();
            store.commit(record(s));
            maybeWake(s);
        }
    }

    private void schedule(long at) {
        long delay = Math.max(0, at - clock.getAsLong());
        if (thread.isShutdown()) return;
        try {
            thread.schedule(() -> tick(), delay + 1, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: timers are rebuilt from the store on the next start
        }
    }

    // ------------------------------------------------------------------ helpers

    private Subscription fenced(String id, String bearer, JsonNode body, long now) {
        Tokens.Claims claims = tokens.verify(bearer, now);
        if (!claims.subscription().equals(id)) {
            throw new SubscriptionError(401, "TOKEN_INVALID", "token belongs to another subscription");
        }
        Subscription s = live(id);
        expireIfDue(s, now);
        Fencing.check(claims.generation(), s.generation, s.wakeId, body);
        return s;
    }

    private Subscription live(String id) {
        Subscription s = subs.get(id);
        if (s == null || s.deleted) throw SubscriptionError.notFound();
        return s;
    }

    private void index(Subscription s) {
        if (s.glob != null) globbed.add(s);
        s.links.forEach((p, l) -> {
            if (l.explicit) explicitIndex.computeIfAbsent(p, k -> new LinkedHashSet<>()).add(s);
        });
    }

    private void unindex(Subscription s) {
        globbed.remove(s);
        s.links.forEach((p, l) -> {
            Set<Subscription> set = explicitIndex.get(p);
            if (set != null && set.remove(s) && set.isEmpty()) explicitIndex.remove(p);
        });
    }

    private Offset tailOf(String path) {
        try {
            StreamInfo i = streams.info(path).join();
            return i.tail();
        } catch (RuntimeException e) {
            return Offset.ZERO; // not created yet: linked from its start
        }
    }

    private static Map<String, Offset> currentTails(Subscription s) {
        Map<String, Offset> m = new LinkedHashMap<>();
        for (String p : s.pending) m.put(p, s.links.get(p).tail);
        return m;
    }

    private static SubscriptionCommit record(Subscription s) {
        return new SubscriptionCommit().putSubscription(s.id, s.encode());
    }

    /** Queues an event on the subscription thread; dropped once closed (the store is the truth on restart). */
    private void post(Runnable event) {
        try {
            thread.execute(event);
        } catch (RejectedExecutionException e) {
            LOG.debug("subscription event dropped while closing");
        }
    }

    /** Runs {@code task} on the subscription thread. */
    private <T> CompletableFuture<T> on(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, thread);
    }

    private static void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("subscription event failed", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender != null) sender.close();
    }
}
