//! Replaying a past screening from its audit record: find which list files its snapshot was
//! made of (the `lists_loaded` or `list_import` record with the same `list_snapshot`), rebuild
//! that snapshot from the data directory, which keeps every imported file by its SHA-256, check
//! that it hashes to the recorded id, screen the recorded request again, and compare.

use crate::lists::{LoadError, Snapshot};
use chokepoint_engine::DataDir;
use chokepoint_store::{AuditRecord, Store, StoreError};
use serde_json::Value;
use std::path::PathBuf;

/// What a replay found.
#[derive(Debug)]
pub struct Replay {
    /// The record replayed.
    pub seq: u64,
    /// The snapshot rebuilt (equal to the recorded one).
    pub list_snapshot: String,
    /// The hits recorded.
    pub recorded: Value,
    /// The hits screened again (hits then suppressed are left out, as they were).
    pub replayed: Value,
}

impl Replay {
    /// Whether the replay gave the recorded answer.
    pub fn same(&self) -> bool {
        self.recorded == self.replayed
    }
}

/// Why a record cannot be replayed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// No such record.
    #[error("there is no audit record {0}")]
    NotFound(u64),
    /// Not a screening.
    #[error("record {seq} is a `{kind}`; only screenings can be replayed")]
    NotReplayable {
        /// The record.
        seq: u64,
        /// Its kind.
        kind: String,
    },
    /// No record says which files the snapshot was made of.
    #[error("no audit record names the files of list snapshot `{0}`")]
    UnknownSnapshot(String),
    /// A file of the snapshot is not in the data directory.
    #[error(
        "list file `{label}` (SHA-256 `{sha256}`) is not in the data directory `{}`; replays need the imported files",
        dir.display()
    )]
    MissingFile {
        /// The file's label.
        label: String,
        /// Its hash.
        sha256: String,
        /// Where it was looked for.
        dir: PathBuf,
    },
    /// The rebuilt snapshot is not the recorded one (the crosswalk shipped with this binary
    /// changed, or a file was altered).
    #[error("the rebuilt list snapshot is `{rebuilt}`, not the recorded `{recorded}`")]
    SnapshotMismatch {
        /// Recorded id.
        recorded: String,
        /// Rebuilt id.
        rebuilt: String,
    },
    /// The recorded request cannot be read.
    #[error("record {0} holds no readable screening request")]
    BadRequest(u64),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The lists could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Copying files failed.
    #[error("cannot prepare the list files: {0}")]
    Io(#[from] std::io::Error),
}

/// Replays screening record `seq` against the files kept in `data_dir`.
pub async fn replay(
    store: &dyn Store,
    data_dir: &DataDir,
    seq: u64,
) -> Result<Replay, ReplayError> {
    let record = store
        .audit_records(seq.saturating_sub(1), 1)
        .await?
        .into_iter()
        .find(|r| r.seq == seq)
        .ok_or(ReplayError::NotFound(seq))?;
    if record.event.kind != "screening" {
        return Err(ReplayError::NotReplayable {
            seq,
            kind: record.event.kind,
        });
    }
    let snapshot_id = record
        .event
        .list_snapshot
        .clone()
        .ok_or_else(|| ReplayError::UnknownSnapshot(String::new()))?;
    let files = snapshot_files(store, &snapshot_id, seq).await?;
    let files_dir = data_dir.root().join("lists").join("files");
    let scratch = std::env::temp_dir().join(format!(
        "chokepoint-replay-{}",
        chokepoint_store::random_id(8).map_err(|e| std::io::Error::other(e.to_string()))?
    ));
    let built = tokio::task::spawn_blocking(move || rebuild(&files, &files_dir, &scratch))
        .await
        .map_err(|e| LoadError::Internal(e.to_string()))??;
    if built.id != snapshot_id {
        return Err(ReplayError::SnapshotMismatch {
            recorded: snapshot_id,
            rebuilt: built.id,
        });
    }
    let request: crate::screen::ScreenRequest = serde_json::from_value(record.event.inputs.clone())
        .map_err(|_| ReplayError::BadRequest(seq))?;
    let (query, options) =
        crate::screen::validate(&request, usize::MAX).map_err(|_| ReplayError::BadRequest(seq))?;
    let hits = built.screener.screen(&query, &options);
    let suppressed: Vec<(String, String)> = record.event.outputs["suppressed"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|h| {
                    (
                        h["list"].as_str().unwrap_or("").to_string(),
                        h["source_id"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let replayed: Vec<Value> = hits
        .iter()
        .filter(|h| !suppressed.contains(&(h.list.clone(), h.source_id.clone())))
        .map(|h| serde_json::to_value(h).unwrap_or(Value::Null))
        .collect();
    Ok(Replay {
        seq,
        list_snapshot: snapshot_id,
        recorded: record.event.outputs["hits"].clone(),
        replayed: Value::Array(replayed),
    })
}

/// The files of `snapshot`, from the last record before `before` that names them.
async fn snapshot_files(
    store: &dyn Store,
    snapshot: &str,
    before: u64,
) -> Result<Vec<(String, String)>, ReplayError> {
    let mut found: Option<AuditRecord> = None;
    let mut after = 0;
    while after < before {
        let page = store
            .audit_records(after, 1000)
            .await?
            .into_iter()
            .take_while(|r| r.seq < before)
            .collect::<Vec<_>>();
        let Some(last) = page.last() else {
            break;
        };
        after = last.seq;
        for record in page {
            if record.event.list_snapshot.as_deref() == Some(snapshot)
                && record.event.outputs.get("snapshot_files").is_some()
            {
                found = Some(record);
            }
        }
    }
    let record = found.ok_or_else(|| ReplayError::UnknownSnapshot(snapshot.to_string()))?;
    Ok(record.event.outputs["snapshot_files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .map(|f| {
                    (
                        f["label"].as_str().unwrap_or("").to_string(),
                        f["sha256"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Copies the files under their labels (OFAC companions pair by name) and builds the snapshot.
fn rebuild(
    files: &[(String, String)],
    files_dir: &std::path::Path,
    scratch: &std::path::Path,
) -> Result<Snapshot, ReplayError> {
    std::fs::create_dir_all(scratch)?;
    let files = files.to_vec();
    let result = (|| {
        let stored: Vec<PathBuf> = std::fs::read_dir(files_dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        for (label, sha256) in &files {
            let prefix = format!("{sha256}-");
            let source = stored
                .iter()
                .find(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
                })
                .ok_or_else(|| ReplayError::MissingFile {
                    label: label.clone(),
                    sha256: sha256.clone(),
                    dir: files_dir.to_path_buf(),
                })?;
            let name = std::path::Path::new(label)
                .file_name()
                .map(|n| n.to_os_string())
                .unwrap_or_else(|| "list".into());
            std::fs::copy(source, scratch.join(name))?;
        }
        let loaded =
            chokepoint_engine::load_paths(&[scratch.to_path_buf()]).map_err(LoadError::from)?;
        Ok(Snapshot::build(loaded, files.clone())?)
    })();
    let _ = std::fs::remove_dir_all(scratch);
    result
}
