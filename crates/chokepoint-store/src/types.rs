//! What the store takes and gives back: keys and roles, audit events and records, cases,
//! decisions and suppressions. Plain data with serde, independent of the SQL row shapes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a key may do. Each role includes the rights of the roles below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads lists, cases, metrics.
    Viewer,
    /// Also screens, checks and reviews cases.
    Analyst,
    /// Also imports lists and manages keys.
    Admin,
}

impl Role {
    /// The role's name as stored and typed (`admin`, `analyst`, `viewer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Reads a role name.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "analyst" => Some(Role::Analyst),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether this role has the rights of `needed`.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key to store. The caller makes the secret and hashes it; the store never sees the secret.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// Public id (also the key's prefix).
    pub id: String,
    /// A name for people and the audit trail.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// SHA-256 of the whole key, lowercase hex.
    pub key_hash: String,
}

/// A stored key (without its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// Public id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// Something to record in the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// What happened: `screening`, `list_import`, `key_created`, `key_revoked`, `decision`...
    pub kind: String,
    /// Who did it: the key's name (or `cli:USER` for the command line).
    pub actor: String,
    /// What was asked.
    pub inputs: Value,
    /// What was answered.
    pub outputs: Value,
    /// The list snapshot the answer used (hash over the list files), if any.
    pub list_snapshot: Option<String>,
    /// The rule-set version the answer used, if any.
    pub rule_set: Option<String>,
}

/// A record of the audit chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When it was recorded (RFC 3339).
    pub at: String,
    /// The event.
    #[serde(flatten)]
    pub event: AuditEvent,
    /// The previous record's hash (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and the record's canonical JSON.
    pub hash: String,
}

/// What walking the audit chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum ChainReport {
    /// Every record is as written, none missing, in order.
    Intact {
        /// How many records.
        records: u64,
        /// The last record's hash.
        head: String,
    },
    /// The first record that is not as written.
    Broken {
        /// Its sequence number.
        seq: u64,
        /// What is wrong with it.
        reason: String,
    },
}

/// One hit under review, with what identifies the list entry's version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseHit {
    /// List code.
    pub list: String,
    /// The entry's id in its source.
    pub source_id: String,
    /// SHA-256 of the entry's content: a suppression holds only while it is unchanged.
    pub entry_hash: String,
    /// The hit as the API answered it.
    pub hit: Value,
}

/// A case to open.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// Case id (made by the caller).
    pub id: String,
    /// The screened name as given.
    pub party_name: String,
    /// The screened name normalised (suppressions are keyed by it).
    pub party_key: String,
    /// The screening request.
    pub query: Value,
    /// The hits to review.
    pub hits: Vec<CaseHit>,
    /// The key's name.
    pub opened_by: String,
}

/// Whether a case waits for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    /// Some hit is not decided yet.
    Open,
    /// Every hit is decided.
    Closed,
}

impl CaseStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Closed => "closed",
        }
    }
}

/// An analyst's verdict on a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The party is the listed entry.
    Confirmed,
    /// The party is not the listed entry.
    FalsePositive,
}

impl Verdict {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::FalsePositive => "false_positive",
        }
    }
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct NewDecision {
    /// The case.
    pub case_id: String,
    /// Which hit of the case (0-based).
    pub hit_index: u32,
    /// Verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
    /// The key's name.
    pub decided_by: String,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// Which hit of the case.
    pub hit_index: u32,
    /// Verdict.
    pub decision: Verdict,
    /// Why.
    pub reason: String,
    /// Who.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
    /// Its audit record.
    pub audit_seq: u64,
}

/// A case with its decisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Id.
    pub id: String,
    /// The screened name.
    pub party_name: String,
    /// The screened name normalised.
    pub party_key: String,
    /// The screening request.
    pub query: Value,
    /// The hits to review.
    pub hits: Vec<CaseHit>,
    /// Open or closed.
    pub status: CaseStatus,
    /// The screening's audit record.
    pub audit_seq: u64,
    /// Who screened.
    pub opened_by: String,
    /// When.
    pub opened_at: String,
    /// When the last hit was decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// Decisions so far, by hit.
    pub decisions: Vec<Decision>,
}

/// A remembered false positive: this party is not this version of this entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// The party, normalised.
    pub party_key: String,
    /// List code.
    pub list: String,
    /// Entry id.
    pub source_id: String,
    /// The entry's content hash when decided.
    pub entry_hash: String,
    /// The case it was decided in.
    pub case_id: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
}

impl NewKey {
    /// Makes a new key named `name`: returns what to store and the key itself, to show once.
    /// The key is `ck_ID_SECRET` with 256 random bits of secret; only its SHA-256 is stored
    /// (a key this random needs no slow hash).
    pub fn generate(name: &str, role: Role) -> Result<(NewKey, String), getrandom::Error> {
        let mut id = [0u8; 6];
        let mut secret = [0u8; 32];
        getrandom::fill(&mut id)?;
        getrandom::fill(&mut secret)?;
        let id = hex(&id);
        let key = format!("ck_{id}_{}", hex(&secret));
        let name = if name.is_empty() {
            format!("{role}-{id}")
        } else {
            name.to_string()
        };
        Ok((
            NewKey {
                id,
                name,
                role,
                key_hash: hash_key(&key),
            },
            key,
        ))
    }
}

/// The stored hash of an API key: SHA-256, lowercase hex.
pub fn hash_key(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(key.as_bytes()))
}

/// Random bytes as lowercase hex, for ids (`case_…`).
pub fn random_id(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a batch job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// A worker has it (or had it, until its lease runs out).
    Running,
    /// Every row is screened.
    Done,
}

impl JobStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<JobStatus> {
        match text {
            "queued" => Some(JobStatus::Queued),
            "running" => Some(JobStatus::Running),
            "done" => Some(JobStatus::Done),
            _ => None,
        }
    }
}

/// One row of a batch to screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    /// The row's own id (from the upload).
    pub id: String,
    /// The query (`{"name", "country"?, "type"?}`).
    pub query: Value,
}

/// A batch job to create.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Job id (made by the caller).
    pub id: String,
    /// The key's name.
    pub created_by: String,
    /// Screening options for every row (threshold, limit...).
    pub options: Value,
    /// The rows, in input order.
    pub rows: Vec<JobRow>,
}

/// A batch job and its progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Id.
    pub id: String,
    /// Status.
    pub status: JobStatus,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// Screening options.
    pub options: Value,
    /// Rows in the job.
    pub total: u64,
    /// Rows screened so far.
    pub done: u64,
    /// Rows with at least one match so far.
    pub matched: u64,
    /// When the last row was screened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

/// A row waiting to be screened.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRow {
    /// Position in the job (0-based).
    pub index: u64,
    /// The row's id.
    pub id: String,
    /// The query.
    pub query: Value,
}

/// A screened row's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RowResult {
    /// Position in the job.
    pub index: u64,
    /// The hits (JSON array of the API's hits).
    pub hits: Value,
    /// Whether any hit is a match.
    pub matched: bool,
    /// The list snapshot that answered.
    pub list_snapshot: String,
}

/// A row with its answer, for download.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRowResult {
    /// Position in the job.
    pub index: u64,
    /// The row's id.
    pub id: String,
    /// The query.
    pub query: Value,
    /// The hits, `None` while not screened.
    pub hits: Option<Value>,
}
