-- Every table leads with the stream's path, the key a Citus deployment distributes on: every statement touches one
-- stream. A path's current incarnation has its own id (never reused), so rows of a purged stream never mix with a
-- stream re-created at the same path.

CREATE SEQUENCE stream_ids;

-- One row per stream: the metadata the shared rules read and write (storage.rules.StreamMeta).
CREATE TABLE streams (
    path             text    PRIMARY KEY,
    id               bigint  NOT NULL,
    content_type     text    NOT NULL,
    ttl_seconds      bigint  NOT NULL,  -- -1: none
    expires_at_ms    bigint  NOT NULL,  -- -1: none
    created_at_ms    bigint  NOT NULL,
    fork_source_path text,
    fork_source_id   bigint  NOT NULL,  -- -1: not a fork
    fork_offset      bigint  NOT NULL,
    fork_sub_offset  bigint  NOT NULL,
    depth            integer NOT NULL,
    tail             bigint  NOT NULL,
    closed           boolean NOT NULL,
    closed_by_id     text,
    closed_by_epoch  bigint,
    closed_by_seq    bigint,
    last_seq         text,
    ref_count        integer NOT NULL,
    soft_deleted     boolean NOT NULL,
    last_access_ms   bigint  NOT NULL
);

-- One row per append, keyed by the offset it starts at.
CREATE TABLE records (
    path      text   NOT NULL,
    stream_id bigint NOT NULL,
    off       bigint NOT NULL,
    data      bytea  NOT NULL,
    PRIMARY KEY (path, stream_id, off)
);

-- The idempotent-producer state of each producer of a stream.
CREATE TABLE producers (
    path        text   NOT NULL,
    stream_id   bigint NOT NULL,
    producer_id text   NOT NULL,
    epoch       bigint NOT NULL,
    seq         bigint NOT NULL,
    PRIMARY KEY (path, stream_id, producer_id)
);
