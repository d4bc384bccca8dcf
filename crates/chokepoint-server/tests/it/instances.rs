//! Two server instances on one PostgreSQL database, each with its own data directory: a list
//! import on one is stored in the database and announced (`NOTIFY`); the other copies it into
//! its data directory, reloads and swaps its index (`LISTEN`), while it keeps answering. An
//! instance started with an empty data directory serves the database's lists. Needs PostgreSQL at `CHOKEPOINT_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`): prints SKIPPED without it, fails under `CI=true`.

use crate::{Harness, demo_list};
use axum::http::StatusCode;
use chokepoint_engine::DataDir;
use chokepoint_server::ListsFollower;
use chokepoint_store::{PostgresStore, Store};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn postgres(test: &str) -> Option<(String, String)> {
    let url = std::env::var("CHOKEPOINT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let schema = format!("server_{}", chokepoint_store::random_id(6).expect("random"));
    let created = async {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await?;
        sqlx::Executor::execute(&mut conn, format!("CREATE SCHEMA {schema}").as_str()).await?;
        Ok::<_, sqlx::Error>(())
    }
    .await;
    match created {
        Ok(()) => Some((url, schema)),
        Err(e) => {
            let message = format!("{test}: PostgreSQL not reachable at {url} ({e})");
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "{message}; CI must run the PostgreSQL tests"
            );
            eprintln!("SKIPPED {message}");
            None
        }
    }
}

async fn drop_schema(url: &str, schema: &str) {
    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(url).await {
        let _ =
            sqlx::Executor::execute(&mut conn, format!("DROP SCHEMA {schema} CASCADE").as_str())
                .await;
    }
}

async fn postgres_store(url: &str, schema: &str) -> Arc<dyn Store> {
    Arc::new(
        PostgresStore::connect_in_schema(url, schema)
            .await
            .expect("postgres store"),
    )
}

/// Instances A and B on one schema, each with its own data directory: A's holds the demo list
/// (published to the store as A starts), B's starts empty.
async fn two_instances(url: &str, schema: &str) -> (Harness, Harness) {
    let (data_dir_a, dir_a) = own_data_dir();
    data_dir_a
        .import_paths(&[demo_list()], "2026-01-01T00:00:00Z")
        .expect("import demo list");
    let (data_dir_b, dir_b) = own_data_dir();
    let a = Harness::from_parts(postgres_store(url, schema).await, data_dir_a, dir_a).await;
    let b = Harness::from_parts(postgres_store(url, schema).await, data_dir_b, dir_b).await;
    (a, b)
}

