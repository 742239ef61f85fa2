package dev.durablestreams.storage.subscription;

import java.util.Map;

/**
 * The storage contract of subscription state: subscription records, per-stream links (cursors) and server
 * secrets, as opaque values the subscription layer encodes. Each {@link #commit} is one atomic, durable write, so
 * every state change (a link, an ack with its release, a new generation with its wake id, a retry schedule, a
 * tombstone) is either wholly stored or not at all.
 *
 * <p>Methods may block on disk I/O: callers run them on their own thread, never on an event loop.
 */
public interface SubscriptionStore extends AutoCloseable {

    /** Everything stored, read once at start-up. */
    Contents load();

    /** Applies the commit atomically; returns once it is durable. */
    void commit(SubscriptionCommit commit);

    @Override
    void close();

    /**
     * Stored state.
     *
     * @param subscriptions subscription id → record
     * @param links subscription id → (stream path → link)
     * @param secrets name → secret (signing keys, token key)
     */
    record Contents(Map<String, byte[]> subscriptions, Map<String, Map<String, byte[]>> links,
                    Map<String, byte[]> secrets) {}
}
