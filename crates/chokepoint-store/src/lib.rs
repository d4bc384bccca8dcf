//! Storage for the chokepoint service: API keys (only their hashes), the append-only,
//! hash-chained audit trail, review cases with their decisions, the good-guy suppressions
//! that false positives leave behind, and the list snapshots with their files ([`ListStore`]).
//!
//! One async [`Store`] trait, held as `Arc<dyn Store>` by the server and the CLI, with two
//! implementations on sqlx: [`SqliteStore`] (the embedded default, a file in the data directory)
//! and [`PostgresStore`] (several server instances sharing one database). Both run the same SQL
//! (`$1` placeholders work in both) and the same schema, migrated from
//! `migrations/{sqlite,postgres}/`. Row types stay private to this crate.
//!
//! Every change that must be audited (a key created or revoked, a case opened, a decision) is
//! written in the same transaction as its audit record: either both are stored or neither.
//! Screening records (`append_audit`, `open_case`, the hot path) go through one writer task per
//! store that commits whatever has queued up in one transaction (group commit): one disk sync
//! for many answers, each caller still waiting for its own commit.
//! Appends are serialised by locking the one-row `audit_head` table first, which works across
//! processes on both backends (SQLite's write lock, PostgreSQL's row lock).

#![warn(missing_docs)]

mod audit;
mod lists;
mod migrations;
mod monitor;
mod sql;
mod types;

pub use audit::{GENESIS_HASH, canonical_json, chain_hash};
pub use getrandom::Error as RandomError;
pub use lists::{
    CHUNK_BYTES, CurrentLists, ListFileInfo, ListSnapshot, ListStore, NewListFile, NewListSnapshot,
};
pub use monitor::{
    Alert, AlertFilter, Delivery, DeliveryStatus, MonitorState, MonitorStore, NewAlert, NewOrder,
    NewParty, NewWebhook, StoredOrder, StoredParty, WatchResults, Webhook,
};
pub use sql::{ListsListener, PostgresStore, SqliteStore};
pub use types::{
    ApiKey, AuditEvent, AuditRecord, Case, CaseHit, CaseStatus, ChainReport, Decision, Job, JobRow,
    JobRowResult, JobStatus, NewCase, NewDecision, NewJob, NewKey, PendingRow, Role, RowResult,
    Suppression, Verdict, hash_key, random_id,
};

