//! Every worked determination of shared/examples/determinations.yaml, read from that file: the
//! license answer, the review policy, every expected citation, and the available exceptions.

use crate::common::{line_matched, rules, shared};
use chokepoint_rules::{Context, LicenseRequired, determine, parse_records};

fn expected_license(v: &serde_yaml::Value) -> Option<LicenseRequired> {
    match v {
        serde_yaml::Value::Bool(true) => Some(LicenseRequired::Yes),
        serde_yaml::Value::Bool(false) => Some(LicenseRequired::No),
        serde_yaml::Value::String(s) if s == "not subject to EAR" => {
            Some(LicenseRequired::NotSubjectToEar)
        }
        _ => None,
    }
}

/// Exception symbols named in an expected line ("GBS (740.4): ..." → GBS).
fn symbols(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.split(|c: char| !c.is_ascii_alphanumeric())
                .find(|w| w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase()))
                .map(str::to_string)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn worked_examples_all_pass() {
    let Some(path) = shared("examples/determinations.yaml") else {
        println!("SKIPPED: ../shared/examples not found");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("readable examples");
    let rules = rules();
    let raw: Vec<serde_yaml::Value> =
        serde_yaml::from_str(&text).expect("examples are a YAML list");
    let records = parse_records(rules, "determinations.yaml", &text);
    assert_eq!(records.len(), raw.len());
    let mut failures = Vec::new();
    let mut unchecked = 0;
    for (record, raw) in records.iter().zip(&raw) {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{e}"));
                continue;
            }
        };
        let expected = &raw["expected"];
        let d = determine(rules, record, &Context::default()).expect("in range");
        let mut problems = Vec::new();
        match expected_license(&expected["license_required"]) {
            Some(want) if want == d.license_required => {}
            want => problems.push(format!(
                "license_required: expected {want:?}, got {:?}",
                d.license_required
            )),
        }
        let want_policy = expected["review_policy"].as_str().unwrap_or("");
        let got_policy = d.review_policy.map_or("unknown", |p| p.name());
        if want_policy != got_policy {
            problems.push(format!(
                "review_policy: expected {want_policy}, got {got_policy}"
            ));
        }
        let lines: Vec<String> = expected["rules"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        for line in &lines {
            match line_matched(line, &d) {
                Some(true) => {}
                Some(false) => {
                    problems.push(format!("citation not matched by any reported rule: {line}"))
                }
                None => unchecked += 1,
            }
        }
        let want_ex: Vec<String> = expected["license_exceptions_available"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let want_ex = symbols(&want_ex);
        let mut got_ex: Vec<String> = d
            .license_exceptions
            .available
            .iter()
            .map(|e| e.symbol.clone())
            .collect();
        got_ex.sort();
        if want_ex != got_ex {
            problems.push(format!(
                "license_exceptions_available: expected {want_ex:?}, got {got_ex:?}"
            ));
        }
        if !problems.is_empty() {
            let cites: Vec<String> = d
                .rules
                .iter()
                .map(|r| format!("    {} [{}] {}", r.id, r.effect, r.citation))
                .collect();
            failures.push(format!(
                "{}:\n  - {}\n  rules reported:\n{}",
                record.id,
                problems.join("\n  - "),
                cites.join("\n")
            ));
        }
    }
    println!(
        "{} examples, {} prose lines not checked",
        records.len(),
        unchecked
    );
    assert!(
        failures.is_empty(),
        "{} of {} examples fail:\n{}",
        failures.len(),
        records.len(),
        failures.join("\n\n")
    );
}
