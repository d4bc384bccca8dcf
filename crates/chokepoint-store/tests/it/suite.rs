//! The storage behaviour every backend must have: keys, the audit chain and its tamper
//! evidence, cases, decisions and suppressions, concurrent writers.

use crate::fixture::Env;
use crate::store_test;
use chokepoint_store::{
    AuditEvent, CaseHit, CaseStatus, ChainReport, NewCase, NewDecision, NewKey, Role, StoreError,
    Verdict,
};
use serde_json::json;

fn event(kind: &str, n: u32) -> AuditEvent {
    AuditEvent {
        kind: kind.to_string(),
        actor: "tester".to_string(),
        inputs: json!({"n": n, "name": "Ünïcode 中芯国际"}),
        outputs: json!({"hits": [{"score": 0.875, "list": "EL"}]}),
        list_snapshot: Some("snap-1".to_string()),
        rule_set: None,
    }
}

async fn append(env: &Env, count: u32) {
    for n in 1..=count {
        let record = env
            .store
            .append_audit(event("screening", n))
            .await
            .expect("append");
        assert_eq!(record.seq, u64::from(n));
    }
}

async fn assert_broken_at(env: &Env, seq: u64, reason_has: &str) {
    match env.store.verify_audit().await.expect("verify") {
        ChainReport::Broken { seq: at, reason } => {
            assert_eq!(at, seq, "first bad record: {reason}");
            assert!(reason.contains(reason_has), "{reason}");
        }
        intact => panic!("tampering was not detected: {intact:?}"),
    }
}

store_test!(keys_are_stored_by_hash_and_audited);
pub async fn keys_are_stored_by_hash_and_audited(env: Env) {
    let key = env
        .store
        .create_key(
            NewKey {
                id: "k1".into(),
                name: "ops".into(),
                role: Role::Analyst,
                key_hash: "h1".into(),
            },
            event("key_created", 1),
        )
        .await
        .expect("create key");
    assert_eq!(key.role, Role::Analyst);
    let found = env.store.key_by_hash("h1").await.expect("lookup");
    assert_eq!(found.as_ref(), Some(&key));
    assert_eq!(env.store.key_by_hash("nope").await.expect("lookup"), None);
    let revoked = env
        .store
        .revoke_key("k1", event("key_revoked", 2))
        .await
        .expect("revoke");
    assert!(revoked.revoked_at.is_some());
    let keys = env.store.keys().await.expect("keys");
    assert_eq!(keys.len(), 1);
    assert!(keys[0].revoked_at.is_some());
    assert!(matches!(
        env.store.revoke_key("k9", event("key_revoked", 3)).await,
        Err(StoreError::NotFound { what: "key", .. })
    ));
    // The same hash twice is refused, and the failed attempt leaves no audit record.
    let duplicate = env
        .store
        .create_key(
            NewKey {
                id: "k2".into(),
                name: "dup".into(),
                role: Role::Viewer,
                key_hash: "h1".into(),
            },
            event("key_created", 4),
        )
        .await;
    assert!(duplicate.is_err());
    let records = env.store.audit_records(0, 100).await.expect("records");
    let kinds: Vec<&str> = records.iter().map(|r| r.event.kind.as_str()).collect();
    assert_eq!(kinds, ["key_created", "key_revoked"]);
    assert!(matches!(
        env.store.verify_audit().await.expect("verify"),
        ChainReport::Intact { records: 2, .. }
    ));
}

store_test!(audit_chain_is_intact_and_pages);
pub async fn audit_chain_is_intact_and_pages(env: Env) {
    match env.store.verify_audit().await.expect("verify empty") {
        ChainReport::Intact { records, head } => {
            assert_eq!(records, 0);
            assert_eq!(head, chokepoint_store::GENESIS_HASH);
        }
        broken => panic!("{broken:?}"),
    }
    append(&env, 5).await;
    let all = env.store.audit_records(0, 100).await.expect("records");
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].prev_hash, chokepoint_store::GENESIS_HASH);
    for pair in all.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    assert_eq!(all[2].event, event("screening", 3), "read back as written");
    let page = env.store.audit_records(2, 2).await.expect("page");
    assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 4]);
    match env.store.verify_audit().await.expect("verify") {
        ChainReport::Intact { records, head } => {
            assert_eq!(records, 5);
            assert_eq!(head, all[4].hash);
        }
        broken => panic!("{broken:?}"),
    }
}

