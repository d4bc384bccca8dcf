//! The list snapshot in use and the list routes: `GET /v1/lists` (what is loaded) and
//! `POST /v1/lists/import` (admin: multipart upload of list files, stored with the import's audit
//! record in one transaction of the store and copied into the data directory, then a new index
//! swapped in).
//!
//! A [`Snapshot`] is the index plus what identifies it: a hash over every list file's label and
//! SHA-256 and the native-name crosswalk (the audit trail records it with every answer), and each
//! entry's content hash (a false positive is remembered against that version of the entry).

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::json::payload_too_large;
use crate::{AppState, metrics};
use axum::Json;
use axum::extract::{Multipart, State};
use chokepoint_engine::{
    DataDir, EngineError, LoadedLists, SHIPPED_CROSSWALK, Screener, apply_crosswalk, sha256_hex,
};
use chokepoint_model::ListMeta;
use chokepoint_store::{AuditEvent, Role};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;

/// Where the server's lists come from.
#[derive(Debug, Clone)]
pub enum ListsSource {
    /// The imported lists of a data directory; `POST /v1/lists/import` adds to it.
    DataDir(DataDir),
    /// Fixed files or directories (`serve --lists PATH`); imports are refused.
    Paths(Vec<PathBuf>),
}

/// Why lists could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Reading or parsing failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A loading task failed.
    #[error("loading the lists failed: {0}")]
    Internal(String),
    /// The store's lists could not be read or written.
    #[error(transparent)]
    Store(#[from] chokepoint_store::StoreError),
}

/// An index over a list snapshot, with what identifies it.
#[derive(Debug)]
pub struct Snapshot {
    /// The index.
    pub screener: Screener,
    /// SHA-256 over the list files' hashes and the crosswalk: the snapshot's id.
    pub id: String,
    /// When it was put in use (RFC 3339).
    pub loaded_at: String,
    /// Content hash of each entry, by (list code, source id).
    entry_hashes: HashMap<(String, String), String>,
    /// How many record problems the files had.
    pub problems: usize,
    /// What the snapshot is made of: `(label, sha256)` of each list file, sorted. Audited when
    /// a snapshot is put in use, so that any answer's `list_snapshot` names files the data
    /// directory keeps (`lists/files/SHA256-NAME`) and the answer can be replayed.
    pub files: Vec<(String, String)>,
}

impl Snapshot {
    /// Indexes `loaded` (with the shipped crosswalk applied). `files` are the `(label, sha256)`
    /// of every file it was read from; the snapshot's id is computed from them (an OFAC file
    /// group has no single hash of its own).
    pub fn build(loaded: LoadedLists, files: Vec<(String, String)>) -> Result<Snapshot, LoadError> {
        if !loaded.unreadable.is_empty() {
            return Err(EngineError::Unreadable(loaded.unreadable).into());
        }
        let mut set = loaded.set;
        apply_crosswalk(
            "lists/native-names.yaml",
            SHIPPED_CROSSWALK,
            &mut set.entries,
        )?;
        let id = chokepoint_engine::snapshot_id(&files);
        let mut files = files;
        files.sort();
        files.dedup();
        let mut entry_hashes = HashMap::with_capacity(set.entries.len());
        for entry in &set.entries {
            let bytes = serde_json::to_vec(entry).unwrap_or_default();
            entry_hashes
                .entry((entry.list.as_str().to_string(), entry.source_id.clone()))
                .or_insert_with(|| sha256_hex(&bytes));
        }
        let problems = set.diagnostics.len();
        Ok(Snapshot {
            screener: Screener::new(set).with_snapshot_id(id.clone()),
            id,
            loaded_at: chokepoint_store::now_rfc3339(),
            entry_hashes,
            problems,
            files,
        })
    }

