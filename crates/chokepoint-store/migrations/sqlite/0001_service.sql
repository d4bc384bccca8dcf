-- chokepoint service storage, version 1 (SQLite). Same tables and columns as
-- ../postgres/0001_service.sql; only the spelling of types differs.

-- API keys: only the SHA-256 of a key is kept.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- The head of the audit chain: one row, updated in the same transaction as every append.
-- Appenders lock it first, which serialises them (SQLite write lock, PostgreSQL row lock).
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only, hash-chained audit records. `content` is the canonical JSON the hash covers.
CREATE TABLE audit_records (
    seq        BIGINT PRIMARY KEY,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    content    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

-- Cases: a screening with matches, waiting for an analyst's review of each hit.
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    party_name  TEXT NOT NULL,
    party_key   TEXT NOT NULL,
    query       TEXT NOT NULL,
    hits        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    audit_seq   BIGINT NOT NULL,
    opened_by   TEXT NOT NULL,
    opened_at   TEXT NOT NULL,
    closed_at   TEXT
);
CREATE INDEX cases_status ON cases (status, opened_at);

CREATE TABLE case_decisions (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    hit_index   BIGINT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'false_positive')),
    reason      TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    audit_seq   BIGINT NOT NULL,
    PRIMARY KEY (case_id, hit_index)
);

-- The good-guy list: a false positive for this party against this version of this entry.
CREATE TABLE suppressions (
    party_key   TEXT NOT NULL,
    list        TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    entry_hash  TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    PRIMARY KEY (party_key, list, source_id, entry_hash)
);
