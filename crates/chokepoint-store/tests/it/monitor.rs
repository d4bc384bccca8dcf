//! Change monitoring's storage on every backend: watched parties and orders (edits mark them
//! to be checked again), alerts stored once per id, acknowledgements audited, and the webhook
//! outbox (claimed under a lease, retried, marked delivered, resumed by another instance).

use crate::fixture::Env;
use crate::store_test;
use chokepoint_store::{
    AlertFilter, AuditEvent, ChainReport, MonitorState, NewAlert, NewOrder, NewParty, NewWebhook,
    StoreError, WatchResults,
};
use serde_json::json;

fn event(kind: &str) -> AuditEvent {
    AuditEvent {
        kind: kind.into(),
        actor: "tester".into(),
        inputs: json!({}),
        outputs: json!({}),
        list_snapshot: None,
        rule_set: None,
    }
}

fn party(id: &str, name: &str, country: Option<&str>) -> NewParty {
    NewParty {
        id: id.into(),
        name: name.into(),
        country: country.map(str::to_string),
        kind: None,
        extra: json!({"account": "Jane"}),
    }
}

fn alert(id: &str, subject: &str) -> NewAlert {
    NewAlert {
        id: id.into(),
        kind: "new_hit".into(),
        subject_kind: "party".into(),
        subject_id: subject.into(),
        subject_name: "Alpha Co".into(),
        title: format!("{subject} now matches EL 1"),
        details: json!({"hit": {"list": "EL", "source_id": "1", "score": 0.875}}),
    }
}

store_test!(watched_parties_are_upserted_and_edits_are_checked_again);
pub async fn watched_parties_are_upserted_and_edits_are_checked_again(env: Env) {
    let store = &env.store;
    let written = store
        .upsert_parties(vec![
            party("C1", "Alpha Co", Some("CN")),
            party("C2", "Beta", None),
        ])
        .await
        .expect("upsert");
    assert_eq!(written, 2);
    assert_eq!(store.party_count().await.expect("count"), 2);
    let page = store.parties("", 10).await.expect("parties");
    assert!(page.iter().all(|p| p.dirty && p.hits.is_none()));
    assert_eq!(page[0].extra["account"], "Jane");
    // Checked: hits stored, no longer dirty.
    store
        .save_watch(WatchResults {
            parties: vec![
                ("C1".into(), json!([])),
                ("C2".into(), json!([{"list": "EL"}])),
            ],
            ..WatchResults::default()
        })
        .await
        .expect("save");
    let page = store.parties("", 10).await.expect("parties");
    assert!(page.iter().all(|p| !p.dirty && p.hits.is_some()));
    // Importing the same again changes nothing; a new name or country marks it dirty.
    store
        .upsert_parties(vec![
            party("C1", "Alpha Co", Some("CN")),
            party("C2", "Beta", Some("DE")),
            party("C3", "Gamma", None),
        ])
        .await
        .expect("upsert again");
    let page = store.parties("", 10).await.expect("parties");
    let dirty: Vec<(&str, bool)> = page.iter().map(|p| (p.id.as_str(), p.dirty)).collect();
    assert_eq!(dirty, [("C1", false), ("C2", true), ("C3", true)]);
    // Pages by id.
    let rest = store.parties("C1", 10).await.expect("page");
    assert_eq!(rest.len(), 2);

    store
        .upsert_orders(vec![NewOrder {
            id: "O1".into(),
            title: Some("Order 1".into()),
            record: json!({"id": "O1", "as_of": "2026-01-01"}),
        }])
        .await
        .expect("orders");
    store
        .save_watch(WatchResults {
            orders: vec![("O1".into(), json!({"license_required": true}))],
            ..WatchResults::default()
        })
        .await
        .expect("save order");
    let orders = store.orders("", 10).await.expect("orders");
    assert_eq!(orders[0].answer, Some(json!({"license_required": true})));
    assert!(!orders[0].dirty);

    assert_eq!(
        store.monitor_state().await.expect("state"),
        MonitorState::default()
    );
    let state = MonitorState {
        list_revision: Some(3),
        list_snapshot: Some("snap".into()),
        rules_date: Some("2026-01-01".into()),
        ruleset_version: Some("1".into()),
        run_at: Some("2026-01-01T00:00:00Z".into()),
    };
    store
        .set_monitor_state(state.clone())
        .await
        .expect("set state");
    assert_eq!(store.monitor_state().await.expect("state"), state);
}