    /// The content hash of an entry, or `""` when it is not in this snapshot.
    pub fn entry_hash(&self, list: &str, source_id: &str) -> &str {
        self.entry_hashes
            .get(&(list.to_string(), source_id.to_string()))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The lists in it.
    pub fn lists(&self) -> &[ListMeta] {
        &self.screener.lists
    }
}

impl ListsSource {
    /// Loads and indexes the lists; `None` when there are none. Blocking.
    pub fn load(&self) -> Result<Option<Snapshot>, LoadError> {
        let (loaded, files) = match self {
            ListsSource::DataDir(data_dir) => {
                if !data_dir.has_lists()? {
                    return Ok(None);
                }
                (data_dir.load()?, manifest_files(data_dir)?)
            }
            ListsSource::Paths(paths) => {
                let loaded = chokepoint_engine::load_paths(paths)?;
                let files = loaded.files.clone();
                (loaded, files)
            }
        };
        if loaded.unreadable.is_empty() && loaded.set.entries.is_empty() {
            return Ok(None);
        }
        Snapshot::build(loaded, files).map(Some)
    }
}

/// The current files of a data directory, as `(label, sha256)`.
pub(crate) fn manifest_files(data_dir: &DataDir) -> Result<Vec<(String, String)>, LoadError> {
    Ok(data_dir
        .manifest()?
        .files
        .into_iter()
        .map(|f| (f.label, f.sha256))
        .collect())
}

fn describe(snapshot: Option<&Snapshot>) -> Value {
    match snapshot {
        Some(snapshot) => json!({
            "snapshot": snapshot.id,
            "loaded_at": snapshot.loaded_at,
            "entries": snapshot.screener.index().entries().len(),
            "problems": snapshot.problems,
            "lists": snapshot.lists(),
        }),
        None => json!({ "snapshot": null, "entries": 0, "lists": [] }),
    }
}

/// `GET /v1/lists`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(describe(state.snapshot().as_deref())))
}

/// `POST /v1/lists/import`: every part with a file name is a list file.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    let ListsSource::DataDir(data_dir) = state.source().clone() else {
        return Err(ApiError::new(
            ErrorCode::ListsReadOnly,
            "This server screens against fixed files (`serve --lists`); restart it with a data \
             directory to import lists.",
        ));
    };
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Upload list files as `multipart/form-data`, one part per file with its file name \
             (e.g. `curl -F file=@sdn.csv`).",
        )
    })?;
    let mut files: Vec<(String, Vec<u8>, String)> = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(payload_too_large());
            }
            Err(e) => {
                return Err(ApiError::invalid(format!(
                    "The upload cannot be read: {}.",
                    e.body_text()
                )));
            }
        };
        let Some(label) = field.file_name().map(file_label) else {
            continue;
        };
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(payload_too_large());
            }
            Err(e) => {
                return Err(ApiError::invalid(format!(
                    "The upload cannot be read: {}.",
                    e.body_text()
                )));
            }
        };
        let origin = format!("upload:{label}");
        files.push((label, bytes.to_vec(), origin));
    }
    if files.is_empty() {
        return Err(ApiError::invalid(
            "The upload holds no file: send each list file as a part with a file name.",
        ));
    }
    let inputs: Vec<Value> = files
        .iter()
        .map(|(label, bytes, _)| {
            json!({ "label": label, "sha256": sha256_hex(bytes), "bytes": bytes.len() })
        })
        .collect();
    // One import at a time; screening goes on against the current snapshot meanwhile.
    let _importing = state.0.import_lock.lock().await;
    let imported_at = chokepoint_store::now_rfc3339();
    let watched_dir = data_dir.clone();
    // The files, the manifest and the audit record are stored in one transaction
    // (crate::shared_lists), then the data directory's manifest is written.
    let actor = caller.name.clone();
    let audited =
        move |imported: &[String], unchanged: &[String], snapshot: &Snapshot| AuditEvent {
            kind: "list_import".to_string(),
            actor: actor.clone(),
            inputs: json!({ "files": inputs }),
            outputs: json!({
                "imported": imported,
                "unchanged": unchanged,
                "entries": snapshot.screener.index().entries().len(),
                "snapshot_files": snapshot_files(snapshot),
            }),
            list_snapshot: Some(snapshot.id.clone()),
            rule_set: None,
        };
    let built =
        crate::shared_lists::import(state.store(), &data_dir, files, &imported_at, audited).await;
    let (imported, unchanged, snapshot) = match built {
        Ok(built) => (built.imported, built.unchanged, built.snapshot),
        Err(LoadError::Engine(EngineError::Unreadable(errors))) => {
            return Err(ApiError::new(
                ErrorCode::InvalidListFile,
                format!(
                    "Nothing was imported: {}",
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            ));
        }
        Err(other) => return Err(ApiError::internal(other)),
    };
    let entries = snapshot.screener.index().entries().len();
    state.set_snapshot(Some(snapshot));
    state.0.metrics.count(metrics::Counter::ListImports);
    let described = describe(state.snapshot().as_deref());
    tracing::info!(actor = %caller.name, entries, "lists imported and swapped in");
    // Other instances on the same PostgreSQL database reload and swap too (ListsFollower).
    if let Some(id) = state.snapshot().map(|s| s.id.clone())
        && let Err(error) = state.store().announce_lists(&id).await
    {
        tracing::warn!(%error, "could not announce the import to other instances");
    }
    // Re-check the watched parties and open orders against what changed (crate::monitor).
    let options = crate::monitor::WatchOptions {
        as_of: chrono::Utc::now().date_naive(),
        actor: caller.name.clone(),
    };
    let watch = match crate::monitor::run_watch(
        state.store(),
        &watched_dir,
        state.snapshot(),
        &options,
    )
    .await
    {
        Ok(report) => serde_json::to_value(report).unwrap_or(Value::Null),
        Err(error) => {
            tracing::error!(%error, "re-checking the watched parties after the import failed");
            json!({ "error": "Re-checking the watched parties failed; see the server log and run `POST /v1/watch/run`." })
        }
    };
    Ok(Json(json!({
        "imported": imported,
        "unchanged": unchanged,
        "lists": described,
        "watch": watch,
    })))
}

