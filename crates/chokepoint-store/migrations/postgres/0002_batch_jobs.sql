-- Batch screening jobs (PostgreSQL). Same tables and columns as ../sqlite/0002_batch_jobs.sql.
-- A job's rows are stored with it; a row's result is written once (NULL until screened), so a
-- worker that dies mid-job loses nothing and a resumed job counts nothing twice.
CREATE TABLE batch_jobs (
    id            TEXT PRIMARY KEY,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done')),
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    options       TEXT NOT NULL,
    total         BIGINT NOT NULL,
    done          BIGINT NOT NULL,
    matched       BIGINT NOT NULL,
    claimed_by    TEXT,
    lease_until   BIGINT,
    finished_at   TEXT
);
CREATE INDEX batch_jobs_status ON batch_jobs (status, created_at);

CREATE TABLE batch_rows (
    job_id         TEXT NOT NULL REFERENCES batch_jobs (id),
    row_index      BIGINT NOT NULL,
    row_id         TEXT NOT NULL,
    query          TEXT NOT NULL,
    result         TEXT,
    matched        BIGINT,
    list_snapshot  TEXT,
    PRIMARY KEY (job_id, row_index)
);