store_test!(alerts_are_stored_once_acknowledged_and_delivered_at_least_once);
pub async fn alerts_are_stored_once_acknowledged_and_delivered_at_least_once(env: Env) {
    let store = &env.store;
    store
        .create_webhook(
            NewWebhook {
                id: "wh1".into(),
                url: "http://127.0.0.1:9/hook".into(),
                secret: "0123456789abcdef".into(),
                created_by: "tester".into(),
            },
            event("webhook_created"),
        )
        .await
        .expect("webhook");
    let stored = store
        .save_watch(WatchResults {
            alerts: vec![alert("a1", "C1"), alert("a2", "C2")],
            ..WatchResults::default()
        })
        .await
        .expect("alerts");
    assert_eq!(stored.len(), 2);
    // The same alert again is not stored (nor queued) twice.
    let again = store
        .save_watch(WatchResults {
            alerts: vec![alert("a1", "C1")],
            ..WatchResults::default()
        })
        .await
        .expect("again");
    assert!(again.is_empty());
    let all = store
        .alerts(AlertFilter {
            limit: 10,
            ..AlertFilter::default()
        })
        .await
        .expect("alerts");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].details["hit"]["score"], 0.875);
    // Keyset paging: after the first (same `raised_at`, the id breaks the tie).
    let rest = store
        .alerts(AlertFilter {
            after: Some((all[0].raised_at.clone(), all[0].id.clone())),
            limit: 10,
            ..AlertFilter::default()
        })
        .await
        .expect("next page");
    assert_eq!(
        rest.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [all[1].id.as_str()]
    );

    // Acknowledging is audited, once.
    let acked = store
        .ack_alert(
            "a1",
            "analyst",
            Some("checked: not the same company".into()),
            event("alert_acknowledged"),
        )
        .await
        .expect("ack");
    assert_eq!(acked.acked_by.as_deref(), Some("analyst"));
    let twice = store
        .ack_alert("a1", "other", None, event("alert_acknowledged"))
        .await
        .expect("ack twice");
    assert_eq!(twice.acked_by.as_deref(), Some("analyst"));
    assert!(matches!(
        store
            .ack_alert("nope", "a", None, event("alert_acknowledged"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let open = store
        .alerts(AlertFilter {
            acknowledged: Some(false),
            limit: 10,
            ..AlertFilter::default()
        })
        .await
        .expect("open");
    assert_eq!(
        open.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["a2"]
    );
    let records = store.audit_records(0, 100).await.expect("audit");
    let kinds: Vec<&str> = records.iter().map(|r| r.event.kind.as_str()).collect();
    assert_eq!(kinds, ["webhook_created", "alert_acknowledged"]);
    assert!(matches!(
        store.verify_audit().await.expect("verify"),
        ChainReport::Intact { records: 2, .. }
    ));

    // The outbox: both alerts due; a claim leases them, so another instance gets none.
    let claimed = store.claim_deliveries(60_000, 10).await.expect("claim");
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed[0].secret, "0123456789abcdef");
    let other = env.reopen().await;
    assert!(
        other
            .claim_deliveries(60_000, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    // One fails (retry later), one is delivered.
    store
        .delivery_failed(&claimed[0].id, "connection refused", 0)
        .await
        .expect("failed");
    store
        .delivery_succeeded(&claimed[1].id)
        .await
        .expect("done");
    let retry = other.claim_deliveries(60_000, 10).await.expect("retry");
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].id, claimed[0].id);
    assert_eq!(retry[0].attempts, 1);
    let status = store.deliveries(&retry[0].alert.id).await.expect("status");
    assert_eq!(status[0].last_error.as_deref(), Some("connection refused"));
    other.delivery_succeeded(&retry[0].id).await.expect("done");
    assert!(
        store
            .claim_deliveries(0, 10)
            .await
            .expect("none left")
            .is_empty()
    );

    assert_eq!(store.webhooks().await.expect("hooks").len(), 1);
    store
        .delete_webhook("wh1", event("webhook_deleted"))
        .await
        .expect("delete");
    assert!(store.webhooks().await.expect("hooks").is_empty());
    assert!(matches!(
        store.delete_webhook("wh1", event("webhook_deleted")).await,
        Err(StoreError::NotFound { .. })
    ));
}

store_test!(a_large_run_is_saved_in_bulk_and_queued_for_every_webhook);
pub async fn a_large_run_is_saved_in_bulk_and_queued_for_every_webhook(env: Env) {
    let store = &env.store;
    for id in ["wh1", "wh2"] {
        store
            .create_webhook(
                NewWebhook {
                    id: id.into(),
                    url: format!("http://127.0.0.1:9/{id}"),
                    secret: "0123456789abcdef".into(),
                    created_by: "tester".into(),
                },
                event("webhook_created"),
            )
            .await
            .expect("webhook");
    }
    // More rows than one statement takes (chunks of 5,000), one JSON value each.
    let n = 12_345usize;
    let parties: Vec<NewParty> = (0..n)
        .map(|i| party(&format!("C{i:05}"), &format!("Party {i}"), None))
        .collect();
    store.upsert_parties(parties).await.expect("upsert");
    store
        .upsert_parties(vec![party("Z-untouched", "Not in this run", None)])
        .await
        .expect("upsert");
    let alerts: Vec<NewAlert> = (0..n)
        .step_by(10)
        .map(|i| alert(&format!("a{i:05}"), &format!("C{i:05}")))
        .collect();
    let stored = store
        .save_watch(WatchResults {
            parties: (0..n)
                .map(|i| (format!("C{i:05}"), json!([{"list": "EL", "n": i}])))
                .collect(),
            alerts,
            ..WatchResults::default()
        })
        .await
        .expect("save");
    assert_eq!(stored.len(), n.div_ceil(10));
    let mut after = String::new();
    let mut seen = 0usize;
    loop {
        let page = store.parties(&after, 5000).await.expect("page");
        let Some(last) = page.last() else {
            break;
        };
        after = last.id.clone();
        for p in page {
            if p.id == "Z-untouched" {
                assert!(p.dirty && p.hits.is_none() && p.screened_at.is_none());
                continue;
            }
            let i: usize = p.id[1..].parse().expect("id");
            assert_eq!(p.hits, Some(json!([{"list": "EL", "n": i}])), "{}", p.id);
            assert!(!p.dirty && p.screened_at.is_some(), "{}", p.id);
            seen += 1;
        }
    }
    assert_eq!(seen, n);
    // Every new alert is queued once for each webhook.
    let status = store.deliveries("a00020").await.expect("deliveries");
    assert_eq!(
        status
            .iter()
            .map(|d| d.webhook_id.as_str())
            .collect::<Vec<_>>(),
        ["wh1", "wh2"]
    );
    let claimed = store
        .claim_deliveries(60_000, 100_000)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2 * n.div_ceil(10));
}

store_test!(removed_parties_and_orders_are_gone_audited_all_or_nothing);
pub async fn removed_parties_and_orders_are_gone_audited_all_or_nothing(env: Env) {
    let store = &env.store;
    store
        .upsert_parties(vec![
            party("C1", "Alpha Co", None),
            party("C2", "Beta", None),
            party("C3", "Gamma", None),
        ])
        .await
        .expect("upsert");
    store
        .upsert_orders(vec![NewOrder {
            id: "O1".into(),
            title: None,
            record: json!({"id": "O1"}),
        }])
        .await
        .expect("orders");
    store
        .save_watch(WatchResults {
            parties: vec![("C2".into(), json!([{"list": "EL"}]))],
            alerts: vec![alert("a-c2", "C2")],
            ..WatchResults::default()
        })
        .await
        .expect("save");

    // One id not watched: nothing removed, nothing audited.
    let missing = store
        .remove_parties(
            vec!["C2".into(), "C9".into()],
            event("watch_parties_removed"),
        )
        .await;
    assert!(
        matches!(&missing, Err(StoreError::NotFound { id, .. }) if id == "C9"),
        "{missing:?}"
    );
    assert_eq!(store.party_count().await.expect("count"), 3);
    assert!(store.audit_records(0, 10).await.expect("audit").is_empty());

    let removed = store
        .remove_parties(
            vec!["C2".into(), "C3".into(), "C2".into()],
            event("watch_parties_removed"),
        )
        .await
        .expect("remove");
    assert_eq!(removed, 2);
    let left: Vec<String> = store
        .parties("", 10)
        .await
        .expect("parties")
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(left, ["C1"]);
    // Its alerts are kept.
    assert!(store.alert("a-c2").await.expect("alert").is_some());
    // Saving a removed party (a run that started before) brings nothing back.
    store
        .save_watch(WatchResults {
            parties: vec![("C3".into(), json!([]))],
            ..WatchResults::default()
        })
        .await
        .expect("save");
    assert_eq!(store.party_count().await.expect("count"), 1);

    assert_eq!(
        store
            .remove_orders(vec!["O1".into()], event("watch_orders_removed"))
            .await
            .expect("remove order"),
        1
    );
    assert!(store.orders("", 10).await.expect("orders").is_empty());
    assert!(matches!(
        store
            .remove_orders(vec!["O1".into()], event("watch_orders_removed"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let kinds: Vec<String> = store
        .audit_records(0, 10)
        .await
        .expect("audit")
        .into_iter()
        .map(|r| r.event.kind)
        .collect();
    assert_eq!(kinds, ["watch_parties_removed", "watch_orders_removed"]);
    assert!(matches!(
        store.verify_audit().await.expect("verify"),
        ChainReport::Intact { records: 2, .. }
    ));
}
