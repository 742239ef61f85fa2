package dev.durablestreams.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Callback and claim tokens (protocol 12.9): {@code base64url(json).base64url(HMAC-SHA256)}, the JSON naming the
 * subscription, the wake generation and an expiry. The HMAC key is stored with the data, so tokens survive a
 * restart (and are then fenced by generation, not by a new key).
 */
public final class Tokens {
    /** A verified token's claims. */
    public record Claims(String subscription, long generation, long expiresAt) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] key;

    public Tokens(byte[] key) {
        this.key = key.clone();
    }

    public static byte[] newKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return k;
    }

    public String issue(String subscription, long generation, long expiresAtMillis) {
        ObjectNode o = JSON.createObjectNode();
        o.put("sub", "subscription:" + subscription);
        o.put("gen", generation);
        o.put("exp", expiresAtMillis);
        byte[] jti = new byte[9];
        RANDOM.nextBytes(jti);
        o.put("jti", B64.encodeToString(jti));
        String payload = B64.encodeToString(o.toString().getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(mac(payload));
    }

    /** Verifies the signature and expiry; 401 TOKEN_INVALID or TOKEN_EXPIRED. */
    public Claims verify(String token, long nowMillis) {
        if (token == null) throw invalid("missing bearer token");
        int dot = token.indexOf('.');
        if (dot <= 0) throw invalid("malformed token");
        String payload = token.substring(0, dot);
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw invalid("malformed token");
        }
        if (!MessageDigest.isEqual(given, mac(payload))) throw invalid("token signature does not verify");
        JsonNode o;
        try {
            o = JSON.readTree(Base64.getUrlDecoder().decode(payload));
        } catch (Exception e) {
            throw invalid("malformed token");
        }
        String sub = o.path("sub").asText("");
        if (!sub.startsWith("subscription:")) throw invalid("token is not a subscription token");
        Claims c = new Claims(sub.substring("subscription:".length()), o.path("gen").asLong(-1), o.path("exp").asLong(0));
        if (c.expiresAt() <= nowMillis) throw new SubscriptionError(401, "TOKEN_EXPIRED", "token has expired");
        return c;
    }

    private byte[] mac(String payload) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SubscriptionError invalid(String message) {
        return new SubscriptionError(401, "TOKEN_INVALID", message);
    }
}
