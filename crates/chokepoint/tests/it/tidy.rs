//! House rules checked mechanically: every source file opens with a `//!` line, and the pure
//! crates depend on no crate that does I/O, async, HTTP, SQL or error erasure.

use crate::repo_root;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "target" || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let mut files = Vec::new();
    rust_files(&repo_root().join("crates"), &mut files);
    rust_files(&repo_root().join("fuzz"), &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .map(|t| !t.trim_start().starts_with("//!"))
                .unwrap_or(true)
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` header:\n{}",
        missing.join("\n")
    );
}

#[test]
fn pure_crates_stay_pure() {
    const PURE: &[&str] = &[
        "chokepoint-model",
        "chokepoint-names",
        "chokepoint-screening",
        "chokepoint-ingest",
        "chokepoint-rules",
        "chokepoint-registry",
        "chokepoint-bom",
        "chokepoint-monitor",
    ];
    const FORBIDDEN: &[&str] = &[
        "tokio", "sqlx", "axum", "reqwest", "ureq", "anyhow", "clap", "hyper",
    ];
    for krate in PURE {
        let manifest = repo_root().join("crates").join(krate).join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let deps = text.split("[dependencies]").nth(1).unwrap_or("");
        let deps = deps.split("\n[").next().unwrap_or("");
        for line in deps.lines() {
            let name = line.split(['=', '.', ' ']).next().unwrap_or("").trim();
            assert!(
                !FORBIDDEN.contains(&name),
                "{krate} depends on `{name}`, which the pure crates must not"
            );
        }
        let mut files = Vec::new();
        rust_files(
            &repo_root().join("crates").join(krate).join("src"),
            &mut files,
        );
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for banned in [
                "std::fs::",
                "std::env::",
                "SystemTime::now",
                "Utc::now",
                "Local::now",
                "std::net::",
            ] {
                assert!(
                    !text.contains(banned),
                    "{} uses `{banned}`: pure crates do no I/O and read no clock",
                    file.display()
                );
            }
        }
    }
}
