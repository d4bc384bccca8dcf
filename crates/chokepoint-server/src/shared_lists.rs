//! The lists kept in the store, the source of truth when several instances share a database.
//!
//! An import stores its new files, the new manifest and its `list_import` audit record in one
//! transaction ([`ListStore::save_list_snapshot`]), built on the snapshot the store held
//! (`base`: if another instance stored one meanwhile, the import catches up and is built
//! again). Only then is the manifest written to the data directory. The data directory is each
//! instance's copy: [`catch_up`] brings it to the store's current snapshot (copying the files it
//! lacks, chunk by chunk, then writing the manifest as stored), so the same files give the same
//! snapshot id and entry hashes everywhere, and `lists history|diff`, replays and the change
//! report read the same revisions.
//!
//! A data directory can also hold lists the store does not know: imported by the CLI
//! (`chokepoint lists import`), or from before the store kept lists. When they were imported
//! after the store's current snapshot, they are published (with the `lists_loaded` audit record,
//! in one transaction); otherwise the store's lists replace them.

use crate::AppState;
use crate::lists::{ListsSource, LoadError, Snapshot, snapshot_files};
use chokepoint_engine::{DataDir, EngineError, Manifest};
use chokepoint_store::{AuditEvent, CurrentLists, NewListFile, NewListSnapshot, Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

/// How many times a snapshot is built again when another instance stored one meanwhile.
const ATTEMPTS: usize = 3;

/// Where the data directory stands against the store after [`catch_up`].
#[derive(Debug)]
pub(crate) struct Caught {
    /// The `seq` of the store's current snapshot: the base of the next one.
    pub base: Option<u64>,
    /// The data directory holds lists the store does not know, imported after the store's
    /// current snapshot: they are to be published.
    pub unpublished: bool,
    /// The data directory's manifest now.
    pub manifest: Manifest,
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> Result<T, LoadError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| LoadError::Internal(e.to_string()))?
        .map_err(LoadError::from)
}

/// Whether RFC 3339 time `a` is after `b` (compared as text when either cannot be read).
fn later(a: &str, b: &str) -> bool {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a > b,
        _ => a > b,
    }
}

/// Brings the data directory to the store's current snapshot when the store's is the newer,
/// and says where it stands.
pub(crate) async fn catch_up(
    store: &Arc<dyn Store>,
    data_dir: &DataDir,
) -> Result<Caught, LoadError> {
    let current = store.current_lists().await?;
    let manifest = {
        let data_dir = data_dir.clone();
        blocking(move || data_dir.manifest()).await?
    };
    let local = manifest.snapshot_id();
    let Some(current) = current else {
        return Ok(Caught {
            base: None,
            unpublished: local.is_some(),
            manifest,
        });
    };
    let base = Some(current.snapshot.seq);
    if local.as_deref() == Some(current.snapshot.snapshot_id.as_str()) {
        return Ok(Caught {
            base,
            unpublished: false,
            manifest,
        });
    }
    if let Some(local) = &local
        && store.list_snapshot(local).await?.is_none()
    {
        let imported_at = manifest.imported_at().unwrap_or("");
        if later(imported_at, &current.snapshot.imported_at) {
            return Ok(Caught {
                base,
                unpublished: true,
                manifest,
            });
        }
        tracing::warn!(
            local = %local,
            store = %current.snapshot.snapshot_id,
            "the data directory holds lists the store does not know, older than the store's: \
             the store's lists replace them (their files stay in lists/files/)"
        );
    }
    let manifest = materialise(store.as_ref(), data_dir, &current).await?;
    tracing::info!(
        snapshot = %current.snapshot.snapshot_id,
        seq = current.snapshot.seq,
        "the data directory now holds the store's current lists"
    );
    Ok(Caught {
        base,
        unpublished: false,
        manifest,
    })
}

/// Copies the files of the store's current snapshot that the data directory lacks, then writes
/// the manifest as stored. A file of a past revision the store does not have is skipped (that
/// revision cannot be loaded here); a current one is an error.
async fn materialise(
    store: &dyn Store,
    data_dir: &DataDir,
    current: &CurrentLists,
) -> Result<Manifest, LoadError> {
    let manifest: Manifest = serde_json::from_str(&current.manifest).map_err(|e| {
        LoadError::Store(StoreError::Corrupt {
            what: format!("manifest of list snapshot {}", current.snapshot.seq),
            reason: e.to_string(),
        })
    })?;
    let current_files: HashSet<String> = manifest.files.iter().map(|f| f.sha256.clone()).collect();
    let missing = {
        let (data_dir, manifest) = (data_dir.clone(), manifest.clone());
        blocking(move || Ok(data_dir.missing_files(&manifest))).await?
    };
    for (sha256, stored_as) in missing {
        match store.list_file(&sha256).await? {
            Some(info) => copy_file(store, data_dir, &sha256, &stored_as, info.chunks).await?,
            None if current_files.contains(&sha256) => {
                return Err(LoadError::Store(StoreError::NotFound {
                    what: "list file",
                    id: sha256,
                }));
            }
            None => tracing::warn!(
                %sha256,
                %stored_as,
                "a file of a past list revision is not in the store: that revision cannot be \
                 loaded from this data directory"
            ),
        }
    }
    let data_dir = data_dir.clone();
    let written = manifest.clone();
    blocking(move || data_dir.write_manifest(&written)).await?;
    Ok(manifest)
}

