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

/// A data directory with the list `text` (file `name`) imported, a folder for input files, and
/// a watch store of its own (its `--database` URL): `lists import` re-checks only with the
/// default store or `--database`.
fn watching(name: &str, text: &str) -> (tempfile::TempDir, tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", files.path().join("monitor.db").display());
    let list = write(files.path(), name, text);
    let out = chokepoint(dir.path(), &["lists", "import", &list]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, files, db)
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
    let list = write(files.path(), "watch.yaml", V2);
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
    let (dir, files, db) = watching("watch.yaml", V1);

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
    let list = write(files.path(), "watch.yaml", V2);
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

/// The summary a watched order's answer is stored as (`chokepoint_monitor::AnswerSummary`),
/// computed here from a `check --format json` determination.
fn summary(determination: &Value) -> Value {
    let mut rules: Vec<String> = determination["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| r["effect"] != "not_triggered")
        .map(|r| {
            format!(
                "{}: {}",
                r["id"].as_str().unwrap_or(""),
                r["effect"].as_str().unwrap_or("")
            )
        })
        .collect();
    rules.sort();
    rules.dedup();
    let mut listed: Vec<String> = determination["screening"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .flat_map(|s| {
            s["hits"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(move |h| {
                    format!(
                        "{}: {} {}",
                        s["party"].as_str().unwrap_or(""),
                        h["list"].as_str().unwrap_or(""),
                        h["entry_name"].as_str().unwrap_or("")
                    )
                })
        })
        .collect();
    listed.sort();
    listed.dedup();
    let unknowns: Vec<Value> = determination["unknowns"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|q| q["question"].clone())
        .collect();
    serde_json::json!({
        "license_required": determination["license_required"],
        "review_policy": determination["review_policy"],
        "rules": rules,
        "listed_parties": listed,
        "unknowns": unknowns,
        "as_of": determination["as_of"],
    })
}

/// The stored summary's fields that [`summary`] computes.
fn stored(after: &Value) -> Value {
    serde_json::json!({
        "license_required": after["license_required"],
        "review_policy": after["review_policy"],
        "rules": after["rules"],
        "listed_parties": after["listed_parties"],
        "unknowns": after["unknowns"],
        "as_of": after["as_of"],
    })
}

/// The answer alert of each order in a run, by order id.
fn answers(run: &Value) -> std::collections::BTreeMap<String, Value> {
    run["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|a| a["subject_kind"] == "order")
        .map(|a| {
            (
                a["subject_id"].as_str().unwrap_or("").to_string(),
                a.clone(),
            )
        })
        .collect()
}

const SMIC_LIST: &str = "chokepoint_list: 1\nname: test entity list\ncode: EL\ndescription: test\nentries:\n  - id: T-1\n    name: Semiconductor Manufacturing International Corporation (SMIC)\n    kind: entity\n    countries: [CN]\n    license_requirement: \"For all items subject to the EAR.\"\n    license_policy: \"Presumption of denial.\"\n    start_date: 2020-12-18\n";

const REGISTRY_ORDERS: &str = "- id: FAB-1\n  as_of: '2025-10-01'\n  transaction:\n    item: {eccn: 3B001.c, origin_country: US, us_content_percent: 100}\n    exporter: {country: US, us_person: true}\n    destination_country: CN\n    parties:\n      - {role: end_user, name: Acme Trading, country: CN, lists: []}\n    facility: {name: SMIC SN1}\n    activity: export\n- id: OWN-1\n  as_of: '2025-10-01'\n  transaction:\n    item: {eccn: 3B001.c, origin_country: US, us_content_percent: 100}\n    exporter: {country: US, us_person: true}\n    destination_country: CN\n    parties:\n      - {role: end_user, name: \"SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd.\", country: CN, lists: []}\n    activity: export\n";

#[test]
fn a_watched_order_is_filled_from_the_registry_and_answered_as_a_direct_check() {
    let (dir, files, db) = watching("el.yaml", SMIC_LIST);
    let orders = write(files.path(), "orders.yaml", REGISTRY_ORDERS);
    let out = chokepoint(
        dir.path(),
        &["watch", "import-orders", &orders, "--database", &db],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // The answers as stored: an order whose answer did not change raises no alert and keeps it.
    let mut last: std::collections::BTreeMap<String, Value> = Default::default();
    let without_date = |summary: &Value| {
        let mut summary = summary.clone();
        if let Some(fields) = summary.as_object_mut() {
            fields.remove("as_of");
        }
        summary
    };
    for as_of in ["2025-10-01", "2026-01-01"] {
        let run = json(&chokepoint(
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
        ));
        let direct = json(&chokepoint(
            dir.path(),
            &["check", &orders, "--as-of", as_of, "--format", "json"],
        ));
        let direct = direct.as_array().expect("one answer per record");
        for (id, alert) in answers(&run) {
            let after = stored(&alert["details"]["after"]);
            assert_eq!(after["as_of"], as_of, "{id}");
            last.insert(id, after);
        }
        for (id, determination) in [("FAB-1", &direct[0]), ("OWN-1", &direct[1])] {
            assert_eq!(determination["id"], id);
            let answer = last
                .get(id)
                .unwrap_or_else(|| panic!("{id} answered by {as_of}: {run}"));
            assert_eq!(
                without_date(answer),
                without_date(&summary(determination)),
                "{id} on {as_of}: the watched answer and the direct check differ"
            );
        }
        // The registry facts were used: the facility is advanced-node (744.23), the end user
        // is an affiliate of a listed owner (license required, then suspended).
        let rules = |id: &str| last[id]["rules"].to_string();
        assert!(
            rules("FAB-1").contains("eu-744.23-a2i"),
            "{}",
            rules("FAB-1")
        );
        let affiliates = if as_of == "2025-10-01" {
            "el-affiliates: license_required"
        } else {
            "el-affiliates: suspended"
        };
        assert!(rules("OWN-1").contains(affiliates), "{}", rules("OWN-1"));
    }
}

/// Entries with their own dates: one listed from 2026-08-02, one lapsing after 2026-08-01.
const DATED_LIST: &str = "chokepoint_list: 1\nname: dated\ncode: DATED\nentries:\n  - id: D-1\n    name: Delta Wafer Optics Corporation\n    start_date: 2026-08-02\n  - id: D-2\n    name: Epsilon Photomask Trading Company\n    end_date: 2026-08-01\n  - id: D-3\n    name: Zeta Unrelated Holdings\n    start_date: 2027-01-01\n";

const DATED_ORDERS: &str = "- id: O-D1\n  as_of: '2025-09-01'\n  transaction:\n    item: {eccn: 3B001.c, origin_country: US, us_content_percent: 100}\n    exporter: {country: US, us_person: true}\n    destination_country: CN\n    parties:\n      - {role: end_user, name: \"Delta Wafer Optics Corp\", country: CN}\n    activity: export\n- id: O-D2\n  as_of: '2025-09-01'\n  transaction:\n    item: {eccn: 3B001.c, origin_country: US, us_content_percent: 100}\n    exporter: {country: US, us_person: true}\n    destination_country: CN\n    parties:\n      - {role: end_user, name: \"Epsilon Photomask Trading Co\", country: CN}\n    activity: export\n- id: O-D3\n  as_of: '2025-09-01'\n  transaction:\n    item: {eccn: 3B001.c, origin_country: US, us_content_percent: 100}\n    exporter: {country: US, us_person: true}\n    destination_country: CN\n    parties:\n      - {role: end_user, name: \"Someone Entirely Unlisted\", country: CN}\n    activity: export\n";

#[test]
fn a_new_day_without_a_file_change_rechecks_orders_an_entry_listed_or_lapsed_reaches() {
    let (dir, files, db) = watching("dated.yaml", DATED_LIST);
    let orders = write(files.path(), "orders.yaml", DATED_ORDERS);
    let out = chokepoint(
        dir.path(),
        &["watch", "import-orders", &orders, "--database", &db],
    );
    assert!(out.status.success(), "{}", stderr(&out));
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
    let first = run("2026-08-01");
    assert_eq!(first["orders_answered"], 3, "{first}");
    let listed =
        |run: &Value, id: &str| answers(run)[id]["details"]["after"]["listed_parties"].clone();
    assert_eq!(listed(&first, "O-D1"), serde_json::json!([]), "{first}");
    assert_ne!(listed(&first, "O-D2"), serde_json::json!([]), "{first}");

    // The next day: no file changed and no rule changed, but D-1 took effect and D-2 lapsed.
    let next = run("2026-08-02");
    assert_eq!(
        next["rule_changes"], 0,
        "the test needs two dates without a rule change: {next}"
    );
    assert_eq!(next["entries_added"], 0, "{next}");
    assert_eq!(next["entries_in_force_changed"], 2, "{next}");
    assert_eq!(
        next["orders_answered"], 2,
        "only the orders they reach: {next}"
    );
    let changed = answers(&next);
    assert_eq!(changed.len(), 2, "{next}");
    for id in ["O-D1", "O-D2"] {
        assert_eq!(changed[id]["kind"], "changed_answer", "{next}");
    }
    assert_ne!(listed(&next, "O-D1"), serde_json::json!([]), "{next}");
    assert_eq!(listed(&next, "O-D2"), serde_json::json!([]), "{next}");
    // And as the direct check answers on that date.
    let direct = json(&chokepoint(
        dir.path(),
        &[
            "check",
            &orders,
            "--as-of",
            "2026-08-02",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        stored(&changed["O-D1"]["details"]["after"]),
        summary(&direct[0]),
        "{next}"
    );
    // The same day again: nothing to do.
    let same = run("2026-08-02");
    assert_eq!(same["entries_in_force_changed"], 0, "{same}");
    assert_eq!(same["orders_answered"], 0, "{same}");
}

#[test]
fn removed_customers_and_orders_are_audited_and_no_longer_alerted_on() {
    let (dir, files, db) = watching("watch.yaml", V1);
    let customers = write(files.path(), "customers.csv", CUSTOMERS);
    chokepoint(
        dir.path(),
        &["watch", "import-parties", &customers, "--database", &db],
    );
    let orders = write(files.path(), "orders.yaml", ORDERS);
    chokepoint(
        dir.path(),
        &["watch", "import-orders", &orders, "--database", &db],
    );
    let first = json(&chokepoint(
        dir.path(),
        &["watch", "run", "--database", &db, "--format", "json"],
    ));
    assert_eq!(first["parties"], 5, "{first}");

    // All or nothing: one id not watched removes none.
    let out = chokepoint(
        dir.path(),
        &["watch", "remove-parties", "C3", "C9", "--database", &db],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("C9"), "{}", stderr(&out));
    let out = chokepoint(
        dir.path(),
        &["watch", "remove-parties", "C3", "C4", "--database", &db],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("removed 2 customer(s)"),
        "{}",
        stdout(&out)
    );
    let out = chokepoint(
        dir.path(),
        &["watch", "remove-orders", "O-1", "--database", &db],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // The audit trail names who removed what, and the chain still verifies.
    let export = stdout(&chokepoint(
        dir.path(),
        &["audit", "export", "--database", &db],
    ));
    let removals: Vec<Value> = export
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|r| {
            r["event"]["kind"]
                .as_str()
                .or(r["kind"].as_str())
                .is_some_and(|k| k.ends_with("_removed"))
        })
        .collect();
    assert_eq!(removals.len(), 2, "{export}");
    assert!(
        chokepoint(dir.path(), &["audit", "verify", "--database", &db])
            .status
            .success()
    );

    // V2 changes C3's entry and adds C4's: neither is alerted on; the order is not answered.
    let list = write(files.path(), "watch.yaml", V2);
    assert!(
        chokepoint(dir.path(), &["lists", "import", &list])
            .status
            .success()
    );
    let run = json(&chokepoint(
        dir.path(),
        &["watch", "run", "--database", &db, "--format", "json"],
    ));
    assert_eq!(run["parties"], 3, "{run}");
    assert_eq!(run["orders"], 0, "{run}");
    let subjects: Vec<&str> = run["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|a| a["subject_id"].as_str())
        .collect();
    assert_eq!(subjects, ["C2"], "only C2's removed hit: {run}");
}
