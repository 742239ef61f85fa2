package dev.durablestreams.storage.subscription;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Subscription state on the heap (the memory backend): nothing survives a restart. */
public final class MemorySubscriptionStore implements SubscriptionStore {
    private final Map<String, byte[]> subscriptions = new HashMap<>();
    private final Map<String, Map<String, byte[]>> links = new HashMap<>();
    private final Map<String, byte[]> secrets = new HashMap<>();

    @Override
    public synchronized Contents load() {
        Map<String, Map<String, byte[]>> l = new HashMap<>();
        links.forEach((id, m) -> l.put(id, new TreeMap<>(m)));
        return new Contents(new HashMap<>(subscriptions), l, new HashMap<>(secrets));
    }

    @Override
    public synchronized void commit(SubscriptionCommit commit) {
        for (SubscriptionCommit.Write w : commit.writes()) {
            switch (w.kind()) {
                case SUBSCRIPTION -> put(subscriptions, w.id(), w.value());
                case SECRET -> put(secrets, w.id(), w.value());
                case LINK -> {
                    Map<String, byte[]> m = links.computeIfAbsent(w.id(), k -> new HashMap<>());
                    put(m, w.path(), w.value());
                    if (m.isEmpty()) links.remove(w.id());
                }
            }
        }
    }

    private static void put(Map<String, byte[]> m, String key, byte[] value) {
        if (value == null) m.remove(key);
        else m.put(key, value.clone());
    }

    @Override
    public void close() {}
}