/// Streams one stored file into `lists/`, a chunk at a time, checked against its SHA-256.
async fn copy_file(
    store: &dyn Store,
    data_dir: &DataDir,
    sha256: &str,
    stored_as: &str,
    chunks: u64,
) -> Result<(), LoadError> {
    let mut staged = {
        let (data_dir, stored_as) = (data_dir.clone(), stored_as.to_string());
        blocking(move || data_dir.stage_file(&stored_as)).await?
    };
    for index in 0..chunks {
        let chunk = store.list_file_chunk(sha256, index).await?;
        staged = blocking(move || {
            staged.write(&chunk)?;
            Ok(staged)
        })
        .await?;
    }
    let sha256 = sha256.to_string();
    blocking(move || staged.finish(&sha256)).await
}

/// Stores every file `manifest` names that the store lacks and the data directory has, except
/// those in `inline` (stored with the snapshot itself), one transaction per file.
async fn upload_missing(
    store: &dyn Store,
    data_dir: &DataDir,
    manifest: &Manifest,
    inline: &HashSet<String>,
) -> Result<(), LoadError> {
    let stored: HashSet<String> = store.list_file_hashes().await?.into_iter().collect();
    let local = {
        let (data_dir, manifest) = (data_dir.clone(), manifest.clone());
        blocking(move || Ok(data_dir.missing_files(&manifest))).await?
    };
    let absent: HashSet<String> = local.into_iter().map(|(_, stored_as)| stored_as).collect();
    for (sha256, stored_as) in manifest.referenced_files() {
        if stored.contains(&sha256) || inline.contains(&sha256) || absent.contains(&stored_as) {
            continue;
        }
        let content = {
            let data_dir = data_dir.clone();
            blocking(move || data_dir.read_file(&stored_as)).await?
        };
        store
            .store_list_file(NewListFile { sha256, content })
            .await?;
    }
    Ok(())
}

fn manifest_json(manifest: &Manifest) -> Result<String, LoadError> {
    serde_json::to_string(manifest).map_err(|e| LoadError::Internal(e.to_string()))
}

/// What [`AppState::load_lists`] does: catch up with the store (data directory only), load
/// and index the lists, publish them when the store does not know them, put them in use and
/// audit it (`lists_loaded`).
pub(crate) async fn load_lists(state: &AppState) -> Result<bool, LoadError> {
    let source = state.source().clone();
    let data_dir = match &source {
        ListsSource::DataDir(data_dir) => Some(data_dir.clone()),
        ListsSource::Paths(_) => None,
    };
    for attempt in 1..=ATTEMPTS {
        let caught = match &data_dir {
            Some(data_dir) => Some(catch_up(state.store(), data_dir).await?),
            None => None,
        };
        let snapshot = {
            let source = source.clone();
            tokio::task::spawn_blocking(move || source.load())
                .await
                .map_err(|e| LoadError::Internal(e.to_string()))??
        };
        let Some(snapshot) = snapshot else {
            state.set_snapshot(None);
            return Ok(false);
        };
        let event = AuditEvent {
            kind: "lists_loaded".to_string(),
            actor: "server".to_string(),
            inputs: serde_json::json!({}),
            outputs: serde_json::json!({
                "entries": snapshot.screener.index().entries().len(),
                "snapshot_files": snapshot_files(&snapshot),
            }),
            list_snapshot: Some(snapshot.id.clone()),
            rule_set: None,
        };
        match (caught, &data_dir) {
            (Some(caught), Some(data_dir)) if caught.unpublished => {
                upload_missing(
                    state.store().as_ref(),
                    data_dir,
                    &caught.manifest,
                    &HashSet::new(),
                )
                .await?;
                let published = NewListSnapshot {
                    snapshot_id: snapshot.id.clone(),
                    imported_at: caught.manifest.imported_at().unwrap_or("").to_string(),
                    manifest: manifest_json(&caught.manifest)?,
                    base: caught.base,
                    files: Vec::new(),
                    required: caught
                        .manifest
                        .files
                        .iter()
                        .map(|f| f.sha256.clone())
                        .collect(),
                };
                match state.store().save_list_snapshot(published, event).await {
                    Ok((_, stored)) => {
                        tracing::info!(
                            snapshot = %stored.snapshot_id,
                            seq = stored.seq,
                            "the data directory's lists are now the store's"
                        );
                        state.set_snapshot(Some(snapshot));
                        return Ok(true);
                    }
                    Err(StoreError::Conflict(reason)) if attempt < ATTEMPTS => {
                        tracing::info!(%reason, "another instance stored lists meanwhile; again");
                    }
                    Err(error) => return Err(error.into()),
                }
            }
            _ => {
                state.set_snapshot(Some(snapshot));
                state
                    .store()
                    .append_audit(event)
                    .await
                    .map_err(|e| LoadError::Internal(e.to_string()))?;
                return Ok(true);
            }
        }
    }
    Err(LoadError::Internal(
        "other instances kept storing lists; try again".to_string(),
    ))
}

