//! The engines behind the service: `POST /v1/bom` (de minimis and FDP over a bill of
//! materials, audited, the end user screened when its status is not given) and
//! `GET /v1/facilities[/{id}]` (the registry classified as of a date).

use crate::Harness;
use axum::http::StatusCode;

const BOM: &str = "part_id,parent_id,quantity,unit_value,currency,origin_country,eccn,description,direct_product_of,plant_is_direct_product_of,incorporated_in,us_origin_ic
P,,1,1000.00,USD,TW,3A001.a.1,Gateway,none,none,TW,
SUB-A,P,2,100.00,USD,KR,3A001.a.1,RF board,,,,
A-IC,SUB-A,3,15.00,USD,US,3A001.a.1,US RF IC,,,,true
A-PCB,SUB-A,1,40.00,USD,KR,EAR99,Board,,,,
US-IC,P,4,25.00,USD,US,3A001.a.1,US IC on the main board,,,,true
";

#[tokio::test]
async fn a_bom_is_evaluated_and_audited() {
    let h = Harness::new(true).await;
    let (status, body) = h
        .post_raw(
            "/v1/bom?destination=CN&as_of=2025-06-01",
            &h.analyst,
            "text/csv",
            BOM.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["answer"].is_object(), "{body}");
    let seq = body["audit_seq"].as_u64().expect("audited");
    let records = h
        .state
        .store()
        .audit_records(seq - 1, 1)
        .await
        .expect("audit");
    assert_eq!(records[0].event.kind, "bom_evaluation");
    assert_eq!(records[0].event.outputs, body["answer"]);
}

#[tokio::test]
async fn the_end_user_is_screened_when_its_status_is_not_given() {
    let h = Harness::new(true).await;
    let (status, body) = h
        .post_raw(
            "/v1/bom?destination=CN&as_of=2025-06-01&end_user=Example%20Advanced%20Logic%20Foundry",
            &h.analyst,
            "text/csv",
            BOM.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seq = body["audit_seq"].as_u64().expect("audited");
    let records = h
        .state
        .store()
        .audit_records(seq - 1, 1)
        .await
        .expect("audit");
    assert_eq!(
        records[0].event.inputs["query"]["end_user_lists"],
        serde_json::json!(["demo"]),
        "the demo entry was found by screening: {}",
        records[0].event.inputs
    );
}

#[tokio::test]
async fn bad_boms_and_questions_are_explained() {
    let h = Harness::new(true).await;
    let (status, body) = h
        .post_raw(
            "/v1/bom?as_of=2025-06-01",
            &h.analyst,
            "text/csv",
            BOM.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("destination"))
    );

    let broken = BOM.replace("A-PCB,SUB-A,1,40.00", "A-PCB,SUB-A,one,40.00");
    let (status, body) = h
        .post_raw(
            "/v1/bom?destination=CN",
            &h.analyst,
            "text/csv",
            broken.into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("A-PCB") && message.contains("quantity"),
        "{message}"
    );

    let (status, _) = h
        .post_raw(
            "/v1/bom?destination=CN",
            &h.analyst,
            "text/plain",
            BOM.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let (status, _) = h
        .post_raw(
            "/v1/bom?destination=CN",
            &h.viewer,
            "text/csv",
            BOM.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn facilities_are_listed_filtered_and_shown() {
    let h = Harness::new(false).await;
    let (status, all) = h.get("/v1/facilities", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let all = all["facilities"].as_array().expect("facilities").len();
    assert!(all >= 60, "{all}");
    let (status, advanced) = h
        .get(
            "/v1/facilities?advanced=true&as_of=2025-06-01",
            Some(&h.viewer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let advanced = advanced["facilities"].as_array().expect("facilities");
    assert!(!advanced.is_empty() && advanced.len() < all);
    assert!(advanced.iter().all(|f| f["advanced"] == true));
    let id = advanced[0]["id"].as_str().expect("id");
    let (status, one) = h
        .get(
            &format!("/v1/facilities/{id}?as_of=2025-06-01"),
            Some(&h.viewer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["id"], id);
    assert!(one["sources"].as_array().is_some_and(|s| !s.is_empty()));
    let (status, _) = h.get("/v1/facilities/no-such-fab", Some(&h.viewer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = h
        .get("/v1/facilities?advanced=maybe", Some(&h.viewer))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn hits_show_what_the_registry_knows_around_the_party() {
    let h = Harness::new(true).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("watch.yaml");
    std::fs::write(
        &list,
        "chokepoint_list: 1\nname: test watch list\ncode: WATCH\nentries:\n  - id: W-1\n    name: Semiconductor Manufacturing International Corporation\n    kind: entity\n    countries: [CN]\n",
    )
    .expect("write list");
    h.data_dir
        .import_paths(&[list], "2026-03-01T00:00:00Z")
        .expect("import");
    h.state.load_lists().await.expect("reload");
    let (status, body) = h
        .post_json(
            "/v1/screen",
            &h.analyst,
            &serde_json::json!({ "name": "Semiconductor Manufacturing International Corp", "as_of": "2025-06-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hit = &body["hits"][0];
    assert_eq!(hit["source_id"], "W-1", "{body}");
    let related = &hit["related"];
    assert!(related["company"].is_string(), "{body}");
    assert!(
        related["owned"].as_array().is_some_and(|o| !o.is_empty())
            || related["facilities"]
                .as_array()
                .is_some_and(|f| !f.is_empty()),
        "SMIC owns companies or operates fabs in the registry: {related}"
    );
    // A party the registry does not know has no `related`.
    let (_, body) = h
        .post_json(
            "/v1/screen",
            &h.analyst,
            &serde_json::json!({ "name": "Example Foundry" }),
        )
        .await;
    assert!(body["hits"][0].get("related").is_none(), "{body}");
}
