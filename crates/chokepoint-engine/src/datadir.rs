//! The data directory: imported list files, kept by content hash, and a manifest saying which
//! file is current for each source.
//!
//! ```text
//! DATA_DIR/lists/manifest.json        which files are current, what they hold
//! DATA_DIR/lists/files/SHA256-NAME    every file ever imported, never rewritten
//! ```
//!
//! Files are written to a temporary name and renamed into place, and the manifest likewise, so a
//! crash mid-import leaves the previous state whole. Importing the same content again changes
//! nothing.

use crate::EngineError;
use crate::history::{Revision, RevisionFile, next_revision};
use crate::source::{LoadedLists, label_of, parse_contents, sha256_hex};
use chokepoint_model::ListMeta;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

const MANIFEST_VERSION: u32 = 1;

/// The manifest of imported lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version of this file.
    pub version: u32,
    /// The current file of each source, by label.
    pub files: Vec<StoredFile>,
    /// What each current list holds.
    pub lists: Vec<ListMeta>,
    /// Every revision, oldest first (see [`Revision`]); the last one is current.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Revision>,
}

/// One imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// The file name it was imported under (OFAC companions are paired by it).
    pub label: String,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Path inside `lists/files/`.
    pub stored_as: String,
    /// Where it was imported from (a path or a URL).
    pub imported_from: String,
    /// When, RFC 3339.
    pub imported_at: String,
}

impl Manifest {
    /// The current files as `(label, sha256)`.
    pub fn current_files(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .map(|f| (f.label.clone(), f.sha256.clone()))
            .collect()
    }

    /// The snapshot id of the current files (see [`snapshot_id`](crate::snapshot_id)); `None`
    /// when nothing was imported.
    pub fn snapshot_id(&self) -> Option<String> {
        (!self.files.is_empty()).then(|| crate::snapshot_id(&self.current_files()))
    }

    /// Every file the manifest names, current or of a past revision, as `(sha256, stored_as)`,
    /// each once, the current files first.
    pub fn referenced_files(&self) -> Vec<(String, String)> {
        let mut seen = std::collections::HashSet::new();
        let current = self.files.iter().map(|f| (&f.sha256, &f.stored_as));
        let past = self
            .history
            .iter()
            .rev()
            .flat_map(|r| r.files.iter().map(|f| (&f.sha256, &f.stored_as)));
        current
            .chain(past)
            .filter(|(_, stored_as)| seen.insert(stored_as.as_str()))
            .map(|(sha256, stored_as)| (sha256.clone(), stored_as.clone()))
            .collect()
    }

    /// When the current files were imported (the last revision's time, else the latest file's).
    pub fn imported_at(&self) -> Option<&str> {
        self.history
            .last()
            .map(|r| r.imported_at.as_str())
            .or_else(|| self.files.iter().map(|f| f.imported_at.as_str()).max())
    }
}

/// An import whose files are stored but whose manifest is not written yet: the caller records
/// it elsewhere first (the server: in the database, with its audit record), then writes it
/// ([`DataDir::write_manifest`]). Until then the data directory's lists are unchanged.
#[derive(Debug)]
pub struct PreparedImport {
    /// The manifest after the import.
    pub manifest: Manifest,
    /// What the import did.
    pub report: ImportReport,
}

/// A file being copied into `lists/` (see [`DataDir::stage_file`]): written to a temporary
/// name, hashed as it goes, and renamed into place by [`StagedFile::finish`] only when its
/// SHA-256 is the expected one.
#[derive(Debug)]
pub struct StagedFile {
    tmp: PathBuf,
    target: PathBuf,
    file: std::fs::File,
    hasher: sha2::Sha256,
}

