//! Change monitoring from the command line (issue 8): list versions and their diff, rule
//! deltas, watched customers and orders re-checked after an import, alerts and the report.

use crate::{chokepoint, stderr, stdout};
use serde_json::Value;
use std::path::Path;

const V1: &str = "chokepoint_list: 1\nname: watch\ncode: WATCH\nentries:\n  - id: W-1\n    name: Alpha Precision Trading Company\n    countries: [CN]\n  - id: W-2\n    name: Beta Semiconductor Equipment Ltd\n  - id: W-3\n    name: Gamma Lithography Systems\n    license_policy: Case-by-case\n";
const V2: &str = "chokepoint_list: 1\nname: watch\ncode: WATCH\nentries:\n  - id: W-1\n    name: Alpha Precision Trading Company\n    countries: [CN]\n  - id: W-3\n    name: Gamma Lithography Systems\n    license_policy: Presumption of denial\n  - id: W-4\n    name: Delta Wafer Optics Corporation\n";

const CUSTOMERS: &str = "id,name,country,type,account\nC1,Alpha Precision Trading Co,CN,entity,Jane\nC2,Beta Semiconductor Equipment Limited,,,\nC3,Gamma Lithography System,,,\nC4,Delta Wafer Optics Corp,,,\nC5,Someone Entirely Unlisted,,,\nC6,,DE,,\nC1,Duplicate,,,\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

