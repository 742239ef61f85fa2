package dev.durablestreams.storage.subscription;

import java.util.ArrayList;
import java.util.List;

/** One atomic change to subscription state: records, links and secrets to put or delete. */
public final class SubscriptionCommit {
    /** A write; {@code value == null} deletes. {@code path} is set for links only. */
    public record Write(Kind kind, String id, String path, byte[] value) {}

    /** What a write addresses. */
    public enum Kind { SUBSCRIPTION, LINK, SECRET }

    private final List<Write> writes = new ArrayList<>();

    public SubscriptionCommit putSubscription(String id, byte[] record) {
        writes.add(new Write(Kind.SUBSCRIPTION, id, null, record));
        return this;
    }

    public SubscriptionCommit putLink(String id, String path, byte[] link) {
        writes.add(new Write(Kind.LINK, id, path, link));
        return this;
    }

    public SubscriptionCommit deleteLink(String id, String path) {
        writes.add(new Write(Kind.LINK, id, path, null));
        return this;
    }

    public SubscriptionCommit putSecret(String name, byte[] secret) {
        writes.add(new Write(Kind.SECRET, name, null, secret));
        return this;
    }

    public List<Write> writes() {
        return writes;
    }

    public boolean isEmpty() {
        return writes.isEmpty();
    }
}