impl StagedFile {
    /// Appends bytes.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), EngineError> {
        use sha2::Digest;
        self.hasher.update(bytes);
        self.file
            .write_all(bytes)
            .map_err(|source| EngineError::Io {
                path: self.tmp.clone(),
                action: "write",
                source,
            })
    }

    /// Checks the content against `sha256`, flushes it to disk and renames it into place; on a
    /// mismatch the temporary file is removed and nothing is kept.
    pub fn finish(mut self, sha256: &str) -> Result<(), EngineError> {
        use sha2::Digest;
        let actual: String = std::mem::take(&mut self.hasher)
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if actual != sha256 {
            return Err(EngineError::CorruptDataDir {
                path: self.target.clone(),
                reason: format!("the copy's SHA-256 is `{actual}`, not the recorded `{sha256}`"),
            });
        }
        self.file.sync_all().map_err(|source| EngineError::Io {
            path: self.tmp.clone(),
            action: "sync",
            source,
        })?;
        std::fs::rename(&self.tmp, &self.target).map_err(|source| EngineError::Io {
            path: self.target.clone(),
            action: "replace",
            source,
        })
    }
}

impl Drop for StagedFile {
    /// A copy not finished (or refused) leaves no temporary file behind.
    fn drop(&mut self) {
        if self.tmp.exists() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Files stored as the new current version of their source.
    pub imported: Vec<StoredFile>,
    /// Files whose content was already current.
    pub unchanged: Vec<String>,
    /// The lists now current, with the problems met in the new files.
    pub loaded: LoadedLists,
}

/// A chokepoint data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The data directory at `root` (created on first import).
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// Its root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn lists_dir(&self) -> PathBuf {
        self.root.join("lists")
    }

    fn manifest_path(&self) -> PathBuf {
        self.lists_dir().join("manifest.json")
    }

    /// The manifest, or an empty one when nothing was imported yet.
    pub fn manifest(&self) -> Result<Manifest, EngineError> {
        let path = self.manifest_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Manifest {
                    version: MANIFEST_VERSION,
                    ..Manifest::default()
                });
            }
            Err(source) => {
                return Err(EngineError::Io {
                    path,
                    action: "read",
                    source,
                });
            }
        };
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| EngineError::CorruptDataDir {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if manifest.version != MANIFEST_VERSION {
            return Err(EngineError::CorruptDataDir {
                path,
                reason: format!(
                    "manifest version {} is not supported (this chokepoint reads version {MANIFEST_VERSION})",
                    manifest.version
                ),
            });
        }
        Ok(manifest)
    }

    /// Whether any list was imported.
    pub fn has_lists(&self) -> Result<bool, EngineError> {
        Ok(!self.manifest()?.files.is_empty())
    }

    /// Loads every current list.
    pub fn load(&self) -> Result<LoadedLists, EngineError> {
        self.load_with(&self.manifest()?)
    }

    /// Imports list files given as `(label, bytes, origin)`. Every file must parse (an
    /// unreadable or unrecognised file is refused, and nothing is changed); the new files become
    /// the current version of their source, other sources stay as they were.
    pub fn import(
        &self,
        files: Vec<(String, Vec<u8>, String)>,
        imported_at: &str,
    ) -> Result<ImportReport, EngineError> {
        let prepared = self.prepare_import(files, imported_at)?;
        self.write_manifest(&prepared.manifest)?;
        Ok(prepared.report)
    }

    /// [`DataDir::import`] without writing the manifest: the files are stored (by content
    /// hash, so an import that goes no further leaves only unused files) and the new manifest
    /// is returned, to be written with [`DataDir::write_manifest`].
    pub fn prepare_import(
        &self,
        files: Vec<(String, Vec<u8>, String)>,
        imported_at: &str,
    ) -> Result<PreparedImport, EngineError> {
        let contents: Vec<(String, Vec<u8>, bool, PathBuf)> = files
            .iter()
            .map(|(label, bytes, origin)| {
                (label.clone(), bytes.clone(), true, PathBuf::from(origin))
            })
            .collect();
        let parsed = parse_contents(&contents);
        if !parsed.unreadable.is_empty() {
            return Err(EngineError::Unreadable(parsed.unreadable));
        }
        let mut manifest = self.manifest()?;
        // Revisions began after this directory's first import: its state then is revision 1.
        if manifest.history.is_empty() && !manifest.files.is_empty() {
            manifest.history = self.history()?;
        }
        let files_dir = self.lists_dir().join("files");
        create_dir(&files_dir)?;
        let mut report = ImportReport::default();
        for (label, bytes, origin) in files {
            let sha256 = sha256_hex(&bytes);
            if manifest
                .files
                .iter()
                .any(|f| f.label == label && f.sha256 == sha256)
            {
                report.unchanged.push(label);
                continue;
            }
            let stored_as = format!("files/{sha256}-{}", sanitize(&label));
            let target = self.lists_dir().join(&stored_as);
            if !target.exists() {
                write_atomically(&target, &bytes)?;
            }
            let stored = StoredFile {
                label: label.clone(),
                sha256,
                stored_as,
                imported_from: origin,
                imported_at: imported_at.to_string(),
            };
            manifest.files.retain(|f| f.label != label);
            manifest.files.push(stored.clone());
            report.imported.push(stored);
        }
        manifest.files.sort_by(|a, b| a.label.cmp(&b.label));
        // Describe what is now current, from the files themselves.
        let current = self.load_with(&manifest)?;
        manifest.lists = current.set.lists.clone();
        let files = self.revision_files(&manifest);
        if let Some(revision) = next_revision(manifest.history.last(), files, &current, imported_at)
        {
            manifest.history.push(revision);
        }
        report.loaded = current;
        Ok(PreparedImport { manifest, report })
    }

    /// Makes `manifest` the data directory's (atomically: readers see the old one or the new).
    /// Every file it names must be in `lists/` already.
    pub fn write_manifest(&self, manifest: &Manifest) -> Result<(), EngineError> {
        let text =
            serde_json::to_vec_pretty(manifest).map_err(|e| EngineError::CorruptDataDir {
                path: self.manifest_path(),
                reason: e.to_string(),
            })?;
        write_atomically(&self.manifest_path(), &text)
    }

    /// The files `manifest` names (see [`Manifest::referenced_files`]) that are not in `lists/`,
    /// as `(sha256, stored_as)`.
    pub fn missing_files(&self, manifest: &Manifest) -> Vec<(String, String)> {
        manifest
            .referenced_files()
            .into_iter()
            .filter(|(_, stored_as)| !self.lists_dir().join(stored_as).is_file())
            .collect()
    }

    /// The content of a file kept in `lists/` (`stored_as` as the manifest names it).
    pub fn read_file(&self, stored_as: &str) -> Result<Vec<u8>, EngineError> {
        let path = self.stored_path(stored_as)?;
        std::fs::read(&path).map_err(|source| EngineError::Io {
            path,
            action: "read",
            source,
        })
    }

    /// Starts copying a file into `lists/` under `stored_as` (`files/NAME`, as a manifest
    /// names it; anything else is refused).
    pub fn stage_file(&self, stored_as: &str) -> Result<StagedFile, EngineError> {
        use sha2::Digest;
        let target = self.stored_path(stored_as)?;
        let dir = target.parent().unwrap_or(Path::new(".")).to_path_buf();
        create_dir(&dir)?;
        let tmp = dir.join(format!(".{}.tmp-{}", label_of(&target), std::process::id()));
        let file = std::fs::File::create(&tmp).map_err(|source| EngineError::Io {
            path: tmp.clone(),
            action: "create",
            source,
        })?;
        Ok(StagedFile {
            tmp,
            target,
            file,
            hasher: sha2::Sha256::new(),
        })
    }

    /// The path of `stored_as` inside `lists/`, refusing names that would leave `lists/files/`.
    fn stored_path(&self, stored_as: &str) -> Result<PathBuf, EngineError> {
        let name = stored_as.strip_prefix("files/").unwrap_or("");
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
            return Err(EngineError::CorruptDataDir {
                path: self.manifest_path(),
                reason: format!("`{stored_as}` is not a file name under `lists/files/`"),
            });
        }
        Ok(self.lists_dir().join("files").join(name))
    }

    /// Imports the files at `paths` (files, or directories read recursively).
    pub fn import_paths(
        &self,
        paths: &[PathBuf],
        imported_at: &str,
    ) -> Result<ImportReport, EngineError> {
        let mut files = Vec::new();
        for path in paths {
            let mut found = Vec::new();
            if path.is_dir() {
                let loaded = crate::source::load_paths(std::slice::from_ref(path))?;
                // Keep only the files that are lists.
                let skipped = loaded.skipped;
                let mut listed = Vec::new();
                crate::source::collect_dir(path, &mut listed)?;
                found.extend(listed.into_iter().map(|(p, _)| p));
                found.retain(|p| !skipped.contains(p));
            } else {
                found.push(path.clone());
            }
            for file in found {
                let bytes = std::fs::read(&file).map_err(|source| EngineError::Io {
                    path: file.clone(),
                    action: "read",
                    source,
                })?;
                files.push((label_of(&file), bytes, file.display().to_string()));
            }
        }
        if files.is_empty() {
            return Err(EngineError::NothingToImport(paths.to_vec()));
        }
        self.import(files, imported_at)
    }

    /// The current files of `manifest`, as a revision records them.
    pub(crate) fn revision_files(&self, manifest: &Manifest) -> Vec<RevisionFile> {
        manifest
            .files
            .iter()
            .map(|f| RevisionFile {
                label: f.label.clone(),
                sha256: f.sha256.clone(),
                stored_as: f.stored_as.clone(),
            })
            .collect()
    }

    /// Loads the files `manifest` names, checking each against its recorded SHA-256.
    fn load_with(&self, manifest: &Manifest) -> Result<LoadedLists, EngineError> {
        let files: Vec<(String, String, String)> = manifest
            .files
            .iter()
            .map(|f| (f.label.clone(), f.sha256.clone(), f.stored_as.clone()))
            .collect();
        self.load_files(&files)
    }

    /// Loads files kept in `lists/` given as `(label, sha256, stored_as)`, checking each
    /// against its SHA-256.
    pub(crate) fn load_files(
        &self,
        files: &[(String, String, String)],
    ) -> Result<LoadedLists, EngineError> {
        let mut contents = Vec::with_capacity(files.len());
        for (label, sha256, stored_as) in files {
            let path = self.lists_dir().join(stored_as);
            let bytes = std::fs::read(&path).map_err(|source| EngineError::Io {
                path: path.clone(),
                action: "read",
                source,
            })?;
            if sha256_hex(&bytes) != *sha256 {
                return Err(EngineError::CorruptDataDir {
                    path,
                    reason: format!(
                        "content does not match its recorded SHA-256 `{sha256}`; import the list again"
                    ),
                });
            }
            contents.push((label.clone(), bytes, true, path));
        }
        Ok(parse_contents(&contents))
    }
}

fn sanitize(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn create_dir(dir: &Path) -> Result<(), EngineError> {
    std::fs::create_dir_all(dir).map_err(|source| EngineError::Io {
        path: dir.to_path_buf(),
        action: "create",
        source,
    })
}

/// Writes `bytes` to a temporary file beside `target`, flushes it to disk, then renames it over
/// `target`: readers see the old content or the new, never half of it.
pub(crate) fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    create_dir(dir)?;
    let tmp = dir.join(format!(".{}.tmp-{}", label_of(target), std::process::id()));
    let io = |source, action| EngineError::Io {
        path: tmp.clone(),
        action,
        source,
    };
    let mut file = std::fs::File::create(&tmp).map_err(|e| io(e, "create"))?;
    file.write_all(bytes).map_err(|e| io(e, "write"))?;
    file.sync_all().map_err(|e| io(e, "sync"))?;
    drop(file);
    std::fs::rename(&tmp, target).map_err(|source| EngineError::Io {
        path: target.to_path_buf(),
        action: "replace",
        source,
    })
}
