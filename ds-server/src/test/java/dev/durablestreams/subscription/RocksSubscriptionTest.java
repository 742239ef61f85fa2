package dev.durablestreams.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.durablestreams.storage.rocksdb.RocksSubscriptionStore;
import dev.durablestreams.storage.subscription.SubscriptionCommit;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RocksDB subscription store: atomic commits, reload, and signing keys that survive restarts. */
class RocksSubscriptionTest {
    @TempDir
    Path dir;

    @Test
    void commitsAreAtomicAndReloaded() {
        try (SubscriptionStore s = RocksSubscriptionStore.open(dir)) {
            s.commit(new SubscriptionCommit().putSubscription("a", bytes("rec-a")).putLink("a", "x/y", bytes("l1"))
                    .putLink("a", "z", bytes("l2")).putSecret("k", bytes("secret")));
            s.commit(new SubscriptionCommit().deleteLink("a", "z").putSubscription("b", bytes("rec-b")));
        }
        try (SubscriptionStore s = RocksSubscriptionStore.open(dir)) {
            SubscriptionStore.Contents c = s.load();
            assertThat(c.subscriptions().keySet()).containsExactlyInAnyOrder("a", "b");
            assertThat(c.links().get("a").keySet()).containsExactly("x/y");
            assertThat(new String(c.links().get("a").get("x/y"), StandardCharsets.UTF_8)).isEqualTo("l1");
            assertThat(new String(c.secrets().get("k"), StandardCharsets.UTF_8)).isEqualTo("secret");
        }
    }

    @Test
    void subscriptionsLeasesAndTheSigningKeySurviveARestart() {
        String kid;
        JsonNode claim;
        try (Harness h = new Harness(RocksSubscriptionStore.open(dir))) {
            h.createJson("wake", "[]");
            h.createJson("events/a", "[]");
            h.put("s", "{\"type\":\"pull-wake\",\"pattern\":\"events/*\",\"wake_stream\":\"wake\"}");
            h.put("w", "{\"type\":\"webhook\",\"streams\":[\"events/a\"],\"webhook\":{\"url\":\"https://example.com/h\"}}");
            kid = h.get("w").body().path("webhook").path("signing").path("kid").asText();
            h.append("events/a", "{\"n\":1}");
            claim = h.claim("s", "w1").body();
        }
        // A new engine is empty, but the subscription state comes back from disk.
        try (Harness h = new Harness(RocksSubscriptionStore.open(dir))) {
            assertThat(h.get("w").body().path("webhook").path("signing").path("kid").asText()).isEqualTo(kid);
            JsonNode s = h.get("s").body();
            assertThat(s.path("pattern").asText()).isEqualTo("events/*");
            assertThat(h.claim("s", "w2").code()).isEqualTo("ALREADY_CLAIMED");
            assertThat(h.ack("s", claim, "[]", false).status()).isEqualTo(200);
        }
    }

    @Test
    void aConfiguredKeyReplacesTheStoredOneWhichStaysPublishedForTheReplayWindow() throws Exception {
        KeyPair configured = SigningKeys.generate();
        Path pem = dir.resolve("key.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(configured.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        KeyPair read = SigningKeys.readPem(pem);
        assertThat(read.getPublic().getEncoded()).isEqualTo(configured.getPublic().getEncoded());

        Map<String, byte[]> stored = new HashMap<>();
        SigningKeys first = SigningKeys.load(null, null, null, 1_000, stored);
        Map<String, byte[]> rotated = new HashMap<>();
        SigningKeys second = SigningKeys.load(stored.get(SigningKeys.ACTIVE), stored.get(SigningKeys.RETIRED), read,
                2_000, rotated);
        assertThat(second.kid()).isNotEqualTo(first.kid());
        String jwks = new String(second.jwks(2_000), StandardCharsets.UTF_8);
        assertThat(jwks).contains(first.kid()).contains(second.kid());
        String later = new String(second.jwks(2_000 + SigningKeys.RETIRED_KEEP_MS), StandardCharsets.UTF_8);
        assertThat(later).doesNotContain(first.kid()).contains(second.kid());
        // Same key again: nothing changes, nothing to store.
        Map<String, byte[]> again = new HashMap<>();
        SigningKeys third = SigningKeys.load(rotated.get(SigningKeys.ACTIVE), rotated.get(SigningKeys.RETIRED), read,
                3_000, again);
        assertThat(third.kid()).isEqualTo(second.kid());
        assertThat(again).isEmpty();
        assertThat(new String(third.jwks(3_000), StandardCharsets.UTF_8)).contains(first.kid());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
