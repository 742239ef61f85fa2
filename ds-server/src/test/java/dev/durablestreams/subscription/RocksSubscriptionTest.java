package dev.durablestreams.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.rocksdb.RocksSubscriptionStore;
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

/** The subscription-store contract on RocksDB, and signing keys that survive restarts. */
class RocksSubscriptionTest extends SubscriptionStoreContract {
    @TempDir
    Path dir;

    @Override
    protected SubscriptionStore open() {
        return RocksSubscriptionStore.open(dir);
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
}
