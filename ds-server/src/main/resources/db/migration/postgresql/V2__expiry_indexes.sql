-- The expiry sweep finds streams past their absolute expiry or idle for their whole TTL without scanning them all.
CREATE INDEX streams_expires_at ON streams (expires_at_ms) WHERE expires_at_ms >= 0 AND NOT soft_deleted;
CREATE INDEX streams_idle_until ON streams ((last_access_ms + ttl_seconds * 1000)) WHERE ttl_seconds >= 0 AND NOT soft_deleted;
