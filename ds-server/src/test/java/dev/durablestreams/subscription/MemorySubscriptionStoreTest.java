package dev.durablestreams.subscription;

import dev.durablestreams.storage.subscription.MemorySubscriptionStore;
import dev.durablestreams.storage.subscription.SubscriptionStore;

/** The subscription-store contract on the heap: a "restart" within a test reopens the same instance. */
class MemorySubscriptionStoreTest extends SubscriptionStoreContract {
    private final MemorySubscriptionStore store = new MemorySubscriptionStore();

    @Override
    protected SubscriptionStore open() {
        return store;
    }
}
