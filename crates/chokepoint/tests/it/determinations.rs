//! `chokepoint check` and `chokepoint rules` as the README documents them.

use crate::{chokepoint, repo_root, shared_data, stderr, stdout};
use serde_json::Value;

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

#[test]
fn check_answers_every_worked_example_in_order() {
    let examples = repo_root().join("../shared/examples/determinations.yaml");
    if !examples.is_file() {
        eprintln!(
            "SKIPPED check_answers_every_worked_example_in_order: ../shared/examples not found"
        );
        return;
    }
    let text = std::fs::read_to_string(&examples).expect("examples readable");
    let expected: Vec<(String, String)> = text
        .split("\n- id: ")
        .skip(1)
        .filter_map(|chunk| {
            let id = chunk.lines().next()?.trim().to_string();
            let required = chunk
                .lines()
                .find_map(|l| l.trim().strip_prefix("license_required: "))?
                .trim_matches(|c| c == '\'' || c == '"')
                .to_string();
            Some((id, required))
        })
        .collect();
    assert!(expected.len() >= 27, "read {} expectations", expected.len());
    let dir = temp();
    let out = chokepoint(
        dir.path(),
        &[
            "check",
            examples.to_str().unwrap_or_default(),
            "--format",
            "jsonl",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let answers: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(answers.len(), expected.len());
    for ((id, required), answer) in expected.iter().zip(&answers) {
        assert_eq!(answer["id"], id.as_str());
        let got = match &answer["license_required"] {
            Value::Bool(b) => b.to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(&got, required, "{id}: {answer}");
        for field in [
            "as_of",
            "subject_to_ear",
            "review_policy",
            "rules",
            "license_exceptions",
            "unknowns",
            "evidence",
        ] {
            assert!(answer.get(field).is_some(), "{id} lacks `{field}`");
        }
    }
}

const NAME_ONLY: &str = r#"
- id: NAME-ONLY-1
  as_of: '2024-06-03'
  transaction:
    item: {eccn: EAR99, origin_country: US, us_content_percent: 100}
    exporter: {country: US, us_person: true}
    destination_country: CN
    parties:
      - {role: end_user, name: "Semiconductor Manufacturing International Corp.", country: CN}
    activity: export
- id: BAD-ECCN
  as_of: '2024-06-03'
  transaction:
    item: {eccn: "3X9", origin_country: US, us_content_percent: 100}
    exporter: {country: US, us_person: true}
    destination_country: CN
    parties: []
    activity: export
"#;

#[test]
fn parties_given_by_name_are_screened_and_bad_records_named() {
    let dir = temp();
    let file = dir.path().join("records.yaml");
    std::fs::write(&file, NAME_ONLY).expect("write records");
    let file = file.to_str().unwrap_or_default().to_string();

    // Without lists: the party's status is a question, not a silent "not listed".
    let out = chokepoint(dir.path(), &["check", &file, "--format", "jsonl"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "one bad record exits 1: {}",
        stderr(&out)
    );
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "NAME-ONLY-1");
    assert!(
        lines[0]["unknowns"]
            .as_array()
            .is_some_and(|u| !u.is_empty()),
        "an unscreened party is an unknown: {}",
        lines[0]
    );
    assert_eq!(lines[1]["id"], "BAD-ECCN");
    let error = lines[1]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("BAD-ECCN") && error.contains("transaction.item.eccn"),
        "{error}"
    );

    // With the real list, the name is screened and the Entity List listing decides.
    let Some(data) = shared_data("parties_given_by_name_are_screened_and_bad_records_named") else {
        return;
    };
    let csl = data.join("us-csl/consolidated_2026-07-31.csv");
    let out = chokepoint(
        dir.path(),
        &[
            "check",
            &file,
            "--format",
            "jsonl",
            "--lists",
            csl.to_str().unwrap_or_default(),
        ],
    );
    let first: Value =
        serde_json::from_str(stdout(&out).lines().next().unwrap_or("{}")).expect("JSON");
    assert_eq!(first["license_required"], true, "{first}");
    let text = first.to_string();
    assert!(text.contains("744.11"), "{text}");
    assert!(
        first["evidence"]["list_snapshot"]
            .as_str()
            .is_some_and(|s| s.len() == 64),
        "{first}"
    );

    let memo = chokepoint(
        dir.path(),
        &["check", &file, "--lists", csl.to_str().unwrap_or_default()],
    );
    let memo = stdout(&memo);
    assert!(
        memo.contains("NAME-ONLY-1") && memo.contains("744.11"),
        "{memo}"
    );
    assert!(memo.contains("RECORD BAD-ECCN NOT ANSWERED"), "{memo}");
}

#[test]
fn rules_list_show_and_diff() {
    let dir = temp();
    let out = chokepoint(dir.path(), &["rules", "list", "--as-of", "2025-10-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("el-affiliates"), "{text}");
    assert!(text.contains("el-744.11"), "{text}");

    let before = stdout(&chokepoint(
        dir.path(),
        &["rules", "list", "--as-of", "2019-06-03"],
    ));
    assert!(!before.contains("el-affiliates"), "{before}");

    let out = chokepoint(
        dir.path(),
        &[
            "rules",
            "diff",
            "--from",
            "2025-11-01",
            "--to",
            "2025-11-30",
            "--format",
            "json",
        ],
    );
    let diff: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let changes = diff["changes"].as_array().cloned().unwrap_or_default();
    assert!(
        changes
            .iter()
            .any(|c| c["id"] == "el-affiliates" && c["change"] == "suspended"),
        "{diff}"
    );

    let out = chokepoint(dir.path(), &["rules", "show", "el-744.11"]);
    assert!(stdout(&out).contains("744.11"), "{}", stdout(&out));
    let out = chokepoint(dir.path(), &["rules", "show", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no rule `no-such-rule`"),
        "{}",
        stderr(&out)
    );
    let out = chokepoint(
        dir.path(),
        &[
            "rules",
            "diff",
            "--from",
            "2025-01-01",
            "--to",
            "2024-01-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

const ALLIED: &str = r#"
- id: JP-TO-CN
  as_of: '2024-06-03'
  transaction:
    item:
      eccn: 3B002.c
      origin_country: JP
      us_content_percent: 0
      foreign_direct_product_of_us_tech: false
      made_by_plant_that_is_us_direct_product: false
      classifications: {JP: "Goods Ordinance Art. 6(17)(fu)"}
    exporter: {country: JP, us_person: false}
    destination_country: CN
    parties: [{role: end_user, name: Example Fab, country: CN, lists: []}]
    activity: export
- id: NL-TO-CN
  as_of: '2024-06-03'
  transaction:
    item:
      eccn: 3B001.f.1
      description: ASML TWINSCAN NXT:2050i
      origin_country: NL
      us_content_percent: 0
      foreign_direct_product_of_us_tech: false
      made_by_plant_that_is_us_direct_product: false
      classifications: {NL: "NL-SME 3B001.f.4", EU: "not listed"}
    exporter: {country: NL, us_person: false}
    destination_country: CN
    parties: [{role: end_user, name: Example Fab, country: CN, lists: []}]
    activity: export
- id: DE-TO-FR
  as_of: '2024-06-03'
  transaction:
    item:
      eccn: 3B001.f.1
      origin_country: DE
      us_content_percent: 0
      foreign_direct_product_of_us_tech: false
      made_by_plant_that_is_us_direct_product: false
      classifications: {eu: "Cat. 3B001.f.1"}
    exporter: {country: DE, us_person: false}
    destination_country: FR
    parties: [{role: end_user, name: Example Fab, country: FR, lists: []}]
    activity: export
- id: BAD-CLASSIFICATIONS
  as_of: '2024-06-03'
  transaction:
    item: {eccn: 3B001.f.1, origin_country: JP, classifications: {JP: "row 7(17)", EU: "3Q001"}}
    exporter: {country: JP, us_person: false}
    destination_country: CN
    activity: export
"#;

#[test]
fn issue_9_check_answers_allied_regimes_beside_the_us() {
    let dir = temp();
    let file = dir.path().join("allied.yaml");
    std::fs::write(&file, ALLIED).expect("write records");
    let file = file.to_str().unwrap_or_default().to_string();

    let out = chokepoint(dir.path(), &["check", &file, "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let regimes = |answer: &Value| -> Vec<(String, Value)> {
        answer["jurisdictions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|j| {
                (
                    j["jurisdiction"].as_str().unwrap_or_default().to_string(),
                    j["license_required"].clone(),
                )
            })
            .collect()
    };
    // The US answer stays where it was; each regime that applies answers beside it.
    assert_eq!(lines[0]["license_required"], "not subject to EAR");
    assert_eq!(
        regimes(&lines[0]),
        [
            ("US".to_string(), Value::from("not controlled")),
            ("JP".to_string(), Value::from(true))
        ]
    );
    assert_eq!(
        regimes(&lines[1]),
        [
            ("US".to_string(), Value::from("not controlled")),
            ("NL".to_string(), Value::from(true)),
            ("EU".to_string(), Value::from("not controlled"))
        ]
    );
    assert_eq!(
        regimes(&lines[2]),
        [
            ("US".to_string(), Value::from("not controlled")),
            ("EU".to_string(), Value::from(false))
        ]
    );
    let jp = &lines[0]["jurisdictions"][1];
    assert!(
        jp["licensing"].as_array().is_some_and(|l| l
            .iter()
            .any(|x| x["licence"] == "individual licence (個別許可)")),
        "{jp}"
    );
    // Both bad codes are reported at once, each with its field and the expected form.
    let error = lines[3]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("transaction.item.classifications.JP")
            && error.contains("transaction.item.classifications.EU")
            && error.contains("Goods Ordinance Art. 6(17)(fu)"),
        "{error}"
    );

    let memo = stdout(&chokepoint(dir.path(), &["check", &file]));
    assert!(memo.contains("Jurisdictions"), "{memo}");
    assert!(memo.contains("JP: licence required"), "{memo}");
    assert!(memo.contains("NL: licence required"), "{memo}");
}

#[test]
fn issue_9_rules_list_by_regime() {
    let dir = temp();
    let out = chokepoint(
        dir.path(),
        &["rules", "list", "--as-of", "2024-01-01", "--regime", "jp"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("jp-sme-2023"), "{text}");
    assert!(!text.contains("el-744.11"), "{text}");
    let before = stdout(&chokepoint(
        dir.path(),
        &["rules", "list", "--as-of", "2023-07-22", "--regime", "JP"],
    ));
    assert!(!before.contains("jp-sme-2023"), "{before}");
    let out = chokepoint(dir.path(), &["rules", "show", "nl-sme-2023"]);
    assert!(stdout(&out).contains("**Regime:** NL"), "{}", stdout(&out));
    let out = chokepoint(dir.path(), &["rules", "list", "--regime", "XX"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown regime `XX`"),
        "{}",
        stderr(&out)
    );
}

/// The METI End User List, converted from METI's PDF table, is a screening source: a party found
/// on it turns on Japan's catch-all for an item not on Japan's list.
#[test]
fn issue_9_meti_end_user_list_screens_parties_for_the_japanese_catch_all() {
    let dir = temp();
    let eul = dir.path().join("end_user_list.csv");
    std::fs::write(
        &eul,
        "No.,Country or Region,Company or Organization,Also Known As,Type of WMD\n\
         1,China,Example Propulsion Institute (示例推进研究所),EPI,Missile\n\
         2,Iran,Example Industries Co.,,Chemical\n",
    )
    .expect("write list");
    let record = dir.path().join("jp.yaml");
    std::fs::write(
        &record,
        r#"
id: JP-EUL
as_of: '2025-06-02'
transaction:
  item:
    eccn: EAR99
    description: general-purpose machine tool
    origin_country: JP
    us_content_percent: 0
    foreign_direct_product_of_us_tech: false
    made_by_plant_that_is_us_direct_product: false
    classifications: {JP: "非該当"}
  exporter: {country: JP, us_person: false}
  destination_country: CN
  parties: [{role: end_user, name: 示例推进研究所, country: CN}]
  activity: export
"#,
    )
    .expect("write record");
    let (eul, record) = (eul.display().to_string(), record.display().to_string());
    let out = chokepoint(
        dir.path(),
        &["check", &record, "--lists", &eul, "--format", "json"],
    );
    let answer: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let jp = answer["jurisdictions"]
        .as_array()
        .and_then(|js| js.iter().find(|j| j["jurisdiction"] == "JP"))
        .cloned()
        .unwrap_or_else(|| panic!("a JP answer: {answer}\n{}", stderr(&out)));
    assert_eq!(jp["license_required"], true, "{jp}");
    assert!(
        jp["rules"]
            .as_array()
            .is_some_and(|rules| rules.iter().any(|r| r["id"] == "jp-catch-all-eul")),
        "{jp}"
    );
}
