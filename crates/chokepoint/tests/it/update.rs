//! `lists update` against a local HTTP server that serves the shared snapshots under the
//! official file names: downloads, checksums, atomic import, and "unchanged" on a second run.

use crate::{chokepoint, shared_data, stderr, stdout};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;

/// Serves `files` (URL path → file) on loopback until the process ends; at most `max_requests`.
fn serve(files: Vec<(&'static str, PathBuf)>, max_requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max_requests) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(match stream.try_clone() {
                Ok(s) => s,
                Err(_) => continue,
            });
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/");
            let body = files
                .iter()
                .find(|(name, _)| path == format!("/lists/{name}"))
                .and_then(|(_, file)| std::fs::read(file).ok());
            let _ = match body {
                Some(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|_| stream.write_all(&body)),
                None => stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    format!("http://{addr}/lists")
}

#[test]
fn update_downloads_checks_and_imports_from_a_mirror() {
    let Some(data) = shared_data("update_downloads_checks_and_imports_from_a_mirror") else {
        return;
    };
    let files = vec![
        (
            "consolidated.csv",
            data.join("us-csl/consolidated_2026-07-31.csv"),
        ),
        ("dpl.txt", data.join("us-bis-dpl/dpl.txt")),
        (
            "UN_consolidated.xml",
            data.join("un-sc-consolidated/UN_consolidated.xml"),
        ),
        (
            "cons_prim.csv",
            data.join("ofac-consolidated-nonsdn/cons_prim.csv"),
        ),
        (
            "cons_add.csv",
            data.join("ofac-consolidated-nonsdn/cons_add.csv"),
        ),
        (
            "cons_alt.csv",
            data.join("ofac-consolidated-nonsdn/cons_alt.csv"),
        ),
        (
            "cons_comments.csv",
            data.join("ofac-consolidated-nonsdn/cons_comments.csv"),
        ),
    ];
    let only: Vec<&str> = files.iter().flat_map(|(n, _)| ["--only", n]).collect();
    let mirror = serve(files, 64);
    let dir = tempfile::tempdir().expect("temp dir");

    let mut args = vec!["lists", "update", "--mirror", mirror.as_str()];
    args.extend(only.iter().copied());
    let out = chokepoint(dir.path(), &args);
    assert!(out.status.success(), "update failed: {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("imported consolidated.csv"), "{text}");
    assert!(text.contains("imported UN_consolidated.xml"), "{text}");

    let status = stdout(&chokepoint(
        dir.path(),
        &["lists", "status", "--format", "json"],
    ));
    let manifest: serde_json::Value = serde_json::from_str(&status).expect("manifest JSON");
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), 7, "{manifest}");
    assert!(
        files
            .iter()
            .all(|f| f["sha256"].as_str().is_some_and(|s| s.len() == 64))
    );
    assert!(files.iter().all(|f| {
        f["imported_from"]
            .as_str()
            .is_some_and(|s| s.starts_with(&mirror))
    }));
    let csl = manifest["lists"]
        .as_array()
        .and_then(|l| l.iter().find(|m| m["label"] == "consolidated.csv"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(csl["entries"], 25921, "{csl}");

    // A second run finds the same content and changes nothing.
    let out = chokepoint(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("unchanged consolidated.csv"),
        "{}",
        stdout(&out)
    );

    // Screening now uses the imported lists.
    let out = chokepoint(dir.path(), &["screen", "SMIC Beijing", "--format", "json"]);
    assert!(
        stdout(&out).contains("Semiconductor Manufacturing International (Beijing) Corporation")
    );
}

#[test]
fn a_failed_download_changes_nothing() {
    let mirror = serve(Vec::new(), 8);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = chokepoint(dir.path(), &["lists", "import", "lists/demo.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(dir.path().join("lists/manifest.json")).expect("manifest");
    let out = chokepoint(
        dir.path(),
        &["lists", "update", "--mirror", &mirror, "--only", "dpl.txt"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot download"), "{}", stderr(&out));
    assert!(stderr(&out).contains("dpl.txt"), "{}", stderr(&out));
    let after = std::fs::read(dir.path().join("lists/manifest.json")).expect("manifest");
    assert_eq!(before, after);
}
