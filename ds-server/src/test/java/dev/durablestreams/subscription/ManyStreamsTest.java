package dev.durablestreams.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durablestreams.storage.subscription.MemorySubscriptionStore;
import dev.durablestreams.storage.subscription.SubscriptionCommit;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Pending tracking is incremental: with thousands of linked streams, an append writes at most one small commit (the
 * wake) and appends while a wake is in flight write nothing; a wake reports only the pending streams.
 */
class ManyStreamsTest {
    static final int STREAMS = 2_000;

    /** Counts commits and the writes in them. */
    static final class Counting implements SubscriptionStore {
        final MemorySubscriptionStore inner = new MemorySubscriptionStore();
        final AtomicInteger commits = new AtomicInteger();
        final AtomicLong writes = new AtomicLong();

        public Contents load() {
            return inner.load();
        }

        public void commit(SubscriptionCommit c) {
            commits.incrementAndGet();
            writes.addAndGet(c.writes().size());
            inner.commit(c);
        }

        public void close() {}
    }

    @Test
    void appendsCostNoScanOfLinkedStreams() {
        Counting store = new Counting();
        try (Harness h = new Harness(store)) {
            for (int i = 0; i < STREAMS; i++) h.createJson("big/s" + i, "[]");
            h.createJson("wake", "[]");
            h.put("s", "{\"type\":\"pull-wake\",\"pattern\":\"big/**\",\"wake_stream\":\"wake\"}");
            assertThat(h.get("s").body().path("streams").size()).isEqualTo(STREAMS);

            int before = store.commits.get();
            long writesBefore = store.writes.get();
            h.append("big/s17", "{\"n\":1}");
            var claim = h.claim("s", "w").body(); // queued behind the append's event: the wake exists by now
            assertThat(claim.path("streams").size()).isEqualTo(1);
            assertThat(claim.path("streams").get(0).path("path").asText()).isEqualTo("big/s17");
            // One commit for the wake (generation + wake id), one for the claim; each a single record.
            assertThat(store.commits.get() - before).isEqualTo(2);
            assertThat(store.writes.get() - writesBefore).isEqualTo(2);

            int during = store.commits.get();
            for (int i = 0; i < 100; i++) h.append("big/s" + (i * 7 % STREAMS), "{\"n\":2}");
            h.manager.tick().join();
            assertThat(store.commits.get()).as("appends during a leased wake write nothing").isEqualTo(during);
        }
    }
}
