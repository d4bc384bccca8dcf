//! The application façade of chokepoint, shared by the CLI and the server: reads list files
//! from disk, keeps the data directory, downloads the official files, and screens names against
//! an index built from them.
//!
//! This is an edge crate: it does file and network I/O and reads the clock where asked. The pure
//! work (parsing, normalising, matching) happens in `chokepoint-ingest`, `chokepoint-names` and
//! `chokepoint-screening`.

#![warn(missing_docs)]

mod aliases;
mod datadir;
mod determination;
mod history;
mod monitor;
mod pairs;
mod screen;
mod source;
mod update;

pub use aliases::{SHIPPED_CROSSWALK, apply_crosswalk};
pub use datadir::{DataDir, ImportReport, Manifest, PreparedImport, StagedFile, StoredFile};
pub use determination::{ScreenerLookup, list_status, snapshot_id};
pub use history::{
    Revision, RevisionFile, RevisionSpec, SourceSnapshot, revision_on, source_matches,
    split_sources,
};
pub use monitor::{DeltaIndex, WatchScreen, entry_hash, screen_watched};
pub use pairs::score_pairs;
pub use screen::{
    BatchAnswer, BatchRow, HitRecord, ScreenOptions, ScreenQuery, ScreenQueryWire, Screener,
    read_batch_csv,
};
pub use source::{LoadedLists, load_paths, sha256_hex};
pub use update::{NoProgress, OFFICIAL_FILES, OfficialFile, Progress, UpdateSource, update};

use chokepoint_ingest::IngestError;
use std::path::PathBuf;

/// What can go wrong at the edges.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A file or folder could not be read or written.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// Files that are no readable list.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Unreadable(Vec<IngestError>),
    /// Nothing to import at the paths given.
    #[error("no list files found at {}", .0.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", "))]
    NothingToImport(Vec<PathBuf>),
    /// The data directory is damaged.
    #[error("the data directory is damaged at `{}`: {reason}", path.display())]
    CorruptDataDir {
        /// The damaged file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A download failed.
    #[error("cannot download `{url}`: {reason}")]
    Download {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A user file is not what it should be.
    #[error("`{label}`: {reason}")]
    BadInput {
        /// The file.
        label: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
}
