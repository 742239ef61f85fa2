package dev.durablestreams.subscription;

import dev.durablestreams.protocol.Offset;
import dev.durablestreams.storage.StreamListener;
import dev.durablestreams.storage.subscription.LeaderLock;
import dev.durablestreams.storage.subscription.SubscriptionStore;
import java.security.KeyPair;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one node of many run subscriptions: whichever node takes the {@link LeaderLock} starts a
 * {@link SubscriptionManager} over the store the lock hands out (loading all state, so leases and webhook retries
 * continue where the last leader left them); the others learn the leader's advertised URL, to which they forward
 * subscription requests. A thread of its own polls the lock: followers try to take it, the leader checks it still
 * holds it and stops its manager the moment it does not.
 *
 * <p>It is also the {@link StreamListener} of every node's stream changes: they go to the manager while this node
 * leads, and are dropped otherwise (a new leader reads stored tails when it starts).
 */
public final class SubscriptionLeader implements StreamListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionLeader.class);

    private final LeaderLock lock;
    private final Function<SubscriptionStore, SubscriptionManager> managers;
    private final KeyPair signingKey;
    private final long pollMillis;
    private final Semaphore poke = new Semaphore(0);
    private final Thread thread;
    private volatile boolean closed;
    private volatile String advertiseUrl;
    /** The running manager while leading (set before it loads, so no stream event is dropped meanwhile). */
    private volatile SubscriptionManager manager;
    /** The API of the manager once it has loaded; null while following. */
    private volatile SubscriptionApi api;
    private volatile String leaderUrl;

    /**
     * @param managers builds a manager over the store of one term of leadership
     * @param signingKey a configured webhook key, or null (see {@link SubscriptionManager#start})
     * @param pollMillis how often the lock is tried or checked: the longest a takeover waits after the lock is freed
     */
    public SubscriptionLeader(LeaderLock lock, Function<SubscriptionStore, SubscriptionManager> managers,
                              KeyPair signingKey, long pollMillis) {
        this.lock = lock;
        this.managers = managers;
        this.signingKey = signingKey;
        this.pollMillis = pollMillis;
        this.thread = new Thread(this::run, "ds-subscription-leader");
        thread.setDaemon(true);
    }

    /** Starts competing for the lock, publishing {@code advertiseUrl} when this node takes it. */
    public void start(String advertiseUrl) {
        this.advertiseUrl = advertiseUrl;
        thread.start();
    }

    /** The subscription API while this node leads, else null. */
    public SubscriptionApi api() {
        return api;
    }

    /** Whether this node leads and its manager has loaded. */
    public boolean leading() {
        return api != null;
    }

    /** The leader's advertised URL as last seen (this node's own while leading), or null when none is known. */
    public String leaderUrl() {
        return leaderUrl;
    }

    /** Looks at the lock now rather than at the next poll, e.g. after the leader did not answer. */
    public void refresh() {
        poke.release();
    }

    private void run() {
        while (!closed) {
            try {
                if (manager == null) follow();
                else if (!lock.held()) stepDown("the leader lock was lost");
            } catch (RuntimeException e) {
                LOG.warn("subscription leadership: {}", e.toString());
                if (manager != null) stepDown("it failed");
            }
            try {
                poke.tryAcquire(pollMillis, TimeUnit.MILLISECONDS);
                poke.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void follow() {
        SubscriptionStore store = lock.tryAcquire(advertiseUrl);
        if (store == null) {
            String url = lock.leaderUrl();
            if (url != null && !url.equals(leaderUrl)) LOG.info("subscription leader is {}", url);
            leaderUrl = url;
            return;
        }
        SubscriptionManager m = managers.apply(store);
        manager = m;
        try {
            m.start(signingKey);
        } catch (RuntimeException e) {
            manager = null;
            m.close();
            lock.release();
            throw e;
        }
        leaderUrl = advertiseUrl;
        api = new SubscriptionApi(m);
        LOG.info("this node is the subscription leader ({})", advertiseUrl);
    }

    private void stepDown(String why) {
        if (closed) LOG.info("no longer the subscription leader: {}", why);
        else LOG.warn("no longer the subscription leader: {}", why);
        SubscriptionManager m = manager;
        api = null;
        manager = null;
        leaderUrl = null;
        if (m != null) m.close();
        lock.release();
    }

    // ------------------------------------------------------------------ stream events of every node

    @Override
    public void created(String path, Offset tail) {
        SubscriptionManager m = manager;
        if (m != null) m.created(path, tail);
    }

    @Override
    public void advanced(String path, Offset tail) {
        SubscriptionManager m = manager;
        if (m != null) m.advanced(path, tail);
    }

    @Override
    public void deleted(String path) {
        SubscriptionManager m = manager;
        if (m != null) m.deleted(path);
    }

    /** Stream events may have been lost: the leader re-reads stored tails. */
    public void resync() {
        SubscriptionManager m = manager;
        if (m != null) m.resync();
    }

    /** Stops leading (the lock is released, so another node takes over at once) and stops competing. */
    @Override
    public void close() {
        closed = true;
        poke.release();
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (manager != null) stepDown("this node is stopping");
        lock.close();
    }
}
