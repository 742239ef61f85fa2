package dev.durablestreams.storage.subscription;

/**
 * The lock that makes one node of many the subscription leader, the only one running subscriptions over the shared
 * {@link SubscriptionStore}. Methods block on the database: callers run them on their own thread.
 */
public interface LeaderLock extends AutoCloseable {

    /**
     * Takes the lock if no node holds it, publishing {@code advertiseUrl} as the leader's address.
     *
     * @return the subscription store to use while leading (its commits fail once the lock is lost), or
     *     {@code null} when another node holds the lock or the database cannot be reached
     */
    SubscriptionStore tryAcquire(String advertiseUrl);

    /** Whether this node still holds the lock; false once its session is lost (it is then released). */
    boolean held();

    /** The advertised address of the node holding the lock, or {@code null} when none does (or it is unknown). */
    String leaderUrl();

    /** Releases the lock if held. */
    void release();

    @Override
    void close();
}
