//! [`SqliteStore`] and [`PostgresStore`]: the [`Store`] trait on sqlx, one SQL text for both.
//!
//! The two implementations differ only in their pool type, so the trait is implemented once by
//! the `store_impl!` macro for each concrete database; generic sqlx code over `Database` needs
//! trait bounds longer than the SQL itself. Placeholders are `$1`, which both databases accept.

use crate::audit::{StoredRecord, canonical_content, canonical_json, chain_hash};
use crate::types::{
    ApiKey, AuditEvent, AuditRecord, Case, CaseHit, CaseStatus, ChainReport, Decision, Job,
    JobRowResult, JobStatus, NewCase, NewDecision, NewJob, NewKey, PendingRow, Role, RowResult,
    Suppression, Verdict,
};
use crate::{Backend, Store, StoreError, migrations, now_millis, now_rfc3339};
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

mod lists;
mod monitor;

/// How many audit records `verify_audit` reads at a time.
const VERIFY_PAGE: u32 = 1000;

/// The store in an SQLite file (WAL journal, full sync: a committed record survives a crash).
#[derive(Debug)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
    /// Serialises this process's writers, so they queue here instead of polling SQLite's lock.
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// The group-commit writer.
    writer: mpsc::UnboundedSender<Pending>,
}

impl SqliteStore {
    /// Opens (creating it and its folder if missing) and migrates the database at `path`.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Checkpoint every 250 WAL pages (1 MB) instead of SQLite's 1,000: the automatic
            // checkpoint runs inside the commit that crosses the mark, which under load is the
            // group-commit writer, and every screening in that group waits for it. Smaller,
            // more frequent checkpoints took the p99 of `POST /v1/screen` from about 17 ms to
            // 7-9 ms in the loadgen runs (see ARCHITECTURE.md).
            .pragma("wal_autocheckpoint", "250");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        migrations::sqlite().await?.run(&pool).await?;
        let write_lock = Arc::new(tokio::sync::Mutex::new(()));
        let (writer, queue) = mpsc::unbounded_channel();
        tokio::spawn(SqliteStore::write_groups(
            pool.clone(),
            write_lock.clone(),
            queue,
        ));
        Ok(SqliteStore {
            pool,
            write_lock,
            writer,
        })
    }
}

/// The store in a PostgreSQL database, shared by several server instances.
#[derive(Debug)]
pub struct PostgresStore {
    pool: sqlx::PgPool,
    write_lock: Arc<tokio::sync::Mutex<()>>,
    writer: mpsc::UnboundedSender<Pending>,
    /// The LISTEN/NOTIFY channel for list changes: one per schema, so stores in different
    /// schemas of one database (tests) do not hear each other.
    lists_channel: String,
}

impl PostgresStore {
    /// Connects to `url` and migrates the database.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects to `url` with `schema` first on the search path (tests use a fresh schema each),
    /// and migrates that schema.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url)?.options([("search_path", schema)]);
        PostgresStore::connect_with(options).await
    }

    async fn connect_with(options: PgConnectOptions) -> Result<PostgresStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        migrations::postgres().await?.run(&pool).await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await?;
        let lists_channel = format!(
            "chokepoint_lists_{}",
            schema
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        );
        let write_lock = Arc::new(tokio::sync::Mutex::new(()));
        let (writer, queue) = mpsc::unbounded_channel();
        tokio::spawn(PostgresStore::write_groups(
            pool.clone(),
            write_lock.clone(),
            queue,
        ));
        Ok(PostgresStore {
            pool,
            write_lock,
            writer,
            lists_channel,
        })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn announce_lists_impl(&self, snapshot_id: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&self.lists_channel)
            .bind(snapshot_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn listen_lists_impl(&self) -> Result<Option<ListsListener>, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(&self.lists_channel).await?;
        Ok(Some(ListsListener { listener }))
    }
}

impl SqliteStore {
    async fn announce_lists_impl(&self, _snapshot_id: &str) -> Result<(), StoreError> {
        Ok(())
    }

    async fn listen_lists_impl(&self) -> Result<Option<ListsListener>, StoreError> {
        Ok(None)
    }
}

/// Announcements that another instance put a new list snapshot in use (PostgreSQL LISTEN).
#[derive(Debug)]
pub struct ListsListener {
    listener: sqlx::postgres::PgListener,
}

impl ListsListener {
    /// Waits for the next announcement and returns its snapshot id. A dropped connection is
    /// re-established by the listener (announcements sent meanwhile are lost, so callers
    /// reload on reconnect too: see the server's follower).
    pub async fn recv(&mut self) -> Result<String, StoreError> {
        let notification = self.listener.recv().await?;
        Ok(notification.payload().to_string())
    }
}