#[test]
fn issue_8_versions_diff_watch_alerts_and_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = tempfile::tempdir().expect("temp dir");
    let list = files.path().join("watch.yaml");
    std::fs::write(&list, V1).expect("write");
    let list = list.display().to_string();

    // Snapshots: one revision per changing import, none for the same content.
    assert!(
        chokepoint(dir.path(), &["lists", "import", &list])
            .status
            .success()
    );
    assert!(
        chokepoint(dir.path(), &["lists", "import", &list])
            .status
            .success()
    );
    let history = json(&chokepoint(
        dir.path(),
        &["lists", "history", "--format", "json"],
    ));
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
    assert_eq!(history[0]["sources"][0]["entries"], 3);

    // The customer master: bad rows reported with their line, the rest stored.
    let customers = write(files.path(), "customers.csv", CUSTOMERS);
    let out = chokepoint(dir.path(), &["watch", "import-parties", &customers]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("stored 5 customer(s)"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains(":7"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("already used on line 2"),
        "{}",
        stderr(&out)
    );

    // The first run screens everyone in full: one alert per match.
    let run = json(&chokepoint(
        dir.path(),
        &["watch", "run", "--format", "json"],
    ));
    assert_eq!(run["parties_screened_in_full"], 5, "{run}");
    let first: Vec<String> = run["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a["subject_id"].as_str().unwrap_or(""),
                a["kind"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(first, ["C1 new_hit", "C2 new_hit", "C3 new_hit"], "{run}");
    // Nothing changed: nothing to do, no alert.
    let again = json(&chokepoint(
        dir.path(),
        &["watch", "run", "--format", "json"],
    ));
    assert_eq!(again["alerts"].as_array().map(Vec::len), Some(0), "{again}");
    assert_eq!(again["parties_screened_against_changes"], 0, "{again}");

    // A new version of the list: the import re-checks the customers against the change only.
    std::fs::write(&list, V2).expect("write");
    let out = chokepoint(dir.path(), &["lists", "import", &list]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("3 alert(s) raised"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("5 against the changes"),
        "{}",
        stdout(&out)
    );

    let diff = json(&chokepoint(
        dir.path(),
        &["lists", "diff", "--format", "json"],
    ));
    let ids = |key: &str| -> Vec<String> {
        diff[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["id"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(ids("added"), ["W-4"], "{diff}");
    assert_eq!(ids("removed"), ["W-2"], "{diff}");
    assert_eq!(ids("changed"), ["W-3"], "{diff}");
    assert_eq!(
        diff["changed"][0]["fields"],
        serde_json::json!(["license_policy"])
    );
    assert_eq!(
        diff["changed"][0]["changes"][0]["after"],
        "Presumption of denial"
    );
    let text = stdout(&chokepoint(
        dir.path(),
        &[
            "lists", "diff", "--from", "1", "--to", "2", "--source", "watch",
        ],
    ));
    assert!(text.contains("1 added, 1 removed, 1 changed"), "{text}");
    let out = chokepoint(dir.path(), &["lists", "diff", "--from", "9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lists history"), "{}", stderr(&out));

    // Alerts: new (C4), changed (C3), removed (C2); none for C1, whose entry did not change.
    let alerts = json(&chokepoint(
        dir.path(),
        &["alerts", "list", "--open", "--format", "json"],
    ));
    let kinds: Vec<String> = alerts
        .as_array()
        .expect("alerts")
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a["subject_id"].as_str().unwrap_or(""),
                a["kind"].as_str().unwrap_or("")
            )
        })
        .collect();
    for expected in ["C4 new_hit", "C3 changed_hit", "C2 removed_hit"] {
        assert!(kinds.contains(&expected.to_string()), "{kinds:?}");
    }
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    let id = alerts[0]["id"].as_str().expect("id").to_string();
    let out = chokepoint(dir.path(), &["alerts", "ack", &id, "--note", "reviewed"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let open = json(&chokepoint(
        dir.path(),
        &["alerts", "list", "--open", "--format", "json"],
    ));
    assert_eq!(open.as_array().map(Vec::len), Some(5));

    // The report for the period.
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().expect("date").to_string();
    let report = json(&chokepoint(
        dir.path(),
        &[
            "report",
            "--from",
            &yesterday,
            "--to",
            &today.to_string(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(report["summary"]["parties_affected"], 4, "{report}");
    assert_eq!(report["summary"]["open_alerts"], 5, "{report}");
    assert_eq!(report["lists"]["to_revision"], 2, "{report}");
    let text = stdout(&chokepoint(
        dir.path(),
        &["report", "--from", &yesterday, "--to", &today.to_string()],
    ));
    assert!(text.contains("customers affected: 4"), "{text}");
}

#[test]
fn rules_diff_has_the_list_diff_shape() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = chokepoint(
        dir.path(),
        &[
            "rules",
            "diff",
            "--from",
            "2025-09-28",
            "--to",
            "2025-11-30",
            "--format",
            "json",
        ],
    );
    let delta = json(&out);
    for key in ["added", "removed", "changed", "changes"] {
        assert!(delta[key].is_array(), "{key}: {delta}");
    }
    assert!(
        delta["added"]
            .as_array()
            .is_some_and(|a| a.iter().any(|r| r["id"] == "el-affiliates")),
        "{delta}"
    );
}

const ORDERS: &str = "- id: O-1\n  as_of: '2025-09-01'\n  title: Wafer optics order\n  transaction:\n    item: {eccn: 3B001.c, origin_country: US, us_content_percent: 100}\n    exporter: {country: US, us_person: true}\n    destination_country: CN\n    parties:\n      - {role: end_user, name: \"Delta Wafer Optics Corp\", country: CN}\n    activity: export\n- id: O-2\n  as_of: '2025-09-01'\n  transaction:\n    item: {eccn: \"3X9\", origin_country: US}\n    exporter: {country: US}\n    destination_country: CN\n    activity: export\n";

#[test]
fn issue_8_open_orders_are_answered_again_when_a_list_or_rule_change_reaches_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = tempfile::tempdir().expect("temp dir");
    // A store of its own: `lists import` re-checks only with the default store or --database.
    let db = format!("sqlite:{}", files.path().join("monitor.db").display());
    let list = write(files.path(), "watch.yaml", V1);
    assert!(
        chokepoint(dir.path(), &["lists", "import", &list])
            .status
            .success()
    );

    let orders = write(files.path(), "orders.yaml", ORDERS);
    let out = chokepoint(
        dir.path(),
        &["watch", "import-orders", &orders, "--database", &db],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("stored 1 order(s)"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("O-2"), "{}", stderr(&out));

    let run = |as_of: &str| {
        json(&chokepoint(
            dir.path(),
            &[
                "watch",
                "run",
                "--as-of",
                as_of,
                "--database",
                &db,
                "--format",
                "json",
            ],
        ))
    };
    let first = run("2025-09-01");
    assert_eq!(first["orders_answered"], 1, "{first}");
    assert_eq!(first["alerts"][0]["kind"], "new_answer", "{first}");
    assert_eq!(first["alerts"][0]["subject_id"], "O-1", "{first}");
    // Nothing changed: not answered again.
    let same = run("2025-09-01");
    assert_eq!(same["orders_answered"], 0, "{same}");

    // The end user is listed in the new version: the order is answered again, and its listed
    // parties changed.
    std::fs::write(&list, V2).expect("write");
    assert!(
        chokepoint(dir.path(), &["lists", "import", &list])
            .status
            .success()
    );
    let listed = run("2025-09-01");
    assert_eq!(listed["orders_answered"], 1, "{listed}");
    assert_eq!(listed["alerts"][0]["kind"], "changed_answer", "{listed}");
    let fields: Vec<&str> = listed["alerts"][0]["details"]["changes"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(fields.contains(&"listed_parties"), "{listed}");

    // A rule came into force between the two dates (el-affiliates, 2025-09-29): every order is
    // answered again; an alert only if its answer changed.
    let later = run("2025-10-01");
    assert!(later["rule_changes"].as_u64().unwrap_or(0) > 0, "{later}");
    assert_eq!(later["orders_answered"], 1, "{later}");
}
