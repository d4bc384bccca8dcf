//! Two server instances on one PostgreSQL database and one data directory: a list import on
//! one is announced (`NOTIFY`) and the other reloads and swaps its index (`LISTEN`), while it
//! keeps answering. Needs PostgreSQL at `CHOKEPOINT_TEST_DATABASE_URL` (default
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_on_one_instance_is_swapped_in_on_the_other() {
    let Some((url, schema)) =
        postgres("an_import_on_one_instance_is_swapped_in_on_the_other").await
    else {
        return;
    };
    let shared = tempfile::tempdir().expect("temp dir");
    let data_dir = DataDir::new(shared.path().join("data"));
    data_dir
        .import_paths(&[demo_list()], "2026-01-01T00:00:00Z")
        .expect("import demo list");
    let store_a: Arc<dyn Store> = Arc::new(
        PostgresStore::connect_in_schema(&url, &schema)
            .await
            .expect("store a"),
    );
    let store_b: Arc<dyn Store> = Arc::new(
        PostgresStore::connect_in_schema(&url, &schema)
            .await
            .expect("store b"),
    );
    let a = Harness::from_parts(store_a, data_dir.clone(), tempfile::tempdir().expect("dir")).await;
    let b = Harness::from_parts(store_b, data_dir, tempfile::tempdir().expect("dir")).await;
    let before = b.state.snapshot().map(|s| s.id.clone());
    assert_eq!(before, a.state.snapshot().map(|s| s.id.clone()));
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

    // Instance B hears the announcement, reloads and swaps; it keeps answering meanwhile.
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
    // B audited what it loaded, on the shared chain.
    let records = b.state.store().audit_records(0, 1000).await.expect("audit");
    assert!(
        records
            .iter()
            .any(|r| r.event.kind == "lists_loaded" && r.event.list_snapshot == after),
        "the reload is audited"
    );
    follower.stop().await;
    drop_schema(&url, &schema).await;
}
