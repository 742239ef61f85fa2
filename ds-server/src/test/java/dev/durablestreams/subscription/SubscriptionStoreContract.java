package dev.durablestreams.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.durablestreams.storage.subscription.SubscriptionCommit;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The subscription-store contract, run against every backend: each subclass opens a {@link SubscriptionStore}
 * over the same state every time {@link #open} is called within one test (a restart), and fresh state per test.
 */
public abstract class SubscriptionStoreContract {

    /** Opens the test's store; a second call after {@code close()} sees what the first one committed. */
    protected abstract SubscriptionStore open();

    @Test
    void commitsAreAppliedAndReloaded() {
        try (SubscriptionStore s = open()) {
            s.commit(new SubscriptionCommit().putSubscription("a", bytes("rec-a")).putLink("a", "x/y", bytes("l1"))
                    .putLink("a", "z", bytes("l2")).putSecret("k", bytes("secret")));
            s.commit(new SubscriptionCommit().deleteLink("a", "z").putSubscription("b", bytes("rec-b")));
        }
        try (SubscriptionStore s = open()) {
            SubscriptionStore.Contents c = s.load();
            assertThat(c.subscriptions().keySet()).containsExactlyInAnyOrder("a", "b");
            assertThat(text(c.subscriptions().get("b"))).isEqualTo("rec-b");
            assertThat(c.links().get("a").keySet()).containsExactly("x/y");
            assertThat(c.links()).doesNotContainKey("b");
            assertThat(text(c.links().get("a").get("x/y"))).isEqualTo("l1");
            assertThat(text(c.secrets().get("k"))).isEqualTo("secret");
        }
    }

    @Test
    void writesOfOneCommitApplyInOrder() {
        try (SubscriptionStore s = open()) {
            s.commit(new SubscriptionCommit().putLink("a", "p", bytes("first")).deleteLink("a", "p")
                    .putLink("a", "p", bytes("again")).putLink("a", "q", bytes("q1")).deleteLink("a", "q")
                    .putSubscription("a", bytes("v1")).putSubscription("a", bytes("v2"))
                    .putSecret("k", bytes("s1")).putSecret("k", bytes("s2")));
            SubscriptionStore.Contents c = s.load();
            assertThat(c.links().get("a").keySet()).containsExactly("p");
            assertThat(text(c.links().get("a").get("p"))).isEqualTo("again");
            assertThat(text(c.subscriptions().get("a"))).isEqualTo("v2");
            assertThat(text(c.secrets().get("k"))).isEqualTo("s2");
        }
    }

    @Test
    void pathsAndValuesAreStoredExactly() {
        String path = "a/b c/ü/%2F/x\u0001y";
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) binary[i] = (byte) i;
        try (SubscriptionStore s = open()) {
            s.commit(new SubscriptionCommit().putSubscription("id:1~.", binary).putLink("id:1~.", path, binary));
        }
        try (SubscriptionStore s = open()) {
            SubscriptionStore.Contents c = s.load();
            assertThat(c.subscriptions().get("id:1~.")).isEqualTo(binary);
            assertThat(c.links().get("id:1~.").get(path)).isEqualTo(binary);
        }
    }

    @Test
    void subscriptionsLeasesAndTheSigningKeySurviveARestart() {
        String kid;
        JsonNode claim;
        try (Harness h = new Harness(open())) {
            h.createJson("wake", "[]");
            h.createJson("events/a", "[]");
            h.put("s", "{\"type\":\"pull-wake\",\"pattern\":\"events/*\",\"wake_stream\":\"wake\"}");
            h.put("w", "{\"type\":\"webhook\",\"streams\":[\"events/a\"],\"webhook\":{\"url\":\"https://example.com/h\"}}");
            kid = h.get("w").body().path("webhook").path("signing").path("kid").asText();
            h.append("events/a", "{\"n\":1}");
            claim = h.claim("s", "w1").body();
        }
        // A new engine is empty, but the subscription state comes back from the store.
        try (Harness h = new Harness(open())) {
            assertThat(h.get("w").body().path("webhook").path("signing").path("kid").asText()).isEqualTo(kid);
            JsonNode s = h.get("s").body();
            assertThat(s.path("pattern").asText()).isEqualTo("events/*");
            assertThat(h.claim("s", "w2").code()).isEqualTo("ALREADY_CLAIMED");
            assertThat(h.ack("s", claim, "[]", false).status()).isEqualTo(200);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
