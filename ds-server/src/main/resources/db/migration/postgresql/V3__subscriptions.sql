-- Subscription state (storage.subscription.SubscriptionStore): opaque values the subscription layer encodes.
-- Unlike the stream tables these are keyed by subscription id, not by stream: a Citus deployment keeps them as
-- small reference-free local tables on the coordinator (one subscription leader writes them, rarely).

-- One row per subscription (a deleted one stays as a tombstone, so its generations keep fencing old tokens).
CREATE TABLE subscriptions (
    id     text  PRIMARY KEY,
    record bytea NOT NULL
);

-- A subscription's link to one stream: its cursor.
CREATE TABLE subscription_links (
    id   text  NOT NULL,
    path text  NOT NULL,
    link bytea NOT NULL,
    PRIMARY KEY (id, path)
);

-- Server secrets of the subscription layer: the webhook signing keys and the callback-token key.
CREATE TABLE subscription_secrets (
    name  text  PRIMARY KEY,
    value bytea NOT NULL
);
