//! Change monitoring over HTTP (issue 8): the watch list, a run, alerts and their
//! acknowledgement, the report, and webhook delivery to a local receiver (signature checked,
//! a failed first attempt retried, a duplicate dropped by the alert id).

use crate::{Harness, error_code};
use axum::http::StatusCode;
use chokepoint_server::webhooks::{
    ALERT_ID_HEADER, DeliveryOptions, SIGNATURE_HEADER, deliver_due, verify_signature,
};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "test-secret-0123456789";

/// A webhook receiver: the first request fails (500), the second is processed but answered
/// too late for the sender (so it is sent again), the rest succeed. It verifies every
/// signature and keeps each alert id once.
#[derive(Default)]
struct Receiver {
    requests: AtomicUsize,
    bad_signatures: AtomicUsize,
    seen: Mutex<HashSet<String>>,
    duplicates: AtomicUsize,
}

async fn receive(
    axum::extract::State(receiver): axum::extract::State<Arc<Receiver>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let n = receiver.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !verify_signature(SECRET, &body, signature) {
        receiver.bad_signatures.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    if n == 1 {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let id = payload["alert"]["id"].as_str().unwrap_or("").to_string();
    assert_eq!(
        headers.get(ALERT_ID_HEADER).and_then(|v| v.to_str().ok()),
        Some(id.as_str())
    );
    let fresh = receiver
        .seen
        .lock()
        .map(|mut seen| seen.insert(id))
        .unwrap_or(false);
    if !fresh {
        receiver.duplicates.fetch_add(1, Ordering::SeqCst);
    }
    if n == 2 {
        tokio::time::sleep(Duration::from_millis(800)).await;
    }
    StatusCode::NO_CONTENT
}

async fn start_receiver() -> (String, Arc<Receiver>) {
    let receiver = Arc::new(Receiver::default());
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), receiver)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_8_watch_alerts_and_signed_webhook_delivery() {
    let h = Harness::new(true).await;
    let (url, receiver) = start_receiver().await;

    // Webhooks are admin's.
    let (status, _) = h
        .post_json("/v1/webhooks", &h.analyst, &json!({"url": url}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = h
        .post_json(
            "/v1/webhooks",
            &h.admin,
            &json!({"url": url, "secret": "short"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = h
        .post_json(
            "/v1/webhooks",
            &h.admin,
            &json!({"url": url, "secret": SECRET}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["secret"], SECRET);
    let (_, hooks) = h.get("/v1/webhooks", Some(&h.admin)).await;
    assert!(
        hooks.to_string().find(SECRET).is_none(),
        "secret leaked: {hooks}"
    );

    // The watch list: one customer is a listed (demo) party, one row is bad.
    let csv = "id,name,country\nP1,Example Advanced Logic Foundry Co Ltd,CN\nP2,Nobody In Particular,\nP3,,\n";
    let (status, body) = h
        .post_raw(
            "/v1/watch/parties",
            &h.admin,
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["stored"], 2);
    assert_eq!(body["problems"][0]["line"], 4, "{body}");
    let (status, run) = h
        .post_raw("/v1/watch/run", &h.admin, "application/json", Vec::new())
        .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    let alerts = run["alerts"].as_array().cloned().unwrap_or_default();
    assert_eq!(alerts.len(), 1, "{run}");
    assert_eq!(alerts[0]["subject_id"], "P1");
    assert_eq!(alerts[0]["kind"], "new_hit");
    let id = alerts[0]["id"].as_str().expect("id").to_string();
    // A second run finds nothing new.
    let (_, again) = h
        .post_raw("/v1/watch/run", &h.admin, "application/json", Vec::new())
        .await;
    assert_eq!(again["alerts"].as_array().map(Vec::len), Some(0), "{again}");

    // Alerts: listed, acknowledged by an analyst (not a viewer).
    let (status, listed) = h
        .get("/v1/alerts?acknowledged=false", Some(&h.viewer))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["alerts"][0]["id"], id.as_str());
    let (status, body) = h.get("/v1/alerts?subject=customer", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "invalid_request");
    let (status, _) = h
        .post_json(&format!("/v1/alerts/{id}/ack"), &h.viewer, &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, acked) = h
        .post_json(
            &format!("/v1/alerts/{id}/ack"),
            &h.analyst,
            &json!({"note": "same company; order on hold"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{acked}");
    assert_eq!(acked["alert"]["ack_note"], "same company; order on hold");
    let (status, _) = h.get("/v1/alerts/nope", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The report covers today.
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().expect("date");
    let (status, report) = h
        .get(
            &format!("/v1/report?from={yesterday}&to={today}"),
            Some(&h.viewer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["summary"]["parties_affected"], 1, "{report}");
    assert_eq!(report["parties"][0]["id"], id.as_str());
    let (status, _) = h.get("/v1/report?from=yesterday", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Delivery: the first attempt fails (500), the second is processed by the receiver but
    // answered after the sender gave up, the third succeeds and the receiver drops it as a
    // duplicate by its id.
    let options = DeliveryOptions {
        base_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_millis(400),
        timeout: Duration::from_millis(300),
        ..DeliveryOptions::default()
    };
    let store = h.state.store().clone();
    let (delivered, failed) = deliver_due(&store, &options).await.expect("deliver");
    assert_eq!((delivered, failed), (0, 1));
    let mut delivered_total = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let (delivered, _) = deliver_due(&store, &options).await.expect("deliver");
        delivered_total += delivered;
        if delivered_total > 0 {
            break;
        }
    }
    assert_eq!(delivered_total, 1);
    assert_eq!(receiver.bad_signatures.load(Ordering::SeqCst), 0);
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 3);
    assert_eq!(receiver.seen.lock().map(|s| s.len()).unwrap_or(0), 1);
    assert_eq!(receiver.duplicates.load(Ordering::SeqCst), 1);
    let (_, one) = h.get(&format!("/v1/alerts/{id}"), Some(&h.viewer)).await;
    assert_eq!(one["deliveries"][0]["attempts"], 3, "{one}");
    assert!(one["deliveries"][0]["delivered_at"].is_string(), "{one}");
    // Nothing is left to deliver.
    assert_eq!(
        deliver_due(&store, &options).await.expect("deliver"),
        (0, 0)
    );
}

#[tokio::test]
async fn a_list_import_rechecks_the_watched_parties() {
    let h = Harness::new(true).await;
    let csv = "id,name\nP1,Acme Quantum Lithography Works\n";
    let (status, _) = h
        .post_raw(
            "/v1/watch/parties",
            &h.admin,
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, first) = h
        .post_raw("/v1/watch/run", &h.admin, "application/json", Vec::new())
        .await;
    assert_eq!(first["alerts"].as_array().map(Vec::len), Some(0), "{first}");
    let list = b"chokepoint_list: 1\nname: extra\ncode: XTRA\nentries:\n  - id: X-1\n    name: Acme Quantum Lithography Works Ltd\n";
    let (status, body) = h.import(&h.admin, &[("extra.yaml", list)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["watch"]["parties_screened_against_changes"], 1,
        "{body}"
    );
    assert_eq!(body["watch"]["entries_added"], 1, "{body}");
    let alerts = body["watch"]["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(alerts.len(), 1, "{body}");
    assert_eq!(alerts[0]["kind"], "new_hit");
}

async fn delete(h: &Harness, path: &str, key: &str) -> (StatusCode, Value) {
    let request = axum::http::Request::delete(path)
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {key}"))
        .body(axum::body::Body::empty())
        .expect("request");
    h.send(request).await
}

#[tokio::test]
async fn a_removed_party_is_audited_and_no_longer_alerted_on() {
    let h = Harness::new(true).await;
    let csv =
        "id,name\nP1,Acme Quantum Lithography Works\nP2,Acme Quantum Lithography Works Company\n";
    let (status, _) = h
        .post_raw(
            "/v1/watch/parties",
            &h.admin,
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = h
        .post_raw("/v1/watch/run", &h.admin, "application/json", Vec::new())
        .await;
    assert_eq!(status, StatusCode::OK);

    // Removal is admin's; an id not watched is 404.
    let (status, _) = delete(&h, "/v1/watch/parties/P2", &h.analyst).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = delete(&h, "/v1/watch/parties/P9", &h.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(error_code(&body), "not_found");
    let (status, body) = delete(&h, "/v1/watch/parties/P2", &h.admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["removed"], "P2");
    let (status, _) = delete(&h, "/v1/watch/orders/O1", &h.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let store = h.state.store().clone();
    let audit = store.audit_records(0, 1000).await.expect("audit");
    let removal = audit
        .iter()
        .find(|r| r.event.kind == "watch_parties_removed")
        .unwrap_or_else(|| panic!("no removal audited: {audit:?}"));
    assert_eq!(removal.event.inputs["ids"], json!(["P2"]));
    assert_eq!(store.party_count().await.expect("count"), 1);

    // A list entry both names match: only the party still watched is alerted on.
    let list = b"chokepoint_list: 1\nname: extra\ncode: XTRA\nentries:\n  - id: X-1\n    name: Acme Quantum Lithography Works Ltd\n";
    let (status, body) = h.import(&h.admin, &[("extra.yaml", list)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let subjects: Vec<&str> = body["watch"]["alerts"]
        .as_array()
        .map(|a| a.iter().filter_map(|a| a["subject_id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(subjects, ["P1"], "{body}");
}
