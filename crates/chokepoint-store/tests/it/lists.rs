//! List snapshots on every backend: files stored once by hash, in chunks, read back whole; a
//! snapshot stored with its audit record in one transaction; a snapshot built on a stale base,
//! or naming a file the store lacks, refused with nothing written; a second instance reads the
//! same current lists.

use crate::fixture::Env;
use crate::store_test;
use chokepoint_store::{
    AuditEvent, CHUNK_BYTES, ChainReport, NewListFile, NewListSnapshot, StoreError,
};
use serde_json::json;
use sha2::{Digest, Sha256};

fn event(snapshot: &str) -> AuditEvent {
    AuditEvent {
        kind: "list_import".into(),
        actor: "tester".into(),
        inputs: json!({}),
        outputs: json!({"entries": 3}),
        list_snapshot: Some(snapshot.into()),
        rule_set: None,
    }
}

fn file(content: Vec<u8>) -> NewListFile {
    let sha256 = Sha256::digest(&content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    NewListFile { sha256, content }
}

/// More than two chunks of text that compresses, with a tail that does not fill a chunk.
fn big_content() -> Vec<u8> {
    let mut content = Vec::with_capacity(CHUNK_BYTES * 2 + 1000);
    let mut n = 0u64;
    while content.len() < CHUNK_BYTES * 2 + 1000 {
        content
            .extend_from_slice(format!("entity {n},Example {} Co. Ltd,CN\n", n * 7919).as_bytes());
        n += 1;
    }
    content
}

fn snapshot(
    id: &str,
    base: Option<u64>,
    files: Vec<NewListFile>,
    required: &[&str],
) -> NewListSnapshot {
    NewListSnapshot {
        snapshot_id: id.into(),
        imported_at: "2026-11-21T10:00:00.000000Z".into(),
        manifest: json!({"version": 1, "files": [], "lists": [], "id": id}).to_string(),
        base,
        files,
        required: required.iter().map(|s| s.to_string()).collect(),
    }
}

async fn read_back(env: &Env, sha256: &str) -> Vec<u8> {
    let info = env
        .store
        .list_file(sha256)
        .await
        .expect("list file")
        .expect("stored");
    let mut content = Vec::new();
    for index in 0..info.chunks {
        content.extend(
            env.store
                .list_file_chunk(sha256, index)
                .await
                .expect("chunk"),
        );
    }
    assert_eq!(content.len() as u64, info.bytes);
    content
}

store_test!(a_list_snapshot_is_stored_with_its_audit_record_and_read_back_whole);
pub async fn a_list_snapshot_is_stored_with_its_audit_record_and_read_back_whole(env: Env) {
    assert!(env.store.current_lists().await.expect("current").is_none());
    let big = file(big_content());
    let small = file(b"chokepoint_list: 1\n".to_vec());
    // One file stored on its own first (a backfill), once.
    assert!(
        env.store
            .store_list_file(small.clone())
            .await
            .expect("store")
    );
    assert!(
        !env.store
            .store_list_file(small.clone())
            .await
            .expect("again")
    );
    let (record, stored) = env
        .store
        .save_list_snapshot(
            snapshot(
                "snap-a",
                None,
                vec![big.clone(), small.clone()],
                &[&big.sha256, &small.sha256],
            ),
            event("snap-a"),
        )
        .await
        .expect("save");
    assert_eq!(stored.seq, 1);
    assert_eq!(stored.audit_seq, record.seq);
    assert_eq!(record.event.list_snapshot.as_deref(), Some("snap-a"));
    let info = env
        .store
        .list_file(&big.sha256)
        .await
        .expect("info")
        .expect("stored");
    assert_eq!(info.chunks, 3, "{info:?}");
    assert_eq!(read_back(&env, &big.sha256).await, big.content);
    assert_eq!(read_back(&env, &small.sha256).await, small.content);
    let mut hashes = env.store.list_file_hashes().await.expect("hashes");
    hashes.sort();
    let mut expected = vec![big.sha256.clone(), small.sha256.clone()];
    expected.sort();
    assert_eq!(hashes, expected);
    assert!(matches!(
        env.store.list_file_chunk(&big.sha256, 3).await,
        Err(StoreError::NotFound { .. })
    ));

    // The next snapshot, built on the first, replaces the manifest; both stay known.
    let (_, second) = env
        .store
        .save_list_snapshot(
            snapshot("snap-b", Some(1), Vec::new(), &[&small.sha256]),
            event("snap-b"),
        )
        .await
        .expect("second");
    assert_eq!(second.seq, 2);
    // A second instance reads the same current lists.
    let other = env.reopen().await;
    let current = other.current_lists().await.expect("current").expect("some");
    assert_eq!(current.snapshot, second);
    assert!(current.manifest.contains("snap-b"), "{}", current.manifest);
    let first = other
        .list_snapshot("snap-a")
        .await
        .expect("lookup")
        .expect("known");
    assert_eq!(first, stored);
    assert!(
        other
            .list_snapshot("snap-z")
            .await
            .expect("lookup")
            .is_none()
    );
    let records = env.store.audit_records(0, 100).await.expect("records");
    assert_eq!(records.len(), 2);
    assert!(matches!(
        env.store.verify_audit().await.expect("verify"),
        ChainReport::Intact { records: 2, .. }
    ));
}

store_test!(a_refused_list_snapshot_writes_nothing);
pub async fn a_refused_list_snapshot_writes_nothing(env: Env) {
    let first = file(b"first list\n".to_vec());
    env.store
        .save_list_snapshot(
            snapshot("snap-a", None, vec![first.clone()], &[&first.sha256]),
            event("snap-a"),
        )
        .await
        .expect("first");

    // Built on no snapshot while one is stored (another instance imported meanwhile).
    let late = file(b"late list\n".to_vec());
    let stale = env
        .store
        .save_list_snapshot(
            snapshot("snap-late", None, vec![late.clone()], &[&late.sha256]),
            event("snap-late"),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    // Naming a file that is not stored.
    let missing = env
        .store
        .save_list_snapshot(
            snapshot("snap-m", Some(1), Vec::new(), &["00ff"]),
            event("snap-m"),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
    // Content that is not what its hash says.
    let mut wrong = file(b"some list\n".to_vec());
    wrong.content.push(b'!');
    let refused = env
        .store
        .save_list_snapshot(
            snapshot("snap-w", Some(1), vec![wrong.clone()], &[&wrong.sha256]),
            event("snap-w"),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );

    let current = env
        .store
        .current_lists()
        .await
        .expect("current")
        .expect("some");
    assert_eq!(current.snapshot.snapshot_id, "snap-a");
    assert!(
        env.store
            .list_snapshot("snap-late")
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        env.store
            .list_file(&late.sha256)
            .await
            .expect("lookup")
            .is_none(),
        "rolled back"
    );
    assert!(
        env.store
            .list_file(&wrong.sha256)
            .await
            .expect("lookup")
            .is_none()
    );
    let records = env.store.audit_records(0, 100).await.expect("records");
    assert_eq!(records.len(), 1, "no audit record without its snapshot");
}

store_test!(two_instances_storing_on_one_base_store_one_snapshot);
pub async fn two_instances_storing_on_one_base_store_one_snapshot(env: Env) {
    let other = env.reopen().await;
    let a = file(b"from instance a\n".to_vec());
    let b = file(b"from instance b\n".to_vec());
    let (left, right) = tokio::join!(
        env.store.save_list_snapshot(
            snapshot("snap-a", None, vec![a.clone()], &[&a.sha256]),
            event("snap-a")
        ),
        other.save_list_snapshot(
            snapshot("snap-b", None, vec![b.clone()], &[&b.sha256]),
            event("snap-b")
        ),
    );
    let stored: Vec<_> = [left, right].into_iter().filter_map(Result::ok).collect();
    assert_eq!(stored.len(), 1, "one of the two is refused");
    let current = env
        .store
        .current_lists()
        .await
        .expect("current")
        .expect("some");
    assert_eq!(current.snapshot, stored[0].1);
    assert_eq!(
        env.store
            .audit_records(0, 100)
            .await
            .expect("records")
            .len(),
        1
    );
}
