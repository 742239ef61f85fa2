package dev.durablestreams.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Static bearer tokens from the configuration, held only as SHA-256 digests. A lookup hashes the presented token
 * and compares it with every configured digest in constant time, without stopping at a match, so the time taken
 * says nothing about which token (or how much of one) matched.
 */
public final class StaticTokens {
    private static final Set<String> KEYS = Set.of("token", "sha256", "name", "grants");

    private record Entry(byte[] digest, Principal principal) {}

    private final List<Entry> entries;

    private StaticTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Parses the {@code auth.tokens} list; each entry has {@code token} or {@code sha256}, a name and grants. */
    static StaticTokens fromConfig(JsonNode tokens) {
        List<Entry> entries = new ArrayList<>();
        if (tokens == null || tokens.isMissingNode() || tokens.isNull()) return new StaticTokens(entries);
        if (!tokens.isArray()) throw new IllegalArgumentException("auth.tokens must be a list");
        int i = 0;
        for (JsonNode t : tokens) {
            i++;
            String where = "auth.tokens[" + i + "]";
            AuthConfigs.onlyKeys(t, KEYS, where);
            JsonNode plain = t.get("token");
            JsonNode hash = t.get("sha256");
            if ((plain == null) == (hash == null)) {
                throw new IllegalArgumentException(where + " needs exactly one of 'token' and 'sha256'");
            }
            byte[] digest;
            if (plain != null) {
                if (plain.asText().isEmpty()) throw new IllegalArgumentException(where + ".token is empty");
                digest = sha256(plain.asText());
            } else {
                String hex = hash.asText().trim();
                if (!hex.matches("[0-9a-fA-F]{64}")) {
                    throw new IllegalArgumentException(where + ".sha256 must be 64 hex digits");
                }
                digest = HexFormat.of().parseHex(hex);
            }
            String name = t.hasNonNull("name") ? t.get("name").asText() : "token-" + i;
            entries.add(new Entry(digest, new Principal(name, Grant.listOf(t.get("grants"), where + ".grants"))));
        }
        return new StaticTokens(entries);
    }

    int size() {
        return entries.size();
    }

    /** The principal of a configured token, or {@code null}. */
    Principal lookup(String token) {
        byte[] presented = sha256(token);
        Principal found = null;
        for (Entry e : entries) {
            // Every digest is compared; a match only chooses which principal is returned at the end.
            boolean equal = MessageDigest.isEqual(presented, e.digest);
            found = equal ? e.principal : found;
        }
        return found;
    }

    /** One digest per thread: looking the algorithm up per request costs more than hashing a token. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    });

    static byte[] sha256(String token) {
        MessageDigest md = SHA256.get();
        md.reset();
        return md.digest(token.getBytes(StandardCharsets.UTF_8));
    }
}
