//! `chokepoint bom`: the JSON contract of the README on the fixtures of
//! `crates/chokepoint-bom/test_data`, the worksheet, and bad input named by row.

use crate::{chokepoint, stderr, stdout};

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

const CASES: &str = "crates/chokepoint-bom/test_data/cases";

#[test]
fn bom_json_has_the_contract_fields() {
    let dir = temp();
    let file = format!("{CASES}/subassemblies.csv");
    let out = chokepoint(
        dir.path(),
        &[
            "bom",
            &file,
            "--destination",
            "CN",
            "--as-of",
            "2026-07-01",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["product"], "P");
    assert_eq!(json["destination"], "CN");
    assert_eq!(json["product_value"], "1000.00");
    assert_eq!(json["controlled_us_content_value"], "300.00");
    assert_eq!(json["controlled_us_content_percent"], "30");
    assert_eq!(json["de_minimis_threshold_percent"], "25");
    assert_eq!(json["subject_to_ear"], true);
    assert!(json["basis"].as_array().is_some_and(|b| !b.is_empty()));
    assert_eq!(json["lines"].as_array().map(Vec::len), Some(8));
    assert!(
        json["fdp"]
            .as_array()
            .is_some_and(|f| f.iter().all(|r| r["citation"].is_string()))
    );
}

#[test]
fn bom_rates_end_user_and_worksheet() {
    let dir = temp();
    let file = format!("{CASES}/fdp_ac.csv");
    let out = chokepoint(
        dir.path(),
        &[
            "bom",
            &file,
            "--destination",
            "CN",
            "--as-of",
            "2026-07-01",
            "--end-user",
            "Example Listed Co",
            "--end-user-list",
            "entity_list",
            "--end-user-footnote",
            "4",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["end_user"], "Example Listed Co");
    let fn4 = json["fdp"]
        .as_array()
        .and_then(|f| f.iter().find(|r| r["rule"] == "fdp-fn4"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(fn4["outcome"], "subject_to_ear", "{fn4}");

    let file = format!("{CASES}/above_25.csv");
    let out = chokepoint(
        dir.path(),
        &["bom", &file, "--destination", "CN", "--as-of", "2026-07-01"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Subject to the EAR: YES"), "{text}");
    assert!(
        text.contains("De minimis threshold:            25 %"),
        "{text}"
    );

    // A currency without a rate is an error naming the row; with --rate it is converted.
    let csv = dir.path().join("eur.csv");
    std::fs::write(
        &csv,
        "part_id,parent_id,quantity,unit_value,currency,origin_country,eccn,description\n\
         P,,1,100,EUR,DE,3A001.a.1,product\nIC,P,1,30,EUR,US,3A001.a.1,chip\n",
    )
    .expect("write");
    let path = csv.to_string_lossy().into_owned();
    let out = chokepoint(
        dir.path(),
        &["bom", &path, "--destination", "CN", "--as-of", "2026-07-01"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("line 2 (part `P`): currency: unknown currency `EUR`"),
        "{}",
        stderr(&out)
    );
    let out = chokepoint(
        dir.path(),
        &[
            "bom",
            &path,
            "--destination",
            "CN",
            "--as-of",
            "2026-07-01",
            "--rate",
            "EUR=1.08",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["product_value"], "108.00");
}

#[test]
fn bom_bad_input_names_every_row() {
    let dir = temp();
    let out = chokepoint(
        dir.path(),
        &[
            "bom",
            "crates/chokepoint-bom/test_data/bad/cycle.csv",
            "--destination",
            "CN",
            "--as-of",
            "2026-07-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for row in [
        "line 3 (part `A`)",
        "line 4 (part `B`)",
        "line 5 (part `C`)",
        "line 6 (part `D`)",
    ] {
        assert!(err.contains(row), "{err}");
    }
}