fn corrupt(what: impl Into<String>, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: what.into(),
        reason: reason.to_string(),
    }
}

fn to_u64(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(what, format!("negative number {value}")))
}

/// Most writes committed in one group.
const MAX_GROUP: usize = 256;

/// A write for the group-commit writer.
enum WriteOp {
    Append(AuditEvent),
    OpenCase(Box<NewCase>, AuditEvent),
}

/// What a write gave back.
enum WriteDone {
    Append(AuditRecord),
    OpenCase(AuditRecord, Box<Case>),
}

impl WriteOp {
    fn event(&self) -> &AuditEvent {
        match self {
            WriteOp::Append(event) | WriteOp::OpenCase(_, event) => event,
        }
    }
}

/// Where one write of a committed group landed in the chain.
struct Written {
    seq: u64,
    at: String,
    prev_hash: String,
    hash: String,
}

impl Written {
    /// The answer to the write `op`, which moves its event (and case) into the answer.
    fn answer(self, op: WriteOp) -> WriteDone {
        match op {
            WriteOp::Append(event) => WriteDone::Append(self.record(event)),
            WriteOp::OpenCase(case, event) => {
                let record = self.record(event);
                let case = Case {
                    id: case.id,
                    party_name: case.party_name,
                    party_key: case.party_key,
                    query: case.query,
                    hits: case.hits,
                    status: CaseStatus::Open,
                    audit_seq: record.seq,
                    opened_by: case.opened_by,
                    opened_at: record.at.clone(),
                    closed_at: None,
                    decisions: Vec::new(),
                };
                WriteDone::OpenCase(record, Box::new(case))
            }
        }
    }

