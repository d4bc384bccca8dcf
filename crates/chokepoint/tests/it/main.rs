//! Integration tests of the `chokepoint` binary: the command-line contracts the README documents,
//! run against the built binary with temporary data directories.

mod bom;
mod cli;
mod determinations;
mod facility;
mod monitor;
mod service;
mod tidy;
mod ui;
mod update;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/data` beside the checkout, or `None` (after saying the test is skipped).
pub fn shared_data(test: &str) -> Option<PathBuf> {
    let dir = repo_root().join("../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED {test}: ../shared/data not found beside the checkout");
        None
    }
}

/// Runs the binary with `args` and a private data directory.
pub fn chokepoint(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(args)
        .env("CHOKEPOINT_DATA_DIR", data_dir)
        .env_remove("CHOKEPOINT_LIST_MIRROR")
        .current_dir(repo_root())
        .output()
        .expect("the chokepoint binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
