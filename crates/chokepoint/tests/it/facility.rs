//! `chokepoint facility` and `chokepoint owners` as the README documents them: the JSON
//! contract of `facility list`, filters, user files with their line numbers, ownership chains.

use crate::{chokepoint, stderr, stdout};
use serde_json::Value;

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn json(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).expect("JSON on standard output")
}

#[test]
fn facility_list_json_contract() {
    let dir = temp();
    let out = chokepoint(
        dir.path(),
        &[
            "facility",
            "list",
            "--country",
            "CN",
            "--as-of",
            "2026-11-21",
            "--format",
            "json",
        ],
    );
    let facilities = json(&out);
    let facilities = facilities.as_array().expect("an array");
    assert!(facilities.len() >= 40, "{} facilities", facilities.len());
    for f in facilities {
        assert!(f["name"].is_string(), "{f}");
        assert!(f["operator"].is_string() || f["operator"].is_null(), "{f}");
        assert_eq!(f["country"], "CN");
        assert!(f["advanced"].is_boolean() || f["advanced"].is_null(), "{f}");
        assert_eq!(
            f["advanced"].is_null(),
            !f["missing"].as_array().expect("missing").is_empty()
        );
        let sources = f["sources"].as_array().expect("sources");
        assert!(!sources.is_empty(), "{}", f["id"]);
        assert!(
            sources
                .iter()
                .all(|s| s["key"].is_string() && s["publication"].is_string())
        );
    }
    let smic = facilities
        .iter()
        .find(|f| f["id"] == "smic-south-sn")
        .expect("SMIC South");
    assert_eq!(smic["advanced"], true);
}

#[test]
fn facility_list_filters_by_classification() {
    let dir = temp();
    for (flag, expected) in [
        ("true", Value::Bool(true)),
        ("false", Value::Bool(false)),
        ("unknown", Value::Null),
    ] {
        let out = chokepoint(
            dir.path(),
            &[
                "facility",
                "list",
                "--advanced",
                flag,
                "--as-of",
                "2026-11-21",
                "--format",
                "json",
            ],
        );
        let facilities = json(&out);
        let facilities = facilities.as_array().expect("an array");
        assert!(!facilities.is_empty(), "--advanced {flag}");
        assert!(
            facilities.iter().all(|f| f["advanced"] == expected),
            "--advanced {flag}"
        );
    }
}