/// A data directory of its own, in its own temporary folder.
fn own_data_dir() -> (DataDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    (DataDir::new(dir.path().join("data")), dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_on_one_instance_is_swapped_in_on_the_other() {
    let Some((url, schema)) =
        postgres("an_import_on_one_instance_is_swapped_in_on_the_other").await
    else {
        return;
    };
    // A's data directory has the demo list; B's is another one, empty: B gets A's lists from
    // the store.
    let (a, b) = two_instances(&url, &schema).await;
    let before = b.state.snapshot().map(|s| s.id.clone());
    assert!(before.is_some(), "B loaded the lists A published");
    assert_eq!(before, a.state.snapshot().map(|s| s.id.clone()));
    assert_ne!(a.data_dir.root(), b.data_dir.root());
    let follower = ListsFollower::spawn(b.state.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;

    let demo = std::fs::read_to_string(demo_list()).expect("demo list");
    let updated = demo.replace(
        "entries:\n",
        "entries:\n  - id: DEMO-7\n    name: Freshly Listed Lithography Co., Ltd.\n    kind: entity\n    countries: [CN]\n",
    );
    let (status, body) = a
        .import(&a.admin, &[("demo.yaml", updated.as_bytes())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = a.state.snapshot().map(|s| s.id.clone());
    assert_ne!(after, before, "instance A swapped in the new lists");

    // Instance B hears the announcement, copies the new files from the store into its own data
    // directory, reloads and swaps; it keeps answering meanwhile.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = b
            .post_json(
                "/v1/screen",
                &b.analyst,
                &json!({ "name": "Example Foundry" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "B answers during the swap: {body}");
        if b.state.snapshot().map(|s| s.id.clone()) == after {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "instance B never picked up the import"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, body) = b
        .post_json(
            "/v1/screen",
            &b.analyst,
            &json!({ "name": "Freshly Listed Lithography" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["hits"][0]["source_id"], "DEMO-7", "{body}");
    // The same snapshot: same entry hashes (false positives are remembered against them).
    let (snapshot_a, snapshot_b) = (
        a.state.snapshot().expect("a"),
        b.state.snapshot().expect("b"),
    );
    for id in ["DEMO-1", "DEMO-7"] {
        assert!(!snapshot_a.entry_hash("DEMO", id).is_empty(), "{id}");
        assert_eq!(
            snapshot_a.entry_hash("DEMO", id),
            snapshot_b.entry_hash("DEMO", id),
            "{id}"
        );
    }
    // B's data directory holds the same revisions as A's (lists history and diff work there).
    let history_a = a.data_dir.history().expect("history a");
    let history_b = b.data_dir.history().expect("history b");
    assert_eq!(history_a.len(), 2);
    assert_eq!(history_a, history_b);
    let diff = b.data_dir.diff(&history_b, 1, 2, None).expect("diff on B");
    assert_eq!(diff.added.len(), 1, "{diff:?}");
    // B audited what it loaded, on the shared chain.
    let records = b.state.store().audit_records(0, 1000).await.expect("audit");
    assert!(
        records
            .iter()
            .any(|r| r.event.kind == "lists_loaded" && r.event.list_snapshot == after),
        "the reload is audited"
    );
    follower.stop().await;

    // B restarted with an empty data directory serves A's lists.
    let (empty, empty_dir) = own_data_dir();
    let restarted =
        Harness::from_parts(postgres_store(&url, &schema).await, empty, empty_dir).await;
    assert_eq!(restarted.state.snapshot().map(|s| s.id.clone()), after);
    let (status, body) = restarted
        .post_json(
            "/v1/screen",
            &restarted.analyst,
            &json!({ "name": "Freshly Listed Lithography" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["hits"][0]["source_id"], "DEMO-7", "{body}");
    assert_eq!(
        restarted.data_dir.history().expect("history"),
        history_a,
        "the revisions came with the lists"
    );
    assert!(matches!(
        restarted
            .state
            .store()
            .verify_audit()
            .await
            .expect("verify"),
        chokepoint_store::ChainReport::Intact { .. }
    ));
    drop_schema(&url, &schema).await;
}

/// An import stored in the database whose manifest never reached the data directory (the
/// process died in between) is repaired when the lists are loaded again: the store is the
/// source of truth. SQLite, one instance: the same code path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_stored_but_not_written_to_the_data_directory_is_repaired_at_load() {
    let h = Harness::new(true).await;
    let manifest_path = h.data_dir.root().join("lists/manifest.json");
    let old_manifest = std::fs::read(&manifest_path).expect("manifest");
    let before = h.state.snapshot().map(|s| s.id.clone());
    let demo = std::fs::read_to_string(demo_list()).expect("demo list");
    let updated = demo.replace(
        "entries:\n",
        "entries:\n  - id: DEMO-8\n    name: Recently Listed Etching Co., Ltd.\n    kind: entity\n    countries: [CN]\n",
    );
    let (status, body) = h
        .import(&h.admin, &[("demo.yaml", updated.as_bytes())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = h.state.snapshot().map(|s| s.id.clone());
    assert_ne!(after, before);
    // The crash: the data directory still names the old files.
    std::fs::write(&manifest_path, &old_manifest).expect("put the old manifest back");
    assert!(h.state.load_lists().await.expect("load"));
    assert_eq!(h.state.snapshot().map(|s| s.id.clone()), after);
    assert_eq!(h.data_dir.history().expect("history").len(), 2);
    // Every list_import record is in the store with its snapshot, and the reverse.
    let records = h.state.store().audit_records(0, 1000).await.expect("audit");
    let import = records
        .iter()
        .find(|r| r.event.kind == "list_import")
        .expect("import audited");
    let stored = h
        .state
        .store()
        .list_snapshot(after.as_deref().expect("id"))
        .await
        .expect("lookup")
        .expect("stored");
    assert_eq!(stored.audit_seq, import.seq);
}

/// A false positive decided on one instance suppresses the hit on the other: each holds the
/// suppressions in memory and re-checks the shared store's count at most every second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_false_positive_decided_on_one_instance_is_suppressed_on_the_other() {
    let Some((url, schema)) =
        postgres("a_false_positive_decided_on_one_instance_is_suppressed_on_the_other").await
    else {
        return;
    };
    let (a, b) = two_instances(&url, &schema).await;
    let ask = json!({ "name": "Example Foundry" });
    // B screens first, so it holds the (empty) set of suppressions in memory.
    let (status, first) = b.post_json("/v1/screen", &b.analyst, &ask).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(
        first["case_id"].is_string(),
        "a match opens a case: {first}"
    );

    let (status, on_a) = a.post_json("/v1/screen", &a.analyst, &ask).await;
    assert_eq!(status, StatusCode::OK, "{on_a}");
    let case_id = on_a["case_id"].as_str().expect("case").to_string();
    let (status, case) = a
        .get(&format!("/v1/cases/{case_id}"), Some(&a.analyst))
        .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    let hits = case["hits"].as_array().map_or(0, Vec::len);
    assert!(hits >= 1, "{case}");
    for hit in 0..hits {
        let (status, body) = a
            .post_json(
                &format!("/v1/cases/{case_id}/decisions"),
                &a.analyst,
                &json!({"hit": hit, "decision": "false_positive", "reason": "A bakery in Lyon."}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A applies its own decision to the very next screening.
    let (_, again_a) = a.post_json("/v1/screen", &a.analyst, &ask).await;
    assert!(again_a["case_id"].is_null(), "{again_a}");
    assert_eq!(again_a["suppressed"].as_array().map_or(0, Vec::len), hits);
    // B applies it within about a second.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, again_b) = b.post_json("/v1/screen", &b.analyst, &ask).await;
        assert_eq!(status, StatusCode::OK, "{again_b}");
        if again_b["suppressed"].as_array().map_or(0, Vec::len) == hits {
            assert!(again_b["case_id"].is_null(), "{again_b}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B never applied A's decision: {again_b}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop_schema(&url, &schema).await;
}