/// A list import as the server does it: see the module documentation.
#[derive(Debug)]
pub(crate) struct Imported {
    /// Labels of the files stored as new versions.
    pub imported: Vec<String>,
    /// Labels of the files already current.
    pub unchanged: Vec<String>,
    /// The new snapshot, in use once this returns.
    pub snapshot: Snapshot,
}

/// Imports `files` (`(label, bytes, origin)`) into `data_dir` and the store, auditing it with
/// `event(imported, unchanged, snapshot)` in the same transaction. Nothing is changed when a
/// file is refused. The caller holds the import lock.
pub(crate) async fn import(
    store: &Arc<dyn Store>,
    data_dir: &DataDir,
    files: Vec<(String, Vec<u8>, String)>,
    imported_at: &str,
    event: impl Fn(&[String], &[String], &Snapshot) -> AuditEvent,
) -> Result<Imported, LoadError> {
    // Hashed once, on a worker thread (a 30 MB list takes a while).
    let hashes: Vec<String> = {
        let files = files.clone();
        blocking(move || {
            Ok(files
                .iter()
                .map(|(_, bytes, _)| chokepoint_engine::sha256_hex(bytes))
                .collect())
        })
        .await?
    };
    for attempt in 1..=ATTEMPTS {
        let caught = catch_up(store, data_dir).await?;
        let (prepared, snapshot) = {
            let (data_dir, files, imported_at) =
                (data_dir.clone(), files.clone(), imported_at.to_string());
            tokio::task::spawn_blocking(move || {
                let mut prepared = data_dir.prepare_import(files, &imported_at)?;
                let loaded = std::mem::take(&mut prepared.report.loaded);
                let snapshot = Snapshot::build(loaded, prepared.manifest.current_files())?;
                Ok::<_, LoadError>((prepared, snapshot))
            })
            .await
            .map_err(|e| LoadError::Internal(e.to_string()))??
        };
        let imported: Vec<String> = prepared
            .report
            .imported
            .iter()
            .map(|f| f.label.clone())
            .collect();
        let unchanged = prepared.report.unchanged.clone();
        let new_files: Vec<NewListFile> = prepared
            .report
            .imported
            .iter()
            .filter_map(|stored| {
                files
                    .iter()
                    .zip(&hashes)
                    .find(|((label, _, _), sha256)| {
                        *label == stored.label && **sha256 == stored.sha256
                    })
                    .map(|((_, bytes, _), _)| NewListFile {
                        sha256: stored.sha256.clone(),
                        content: bytes.clone(),
                    })
            })
            .collect();
        let inline: HashSet<String> = new_files.iter().map(|f| f.sha256.clone()).collect();
        upload_missing(store.as_ref(), data_dir, &prepared.manifest, &inline).await?;
        let new_snapshot = NewListSnapshot {
            snapshot_id: snapshot.id.clone(),
            imported_at: imported_at.to_string(),
            manifest: manifest_json(&prepared.manifest)?,
            base: caught.base,
            files: new_files,
            required: prepared
                .manifest
                .files
                .iter()
                .map(|f| f.sha256.clone())
                .collect(),
        };
        let audited = event(&imported, &unchanged, &snapshot);
        match store.save_list_snapshot(new_snapshot, audited).await {
            Ok(_) => {
                // The store has it: a failure here is repaired at the next start (catch_up).
                let (dir, manifest) = (data_dir.clone(), prepared.manifest);
                if let Err(error) = blocking(move || dir.write_manifest(&manifest)).await {
                    tracing::error!(
                        %error,
                        "the import is stored but the data directory's manifest could not be \
                         written; it is written again at the next start"
                    );
                }
                return Ok(Imported {
                    imported,
                    unchanged,
                    snapshot,
                });
            }
            Err(StoreError::Conflict(reason)) if attempt < ATTEMPTS => {
                tracing::info!(%reason, "another instance imported lists meanwhile; again");
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(LoadError::Internal(
        "other instances kept importing lists; try again".to_string(),
    ))
}
