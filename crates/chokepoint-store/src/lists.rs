//! The list snapshots in the database: the list files by content hash, every snapshot put in
//! use (in commit order, each with the audit record written in its transaction) and the current
//! manifest. With a database shared by several instances this is the source of truth; each
//! instance's data directory is a copy it rebuilds from here.
//!
//! [`ListStore`] is a supertrait of [`Store`](crate::Store), implemented for both backends in
//! `sql/lists.rs` with the same SQL (see `migrations/*/0004_list_snapshots.sql`). The manifest
//! is opaque JSON here: its shape belongs to `chokepoint-engine`.
//!
//! A file is stored in chunks of [`CHUNK_BYTES`] (deflated), so a 30 MB list never becomes one
//! huge value and can be read back chunk by chunk.

use crate::StoreError;
use crate::types::{AuditEvent, AuditRecord};

/// The most bytes of a file's content one chunk holds (before compression).
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// A list file's content, to store under its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct NewListFile {
    /// SHA-256 of `content`, lowercase hex (checked).
    pub sha256: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}

impl std::fmt::Debug for NewListFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewListFile")
            .field("sha256", &self.sha256)
            .field("bytes", &self.content.len())
            .finish()
    }
}

/// A snapshot to put in use, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListSnapshot {
    /// The snapshot's id (over its files' labels and hashes).
    pub snapshot_id: String,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// The manifest that describes it (JSON, opaque here).
    pub manifest: String,
    /// The `seq` of the snapshot this one was built on (`None`: the database had none). If
    /// another snapshot was stored since, nothing is written and the answer is
    /// [`StoreError::Conflict`]: catch up and build again.
    pub base: Option<u64>,
    /// File contents to store with it (those already stored are skipped).
    pub files: Vec<NewListFile>,
    /// SHA-256 of every file the manifest names: each must be stored (before, or in `files`),
    /// else nothing is written and the answer is [`StoreError::NotFound`].
    pub required: Vec<String>,
}

/// A snapshot as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSnapshot {
    /// 1, 2, 3... in commit order, across every instance.
    pub seq: u64,
    /// The snapshot's id.
    pub snapshot_id: String,
    /// When it was imported.
    pub imported_at: String,
    /// The audit record written with it.
    pub audit_seq: u64,
}

/// The current manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentLists {
    /// The snapshot it describes.
    pub snapshot: ListSnapshot,
    /// The manifest (JSON).
    pub manifest: String,
}

/// A stored list file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListFileInfo {
    /// Its size.
    pub bytes: u64,
    /// How many chunks hold it (`0..chunks` for [`ListStore::list_file_chunk`]).
    pub chunks: u64,
}

/// List snapshots and their files.
#[async_trait::async_trait]
pub trait ListStore: Send + Sync {
    /// Stores `snapshot` (its new files, the snapshot, the manifest) and `event` in ONE
    /// transaction: an import is never stored without its audit record, nor the reverse.
    async fn save_list_snapshot(
        &self,
        snapshot: NewListSnapshot,
        event: AuditEvent,
    ) -> Result<(AuditRecord, ListSnapshot), StoreError>;
    /// The current manifest and its snapshot; `None` when no snapshot was stored.
    async fn current_lists(&self) -> Result<Option<CurrentLists>, StoreError>;
    /// The latest stored snapshot with this id, if any.
    async fn list_snapshot(&self, snapshot_id: &str) -> Result<Option<ListSnapshot>, StoreError>;
    /// Stores one file's content on its own (idempotent: `false` when it was stored already).
    /// A file stored without a snapshot naming it is harmless.
    async fn store_list_file(&self, file: NewListFile) -> Result<bool, StoreError>;
    /// The SHA-256 of every stored file.
    async fn list_file_hashes(&self) -> Result<Vec<String>, StoreError>;
    /// A stored file's size and chunk count; `None` when it is not stored.
    async fn list_file(&self, sha256: &str) -> Result<Option<ListFileInfo>, StoreError>;
    /// Chunk `index` of a stored file, decoded; `NotFound` when there is no such chunk.
    async fn list_file_chunk(&self, sha256: &str, index: u64) -> Result<Vec<u8>, StoreError>;
}
