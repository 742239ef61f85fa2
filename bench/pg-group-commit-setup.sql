-- Tables for bench/pg-group-commit.sql (the shape of the PostgreSQL store's tables, reduced to the columns a
-- group commit writes): psql -f bench/pg-group-commit-setup.sql URL
DROP SCHEMA IF EXISTS pgb CASCADE; CREATE SCHEMA pgb;
CREATE TABLE pgb.streams (path text PRIMARY KEY, id bigint NOT NULL, tail bigint NOT NULL, last_access_ms bigint NOT NULL);
CREATE TABLE pgb.records (path text, stream_id bigint, off bigint, data bytea NOT NULL, PRIMARY KEY (path, stream_id, off));
CREATE SEQUENCE pgb.offs;
INSERT INTO pgb.streams SELECT 's' || g, 1, 0, 0 FROM generate_series(0, 7) g;
