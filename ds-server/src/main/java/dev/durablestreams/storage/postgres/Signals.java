package dev.durablestreams.storage.postgres;

import dev.durablestreams.storage.CommitSignal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The commit signals of streams read live on this node, by path. A commit fires the path's signal and drops it;
 * the next reader installs a fresh one, so only streams being read keep an entry.
 */
final class Signals {
    private final ConcurrentHashMap<String, CommitSignal> byPath = new ConcurrentHashMap<>();

    /** The signal the next commit to {@code path} fires. */
    CommitSignal current(String path) {
        return byPath.computeIfAbsent(path, p -> new CommitSignal());
    }

    /** Wakes every reader waiting on {@code path}. */
    void fire(String path) {
        CommitSignal s = byPath.remove(path);
        if (s != null) s.fire();
    }

    /** Wakes every reader waiting on this node: each re-reads its stream's tail. */
    void fireAll() {
        for (String path : byPath.keySet()) fire(path);
    }
}
