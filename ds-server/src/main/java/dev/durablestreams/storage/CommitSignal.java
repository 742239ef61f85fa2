package dev.durablestreams.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * A one-shot "next commit" signal of one stream. A reader takes the stream's current signal <em>before</em>
 * it looks at the tail, so a commit that lands in between fires a signal the reader already holds: no
 * wake-up is lost. A commit fires the signal and installs a fresh one.
 *
 * <p>Unlike a future, a listener can be removed again (a long-poll that times out), so idle streams do not
 * accumulate dead listeners.
 */
public final class CommitSignal {
    private List<Runnable> listeners = new ArrayList<>(2);
    private boolean fired;

    /**
     * Registers a listener to run once when the signal fires.
     *
     * @return false when the signal has already fired; the listener is not registered and the caller should
     *     re-read at once
     */
    public synchronized boolean subscribe(Runnable listener) {
        if (fired) return false;
        listeners.add(listener);
        return true;
    }

    public synchronized void unsubscribe(Runnable listener) {
        if (!fired) listeners.remove(listener);
    }

    public synchronized boolean hasFired() {
        return fired;
    }

    /** Fires the signal; listeners run on the calling thread and must only hand work off. */
    public void fire() {
        List<Runnable> toRun;
        synchronized (this) {
            if (fired) return;
            fired = true;
            toRun = listeners;
            listeners = List.of();
        }
        for (Runnable r : toRun) r.run();
    }
}
