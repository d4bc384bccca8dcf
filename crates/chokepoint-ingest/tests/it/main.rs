//! The integration tests of chokepoint-ingest, in one binary: real official files from
//! `../shared/data` (skipped loudly when that folder is absent), format detection of every
//! shared file, and property tests that no input makes a reader panic.

mod bad_corpus;
mod detection;
mod never_panics;
mod real_data;
mod tidy;

use std::path::PathBuf;

/// The shared data folder, or `None` (after saying so on stderr) when it is absent.
pub fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: ../shared/data not found (looked for {})",
            dir.display()
        );
        None
    }
}

/// The bytes of a shared data file; panics with the path when it cannot be read.
pub fn read(dir: &std::path::Path, relative: &str) -> Vec<u8> {
    let path = dir.join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