use std::sync::Arc;

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database URL is not one chokepoint can use.
    #[error(
        "`{0}` is not a database URL chokepoint knows: use `sqlite:PATH` or `postgres://USER@HOST/DB`"
    )]
    BadUrl(String),
    /// A case, key or hit that does not exist.
    #[error("{what} `{id}` does not exist")]
    NotFound {
        /// What was looked for (`case`, `key`, `hit`).
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The change conflicts with what is stored (a hit already decided...).
    #[error("{0}")]
    Conflict(String),
    /// The store's writer task is gone (the runtime is shutting down).
    #[error("the store is closed")]
    Closed,
    /// A stored value that cannot be read back (edited by hand?).
    #[error("stored {what} cannot be read: {reason}")]
    Corrupt {
        /// Which value.
        what: String,
        /// Why.
        reason: String,
    },
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The service's storage. Every method is one transaction.
#[async_trait::async_trait]
pub trait Store: MonitorStore + ListStore + Send + Sync + std::fmt::Debug {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Stores a new key (its hash only) and audits it, in one transaction.
    async fn create_key(&self, key: NewKey, event: AuditEvent) -> Result<ApiKey, StoreError>;
    /// The key with this SHA-256 hash, revoked or not.
    async fn key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>, StoreError>;
    /// Every key, oldest first.
    async fn keys(&self) -> Result<Vec<ApiKey>, StoreError>;
    /// Revokes a key and audits it; `NotFound` when there is no such key.
    async fn revoke_key(&self, id: &str, event: AuditEvent) -> Result<ApiKey, StoreError>;

    /// Appends one record to the audit chain.
    async fn append_audit(&self, event: AuditEvent) -> Result<AuditRecord, StoreError>;
    /// Records with `seq > after`, in chain order, at most `limit`.
    async fn audit_records(&self, after: u64, limit: u32) -> Result<Vec<AuditRecord>, StoreError>;
    /// Walks the whole chain; names the first bad record if any.
    async fn verify_audit(&self) -> Result<ChainReport, StoreError>;

    /// Audits a screening and opens a case for its hits, in one transaction.
    async fn open_case(
        &self,
        case: NewCase,
        event: AuditEvent,
    ) -> Result<(AuditRecord, Case), StoreError>;
    /// A case with its decisions.
    async fn case(&self, id: &str) -> Result<Option<Case>, StoreError>;
    /// Cases, newest first, optionally only those with this status.
    async fn cases(&self, status: Option<CaseStatus>, limit: u32) -> Result<Vec<Case>, StoreError>;
    /// Records an analyst's decision on one hit of a case, remembers a false positive as a
    /// suppression, closes the case when every hit is decided, and audits it: one transaction.
    async fn decide(&self, decision: NewDecision, event: AuditEvent) -> Result<Case, StoreError>;
    /// The false positives remembered for this (normalised) party.
    async fn suppressions(&self, party_key: &str) -> Result<Vec<Suppression>, StoreError>;
    /// Every false positive remembered, for a cache in memory.
    async fn all_suppressions(&self) -> Result<Vec<Suppression>, StoreError>;
    /// How many false positives are remembered. Suppressions are only ever added, so a
    /// cache knows it is current while this number has not moved.
    async fn suppression_count(&self) -> Result<u64, StoreError>;

    /// Stores a batch job with its rows, queued, and audits it: one transaction.
    async fn create_job(&self, job: NewJob, event: AuditEvent) -> Result<Job, StoreError>;
    /// A job and its progress.
    async fn job(&self, id: &str) -> Result<Option<Job>, StoreError>;
    /// The most recent batch jobs, newest first.
    async fn jobs(&self, limit: u32) -> Result<Vec<Job>, StoreError>;
    /// Tells the other instances sharing this store that list snapshot `snapshot_id` was put in
    /// use (PostgreSQL `NOTIFY`); a no-op on SQLite, which one process owns.
    async fn announce_lists(&self, snapshot_id: &str) -> Result<(), StoreError>;
    /// Listens for [`Store::announce_lists`] from other instances (PostgreSQL `LISTEN`); `None`
    /// on SQLite.
    async fn listen_lists(&self) -> Result<Option<ListsListener>, StoreError>;
    /// Claims the oldest job that is queued, or running under an expired lease (its worker
    /// died), for `worker` until `lease_ms` from now. Several instances never claim the same
    /// job (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer).
    async fn claim_job(&self, worker: &str, lease_ms: u64) -> Result<Option<Job>, StoreError>;
    /// Up to `limit` rows of the job not screened yet, in order.
    async fn pending_rows(&self, job_id: &str, limit: u32) -> Result<Vec<PendingRow>, StoreError>;
    /// Stores answers and renews `worker`'s lease. A row already answered is left as it was,
    /// so nothing is counted twice. `Conflict` when the job is no longer `worker`'s.
    async fn save_results(
        &self,
        job_id: &str,
        worker: &str,
        results: Vec<RowResult>,
        lease_ms: u64,
    ) -> Result<Job, StoreError>;
    /// Marks the job done (every row answered) and audits it: one transaction.
    async fn finish_job(&self, job_id: &str, event: AuditEvent) -> Result<Job, StoreError>;
    /// Rows with `index >= from`, in order, at most `limit`, with their answers.
    async fn job_rows(
        &self,
        job_id: &str,
        from: u64,
        limit: u32,
    ) -> Result<Vec<JobRowResult>, StoreError>;
}

/// Milliseconds since the Unix epoch (job leases).
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Opens the store at `url`: `sqlite:PATH` (created if missing) or `postgres://...`, and
/// brings its schema up to date.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        return Ok(Arc::new(
            SqliteStore::open(std::path::Path::new(path)).await?,
        ));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresStore::connect(url).await?));
    }
    Err(StoreError::BadUrl(url.to_string()))
}

/// The current time as chokepoint stores it: RFC 3339, UTC, microseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
