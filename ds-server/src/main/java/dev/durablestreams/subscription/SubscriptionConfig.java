package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * A subscription's normalized configuration, as PUT declares it. {@link #hash()} covers every field, so a
 * re-PUT is a re-confirmation exactly when its normalized configuration is the same.
 *
 * @param streams explicit stream paths, sorted and unique
 * @param webhookUrl for {@code webhook} subscriptions, else {@code null}
 * @param wakeStream for {@code pull-wake} subscriptions, else {@code null}
 */
public record SubscriptionConfig(String type, String pattern, List<String> streams, String webhookUrl,
                                 String wakeStream, long leaseTtlMs, String description) {
    public static final String WEBHOOK = "webhook";
    public static final String PULL_WAKE = "pull-wake";
    public static final long DEFAULT_LEASE_MS = 30_000;
    static final long MIN_LEASE_MS = 1_000;
    static final long MAX_LEASE_MS = 600_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean webhook() {
        return type.equals(WEBHOOK);
    }

    /** Validates and normalizes a PUT body; 400 INVALID_REQUEST naming the first problem. */
    public static SubscriptionConfig parse(JsonNode body) {
        if (body == null || !body.isObject()) throw SubscriptionError.invalid("body must be a JSON object");
        String type = text(body, "type");
        if (!WEBHOOK.equals(type) && !PULL_WAKE.equals(type)) {
            throw SubscriptionError.invalid("type must be 'webhook' or 'pull-wake'");
        }
        String pattern = text(body, "pattern");
        if (pattern != null) Glob.of(pattern);
        List<String> streams = streamList(body.get("streams"), true);
        if (pattern == null && streams.isEmpty()) throw SubscriptionError.invalid("pattern or streams is required");
        String url = null;
        String wake = null;
        if (type.equals(WEBHOOK)) {
            JsonNode w = body.get("webhook");
            url = w == null || !w.isObject() ? null : text(w, "url");
            if (url == null) throw SubscriptionError.invalid("webhook.url is required for webhook subscriptions");
        } else {
            wake = text(body, "wake_stream");
            if (wake == null) throw SubscriptionError.invalid("wake_stream is required for pull-wake subscriptions");
            validatePath(wake);
        }
        long lease = DEFAULT_LEASE_MS;
        JsonNode l = body.get("lease_ttl_ms");
        if (l != null && !l.isNull()) {
            if (!l.canConvertToExactIntegral() || l.asLong() < MIN_LEASE_MS || l.asLong() > MAX_LEASE_MS) {
                throw SubscriptionError.invalid("lease_ttl_ms must be an integer from 1000 to 600000");
            }
            lease = l.asLong();
        }
        return new SubscriptionConfig(type, pattern, streams, url, wake, lease, text(body, "description"));
    }

    /** A {@code streams} array of stream paths, sorted and unique. */
    public static List<String> streamList(JsonNode n, boolean optional) {
        if (n == null || n.isNull()) {
            if (optional) return List.of();
            throw SubscriptionError.invalid("streams is required");
        }
        if (!n.isArray()) throw SubscriptionError.invalid("streams must be an array of stream paths");
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode s : n) {
            if (!s.isTextual()) throw SubscriptionError.invalid("streams must be an array of stream paths");
            validatePath(s.asText());
            out.add(s.asText());
        }
        return List.copyOf(new ArrayList<>(out));
    }

    /** Stream-root-relative paths: non-empty, no leading slash, no dot segments, not in the reserved namespace. */
    public static void validatePath(String p) {
        if (p.isEmpty() || p.startsWith("/") || p.indexOf('\0') >= 0 || p.equals("__ds") || p.startsWith("__ds/")) {
            throw SubscriptionError.invalid("invalid stream path '" + p + "'");
        }
        for (String seg : p.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw SubscriptionError.invalid("invalid stream path '" + p + "'");
            }
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw SubscriptionError.invalid(field + " must be a string");
        return n.asText();
    }

    /** The canonical JSON form: stored with the subscription and hashed for re-confirmation. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", type);
        o.put("pattern", pattern);
        streams.forEach(o.putArray("streams")::add);
        o.put("webhook_url", webhookUrl);
        o.put("wake_stream", wakeStream);
        o.put("lease_ttl_ms", leaseTtlMs);
        o.put("description", description);
        return o;
    }

    static SubscriptionConfig fromJson(JsonNode o) {
        List<String> streams = new ArrayList<>();
        o.path("streams").forEach(s -> streams.add(s.asText()));
        return new SubscriptionConfig(o.path("type").asText(), nullable(o, "pattern"), List.copyOf(streams),
                nullable(o, "webhook_url"), nullable(o, "wake_stream"), o.path("lease_ttl_ms").asLong(),
                nullable(o, "description"));
    }

    private static String nullable(JsonNode o, String f) {
        JsonNode n = o.get(f);
        return n == null || n.isNull() ? null : n.asText();
    }

    /** SHA-256 of the canonical JSON. */
    public String hash() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(toJson().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
