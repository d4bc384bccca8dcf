-- Change monitoring (PostgreSQL). Same tables and columns as ../sqlite/0003_monitor.sql.
-- Watched parties (the customer master) and open orders remember their last hits and answer
-- (JSON, NULL until first checked; dirty = 1 when imported or edited since), so a list or rule
-- change re-checks only what it can affect and alerts only on what changed.
CREATE TABLE watched_parties (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    country       TEXT,
    kind          TEXT,
    extra         TEXT NOT NULL,
    hits          TEXT,
    dirty         BIGINT NOT NULL,
    screened_at   TEXT,
    imported_at   TEXT NOT NULL
);
CREATE INDEX watched_parties_dirty ON watched_parties (dirty);

CREATE TABLE watched_orders (
    id             TEXT PRIMARY KEY,
    title          TEXT,
    record         TEXT NOT NULL,
    answer         TEXT,
    dirty          BIGINT NOT NULL,
    determined_at  TEXT,
    imported_at    TEXT NOT NULL
);

-- What the last monitoring run saw: the list revision and snapshot, the date and rule-set
-- version the orders were answered for. One row.
CREATE TABLE monitor_state (
    id               BIGINT PRIMARY KEY CHECK (id = 1),
    list_revision    BIGINT,
    list_snapshot    TEXT,
    rules_date       TEXT,
    ruleset_version  TEXT,
    run_at           TEXT
);
INSERT INTO monitor_state (id) VALUES (1);

-- Alerts: the id is a hash of what the alert reports, so the same change is stored once.
CREATE TABLE alerts (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    subject_name  TEXT NOT NULL,
    title         TEXT NOT NULL,
    details       TEXT NOT NULL,
    raised_at     TEXT NOT NULL,
    acked_at      TEXT,
    acked_by      TEXT,
    ack_note      TEXT
);
CREATE INDEX alerts_raised ON alerts (raised_at, id);
CREATE INDEX alerts_subject ON alerts (subject_kind, subject_id);

CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- The outbox: one row per alert and webhook, written with the alert; marked delivered only
-- after the receiver answered 2xx (at least once), retried with back-off, claimed under a lease.
CREATE TABLE alert_deliveries (
    id               TEXT PRIMARY KEY,
    alert_id         TEXT NOT NULL REFERENCES alerts (id),
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    attempts         BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    delivered_at     TEXT,
    last_error       TEXT
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (delivered_at, next_attempt_at);
