-- List snapshots in the database (SQLite). Same tables and columns as
-- ../postgres/0004_list_snapshots.sql; only the spelling of types differs.
-- The database is the source of truth for the lists: an import stores its files, the new
-- manifest and its audit record in one transaction; every instance sharing the database
-- rebuilds the same snapshot (same snapshot id, same entry hashes) from these rows and keeps a
-- copy in its own data directory.

-- List files by SHA-256 of their content, stored once, never rewritten.
CREATE TABLE list_files (
    sha256      TEXT PRIMARY KEY,
    bytes       BIGINT NOT NULL,
    chunks      BIGINT NOT NULL,
    encoding    TEXT NOT NULL CHECK (encoding IN ('identity', 'deflate')),
    stored_at   TEXT NOT NULL
);

-- A file's content in chunks of at most 1 MiB before encoding, so no value is huge.
CREATE TABLE list_file_chunks (
    sha256  TEXT NOT NULL REFERENCES list_files (sha256),
    chunk   BIGINT NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (sha256, chunk)
);

-- Every snapshot put in use by an import (or published from a data directory), in commit
-- order, with the audit record written in the same transaction.
CREATE TABLE list_snapshots (
    seq          BIGINT PRIMARY KEY,
    snapshot_id  TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    audit_seq    BIGINT NOT NULL
);
CREATE INDEX list_snapshots_id ON list_snapshots (snapshot_id, seq);

-- The current manifest (the data directory's `lists/manifest.json`, with its revision
-- history): one row, replaced with every snapshot.
CREATE TABLE list_manifest (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    seq          BIGINT NOT NULL,
    snapshot_id  TEXT NOT NULL,
    manifest     TEXT NOT NULL
);
