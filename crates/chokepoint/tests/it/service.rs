//! `serve`, `keys` and `audit` through the built binary: a key printed once, a real server on a
//! loopback port answering with that key and stopping cleanly on SIGTERM, and `audit verify`
//! telling an intact chain from a tampered one.

use crate::{chokepoint, repo_root, stderr, stdout};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn create_key(data_dir: &Path, role: &str) -> String {
    let out = chokepoint(data_dir, &["keys", "create", "--role", role]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let key = text.lines().last().unwrap_or("").to_string();
    assert!(key.starts_with("ck_"), "the key is the last line: {text:?}");
    key
}

/// A minimal HTTP/1.1 request over loopback; returns (status, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(key) = key {
        request.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub(crate) struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn start(data_dir: &Path, port: u16, extra: &[&str]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(extra)
        .env("CHOKEPOINT_DATA_DIR", data_dir)
        .env_remove("CHOKEPOINT_DATABASE_URL")
        .current_dir(repo_root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the server did not start listening"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

#[test]
fn serve_answers_with_a_created_key_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let analyst = create_key(dir.path(), "analyst");
    let port = free_port();
    let mut server = start(dir.path(), port, &["--lists", "lists/demo.yaml"]);

    let (status, body) = http(port, "GET", "/health", None, None);
    assert_eq!(status, 200, "{body}");
    let (status, _) = http(port, "POST", "/v1/screen", None, Some(r#"{"name": "x"}"#));
    assert_eq!(status, 401);
    let (status, body) = http(
        port,
        "POST",
        "/v1/screen",
        Some(&analyst),
        Some(r#"{"name": "Example Foundry"}"#),
    );
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["hits"][0]["source_id"], "DEMO-1");

    let pid = server.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.0.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");

    // key_created, lists_loaded (which files the snapshot is made of) and screening; the
    // chain is intact.
    let out = chokepoint(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("intact: 3 records"),
        "{}",
        stdout(&out)
    );
    let out = chokepoint(dir.path(), &["audit", "export"]);
    assert!(out.status.success());
    let kinds: Vec<String> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json line")["kind"].to_string())
        .collect();
    assert_eq!(
        kinds,
        ["\"key_created\"", "\"lists_loaded\"", "\"screening\""]
    );
    let records: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(
        records[1]["outputs"]["snapshot_files"][0]["label"], "demo.yaml",
        "the snapshot's files are named"
    );
    assert_eq!(records[1]["list_snapshot"], records[2]["list_snapshot"]);
}

#[test]
fn serve_without_lists_starts_and_says_how_to_load_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let analyst = create_key(dir.path(), "analyst");
    let port = free_port();
    let _server = start(dir.path(), port, &[]);
    let (status, body) = http(
        port,
        "POST",
        "/v1/screen",
        Some(&analyst),
        Some(r#"{"name": "Example Foundry"}"#),
    );
    assert_eq!(status, 503, "{body}");
    let answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["error"]["code"], "no_lists_loaded");
}

#[test]
fn audit_verify_names_the_first_altered_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    for role in ["admin", "analyst", "viewer"] {
        create_key(dir.path(), role);
    }
    let out = chokepoint(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Alter record 2 behind the store's back.
    let db = dir.path().join("chokepoint.db");
    tokio::runtime::Runtime::new().expect("runtime").block_on(async {
        let pool = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new().filename(&db),
        )
        .await
        .expect("open db");
        sqlx::query("UPDATE audit_records SET content = REPLACE(content, 'analyst', 'admin') WHERE seq = 2")
            .execute(&pool)
            .await
            .expect("tamper");
        pool.close().await;
    });
    let out = chokepoint(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("record 2"), "{}", stdout(&out));
}

fn job_status(port: u16, key: &str, id: &str) -> Value {
    let (status, body) = http(port, "GET", &format!("/v1/jobs/{id}"), Some(key), None);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("json")
}

/// A user-format list of `n` generated entries.
fn big_list(n: usize) -> String {
    let mut text = String::from(
        "chokepoint_list: 1\nname: generated\ncode: GEN\ndescription: Generated for a test.\nentries:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "  - id: GEN-{i}\n    name: Generated Party {i} Trading Company\n    kind: entity\n"
        ));
    }
    text
}