    fn record(self, event: AuditEvent) -> AuditRecord {
        AuditRecord {
            seq: self.seq,
            at: self.at,
            event,
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// Audit records (and cases) per multi-row `INSERT`: 9 parameters each at most, far below
/// SQLite's and PostgreSQL's limits on bound parameters.
const AUDIT_CHUNK: usize = 128;

struct Pending {
    op: WriteOp,
    reply: oneshot::Sender<Result<WriteDone, StoreError>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending")
    }
}

/// Rows per multi-row `INSERT` (4 parameters each, far below SQLite's limit).
const INSERT_CHUNK: usize = 500;

const JOB_COLUMNS: &str =
    "id, status, created_by, created_at, options, total, done, matched, finished_at";

macro_rules! store_impl {
    ($store:ident, $db:ty, $backend:expr, $skip_locked:literal) => {
        impl $store {
            /// The group-commit writer: takes whatever writes have queued up, commits them in
            /// one transaction, and answers each. If the group fails, each write is retried
            /// alone, so one bad write fails only itself.
            async fn write_groups(
                pool: sqlx::Pool<$db>,
                write_lock: Arc<tokio::sync::Mutex<()>>,
                mut queue: mpsc::UnboundedReceiver<Pending>,
            ) {
                let mut group: Vec<Pending> = Vec::with_capacity(MAX_GROUP);
                while let Some(first) = queue.recv().await {
                    group.push(first);
                    while group.len() < MAX_GROUP {
                        match queue.try_recv() {
                            Ok(next) => group.push(next),
                            Err(_) => break,
                        }
                    }
                    let _writer = write_lock.lock().await;
                    match Self::commit_group(&pool, &group).await {
                        Ok(written) => {
                            for (pending, written) in group.drain(..).zip(written) {
                                let _ = pending.reply.send(Ok(written.answer(pending.op)));
                            }
                        }
                        Err(_) => {
                            for pending in group.drain(..) {
                                let alone = Self::commit_group(&pool, std::slice::from_ref(&pending))
                                    .await
                                    .and_then(|mut written| written.pop().ok_or(StoreError::Closed))
                                    .map(|written| written.answer(pending.op));
                                let _ = pending.reply.send(alone);
                            }
                        }
                    }
                }
            }

            /// Writes a group in one transaction and a constant number of statements whatever
            /// its size: the chain's head is locked and read once, the records are hashed in
            /// order in memory, then inserted with multi-row `INSERT`s (cases likewise), and the
            /// head moved once. Each statement is a round trip to the database (for SQLite, to
            /// its worker thread), so per-write statements were the service's main cost under
            /// load.
            async fn commit_group(
                pool: &sqlx::Pool<$db>,
                group: &[Pending],
            ) -> Result<Vec<Written>, StoreError> {
                let mut tx = pool.begin().await?;
                let (head_seq, head_hash) = Self::lock_head(&mut tx).await?;
                let at = now_rfc3339();
                let mut written = Vec::with_capacity(group.len());
                let mut contents = Vec::with_capacity(group.len());
                let (mut seq, mut prev_hash) = (head_seq, head_hash);
                for pending in group {
                    seq += 1;
                    let content = canonical_content(seq, &at, pending.op.event());
                    let hash = chain_hash(&prev_hash, &content);
                    contents.push(content);
                    written.push(Written {
                        seq,
                        at: at.clone(),
                        prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                        hash,
                    });
                }
                let rows: Vec<_> = group.iter().zip(written.iter().zip(&contents)).collect();
                for chunk in rows.chunks(AUDIT_CHUNK) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO audit_records (seq, kind, actor, at, content, prev_hash, hash) ",
                    );
                    insert.push_values(chunk, |mut values, (pending, (row, content))| {
                        let event = pending.op.event();
                        values
                            .push_bind(row.seq as i64)
                            .push_bind(event.kind.as_str())
                            .push_bind(event.actor.as_str())
                            .push_bind(row.at.as_str())
                            .push_bind(content.as_str())
                            .push_bind(row.prev_hash.as_str())
                            .push_bind(row.hash.as_str());
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                let mut cases = Vec::new();
                for (pending, row) in group.iter().zip(&written) {
                    if let WriteOp::OpenCase(case, _) = &pending.op {
                        let hits = serde_json::to_string(&case.hits)
                            .map_err(|e| corrupt("case hits", e))?;
                        cases.push((case, canonical_json(&case.query), hits, row));
                    }
                }
                for chunk in cases.chunks(AUDIT_CHUNK) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO cases (id, party_name, party_key, query, hits, status, \
                         audit_seq, opened_by, opened_at) ",
                    );
                    insert.push_values(chunk, |mut values, (case, case_query, hits, row)| {
                        values
                            .push_bind(case.id.as_str())
                            .push_bind(case.party_name.as_str())
                            .push_bind(case.party_key.as_str())
                            .push_bind(case_query.as_str())
                            .push_bind(hits.as_str())
                            .push_bind("open")
                            .push_bind(row.seq as i64)
                            .push_bind(case.opened_by.as_str())
                            .push_bind(row.at.as_str());
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                if let Some(last) = written.last() {
                    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                        .bind(last.seq as i64)
                        .bind(&last.hash)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(written)
            }

            async fn submit(&self, op: WriteOp) -> Result<WriteDone, StoreError> {
                let (reply, answer) = oneshot::channel();
                self.writer
                    .send(Pending { op, reply })
                    .map_err(|_| StoreError::Closed)?;
                answer.await.map_err(|_| StoreError::Closed)?
            }

            /// Takes the chain's lock (first statement of every audited transaction) and reads
            /// the head.
            async fn lock_head(
                tx: &mut sqlx::Transaction<'static, $db>,
            ) -> Result<(u64, String), StoreError> {
                sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
                    .execute(&mut **tx)
                    .await?;
                let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
                    .fetch_one(&mut **tx)
                    .await?;
                Ok((
                    to_u64(row.try_get("seq")?, "audit head")?,
                    row.try_get("hash")?,
                ))
            }

            async fn append_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                event: &AuditEvent,
            ) -> Result<AuditRecord, StoreError> {
                let (head_seq, head_hash) = Self::lock_head(tx).await?;
                let seq = head_seq + 1;
                let at = now_rfc3339();
                let content = canonical_content(seq, &at, event);
                let hash = chain_hash(&head_hash, &content);
                sqlx::query(
                    "INSERT INTO audit_records (seq, kind, actor, at, content, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(seq as i64)
                .bind(&event.kind)
                .bind(&event.actor)
                .bind(&at)
                .bind(&content)
                .bind(&head_hash)
                .bind(&hash)
                .execute(&mut **tx)
                .await?;
                sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(seq as i64)
                    .bind(&hash)
                    .execute(&mut **tx)
                    .await?;
                Ok(AuditRecord {
                    seq,
                    at,
                    event: event.clone(),
                    prev_hash: head_hash,
                    hash,
                })
            }

            async fn key_in<'e, E>(executor: E, column: &str, value: &str) -> Result<Option<ApiKey>, StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let sql = format!(
                    "SELECT id, name, role, created_at, revoked_at FROM api_keys WHERE {column} = $1"
                );
                let row = sqlx::query(&sql).bind(value).fetch_optional(executor).await?;
                row.map(|row| Self::key_from(&row)).transpose()
            }

            fn suppression_from(
                row: &<$db as sqlx::Database>::Row,
            ) -> Result<Suppression, StoreError> {
                Ok(Suppression {
                    party_key: row.try_get("party_key")?,
                    list: row.try_get("list")?,
                    source_id: row.try_get("source_id")?,
                    entry_hash: row.try_get("entry_hash")?,
                    case_id: row.try_get("case_id")?,
                    reason: row.try_get("reason")?,
                    decided_by: row.try_get("decided_by")?,
                    decided_at: row.try_get("decided_at")?,
                })
            }

            fn key_from(row: &<$db as sqlx::Database>::Row) -> Result<ApiKey, StoreError> {
                let role: String = row.try_get("role")?;
                Ok(ApiKey {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    role: Role::parse(&role)
                        .ok_or_else(|| corrupt("key role", format!("unknown role `{role}`")))?,
                    created_at: row.try_get("created_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            }

            async fn case_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: &str,
            ) -> Result<Option<Case>, StoreError> {
                let row = sqlx::query(
                    "SELECT id, party_name, party_key, query, hits, status, audit_seq, opened_by, \
                     opened_at, closed_at FROM cases WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let mut case = Self::case_from(&row)?;
                let rows = sqlx::query(
                    "SELECT hit_index, decision, reason, decided_by, decided_at, audit_seq \
                     FROM case_decisions WHERE case_id = $1 ORDER BY hit_index",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                for row in rows {
                    let decision: String = row.try_get("decision")?;
                    case.decisions.push(Decision {
                        hit_index: u32::try_from(row.try_get::<i64, _>("hit_index")?)
                            .map_err(|e| corrupt("decision hit index", e))?,
                        decision: match decision.as_str() {
                            "confirmed" => Verdict::Confirmed,
                            "false_positive" => Verdict::FalsePositive,
                            other => return Err(corrupt("decision", format!("unknown `{other}`"))),
                        },
                        reason: row.try_get("reason")?,
                        decided_by: row.try_get("decided_by")?,
                        decided_at: row.try_get("decided_at")?,
                        audit_seq: to_u64(row.try_get("audit_seq")?, "decision audit seq")?,
                    });
                }
                Ok(Some(case))
            }

            fn job_from(row: &<$db as sqlx::Database>::Row) -> Result<Job, StoreError> {
                let id: String = row.try_get("id")?;
                let status: String = row.try_get("status")?;
                let options: String = row.try_get("options")?;
                Ok(Job {
                    status: JobStatus::parse(&status).ok_or_else(|| {
                        corrupt(format!("status of job `{id}`"), format!("unknown `{status}`"))
                    })?,
                    created_by: row.try_get("created_by")?,
                    created_at: row.try_get("created_at")?,
                    options: serde_json::from_str(&options)
                        .map_err(|e| corrupt(format!("options of job `{id}`"), e))?,
                    total: to_u64(row.try_get("total")?, "job total")?,
                    done: to_u64(row.try_get("done")?, "job done")?,
                    matched: to_u64(row.try_get("matched")?, "job matched")?,
                    finished_at: row.try_get("finished_at")?,
                    id,
                })
            }

            async fn job_in<'e, E>(executor: E, id: &str) -> Result<Option<Job>, StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let sql = format!("SELECT {JOB_COLUMNS} FROM batch_jobs WHERE id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_optional(executor).await?;
                row.map(|row| Self::job_from(&row)).transpose()
            }

            fn case_from(row: &<$db as sqlx::Database>::Row) -> Result<Case, StoreError> {
                let id: String = row.try_get("id")?;
                let query: String = row.try_get("query")?;
                let hits: String = row.try_get("hits")?;
                let status: String = row.try_get("status")?;
                Ok(Case {
                    party_name: row.try_get("party_name")?,
                    party_key: row.try_get("party_key")?,
                    query: serde_json::from_str(&query)
                        .map_err(|e| corrupt(format!("query of case `{id}`"), e))?,
                    hits: serde_json::from_str::<Vec<CaseHit>>(&hits)
                        .map_err(|e| corrupt(format!("hits of case `{id}`"), e))?,
                    status: match status.as_str() {
                        "open" => CaseStatus::Open,
                        "closed" => CaseStatus::Closed,
                        other => {
                            return Err(corrupt(
                                format!("status of case `{id}`"),
                                format!("unknown `{other}`"),
                            ));
                        }
                    },
                    audit_seq: to_u64(row.try_get("audit_seq")?, "case audit seq")?,
                    opened_by: row.try_get("opened_by")?,
                    opened_at: row.try_get("opened_at")?,
                    closed_at: row.try_get("closed_at")?,
                    decisions: Vec::new(),
                    id,
                })
            }
        }

        #[async_trait::async_trait]
        impl Store for $store {
            fn backend(&self) -> Backend {
                $backend
            }

            async fn create_key(
                &self,
                key: NewKey,
                event: AuditEvent,
            ) -> Result<ApiKey, StoreError> {
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let record = Self::append_in(&mut tx, &event).await?;
                sqlx::query(
                    "INSERT INTO api_keys (id, name, role, key_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&key.id)
                .bind(&key.name)
                .bind(key.role.as_str())
                .bind(&key.key_hash)
                .bind(&record.at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(ApiKey {
                    id: key.id,
                    name: key.name,
                    role: key.role,
                    created_at: record.at,
                    revoked_at: None,
                })
            }

            async fn key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>, StoreError> {
                Self::key_in(&self.pool, "key_hash", key_hash).await
            }

            async fn keys(&self) -> Result<Vec<ApiKey>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, name, role, created_at, revoked_at FROM api_keys \
                     ORDER BY created_at, id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|row| Self::key_from(row)).collect()
            }

            async fn revoke_key(&self, id: &str, event: AuditEvent) -> Result<ApiKey, StoreError> {
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                Self::lock_head(&mut tx).await?;
                let Some(key) = Self::key_in(&mut *tx, "id", id).await? else {
                    return Err(StoreError::NotFound {
                        what: "key",
                        id: id.to_string(),
                    });
                };
                if key.revoked_at.is_some() {
                    return Ok(key);
                }
                let record = Self::append_in(&mut tx, &event).await?;
                sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2")
                    .bind(&record.at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(ApiKey {
                    revoked_at: Some(record.at),
                    ..key
                })
            }

            async fn append_audit(&self, event: AuditEvent) -> Result<AuditRecord, StoreError> {
                match self.submit(WriteOp::Append(event)).await? {
                    WriteDone::Append(record) => Ok(record),
                    WriteDone::OpenCase(record, _) => Ok(record),
                }
            }

            async fn audit_records(
                &self,
                after: u64,
                limit: u32,
            ) -> Result<Vec<AuditRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT seq, content, prev_hash, hash FROM audit_records \
                     WHERE seq > $1 ORDER BY seq LIMIT $2",
                )
                .bind(after as i64)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        let stored = StoredRecord {
                            seq: row.try_get("seq")?,
                            kind: String::new(),
                            actor: String::new(),
                            at: String::new(),
                            content: row.try_get("content")?,
                            prev_hash: row.try_get("prev_hash")?,
                            hash: row.try_get("hash")?,
                        };
                        stored
                            .decode()
                            .map_err(|e| corrupt(format!("audit record {}", stored.seq), e))
                    })
                    .collect()
            }

            async fn verify_audit(&self) -> Result<ChainReport, StoreError> {
                // Records appended after the head is read are left for the next run: only
                // `seq <= head` is walked (PostgreSQL's READ COMMITTED sees new rows mid-walk).
                let mut tx = self.pool.begin().await?;
                let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
                    .fetch_one(&mut *tx)
                    .await?;
                let head_seq = to_u64(head.try_get("seq")?, "audit head")?;
                let head_hash: String = head.try_get("hash")?;
                let mut expected = 1u64;
                let mut prev_hash = crate::GENESIS_HASH.to_string();
                // Paged by seq (the primary key, so no duplicates); a gap shows up in place.
                let mut last_seen = i64::MIN;
                loop {
                    let rows = sqlx::query(
                        "SELECT seq, kind, actor, at, content, prev_hash, hash FROM audit_records \
                         WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
                    )
                    .bind(last_seen)
                    .bind(head_seq as i64)
                    .bind(i64::from(VERIFY_PAGE))
                    .fetch_all(&mut *tx)
                    .await?;
                    if rows.is_empty() {
                        break;
                    }
                    for row in &rows {
                        last_seen = row.try_get("seq")?;
                        let stored = StoredRecord {
                            seq: row.try_get("seq")?,
                            kind: row.try_get("kind")?,
                            actor: row.try_get("actor")?,
                            at: row.try_get("at")?,
                            content: row.try_get("content")?,
                            prev_hash: row.try_get("prev_hash")?,
                            hash: row.try_get("hash")?,
                        };
                        if let Err(reason) = stored.check(expected, &prev_hash) {
                            let seq = u64::try_from(stored.seq).unwrap_or(expected);
                            return Ok(ChainReport::Broken { seq, reason });
                        }
                        prev_hash = stored.hash;
                        expected += 1;
                    }
                }
                tx.commit().await?;
                let records = expected - 1;
                if head_seq != records || head_hash != prev_hash {
                    return Ok(ChainReport::Broken {
                        seq: records + 1,
                        reason: format!(
                            "the chain's head says {head_seq} records but {records} are stored: \
                             records at the end were removed"
                        ),
                    });
                }
                Ok(ChainReport::Intact {
                    records,
                    head: prev_hash,
                })
            }

            async fn open_case(
                &self,
                case: NewCase,
                event: AuditEvent,
            ) -> Result<(AuditRecord, Case), StoreError> {
                match self.submit(WriteOp::OpenCase(Box::new(case), event)).await? {
                    WriteDone::OpenCase(record, case) => Ok((record, *case)),
                    WriteDone::Append(_) => Err(StoreError::Closed),
                }
            }

            async fn case(&self, id: &str) -> Result<Option<Case>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                Self::case_in(&mut conn, id).await
            }

            async fn cases(
                &self,
                status: Option<CaseStatus>,
                limit: u32,
            ) -> Result<Vec<Case>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                let columns = "id, party_name, party_key, query, hits, status, audit_seq, \
                               opened_by, opened_at, closed_at";
                let rows = match status {
                    Some(status) => {
                        sqlx::query(&format!(
                            "SELECT {columns} FROM cases WHERE status = $1 \
                             ORDER BY opened_at DESC, id LIMIT $2"
                        ))
                        .bind(status.as_str())
                        .bind(i64::from(limit))
                        .fetch_all(&mut *conn)
                        .await?
                    }
                    None => {
                        sqlx::query(&format!(
                            "SELECT {columns} FROM cases ORDER BY opened_at DESC, id LIMIT $1"
                        ))
                        .bind(i64::from(limit))
                        .fetch_all(&mut *conn)
                        .await?
                    }
                };
                let ids: Vec<String> = rows
                    .iter()
                    .map(|row| row.try_get("id"))
                    .collect::<Result<_, _>>()?;
                let mut cases = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(case) = Self::case_in(&mut conn, &id).await? {
                        cases.push(case);
                    }
                }
                Ok(cases)
            }

            async fn decide(
                &self,
                decision: NewDecision,
                event: AuditEvent,
            ) -> Result<Case, StoreError> {
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                Self::lock_head(&mut tx).await?;
                let Some(case) = Self::case_in(&mut tx, &decision.case_id).await? else {
                    return Err(StoreError::NotFound {
                        what: "case",
                        id: decision.case_id,
                    });
                };
                let index = decision.hit_index as usize;
                let Some(hit) = case.hits.get(index) else {
                    return Err(StoreError::NotFound {
                        what: "hit",
                        id: format!("{}/{}", case.id, decision.hit_index),
                    });
                };
                if case.decisions.iter().any(|d| d.hit_index == decision.hit_index) {
                    return Err(StoreError::Conflict(format!(
                        "hit {} of case `{}` is already decided",
                        decision.hit_index, case.id
                    )));
                }
                let record = Self::append_in(&mut tx, &event).await?;
                sqlx::query(
                    "INSERT INTO case_decisions (case_id, hit_index, decision, reason, decided_by, \
                     decided_at, audit_seq) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&case.id)
                .bind(i64::from(decision.hit_index))
                .bind(decision.verdict.as_str())
                .bind(&decision.reason)
                .bind(&decision.decided_by)
                .bind(&record.at)
                .bind(record.seq as i64)
                .execute(&mut *tx)
                .await?;
                if decision.verdict == Verdict::FalsePositive {
                    sqlx::query(
                        "INSERT INTO suppressions (party_key, list, source_id, entry_hash, case_id, \
                         reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(&case.party_key)
                    .bind(&hit.list)
                    .bind(&hit.source_id)
                    .bind(&hit.entry_hash)
                    .bind(&case.id)
                    .bind(&decision.reason)
                    .bind(&decision.decided_by)
                    .bind(&record.at)
                    .execute(&mut *tx)
                    .await?;
                }
                if case.decisions.len() + 1 == case.hits.len() {
                    sqlx::query("UPDATE cases SET status = 'closed', closed_at = $1 WHERE id = $2")
                        .bind(&record.at)
                        .bind(&case.id)
                        .execute(&mut *tx)
                        .await?;
                }
                let updated = Self::case_in(&mut tx, &case.id).await?;
                tx.commit().await?;
                updated.ok_or(StoreError::NotFound {
                    what: "case",
                    id: case.id,
                })
            }

            async fn suppressions(&self, party_key: &str) -> Result<Vec<Suppression>, StoreError> {
                let rows = sqlx::query(
                    "SELECT party_key, list, source_id, entry_hash, case_id, reason, decided_by, \
                     decided_at FROM suppressions WHERE party_key = $1 ORDER BY decided_at",
                )
                .bind(party_key)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::suppression_from).collect()
            }

            async fn all_suppressions(&self) -> Result<Vec<Suppression>, StoreError> {
                let rows = sqlx::query(
                    "SELECT party_key, list, source_id, entry_hash, case_id, reason, decided_by, \
                     decided_at FROM suppressions ORDER BY party_key, decided_at",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::suppression_from).collect()
            }

            async fn suppression_count(&self) -> Result<u64, StoreError> {
                let row = sqlx::query("SELECT COUNT(*) AS n FROM suppressions")
                    .fetch_one(&self.pool)
                    .await?;
                to_u64(row.try_get("n")?, "suppression count")
            }

            async fn create_job(&self, job: NewJob, event: AuditEvent) -> Result<Job, StoreError> {
                let options = canonical_json(&job.options);
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let record = Self::append_in(&mut tx, &event).await?;
                sqlx::query(
                    "INSERT INTO batch_jobs (id, status, created_by, created_at, options, total, \
                     done, matched) VALUES ($1, 'queued', $2, $3, $4, $5, 0, 0)",
                )
                .bind(&job.id)
                .bind(&job.created_by)
                .bind(&record.at)
                .bind(&options)
                .bind(job.rows.len() as i64)
                .execute(&mut *tx)
                .await?;
                for (chunk_number, chunk) in job.rows.chunks(INSERT_CHUNK).enumerate() {
                    let first = chunk_number * INSERT_CHUNK;
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO batch_rows (job_id, row_index, row_id, query) ",
                    );
                    insert.push_values(chunk.iter().enumerate(), |mut values, (i, row)| {
                        values
                            .push_bind(job.id.clone())
                            .push_bind((first + i) as i64)
                            .push_bind(row.id.clone())
                            .push_bind(canonical_json(&row.query));
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                let created = Self::job_in(&mut *tx, &job.id).await?;
                tx.commit().await?;
                created.ok_or(StoreError::NotFound {
                    what: "job",
                    id: job.id,
                })
            }

            async fn job(&self, id: &str) -> Result<Option<Job>, StoreError> {
                Self::job_in(&self.pool, id).await
            }

            async fn announce_lists(&self, snapshot_id: &str) -> Result<(), StoreError> {
                self.announce_lists_impl(snapshot_id).await
            }

            async fn listen_lists(&self) -> Result<Option<ListsListener>, StoreError> {
                self.listen_lists_impl().await
            }

            async fn jobs(&self, limit: u32) -> Result<Vec<Job>, StoreError> {
                let sql = format!(
                    "SELECT {JOB_COLUMNS} FROM batch_jobs ORDER BY created_at DESC, id DESC LIMIT $1"
                );
                let rows = sqlx::query(&sql)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::job_from).collect()
            }

            async fn claim_job(
                &self,
                worker: &str,
                lease_ms: u64,
            ) -> Result<Option<Job>, StoreError> {
                let now = now_millis();
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let claimed = sqlx::query(concat!(
                    "UPDATE batch_jobs SET status = 'running', claimed_by = $1, lease_until = $2 \
                     WHERE id = (SELECT id FROM batch_jobs WHERE status = 'queued' \
                     OR (status = 'running' AND (lease_until IS NULL OR lease_until < $3)) \
                     ORDER BY created_at, id LIMIT 1",
                    $skip_locked,
                    ") RETURNING id"
                ))
                .bind(worker)
                .bind(now.saturating_add(lease_ms as i64))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let job = match claimed {
                    Some(row) => {
                        let id: String = row.try_get("id")?;
                        Self::job_in(&mut *tx, &id).await?
                    }
                    None => None,
                };
                tx.commit().await?;
                Ok(job)
            }

            async fn pending_rows(
                &self,
                job_id: &str,
                limit: u32,
            ) -> Result<Vec<PendingRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT row_index, row_id, query FROM batch_rows \
                     WHERE job_id = $1 AND result IS NULL ORDER BY row_index LIMIT $2",
                )
                .bind(job_id)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        let query: String = row.try_get("query")?;
                        Ok(PendingRow {
                            index: to_u64(row.try_get("row_index")?, "row index")?,
                            id: row.try_get("row_id")?,
                            query: serde_json::from_str(&query)
                                .map_err(|e| corrupt("batch row query", e))?,
                        })
                    })
                    .collect()
            }

            async fn save_results(
                &self,
                job_id: &str,
                worker: &str,
                results: Vec<RowResult>,
                lease_ms: u64,
            ) -> Result<Job, StoreError> {
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let renewed = sqlx::query(
                    "UPDATE batch_jobs SET lease_until = $1 \
                     WHERE id = $2 AND claimed_by = $3 AND status = 'running'",
                )
                .bind(now_millis().saturating_add(lease_ms as i64))
                .bind(job_id)
                .bind(worker)
                .execute(&mut *tx)
                .await?;
                if renewed.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!(
                        "job `{job_id}` is not claimed by `{worker}` any more"
                    )));
                }
                let (mut done, mut matched) = (0i64, 0i64);
                for result in &results {
                    let hits = canonical_json(&result.hits);
                    let written = sqlx::query(
                        "UPDATE batch_rows SET result = $1, matched = $2, list_snapshot = $3 \
                         WHERE job_id = $4 AND row_index = $5 AND result IS NULL",
                    )
                    .bind(&hits)
                    .bind(i64::from(result.matched))
                    .bind(&result.list_snapshot)
                    .bind(job_id)
                    .bind(result.index as i64)
                    .execute(&mut *tx)
                    .await?;
                    if written.rows_affected() == 1 {
                        done += 1;
                        matched += i64::from(result.matched);
                    }
                }
                sqlx::query(
                    "UPDATE batch_jobs SET done = done + $1, matched = matched + $2 WHERE id = $3",
                )
                .bind(done)
                .bind(matched)
                .bind(job_id)
                .execute(&mut *tx)
                .await?;
                let job = Self::job_in(&mut *tx, job_id).await?;
                tx.commit().await?;
                job.ok_or(StoreError::NotFound {
                    what: "job",
                    id: job_id.to_string(),
                })
            }

            async fn finish_job(&self, job_id: &str, event: AuditEvent) -> Result<Job, StoreError> {
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                Self::lock_head(&mut tx).await?;
                let Some(job) = Self::job_in(&mut *tx, job_id).await? else {
                    return Err(StoreError::NotFound {
                        what: "job",
                        id: job_id.to_string(),
                    });
                };
                if job.status == JobStatus::Done {
                    return Ok(job);
                }
                let pending: i64 = sqlx::query(
                    "SELECT COUNT(*) AS pending FROM batch_rows WHERE job_id = $1 AND result IS NULL",
                )
                .bind(job_id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("pending")?;
                if pending > 0 {
                    return Err(StoreError::Conflict(format!(
                        "job `{job_id}` still has {pending} rows to screen"
                    )));
                }
                let record = Self::append_in(&mut tx, &event).await?;
                sqlx::query(
                    "UPDATE batch_jobs SET status = 'done', finished_at = $1, claimed_by = NULL, \
                     lease_until = NULL WHERE id = $2",
                )
                .bind(&record.at)
                .bind(job_id)
                .execute(&mut *tx)
                .await?;
                let job = Self::job_in(&mut *tx, job_id).await?;
                tx.commit().await?;
                job.ok_or(StoreError::NotFound {
                    what: "job",
                    id: job_id.to_string(),
                })
            }

            async fn job_rows(
                &self,
                job_id: &str,
                from: u64,
                limit: u32,
            ) -> Result<Vec<JobRowResult>, StoreError> {
                let rows = sqlx::query(
                    "SELECT row_index, row_id, query, result FROM batch_rows \
                     WHERE job_id = $1 AND row_index >= $2 ORDER BY row_index LIMIT $3",
                )
                .bind(job_id)
                .bind(from as i64)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        let query: String = row.try_get("query")?;
                        let result: Option<String> = row.try_get("result")?;
                        Ok(JobRowResult {
                            index: to_u64(row.try_get("row_index")?, "row index")?,
                            id: row.try_get("row_id")?,
                            query: serde_json::from_str(&query)
                                .map_err(|e| corrupt("batch row query", e))?,
                            hits: result
                                .map(|r| serde_json::from_str(&r))
                                .transpose()
                                .map_err(|e| corrupt("batch row result", e))?,
                        })
                    })
                    .collect()
            }
        }
    };
}

store_impl!(SqliteStore, sqlx::Sqlite, Backend::Sqlite, "");
store_impl!(
    PostgresStore,
    sqlx::Postgres,
    Backend::Postgres,
    " FOR UPDATE SKIP LOCKED"
);