/// The snapshot's files as audited: `[{"label", "sha256"}]`.
pub(crate) fn snapshot_files(snapshot: &Snapshot) -> Value {
    snapshot
        .files
        .iter()
        .map(|(label, sha256)| json!({ "label": label, "sha256": sha256 }))
        .collect()
}

/// The file name without any folder a client may have sent.
fn file_label(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_string()
}

/// Follows the list imports of other instances sharing this store (PostgreSQL
/// `LISTEN`/`NOTIFY`): when another instance announces a snapshot this one is not using, this
/// instance's data directory is brought up to the store's snapshot (the files it lacks are
/// copied from the store, see `shared_lists.rs`), and the lists are reloaded and swapped in
/// whole, so requests in flight finish on the old snapshot. The instances need not share a
/// data directory. Nothing to follow on SQLite.
#[derive(Debug)]
pub struct ListsFollower {
    stop: tokio::sync::watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl ListsFollower {
    /// Starts following (a no-op task on SQLite).
    pub fn spawn(state: AppState) -> ListsFollower {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let handle = tokio::spawn(follow(state, stopped));
        ListsFollower { stop, handle }
    }

    /// Stops following and waits for the task.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}

async fn follow(state: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let mut reconnecting = false;
    loop {
        let mut listener = match state.store().listen_lists().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for list imports of other instances; retrying");
                tokio::select! {
                    () = tokio::time::sleep(std::time::Duration::from_secs(5)) => continue,
                    _ = stopped.changed() => return,
                }
            }
        };
        // Announcements sent while this instance was not listening are lost: reload once.
        if reconnecting {
            reload(&state, None).await;
        }
        loop {
            tokio::select! {
                _ = stopped.changed() => return,
                announced = listener.recv() => match announced {
                    Ok(snapshot_id) => reload(&state, Some(&snapshot_id)).await,
                    Err(error) => {
                        tracing::warn!(%error, "the list-import listener failed; reconnecting");
                        reconnecting = true;
                        break;
                    }
                },
            }
        }
    }
}

/// Reloads the lists unless `announced` is the snapshot already in use.
async fn reload(state: &AppState, announced: Option<&str>) {
    if let (Some(announced), Some(current)) = (announced, state.snapshot())
        && current.id == announced
    {
        return;
    }
    let _importing = state.0.import_lock.lock().await;
    match state.load_lists().await {
        Ok(_) => tracing::info!(
            snapshot = state.snapshot().map(|s| s.id.clone()).unwrap_or_default(),
            "lists reloaded after another instance's import"
        ),
        Err(error) => {
            tracing::error!(%error, "reloading the lists announced by another instance failed")
        }
    }
}
