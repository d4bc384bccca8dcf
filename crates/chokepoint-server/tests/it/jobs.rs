//! Batch jobs through the API: CSV and JSON uploads, progress, JSONL and CSV results equal to
//! the engine's batch answers, limits, and a job left by a dead worker finished by another.

use crate::{Harness, error_code};
use axum::http::StatusCode;
use chokepoint_engine::{ScreenOptions, ScreenQuery};
use chokepoint_server::{Limits, jobs::work_once};
use serde_json::{Value, json};

async fn run_jobs(h: &Harness) {
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    while work_once(&h.state, "test-worker", &stopped)
        .await
        .expect("work")
    {}
}

#[tokio::test]
async fn a_csv_batch_runs_and_its_results_download_as_jsonl_and_csv() {
    let h = Harness::new(true).await;
    let csv = "id,name,country\nc1,Example Foundry,CN\nc2,,\nc3,Zzyzx Qwerty,\nc4,Ivan Petrov,RU\n";
    let (status, body) = h
        .post_raw(
            "/v1/screen/batch",
            &h.analyst,
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        body["job"]["total"], 3,
        "the row without a name is reported, not screened"
    );
    assert_eq!(body["problems"].as_array().map_or(0, Vec::len), 1);
    let id = body["job"]["id"].as_str().expect("job id").to_string();
    assert_eq!(body["job"]["status"], "queued");

    let (status, body) = h
        .get(&format!("/v1/jobs/{id}/results"), Some(&h.viewer))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "conflict")
    );

    run_jobs(&h).await;
    let (status, job) = h.get(&format!("/v1/jobs/{id}"), Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(job["status"], "done");
    assert_eq!(job["done"], 3);
    assert_eq!(job["matched"], 2);
    assert_eq!(job["progress"], 1.0);

    let (status, text) = h
        .get(&format!("/v1/jobs/{id}/results"), Some(&h.viewer))
        .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<Value> = text
        .as_str()
        .expect("jsonl text")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(
        lines
            .iter()
            .map(|l| l["id"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["c1", "c3", "c4"]
    );
    // Each line's hits are the engine's answer, as `chokepoint screen --input` writes them.
    let snapshot = h.state.snapshot().expect("lists");
    let expected = snapshot.screener.screen(
        &ScreenQuery {
            name: "Example Foundry".into(),
            filters: chokepoint_screening::Filters {
                country: Some("CN".into()),
                ..Default::default()
            },
        },
        &ScreenOptions::default(),
    );
    assert_eq!(
        lines[0]["hits"],
        serde_json::to_value(&expected).expect("json")
    );
    assert_eq!(lines[0]["query"], "Example Foundry");
    assert_eq!(lines[1]["hits"], json!([]));

    let (status, text) = h
        .get(
            &format!("/v1/jobs/{id}/results?format=csv"),
            Some(&h.viewer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = text.as_str().expect("csv text");
    assert!(
        text.starts_with("id,query,rank,source_id,list,name,matched_name,score,match"),
        "{text}"
    );
    assert!(text.contains("c1,Example Foundry,1,DEMO-1,DEMO,"), "{text}");
    assert!(text.contains("c3,Zzyzx Qwerty,,,,,,,false,,"), "{text}");

    let kinds: Vec<String> = h
        .state
        .store()
        .audit_records(0, 100)
        .await
        .expect("records")
        .into_iter()
        .map(|r| r.event.kind)
        .collect();
    assert!(kinds.contains(&"batch_created".to_string()));
    assert!(kinds.contains(&"batch_done".to_string()));
}

#[tokio::test]
async fn a_json_batch_is_validated_and_limited() {
    let limits = Limits {
        max_batch_rows: 2,
        ..Limits::default()
    };
    let h = Harness::with_limits(true, limits).await;
    let (status, body) = h
        .post_json(
            "/v1/screen/batch",
            &h.analyst,
            &json!({"rows": [{"id": 1, "name": "Sample Memory"}], "threshold": 0.9}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, body) = h
        .post_json(
            "/v1/screen/batch",
            &h.analyst,
            &json!({"rows": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    let (status, body) = h
        .post_json(
            "/v1/screen/batch",
            &h.analyst,
            &json!({"rows": [{"name": "a", "country": "Atlantis"}]}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
    );
    let (status, body) = h
        .post_json("/v1/screen/batch", &h.analyst, &json!({"rows": []}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
    );
    let (status, body) = h
        .post_raw(
            "/v1/screen/batch",
            &h.analyst,
            "application/xml",
            b"<rows/>".to_vec(),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let (status, _) = h
        .post_json(
            "/v1/screen/batch",
            &h.viewer,
            &json!({"rows": [{"name": "a"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = h.get("/v1/jobs/job_nope", Some(&h.viewer)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

#[tokio::test]
async fn a_job_left_by_a_dead_worker_is_finished_by_the_next() {
    let h = Harness::new(true).await;
    let rows: Vec<Value> = (0..1500)
        .map(|i| json!({"id": format!("r{i}"), "name": if i % 3 == 0 { "Example Foundry" } else { "Nobody Special" }}))
        .collect();
    let (status, body) = h
        .post_json("/v1/screen/batch", &h.analyst, &json!({"rows": rows}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["job"]["id"].as_str().expect("job id").to_string();
    // A worker claims it with a lease that runs out at once, answers one chunk, and dies.
    let store = h.state.store();
    store
        .claim_job("dead-worker", 0)
        .await
        .expect("claim")
        .expect("a job");
    let pending = store.pending_rows(&id, 100).await.expect("pending");
    let partial: Vec<chokepoint_store::RowResult> = pending
        .iter()
        .map(|row| chokepoint_store::RowResult {
            index: row.index,
            hits: json!([]),
            matched: false,
            list_snapshot: "old".into(),
        })
        .collect();
    store
        .save_results(&id, "dead-worker", partial, 0)
        .await
        .expect("partial progress");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    run_jobs(&h).await;
    let (_, job) = h.get(&format!("/v1/jobs/{id}"), Some(&h.viewer)).await;
    assert_eq!(job["status"], "done");
    assert_eq!(job["done"], 1500, "nothing lost, nothing counted twice");
    // Rows 0..100 kept the dead worker's answers; the rest were screened: every third from 100
    // on is a match.
    assert_eq!(job["matched"], (100..1500).filter(|i| i % 3 == 0).count());
    let (_, text) = h
        .get(&format!("/v1/jobs/{id}/results"), Some(&h.viewer))
        .await;
    assert_eq!(text.as_str().map_or(0, |t| t.lines().count()), 1500);
}
