package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.durablestreams.protocol.Offset;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One subscription's state, owned by the {@link SubscriptionManager}'s thread. Links are the cursors; the pending
 * set holds the paths whose tail is past their ack, kept up to date on every change so an append costs O(1)
 * however many streams the subscription covers.
 */
final class Subscription {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A stream's cursor. {@code tail} is the last known tail, kept in memory only (rebuilt from the store). */
    static final class Link {
        boolean explicit;
        boolean glob;
        Offset acked;
        Offset tail;

        Link(boolean explicit, boolean glob, Offset acked, Offset tail) {
            this.explicit = explicit;
            this.glob = glob;
            this.acked = acked;
            this.tail = tail;
        }

        String type() {
            return explicit ? "explicit" : "glob";
        }

        boolean pending() {
            return tail.isAfter(acked);
        }

        byte[] encode() {
            ObjectNode o = JSON.createObjectNode();
            o.put("explicit", explicit).put("glob", glob).put("acked", acked.toString());
            return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        static Link decode(byte[] b, Offset tail) {
            try {
                JsonNode o = JSON.readTree(b);
                return new Link(o.path("explicit").asBoolean(), o.path("glob").asBoolean(),
                        Offset.parse(o.path("acked").asText()), tail);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("corrupt subscription link", e);
            }
        }
    }

    final String id;
    SubscriptionConfig config;
    String hash;
    Glob glob;
    long createdAt;
    /** The stream root URL clients used ({@code http://host/v1/stream/}), for callback and JWKS URLs. */
    String baseUrl;
    final TreeMap<String, Link> links = new TreeMap<>();
    final Set<String> pending = new LinkedHashSet<>();

    long generation;
    /** The wake in flight (issued, claimed or being delivered), or null when idle. */
    String wakeId;
    /** Pull-wake: the worker holding the lease. */
    String holder;
    /** When the current lease ends; 0 without a lease. */
    long leaseExpiresAt;
    /** The tails the current wake reported, auto-acked by a webhook's {@code {"done":true}}. */
    Map<String, Offset> snapshot = new LinkedHashMap<>();
    /** Webhook retry: attempts failed so far and when the next one is due (0: none scheduled). */
    int attempt;
    long nextAttemptAt;
    boolean deleted;
    /** A webhook request is on the wire (memory only). */
    boolean delivering;

    Subscription(String id) {
        this.id = id;
    }

    void configure(SubscriptionConfig c) {
        this.config = c;
        this.hash = c.hash();
        this.glob = c.pattern() == null ? null : Glob.of(c.pattern());
    }

    boolean failed() {
        return nextAttemptAt > 0;
    }

    void refreshPending(String path) {
        Link l = links.get(path);
        if (l != null && l.pending()) pending.add(path);
        else pending.remove(path);
    }

    void clearWake() {
        wakeId = null;
        holder = null;
        leaseExpiresAt = 0;
        snapshot = new LinkedHashMap<>();
        attempt = 0;
        nextAttemptAt = 0;
    }

    byte[] encode() {
        ObjectNode o = JSON.createObjectNode();
        o.set("config", config.toJson());
        o.put("created_at", createdAt).put("base_url", baseUrl).put("generation", generation)
                .put("wake_id", wakeId).put("holder", holder).put("lease_expires_at", leaseExpiresAt)
                .put("attempt", attempt).put("next_attempt_at", nextAttemptAt).put("deleted", deleted);
        ObjectNode snap = o.putObject("snapshot");
        snapshot.forEach((p, t) -> snap.put(p, t.toString()));
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static Subscription decode(String id, byte[] b) {
        try {
            JsonNode o = JSON.readTree(b);
            Subscription s = new Subscription(id);
            s.configure(SubscriptionConfig.fromJson(o.path("config")));
            s.createdAt = o.path("created_at").asLong();
            s.baseUrl = o.path("base_url").asText();
            s.generation = o.path("generation").asLong();
            s.wakeId = o.path("wake_id").isNull() ? null : o.path("wake_id").asText(null);
            s.holder = o.path("holder").isNull() ? null : o.path("holder").asText(null);
            s.leaseExpiresAt = o.path("lease_expires_at").asLong();
            s.attempt = o.path("attempt").asInt();
            s.nextAttemptAt = o.path("next_attempt_at").asLong();
            s.deleted = o.path("deleted").asBoolean();
            o.path("snapshot").fields().forEachRemaining(e -> s.snapshot.put(e.getKey(), Offset.parse(e.getValue().asText())));
            return s;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("corrupt subscription record " + id, e);
        }
    }
}