store_test!(an_altered_record_is_named);
pub async fn an_altered_record_is_named(env: Env) {
    append(&env, 5).await;
    env.raw
        .exec("UPDATE audit_records SET content = REPLACE(content, '0.875', '0.5') WHERE seq = 3")
        .await;
    assert_broken_at(&env, 3, "altered").await;
}

store_test!(an_altered_column_is_named);
pub async fn an_altered_column_is_named(env: Env) {
    append(&env, 4).await;
    env.raw
        .exec("UPDATE audit_records SET actor = 'someone else' WHERE seq = 2")
        .await;
    assert_broken_at(&env, 2, "altered").await;
}

store_test!(a_removed_record_is_named);
pub async fn a_removed_record_is_named(env: Env) {
    append(&env, 5).await;
    env.raw
        .exec("DELETE FROM audit_records WHERE seq = 3")
        .await;
    assert_broken_at(&env, 4, "removed").await;
}

store_test!(a_removed_tail_is_named);
pub async fn a_removed_tail_is_named(env: Env) {
    append(&env, 5).await;
    env.raw
        .exec("DELETE FROM audit_records WHERE seq >= 4")
        .await;
    assert_broken_at(&env, 4, "removed").await;
}

store_test!(reordered_records_are_named);
pub async fn reordered_records_are_named(env: Env) {
    append(&env, 5).await;
    env.raw
        .exec(
            "UPDATE audit_records SET seq = 100 WHERE seq = 2; \
             UPDATE audit_records SET seq = 2 WHERE seq = 3; \
             UPDATE audit_records SET seq = 3 WHERE seq = 100;",
        )
        .await;
    assert_broken_at(&env, 2, "").await;
}

fn hit(list: &str, source_id: &str, entry_hash: &str) -> CaseHit {
    CaseHit {
        list: list.into(),
        source_id: source_id.into(),
        entry_hash: entry_hash.into(),
        hit: json!({"list": list, "source_id": source_id, "score": 0.9}),
    }
}

fn new_case(id: &str) -> NewCase {
    NewCase {
        id: id.into(),
        party_name: "Example Foundry".into(),
        party_key: "example foundry".into(),
        query: json!({"name": "Example Foundry"}),
        hits: vec![hit("EL", "1", "e1"), hit("SDN", "2", "e2")],
        opened_by: "analyst-1".into(),
    }
}

fn decision(case_id: &str, hit_index: u32, verdict: Verdict) -> NewDecision {
    NewDecision {
        case_id: case_id.into(),
        hit_index,
        verdict,
        reason: "different address and owners".into(),
        decided_by: "analyst-1".into(),
    }
}

store_test!(cases_are_reviewed_and_false_positives_remembered);
pub async fn cases_are_reviewed_and_false_positives_remembered(env: Env) {
    let (record, case) = env
        .store
        .open_case(new_case("c1"), event("screening", 1))
        .await
        .expect("open case");
    assert_eq!(case.audit_seq, record.seq);
    assert_eq!(case.status, CaseStatus::Open);
    let stored = env.store.case("c1").await.expect("case").expect("exists");
    assert_eq!(stored, case);
    assert_eq!(env.store.case("nope").await.expect("case"), None);
    let open = env
        .store
        .cases(Some(CaseStatus::Open), 10)
        .await
        .expect("cases");
    assert_eq!(open.len(), 1);

    let after_first = env
        .store
        .decide(
            decision("c1", 1, Verdict::FalsePositive),
            event("decision", 2),
        )
        .await
        .expect("decide");
    assert_eq!(after_first.status, CaseStatus::Open);
    assert_eq!(after_first.decisions.len(), 1);
    assert_eq!(after_first.decisions[0].decision, Verdict::FalsePositive);
    let suppressions = env
        .store
        .suppressions("example foundry")
        .await
        .expect("suppressions");
    assert_eq!(suppressions.len(), 1);
    assert_eq!(
        (
            suppressions[0].list.as_str(),
            suppressions[0].source_id.as_str()
        ),
        ("SDN", "2")
    );
    assert_eq!(suppressions[0].entry_hash, "e2");
    assert!(
        env.store
            .suppressions("someone else")
            .await
            .expect("suppressions")
            .is_empty()
    );

    let again = env
        .store
        .decide(decision("c1", 1, Verdict::Confirmed), event("decision", 3))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let out_of_range = env
        .store
        .decide(decision("c1", 7, Verdict::Confirmed), event("decision", 3))
        .await;
    assert!(matches!(
        out_of_range,
        Err(StoreError::NotFound { what: "hit", .. })
    ));
    let no_case = env
        .store
        .decide(decision("c9", 0, Verdict::Confirmed), event("decision", 3))
        .await;
    assert!(matches!(
        no_case,
        Err(StoreError::NotFound { what: "case", .. })
    ));

    let closed = env
        .store
        .decide(decision("c1", 0, Verdict::Confirmed), event("decision", 4))
        .await
        .expect("decide");
    assert_eq!(closed.status, CaseStatus::Closed);
    assert!(closed.closed_at.is_some());
    assert_eq!(
        env.store
            .suppressions("example foundry")
            .await
            .expect("suppressions")
            .len(),
        1,
        "a confirmed hit is no suppression"
    );
    assert!(
        env.store
            .cases(Some(CaseStatus::Open), 10)
            .await
            .expect("cases")
            .is_empty()
    );
    // Refused decisions left no audit record: screening + 2 decisions.
    assert!(matches!(
        env.store.verify_audit().await.expect("verify"),
        ChainReport::Intact { records: 3, .. }
    ));
}

