-- The node running subscriptions (the subscription leader) holds a session-level advisory lock and writes its
-- advertised URL here when it takes it; the other nodes forward subscription requests to that URL. A row whose
-- session no longer holds the lock is stale (readers check pg_locks).
CREATE TABLE subscription_leader (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    url          text    NOT NULL,
    backend_pid  integer NOT NULL,
    since_ms     bigint  NOT NULL
);
