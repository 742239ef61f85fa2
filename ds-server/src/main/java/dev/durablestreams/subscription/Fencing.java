package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import dev.durablestreams.protocol.Offset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Protocol 7.3 decisions, pure: whether an ack, release or callback matches the current wake, and which acks are valid. */
final class Fencing {
    private Fencing() {}

    /**
     * Accepts only when the token's generation, the request's {@code generation} and its {@code wake_id} all match
     * the current wake (the token's signature and subscription were checked before); 409 FENCED otherwise.
     */
    static void check(long tokenGeneration, long generation, String wakeId, JsonNode body) {
        if (body == null || !body.isObject()) throw SubscriptionError.invalid("body must be a JSON object");
        JsonNode gen = body.get("generation");
        JsonNode wake = body.get("wake_id");
        if (gen == null || !gen.canConvertToExactIntegral() || wake == null || !wake.isTextual()) {
            throw SubscriptionError.invalid("wake_id and generation are required");
        }
        if (tokenGeneration != generation) throw SubscriptionError.fenced("token is for another generation");
        if (gen.asLong() != generation) throw SubscriptionError.fenced("stale generation");
        if (wakeId == null || !wakeId.equals(wake.asText())) throw SubscriptionError.fenced("stale wake_id");
    }

    /**
     * The acks of a request, all validated before any is applied: each names a linked stream and an offset from its
     * current ack up to its tail (409 INVALID_OFFSET otherwise: unknown stream, {@code -1}, malformed, backwards,
     * beyond the tail).
     */
    static List<Map.Entry<String, Offset>> acks(Subscription s, JsonNode acks) {
        List<Map.Entry<String, Offset>> out = new ArrayList<>();
        if (acks == null || acks.isNull()) return out;
        if (!acks.isArray()) throw SubscriptionError.invalid("acks must be an array");
        for (JsonNode a : acks) {
            String path = a.path("stream").asText(null);
            String off = a.path("offset").asText(null);
            if (path == null || off == null) throw SubscriptionError.invalid("each ack needs stream and offset");
            Subscription.Link l = s.links.get(path);
            if (l == null) throw SubscriptionError.invalidOffset("stream " + path + " is not linked");
            Offset o;
            try {
                o = Offset.parse(off);
            } catch (RuntimeException e) {
                throw SubscriptionError.invalidOffset("invalid offset " + off);
            }
            if (l.acked.isAfter(o)) throw SubscriptionError.invalidOffset("ack for " + path + " moves backwards");
            if (o.isAfter(l.tail)) throw SubscriptionError.invalidOffset("ack for " + path + " is beyond its tail");
            out.add(Map.entry(path, o));
        }
        return out;
    }
}