store_test!(concurrent_writers_on_two_instances_keep_one_chain);
pub async fn concurrent_writers_on_two_instances_keep_one_chain(env: Env) {
    let other = env.reopen().await;
    let mut tasks = Vec::new();
    for n in 0..40u32 {
        let store = if n % 2 == 0 {
            env.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.append_audit(event("screening", n)).await
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("append");
    }
    match other.verify_audit().await.expect("verify") {
        ChainReport::Intact { records, .. } => assert_eq!(records, 40),
        broken => panic!("{broken:?}"),
    }
}

store_test!(state_survives_reopening);
pub async fn state_survives_reopening(env: Env) {
    append(&env, 3).await;
    env.store
        .open_case(new_case("c1"), event("screening", 4))
        .await
        .expect("open case");
    let reopened = env.reopen().await;
    assert!(reopened.case("c1").await.expect("case").is_some());
    let record = reopened
        .append_audit(event("screening", 5))
        .await
        .expect("append after reopening");
    assert_eq!(record.seq, 5);
    assert!(matches!(
        reopened.verify_audit().await.expect("verify"),
        ChainReport::Intact { records: 5, .. }
    ));
}

fn new_job(id: &str, rows: usize) -> chokepoint_store::NewJob {
    chokepoint_store::NewJob {
        id: id.into(),
        created_by: "analyst-1".into(),
        options: json!({"threshold": 0.74}),
        rows: (0..rows)
            .map(|i| chokepoint_store::JobRow {
                id: format!("r{i}"),
                query: json!({"name": format!("Party {i}")}),
            })
            .collect(),
    }
}

fn result(index: u64, matched: bool) -> chokepoint_store::RowResult {
    chokepoint_store::RowResult {
        index,
        hits: json!([{"score": 0.9, "match": matched}]),
        matched,
        list_snapshot: "snap-1".into(),
    }
}

store_test!(a_job_resumes_after_its_worker_dies_and_counts_nothing_twice);
pub async fn a_job_resumes_after_its_worker_dies_and_counts_nothing_twice(env: Env) {
    use chokepoint_store::JobStatus;
    let job = env
        .store
        .create_job(new_job("j1", 1203), event("batch_created", 1))
        .await
        .expect("create job");
    assert_eq!(
        (job.status, job.total, job.done),
        (JobStatus::Queued, 1203, 0)
    );
    // Worker 1 claims with a lease that runs out at once, screens two rows, then "dies".
    let claimed = env.store.claim_job("w1", 0).await.expect("claim");
    assert_eq!(claimed.map(|j| j.id), Some("j1".to_string()));
    let pending = env.store.pending_rows("j1", 2).await.expect("pending");
    assert_eq!(pending.iter().map(|r| r.index).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(pending[1].id, "r1");
    let job = env
        .store
        .save_results("j1", "w1", vec![result(0, true), result(1, false)], 0)
        .await
        .expect("save");
    assert_eq!((job.done, job.matched), (2, 1));
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // Worker 2 (another instance) takes the job over where it stopped.
    let other = env.reopen().await;
    let claimed = other.claim_job("w2", 60_000).await.expect("claim");
    assert_eq!(claimed.map(|j| j.status), Some(JobStatus::Running));
    assert!(
        env.store
            .claim_job("w3", 60_000)
            .await
            .expect("claim")
            .is_none(),
        "a job under a live lease is not claimed twice"
    );
    // The dead worker's late write is refused.
    let late = env
        .store
        .save_results("j1", "w1", vec![result(2, true)], 0)
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    let early = other.finish_job("j1", event("batch_done", 2)).await;
    assert!(matches!(early, Err(StoreError::Conflict(_))), "{early:?}");
    // Row 1 again (already answered) is not counted twice.
    let mut results = vec![result(1, true)];
    let pending = other.pending_rows("j1", 5000).await.expect("pending");
    assert_eq!(pending.len(), 1201);
    results.extend(pending.iter().map(|r| result(r.index, r.index % 2 == 0)));
    let job = other
        .save_results("j1", "w2", results, 60_000)
        .await
        .expect("save");
    assert_eq!(job.done, 1203);
    assert_eq!(job.matched, 1 + 601, "row 0, then the even rows 2..=1202");
    let done = other
        .finish_job("j1", event("batch_done", 2))
        .await
        .expect("finish");
    assert_eq!(done.status, JobStatus::Done);
    assert!(done.finished_at.is_some());
    let again = other
        .finish_job("j1", event("batch_done", 3))
        .await
        .expect("finish again");
    assert_eq!(again, done);
    let rows = env.store.job_rows("j1", 1200, 10).await.expect("rows");
    assert_eq!(
        rows.iter().map(|r| r.index).collect::<Vec<_>>(),
        [1200, 1201, 1202]
    );
    assert_eq!(rows[0].id, "r1200");
    assert_eq!(rows[0].query["name"], "Party 1200");
    assert!(rows.iter().all(|r| r.hits.is_some()));
    assert!(env.store.claim_job("w4", 0).await.expect("claim").is_none());
    // batch_created + batch_done.
    assert!(matches!(
        env.store.verify_audit().await.expect("verify"),
        ChainReport::Intact { records: 2, .. }
    ));
}

store_test!(instances_claim_each_job_once);
pub async fn instances_claim_each_job_once(env: Env) {
    for n in 0..6 {
        env.store
            .create_job(new_job(&format!("j{n}"), 3), event("batch_created", n))
            .await
            .expect("create job");
    }
    let recent = env.store.jobs(4).await.expect("recent jobs");
    assert_eq!(
        recent.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["j5", "j4", "j3", "j2"],
        "newest first, at most the limit"
    );
    let other = env.reopen().await;
    let mut tasks = Vec::new();
    for n in 0..8u32 {
        let store = if n % 2 == 0 {
            env.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.claim_job(&format!("w{n}"), 60_000).await
        }));
    }
    let mut claimed = Vec::new();
    for task in tasks {
        if let Some(job) = task.await.expect("task").expect("claim") {
            claimed.push(job.id);
        }
    }
    claimed.sort();
    assert_eq!(claimed, ["j0", "j1", "j2", "j3", "j4", "j5"]);
}

