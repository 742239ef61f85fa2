package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** The JSON shapes of a subscription (GET/PUT) and of a wake's stream list (claim, webhook body). */
final class SubscriptionJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SubscriptionJson() {}

    /** The snapshot of the current wake: each stream with its ack, the tail reported, and whether it is pending. */
    static ArrayNode wakeStreams(Subscription s) {
        ArrayNode arr = JSON.createArrayNode();
        s.snapshot.forEach((p, tail) -> {
            Subscription.Link l = s.links.get(p);
            if (l == null) return;
            arr.addObject().put("path", p).put("link_type", l.type()).put("acked_offset", l.acked.toString())
                    .put("tail_offset", tail.toString()).put("has_pending", tail.isAfter(l.acked));
        });
        return arr;
    }

    /** The serialized subscription (protocol 6.3); never a shared secret. */
    static ObjectNode view(Subscription s, String kid) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.id).put("subscription_id", s.id).put("type", s.config.type()).put("pattern", s.config.pattern());
        ArrayNode arr = o.putArray("streams");
        s.links.forEach((p, l) -> arr.addObject().put("path", p).put("link_type", l.type())
                .put("acked_offset", l.acked.toString()));
        if (s.config.webhook()) {
            ObjectNode w = o.putObject("webhook");
            w.put("url", s.config.webhookUrl());
            w.putObject("signing").put("alg", "ed25519").put("kid", kid)
                    .put("jwks_url", s.baseUrl + "__ds/jwks.json");
        } else {
            o.putNull("webhook");
        }
        o.put("wake_stream", s.config.wakeStream());
        o.put("lease_ttl_ms", s.config.leaseTtlMs());
        o.put("created_at", Instant.ofEpochMilli(s.createdAt).toString());
        o.put("status", s.failed() ? "failed" : "active");
        if (s.failed()) o.put("next_attempt_at", Instant.ofEpochMilli(s.nextAttemptAt).toString());
        o.put("description", s.config.description());
        return o;
    }
}
