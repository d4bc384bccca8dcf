//! Auth and roles, the error body, screening (same hits as the CLI), list import and the index
//! swap, cases and the good-guy list, keys, metrics, and the audit chain behind them.

use crate::{Harness, demo_list, error_code};
use axum::http::StatusCode;
use chokepoint_engine::{ScreenOptions, ScreenQuery};
use chokepoint_server::{AppState, Limits, ListsSource, app};
use chokepoint_store::ChainReport;
use serde_json::{Value, json};

#[tokio::test]
async fn health_is_open_and_everything_else_needs_a_key() {
    let h = Harness::new(true).await;
    let (status, body) = h.get("/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["lists_loaded"], true);

    for path in ["/v1/lists", "/metrics", "/v1/cases", "/v1/keys"] {
        let (status, body) = h.get(path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_code(&body), "missing_api_key", "{path}");
    }
    let (status, body) = h.get("/v1/lists", Some("ck_nope_nope")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "invalid_api_key");
    let (status, _) = h.get("/v1/lists", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn roles_answer_403_without_the_right() {
    let h = Harness::new(true).await;
    let (status, body) = h
        .post_json("/v1/screen", &h.viewer, &json!({"name": "Example Foundry"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");
    let (status, _) = h.get("/v1/keys", Some(&h.analyst)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = h
        .import(&h.analyst, &[("demo.yaml", b"chokepoint_list: 1\n")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = h.get("/v1/keys", Some(&h.admin)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_error_has_one_body_with_a_stable_code() {
    let limits = Limits {
        body_bytes: 1024,
        ..Limits::default()
    };
    let h = Harness::with_limits(true, limits).await;
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "application/json",
            b"{\"name\": ".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "application/json",
            b"{}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "application/json",
            br#"{"name": "x", "colour": "red"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "application/json",
            br#"{"name": "  "}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "application/json",
            br#"{"name": "x", "country": "Atlantis"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "application/json",
            br#"{"name": "x", "type": "spaceship"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "application/json",
            br#"{"name": "x", "limit": 100000}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "application/json",
            format!(r#"{{"name": "{}"}}"#, "a".repeat(2000)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            "text/plain",
            b"Example Foundry".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];
    for (content_type, body, expected_status, expected_code) in cases {
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let (status, answer) = h
            .post_raw("/v1/screen", &h.analyst, content_type, body)
            .await;
        assert_eq!(status, expected_status, "{shown}: {answer}");
        assert_eq!(error_code(&answer), expected_code, "{shown}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or("");
        assert!(!message.is_empty(), "{answer}");
    }
    let (status, body) = h.get("/v2/nothing", Some(&h.viewer)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, body) = h.get("/v1/screen", Some(&h.analyst)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    let (status, body) = h.get("/v1/cases/case_missing", Some(&h.viewer)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

#[tokio::test]
async fn screening_answers_the_clis_hits_and_is_audited() {
    let h = Harness::new(true).await;
    let (status, body) = h
        .post_json(
            "/v1/screen",
            &h.analyst,
            &json!({"name": "Example Foundry", "country": "CN"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["query"], "Example Foundry");
    // The hits are exactly what the engine gives the CLI's `--format json`.
    let snapshot = h.state.snapshot().expect("lists loaded");
    let query = ScreenQuery {
        name: "Example Foundry".into(),
        filters: chokepoint_screening::Filters {
            country: Some("CN".into()),
            ..Default::default()
        },
    };
    let expected = snapshot.screener.screen(&query, &ScreenOptions::default());
    assert!(!expected.is_empty());
    assert_eq!(body["hits"], serde_json::to_value(&expected).expect("json"));
    assert_eq!(body["hits"][0]["source_id"], "DEMO-1");
    for field in [
        "list",
        "list_name",
        "name",
        "matched_name",
        "score",
        "match",
        "method",
        "explanation",
        "matched_tokens",
        "kind",
        "countries",
    ] {
        assert!(body["hits"][0].get(field).is_some(), "hit lacks `{field}`");
    }
    let case_id = body["case_id"].as_str().expect("a match opens a case");
    assert!(case_id.starts_with("case_"));
    let seq = body["audit_seq"].as_u64().expect("audit seq");

    let records = h
        .state
        .store()
        .audit_records(seq - 1, 1)
        .await
        .expect("records");
    let record = &records[0];
    assert_eq!(record.event.kind, "screening");
    assert_eq!(record.event.actor, "test-analyst");
    assert_eq!(record.event.inputs["name"], "Example Foundry");
    assert_eq!(
        record.event.outputs["hits"], body["hits"],
        "the answer can be replayed"
    );
    assert_eq!(
        record.event.list_snapshot.as_deref(),
        Some(snapshot.id.as_str())
    );

    let (status, body) = h
        .post_json("/v1/screen", &h.analyst, &json!({"name": "Zzyzx Qwerty"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["hits"], json!([]));
    assert!(body.get("case_id").is_none());
}

#[tokio::test]
async fn without_lists_screening_says_how_to_load_them() {
    let h = Harness::new(false).await;
    let (status, body) = h
        .post_json(
            "/v1/screen",
            &h.analyst,
            &json!({"name": "Example Foundry"}),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(&body), "no_lists_loaded");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("import")
    );
    let (status, body) = h.get("/v1/lists", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["entries"], 0);
}

#[tokio::test]
async fn an_import_swaps_the_index_in_and_is_audited() {
    let h = Harness::new(false).await;
    let demo = std::fs::read(demo_list()).expect("demo list");
    let (status, body) = h.import(&h.admin, &[("demo.yaml", &demo)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["imported"], json!(["demo.yaml"]));
    assert!(body["lists"]["entries"].as_u64().unwrap_or(0) > 0);
    let (status, body) = h
        .post_json(
            "/v1/screen",
            &h.analyst,
            &json!({"name": "Example Foundry"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["hits"][0]["source_id"], "DEMO-1");
    // The same file again changes nothing.
    let (status, body) = h.import(&h.admin, &[("demo.yaml", &demo)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["unchanged"], json!(["demo.yaml"]));
    // A file that is no list is refused and nothing changes.
    let (status, body) = h
        .import(&h.admin, &[("junk.txt", b"\x00\x01 not a list at all")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "invalid_list_file");
    let (status, _) = h.import(&h.admin, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let kinds: Vec<String> = h
        .state
        .store()
        .audit_records(0, 100)
        .await
        .expect("records")
        .into_iter()
        .map(|r| r.event.kind)
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "list_import").count(), 2);
}

#[tokio::test]
async fn fixed_lists_cannot_be_imported() {
    let h = Harness::new(false).await;
    let state = AppState::new(
        h.state.store().clone(),
        ListsSource::Paths(vec![demo_list()]),
        Limits::default(),
    );
    assert!(state.load_lists().await.expect("load"));
    let fixed = Harness { state, ..h };
    let (status, body) = fixed
        .import(&fixed.admin, &[("demo.yaml", b"chokepoint_list: 1\n")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "lists_read_only");
}

#[tokio::test]
async fn a_false_positive_is_suppressed_until_the_entry_changes() {
    let h = Harness::new(true).await;
    let ask = json!({"name": "Example Foundry"});
    let (_, first) = h.post_json("/v1/screen", &h.analyst, &ask).await;
    let case_id = first["case_id"].as_str().expect("case").to_string();
    let (status, case) = h
        .get(&format!("/v1/cases/{case_id}"), Some(&h.viewer))
        .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert_eq!(case["status"], "open");
    let hit_count = case["hits"].as_array().map_or(0, Vec::len);
    assert!(hit_count >= 1);
    let (status, listed) = h.get("/v1/cases?status=open", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["cases"].as_array().map_or(0, Vec::len), 1);

    // Viewers may not decide; a decision needs a reason.
    let decisions = format!("/v1/cases/{case_id}/decisions");
    let (status, _) = h
        .post_json(
            &decisions,
            &h.viewer,
            &json!({"hit": 0, "decision": "confirmed", "reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = h
        .post_json(
            &decisions,
            &h.analyst,
            &json!({"hit": 0, "decision": "false_positive", "reason": " "}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
    );
    let (status, body) = h
        .post_json(
            &decisions,
            &h.analyst,
            &json!({"hit": 0, "decision": "maybe", "reason": "x"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
    );
    let (status, body) = h
        .post_json(
            &decisions,
            &h.analyst,
            &json!({"hit": 99, "decision": "confirmed", "reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    for hit in 0..hit_count {
        let (status, body) = h
            .post_json(
                &decisions,
                &h.analyst,
                &json!({"hit": hit, "decision": "false_positive", "reason": "Our customer is a bakery in Lyon."}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = h
        .post_json(
            &decisions,
            &h.analyst,
            &json!({"hit": 0, "decision": "confirmed", "reason": "x"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "conflict")
    );
    let (_, case) = h
        .get(&format!("/v1/cases/{case_id}"), Some(&h.viewer))
        .await;
    assert_eq!(case["status"], "closed");

    // Asked again (spelled differently, same normalised name): suppressed, no new case.
    let (_, second) = h
        .post_json(
            "/v1/screen",
            &h.analyst,
            &json!({"name": "EXAMPLE  foundry"}),
        )
        .await;
    let matches = |v: &Value| {
        v["hits"]
            .as_array()
            .map_or(0, |hits| hits.iter().filter(|h| h["match"] == true).count())
    };
    assert_eq!(matches(&second), 0, "{second}");
    assert!(second.get("case_id").is_none(), "{second}");
    assert_eq!(second["suppressed"][0]["case_id"], case_id.as_str());
    assert_eq!(second["suppressed"][0]["source_id"], "DEMO-1");
    let replay = chokepoint_server::replay::replay(
        h.state.store().as_ref(),
        &h.data_dir,
        second["audit_seq"].as_u64().expect("seq"),
    )
    .await
    .expect("replay");
    assert!(replay.same(), "a suppressed answer replays too: {replay:?}");

    // The entry changes (a new remark): the hit is back and a new case opens.
    let demo = std::fs::read_to_string(demo_list()).expect("demo list");
    let changed = demo.replacen(
        "remarks: Fictitious. For demonstrations only.",
        "remarks: Fictitious. Address changed.",
        1,
    );
    assert_ne!(demo, changed);
    let (status, body) = h
        .import(&h.admin, &[("demo.yaml", changed.as_bytes())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, third) = h.post_json("/v1/screen", &h.analyst, &ask).await;
    assert!(matches(&third) >= 1, "{third}");
    assert!(third["case_id"].as_str().is_some_and(|id| id != case_id));

    match h.state.store().verify_audit().await.expect("verify") {
        ChainReport::Intact { records, .. } => assert!(records >= 8),
        broken => panic!("{broken:?}"),
    }
}

#[tokio::test]
async fn admins_create_and_revoke_keys() {
    let h = Harness::new(true).await;
    let (status, created) = h
        .post_json(
            "/v1/keys",
            &h.admin,
            &json!({"role": "viewer", "name": "dashboard"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let key = created["key"].as_str().expect("key shown once").to_string();
    let id = created["id"].as_str().expect("id").to_string();
    let (status, _) = h.get("/v1/lists", Some(&key)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, listed) = h.get("/v1/keys", Some(&h.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !listed.to_string().contains(&key),
        "the key is never shown again"
    );
    let (status, body) = h
        .post_json("/v1/keys", &h.admin, &json!({"role": "root"}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
    );

    let request = axum::http::Request::delete(format!("/v1/keys/{id}"))
        .header("authorization", format!("Bearer {}", h.admin))
        .body(axum::body::Body::empty())
        .expect("request");
    let (status, revoked) = h.send(request).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    let (status, body) = h.get("/v1/lists", Some(&key)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_api_key")
    );
    let kinds: Vec<String> = h
        .state
        .store()
        .audit_records(0, 100)
        .await
        .expect("records")
        .into_iter()
        .map(|r| r.event.kind)
        .collect();
    assert!(kinds.contains(&"key_revoked".to_string()));
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let h = Harness::new(true).await;
    h.post_json("/v1/screen", &h.analyst, &json!({"name": "Sample Memory"}))
        .await;
    let response = tower::ServiceExt::oneshot(
        app(h.state.clone()),
        axum::http::Request::get("/metrics")
            .header("authorization", format!("Bearer {}", h.viewer))
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await
    .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/plain")
    );
    let text = String::from_utf8(
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body")
            .to_vec(),
    )
    .expect("utf-8");
    assert!(text.contains("chokepoint_screenings_total 1"), "{text}");
    assert!(
        text.contains(
            r#"chokepoint_http_requests_total{route="/v1/screen",method="POST",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("chokepoint_list_entries 3"), "{text}");
}

#[tokio::test]
async fn the_openapi_document_matches_the_router() {
    let h = Harness::new(true).await;
    let (status, doc) = h.get("/openapi.json", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        doc,
        serde_json::from_str::<Value>(chokepoint_server::OPENAPI).expect("json")
    );
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 14, "{}", paths.len());
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            let uri = path.replace("{id}", "x");
            let request = axum::http::Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .body(axum::body::Body::empty())
                .expect("request");
            let (status, body) = h.send(request).await;
            let expected = if path == "/health" {
                StatusCode::OK
            } else {
                StatusCode::UNAUTHORIZED
            };
            assert_eq!(
                status, expected,
                "{method} {path} is documented but not routed: {body}"
            );
        }
    }
    // Every error code is documented.
    let mut documented: Vec<&str> =
        doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
            .as_array()
            .expect("codes")
            .iter()
            .filter_map(Value::as_str)
            .collect();
    let mut codes: Vec<&str> = chokepoint_server::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    documented.sort_unstable();
    codes.sort_unstable();
    assert_eq!(documented, codes);
}

#[tokio::test]
async fn a_key_over_its_rate_gets_429() {
    let limits = Limits {
        rate_per_key: Some(1),
        ..Limits::default()
    };
    let h = Harness::with_limits(true, limits).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, body) = h.get("/v1/lists", Some(&h.viewer)).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(error_code(&body), "too_many_requests");
        }
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [200, 429, 429]);
    // Other keys have their own bucket.
    let (status, _) = h.get("/v1/lists", Some(&h.analyst)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_screening_replays_from_its_audit_record() {
    let h = Harness::new(true).await;
    let (_, first) = h
        .post_json(
            "/v1/screen",
            &h.analyst,
            &json!({"name": "Example Foundry", "threshold": 0.7}),
        )
        .await;
    let seq = first["audit_seq"].as_u64().expect("seq");
    let replay = chokepoint_server::replay::replay(h.state.store().as_ref(), &h.data_dir, seq)
        .await
        .expect("replay");
    assert!(replay.same(), "{:?}", replay);
    assert_eq!(replay.recorded, first["hits"]);
    assert_eq!(
        replay.list_snapshot,
        first["list_snapshot"].as_str().unwrap_or("")
    );
    // A record that is no screening cannot be replayed.
    let not = chokepoint_server::replay::replay(h.state.store().as_ref(), &h.data_dir, 1).await;
    assert!(
        matches!(
            not,
            Err(chokepoint_server::replay::ReplayError::NotReplayable { .. })
        ),
        "{not:?}"
    );
}

#[tokio::test]
async fn an_ofac_file_group_is_named_file_by_file_and_replays() {
    let h = Harness::new(false).await;
    let dir = crate::repo_root().join("crates/chokepoint-ingest/test_data/ofac");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("fixture");
    let (sdn, add, alt) = (read("sdn.csv"), read("add.csv"), read("alt.csv"));
    let (status, body) = h
        .import(
            &h.admin,
            &[("sdn.csv", &sdn), ("add.csv", &add), ("alt.csv", &alt)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = h.state.snapshot().expect("lists").id.clone();
    let (status, answer) = h
        .post_json(
            "/v1/screen",
            &h.analyst,
            &json!({"name": "Banco Ejemplo de Cuba"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        !answer["hits"].as_array().is_none_or(Vec::is_empty),
        "{answer}"
    );
    let replay = chokepoint_server::replay::replay(
        h.state.store().as_ref(),
        &h.data_dir,
        answer["audit_seq"].as_u64().expect("seq"),
    )
    .await
    .expect("replay");
    assert!(replay.same(), "{replay:?}");
    // A changed companion file is a new snapshot, though the group has no hash of its own.
    let mut changed = alt.clone();
    changed.extend_from_slice(b"\n");
    let (status, body) = h
        .import(
            &h.admin,
            &[("sdn.csv", &sdn), ("add.csv", &add), ("alt.csv", &changed)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["imported"], json!(["alt.csv"]));
    assert_ne!(h.state.snapshot().expect("lists").id, first);
}