#[test]
fn facility_show_by_alias_names_facts_and_sources() {
    let dir = temp();
    let out = chokepoint(
        dir.path(),
        &["facility", "show", "中芯南方", "--as-of", "2026-11-21"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("smic-south-sn"), "{text}");
    assert!(text.contains("advanced-node on 2026-11-21: yes"), "{text}");
    assert!(text.contains("used transistor = finfet"), "{text}");
    let out = chokepoint(dir.path(), &["facility", "show", "No Such Fab Anywhere"]);
    assert!(!out.status.success());
}

#[test]
fn user_files_are_imported_and_bad_rows_reported_with_lines() {
    let dir = temp();
    let csv = dir.path().join("fabs.csv");
    std::fs::write(
        &csv,
        "id,name,country,product,node_nm,transistor,source,confidence\n\
         acme-fab1,ACME Fab 1,CN,logic,20,planar,ACME report 2025,high\n\
         acme-fab2,ACME Fab 2,CN,logic,twenty,planar,ACME report 2025,high\n",
    )
    .expect("write");
    let path = csv.to_str().expect("utf-8 path");
    let out = chokepoint(
        dir.path(),
        &[
            "facility",
            "list",
            "--registry",
            path,
            "--as-of",
            "2026-01-01",
            "--format",
            "json",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("fabs.csv:3 record `acme-fab2` field `node_nm`"),
        "{err}"
    );
    let facilities = json(&out);
    let acme = facilities
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["id"] == "acme-fab1")
        .cloned()
        .expect("the user's facility");
    assert_eq!(acme["advanced"], false);
    assert_eq!(acme["sources"][0]["publication"], "ACME report 2025");
}

#[test]
fn owners_shows_chain_share_and_the_affiliates_rule_window() {
    let dir = temp();
    let csv = dir.path().join("owners.csv");
    std::fs::write(
        &csv,
        "child,parent,percent,relation,as_of,parent_entity_list_name,source\n\
         Acme Wafer Co.,SMIC Holdings Limited,30,owns,2024,SMIC Holdings Limited,Filing\n\
         Acme Wafer Co.,Huawei Technologies Co. Ltd.,20,owns,2024,Huawei Technologies Co. Ltd.,Filing\n",
    )
    .expect("write");
    let path = csv.to_str().expect("utf-8 path");
    for (date, applies) in [
        ("2025-09-28", false),
        ("2025-10-01", true),
        ("2026-01-01", false),
        ("2026-11-10", true),
    ] {
        let out = chokepoint(
            dir.path(),
            &[
                "owners",
                "Acme Wafer Co",
                "--registry",
                path,
                "--as-of",
                date,
                "--format",
                "json",
            ],
        );
        let answer = json(&out);
        assert_eq!(answer["listed_share"]["percent"], 50.0, "{date}");
        assert_eq!(answer["listed_share"]["affiliate"], true, "{date}");
        assert_eq!(answer["affiliates_rule_applies"], applies, "{date}");
    }
    let out = chokepoint(
        dir.path(),
        &[
            "owners",
            "Acme Wafer Co",
            "--registry",
            path,
            "--as-of",
            "2026-01-01",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("SMIC Holdings Limited [LISTED] — 30 %"),
        "{text}"
    );
    assert!(text.contains("suspended 2025-11-10..2026-11-09"), "{text}");
}

#[test]
fn check_takes_facility_facts_from_the_registry_and_says_so() {
    let dir = temp();
    let record = dir.path().join("record.yaml");
    std::fs::write(
        &record,
        "- id: FAB-1\n  as_of: '2025-10-01'\n  transaction:\n    item: {eccn: 3B001.c, origin_country: US, us_content_percent: 100}\n    exporter: {country: US, us_person: true}\n    destination_country: CN\n    parties:\n      - {role: end_user, name: Acme Trading, country: CN, lists: []}\n    facility: {name: SMIC SN1}\n    activity: export\n",
    )
    .expect("write");
    let path = record.to_str().expect("utf-8 path");
    let answer = json(&chokepoint(
        dir.path(),
        &["check", path, "--format", "json"],
    ));
    let notes: Vec<&str> = answer["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .filter(|n| n.contains("registry `smic-south-sn`"))
        .collect();
    assert_eq!(notes.len(), 1, "{answer}");
    assert!(
        notes[0].contains("transistor = finfet [TF-K9000S"),
        "{}",
        notes[0]
    );
    let fired: Vec<&str> = answer["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(fired.contains(&"eu-744.23-a2i"), "{fired:?}");
}

#[test]
fn check_takes_party_ownership_from_the_registry_for_the_affiliates_rule() {
    let dir = temp();
    let list = dir.path().join("el.yaml");
    std::fs::write(
        &list,
        "chokepoint_list: 1\nname: test entity list\ncode: EL\ndescription: test\nentries:\n  - id: T-1\n    name: Semiconductor Manufacturing International Corporation (SMIC)\n    kind: entity\n    countries: [CN]\n    license_requirement: \"For all items subject to the EAR.\"\n    license_policy: \"Presumption of denial.\"\n    start_date: 2020-12-18\n",
    )
    .expect("write");
    let record = dir.path().join("record.yaml");
    std::fs::write(
        &record,
        "- id: OWN-1\n  as_of: '2025-10-01'\n  transaction:\n    item: {eccn: 3B001.c, origin_country: US, us_content_percent: 100}\n    exporter: {country: US, us_person: true}\n    destination_country: CN\n    parties:\n      - {role: end_user, name: \"SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd.\", country: CN, lists: []}\n    activity: export\n",
    )
    .expect("write");
    let (list, record) = (list.to_str().expect("path"), record.to_str().expect("path"));
    for (date, effect) in [
        ("2025-10-01", "license_required"),
        ("2026-01-01", "suspended"),
    ] {
        let answer = json(&chokepoint(
            dir.path(),
            &[
                "check", record, "--lists", list, "--as-of", date, "--format", "json",
            ],
        ));
        let rule = answer["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["id"] == "el-affiliates")
            .cloned()
            .unwrap_or_else(|| panic!("el-affiliates in the chain on {date}: {answer}"));
        assert_eq!(rule["effect"], effect, "{date}");
        assert!(
            answer["notes"].as_array().expect("notes").iter().any(|n| n
                .as_str()
                .is_some_and(|n| n.contains("51 %, as of 2025 [VERDICT-SMNC]"))),
            "{answer}"
        );
    }
}

#[test]
fn screening_hits_show_the_registry_owners_subsidiaries_and_facilities() {
    let dir = temp();
    let list = dir.path().join("watch.yaml");
    std::fs::write(
        &list,
        "chokepoint_list: 1\nname: test watch list\ncode: WATCH\nentries:\n  - id: W-1\n    name: Semiconductor Manufacturing International Corporation\n    kind: entity\n    countries: [CN]\n",
    )
    .expect("write list");
    let list = list.display().to_string();
    let args = [
        "screen",
        "Semiconductor Manufacturing International Corp",
        "--lists",
        list.as_str(),
        "--as-of",
        "2025-06-01",
    ];
    let out = chokepoint(dir.path(), &[&args[..], &["--format", "json"]].concat());
    assert_eq!(
        out.status.code(),
        Some(1),
        "a match exits 1: {}",
        stderr(&out)
    );
    let answer: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let related = &answer["hits"][0]["related"];
    assert!(related["company"].is_string(), "{answer}");
    assert!(
        related["facilities"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
            || related["owned"].as_array().is_some_and(|o| !o.is_empty()),
        "{related}"
    );
    let out = chokepoint(dir.path(), &args);
    let text = stdout(&out);
    assert!(
        text.contains("(registry):"),
        "the text output names what the registry knows: {text}"
    );
}