store_test!(a_bad_write_in_a_group_fails_alone);
pub async fn a_bad_write_in_a_group_fails_alone(env: Env) {
    let mut tasks = Vec::new();
    for n in 0..12u32 {
        let store = env.store.clone();
        // Cases 0 and 6 share an id: one of them must fail, nothing else.
        let id = if n % 6 == 0 {
            "dup".to_string()
        } else {
            format!("c{n}")
        };
        tasks.push(tokio::spawn(async move {
            store.open_case(new_case(&id), event("screening", n)).await
        }));
    }
    let mut failed = 0;
    for task in tasks {
        if task.await.expect("task").is_err() {
            failed += 1;
        }
    }
    assert_eq!(failed, 1);
    match env.store.verify_audit().await.expect("verify") {
        ChainReport::Intact { records, .. } => assert_eq!(records, 11),
        broken => panic!("{broken:?}"),
    }
}

store_test!(floats_that_do_not_round_trip_keep_the_chain_intact);
pub async fn floats_that_do_not_round_trip_keep_the_chain_intact(env: Env) {
    // Scores are f32 widened to f64: digits a fast float parser may not read back exactly.
    for (n, score) in [0.1f32, 0.777, 0.8123457, 1e-7, 0.33333334, 0.74]
        .into_iter()
        .enumerate()
    {
        let mut e = event("screening", n as u32);
        e.outputs =
            json!({"hits": [{"score": score, "scores": [score, score / 3.0]}], "f64": 0.1 + 0.2});
        env.store.append_audit(e).await.expect("append");
    }
    assert!(matches!(
        env.store.verify_audit().await.expect("verify"),
        ChainReport::Intact { records: 6, .. }
    ));
}