#[test]
fn sigkill_mid_batch_and_mid_import_loses_nothing_and_the_chain_verifies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let analyst = create_key(dir.path(), "analyst");
    let admin = create_key(dir.path(), "admin");
    let out = chokepoint(dir.path(), &["lists", "import", "lists/demo.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let port = free_port();
    let mut server = start(dir.path(), port, &["--job-lease", "1"]);

    // A batch job, killed (SIGKILL) once some but not all rows are screened.
    const ROWS: usize = 60_000;
    let rows: Vec<Value> = (0..ROWS)
        .map(|i| {
            let name = if i % 7 == 0 {
                "Example Foundry".to_string()
            } else {
                format!("Nobody {i}")
            };
            serde_json::json!({"id": format!("r{i}"), "name": name})
        })
        .collect();
    let body = serde_json::json!({ "rows": rows }).to_string();
    let (status, answer) = http(
        port,
        "POST",
        "/v1/screen/batch",
        Some(&analyst),
        Some(&body),
    );
    assert_eq!(status, 202, "{answer}");
    let answer: Value = serde_json::from_str(&answer).expect("json");
    let id = answer["job"]["id"].as_str().expect("job id").to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    let done_at_kill = loop {
        let done = job_status(port, &analyst, &id)["done"]
            .as_u64()
            .unwrap_or(0);
        if done > 0 {
            server.0.kill().expect("SIGKILL");
            let _ = server.0.wait();
            break done;
        }
        assert!(Instant::now() < deadline, "the job made no progress");
        std::thread::sleep(Duration::from_millis(2));
    };
    eprintln!("killed the server with {done_at_kill} of {ROWS} rows screened");

    // Restarted, the server takes the job over where it stopped.
    let mut server = start(dir.path(), port, &["--job-lease", "1"]);
    let deadline = Instant::now() + Duration::from_secs(180);
    let job = loop {
        let job = job_status(port, &analyst, &id);
        if job["status"] == "done" {
            break job;
        }
        assert!(Instant::now() < deadline, "the job did not resume: {job}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(job["done"], ROWS, "{job}");
    let (status, results) = http(
        port,
        "GET",
        &format!("/v1/jobs/{id}/results"),
        Some(&analyst),
        None,
    );
    assert_eq!(status, 200);
    let lines: Vec<Value> = results
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), ROWS, "every row answered once");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["id"], format!("r{i}"), "rows in input order");
    }
    let matched = lines
        .iter()
        .filter(|l| {
            l["hits"]
                .as_array()
                .is_some_and(|hits| hits.iter().any(|h| h["match"] == true))
        })
        .count();
    assert_eq!(job["matched"], matched, "nothing counted twice");
    assert!(matched >= ROWS.div_ceil(7));

    // A list import, killed (SIGKILL) while the server reads and indexes it.
    let list = big_list(20_000);
    let boundary = "killtestboundary";
    let upload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"generated.yaml\"\r\n\r\n{list}\r\n--{boundary}--\r\n"
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let head = format!(
        "POST /v1/lists/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {admin}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        upload.len()
    );
    stream.write_all(head.as_bytes()).expect("send");
    stream.write_all(upload.as_bytes()).expect("send");
    std::thread::sleep(Duration::from_millis(150));
    server.0.kill().expect("SIGKILL");
    let _ = server.0.wait();
    drop(stream);

    // Restarted: the lists are the old ones or the new ones, whole; screening works.
    let server = start(dir.path(), port, &["--job-lease", "1"]);
    let (status, lists) = http(port, "GET", "/v1/lists", Some(&analyst), None);
    assert_eq!(status, 200, "{lists}");
    let lists: Value = serde_json::from_str(&lists).expect("json");
    let entries = lists["entries"].as_u64().unwrap_or(0);
    assert!(
        entries == 3 || entries == 20_003,
        "half an import: {entries} entries"
    );
    eprintln!("after the killed import the server has {entries} entries");
    let (status, body) = http(
        port,
        "POST",
        "/v1/screen",
        Some(&analyst),
        Some(r#"{"name": "Example Foundry"}"#),
    );
    assert_eq!(status, 200, "{body}");
    drop(server);

    let answer: Value = serde_json::from_str(&body).expect("json");
    let seq = answer["audit_seq"].as_u64().expect("audit seq").to_string();
    let out = chokepoint(dir.path(), &["audit", "replay", &seq]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("the same answer"), "{}", stdout(&out));

    let out = chokepoint(dir.path(), &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}
