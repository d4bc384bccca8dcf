//! `POST /v1/check`: determinations over HTTP, with parties screened against the demo list and
//! every call audited.

use crate::Harness;
use axum::http::StatusCode;
use serde_json::json;

fn record(party: &str) -> serde_json::Value {
    json!({
        "id": "T-1",
        "as_of": "2025-06-01",
        "transaction": {
            "item": { "eccn": "EAR99", "origin_country": "US", "us_content_percent": 100 },
            "exporter": { "country": "US", "us_person": true },
            "destination_country": "CN",
            "parties": [{ "role": "end_user", "name": party, "country": "CN" }],
            "activity": "export"
        }
    })
}

#[tokio::test]
async fn a_record_is_answered_and_audited() {
    let h = Harness::new(true).await;
    let (status, body) = h
        .post_json("/v1/check", &h.analyst, &record("Boulangerie Dupont"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = &body["determinations"][0];
    assert_eq!(answer["id"], "T-1");
    assert_eq!(answer["license_required"], false, "{answer}");
    let seq = body["audit_seq"].as_u64().expect("audit seq");
    let records = h
        .state
        .store()
        .audit_records(seq - 1, 1)
        .await
        .expect("audit");
    assert_eq!(records[0].event.kind, "determination");
    assert!(
        records[0]
            .event
            .rule_set
            .as_deref()
            .is_some_and(|r| r.starts_with("ear-semiconductor")),
        "{:?}",
        records[0].event.rule_set
    );
}

#[tokio::test]
async fn parties_given_by_name_are_screened_against_the_lists() {
    let h = Harness::new(true).await;
    // DEMO-1 is a fictitious entry of the demo list, not on the Entity List: screening finds
    // it and the answer records the screening it used.
    let (status, body) = h
        .post_json(
            "/v1/check",
            &h.analyst,
            &record("Example Advanced Logic Foundry Co., Ltd."),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = &body["determinations"][0];
    assert!(
        answer["screening"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "the party was screened: {answer}"
    );
    assert!(
        answer["evidence"]["list_snapshot"].is_string(),
        "the list snapshot is evidence: {answer}"
    );
}

#[tokio::test]
async fn as_of_query_overrides_and_bad_records_are_explained() {
    let h = Harness::new(true).await;
    let (status, body) = h
        .post_json(
            "/v1/check?as_of=2019-06-03",
            &h.analyst,
            &record("Boulangerie Dupont"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["determinations"][0]["as_of"], "2019-06-03");

    let (status, body) = h
        .post_json(
            "/v1/check",
            &h.analyst,
            &json!({ "id": "bad", "as_of": "2025-13-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = &body["determinations"][0];
    assert!(answer["error"].is_string(), "{answer}");
    assert!(
        answer["problems"].as_array().is_some_and(|p| !p.is_empty()),
        "{answer}"
    );

    let (status, body) = h
        .post_raw("/v1/check", &h.analyst, "application/json", b"[]".to_vec())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_request");
}

#[tokio::test]
async fn viewers_may_not_ask_for_determinations() {
    let h = Harness::new(true).await;
    let (status, body) = h
        .post_json("/v1/check", &h.viewer, &record("Boulangerie Dupont"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}
