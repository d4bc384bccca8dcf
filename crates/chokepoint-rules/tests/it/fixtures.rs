//! Our own fixtures, one file per rule family in `test_data/*.yaml`: records in the public input
//! format plus an `expected` block naming rule ids, so each fixture pins exactly which rule fired
//! (or did not) on which side of a date boundary.
//!
//! `expected` keys (all optional): `license_required` (true | false | "not subject to EAR" |
//! "unknown"), `review_policy`, `subject_to_ear` (yes | no | unknown), `fired` (rule ids whose
//! effect is subject_to_ear, license_required, restricts_exceptions or authorization_available),
//! `not_fired` (rule ids that must not have such an effect), `effects` ({rule id: effect}),
//! `exceptions` (available symbols, exact), `authorizations` (symbols, exact),
//! `question_contains` (substrings of some open question), `note_contains`.
//!
//! Allied regimes (issue 9): `jurisdictions` maps `US`/`JP`/`NL`/`EU` to the same kind of block
//! for that regime's answer — `license_required` (true | false | "not controlled" | "unknown"),
//! `review_policy`, `classification`, `fired`, `not_fired`, `effects`, `licensing` (licences
//! usable, exact), `licensing_conditional` (usable if questions resolve, exact),
//! `question_contains`, `note_contains` — and `no_jurisdictions` lists regimes that must not apply.

use chokepoint_rules::{Context, Determination, determine, parse_records};
use std::path::PathBuf;

const FIRING: &[&str] = &[
    "subject_to_ear",
    "license_required",
    "restricts_exceptions",
    "authorization_available",
];

fn check(d: &Determination, expected: &serde_yaml::Value) -> Vec<String> {
    let mut problems = Vec::new();
    let lic = serde_json::to_value(d.license_required).unwrap_or_default();
    if let Some(want) = expected.get("license_required") {
        let want_json = serde_json::to_value(want).unwrap_or_default();
        if want_json != lic {
            problems.push(format!("license_required: expected {want_json}, got {lic}"));
        }
    }
    if let Some(want) = expected.get("review_policy").and_then(|v| v.as_str()) {
        let got = d.review_policy.map_or("unknown", |p| p.name());
        if want != got {
            problems.push(format!("review_policy: expected {want}, got {got}"));
        }
    }
    if let Some(want) = expected.get("subject_to_ear").and_then(|v| v.as_str())
        && want != d.subject_to_ear.answer
    {
        problems.push(format!(
            "subject_to_ear: expected {want}, got {}",
            d.subject_to_ear.answer
        ));
    }
    let fired = |id: &str| {
        d.rules
            .iter()
            .any(|r| r.id == id && FIRING.contains(&r.effect))
    };
    for id in expected
        .get("fired")
        .and_then(|v| v.as_sequence())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
    {
        if !fired(id) {
            problems.push(format!("expected `{id}` to fire"));
        }
    }
    for id in expected
        .get("not_fired")
        .and_then(|v| v.as_sequence())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
    {
        if fired(id) {
            problems.push(format!("expected `{id}` not to fire"));
        }
    }
    if let Some(effects) = expected.get("effects").and_then(|v| v.as_mapping()) {
        for (id, effect) in effects {
            let (Some(id), Some(effect)) = (id.as_str(), effect.as_str()) else {
                continue;
            };
            if !d.rules.iter().any(|r| r.id == id && r.effect == effect) {
                problems.push(format!("expected `{id}` with effect {effect}"));
            }
        }
    }
    let list = |key: &str| -> Option<Vec<String>> {
        expected.get(key).and_then(|v| v.as_sequence()).map(|s| {
            let mut v: Vec<String> = s
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
            v.sort();
            v
        })
    };
    if let Some(want) = list("exceptions") {
        let mut got: Vec<String> = d
            .license_exceptions
            .available
            .iter()
            .map(|e| e.symbol.clone())
            .collect();
        got.sort();
        if want != got {
            problems.push(format!("exceptions: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = list("authorizations") {
        let mut got: Vec<String> = d.authorizations.iter().map(|e| e.symbol.clone()).collect();
        got.sort();
        if want != got {
            problems.push(format!("authorizations: expected {want:?}, got {got:?}"));
        }
    }
    for q in list("question_contains").unwrap_or_default() {
        if !d.unknowns.iter().any(|u| u.question.contains(&q)) {
            problems.push(format!("expected an open question containing `{q}`"));
        }
    }
    for n in list("note_contains").unwrap_or_default() {
        if !d.notes.iter().any(|x| x.contains(&n)) {
            problems.push(format!("expected a note containing `{n}`"));
        }
    }
    if let Some(regimes) = expected.get("jurisdictions").and_then(|v| v.as_mapping()) {
        for (code, want) in regimes {
            let Some(code) = code.as_str() else { continue };
            match d
                .jurisdictions
                .iter()
                .find(|j| j.jurisdiction.code() == code)
            {
                None => problems.push(format!("expected a `{code}` jurisdiction")),
                Some(j) => problems.extend(
                    check_jurisdiction(j, want)
                        .into_iter()
                        .map(|p| format!("{code}: {p}")),
                ),
            }
        }
    }
    for code in list("no_jurisdictions").unwrap_or_default() {
        if d.jurisdictions
            .iter()
            .any(|j| j.jurisdiction.code() == code)
        {
            problems.push(format!("expected no `{code}` jurisdiction"));
        }
    }
    problems
}

fn check_jurisdiction(
    j: &chokepoint_rules::JurisdictionAnswer,
    expected: &serde_yaml::Value,
) -> Vec<String> {
    let mut problems = Vec::new();
    let got = serde_json::to_value(j.license_required).unwrap_or_default();
    if let Some(want) = expected.get("license_required") {
        let want = serde_json::to_value(want).unwrap_or_default();
        if want != got {
            problems.push(format!("license_required: expected {want}, got {got}"));
        }
    }
    if let Some(want) = expected.get("review_policy").and_then(|v| v.as_str()) {
        let got = j.review_policy.map_or("unknown", |p| p.name());
        if want != got {
            problems.push(format!("review_policy: expected {want}, got {got}"));
        }
    }
    if let Some(want) = expected.get("classification").and_then(|v| v.as_str())
        && j.classification.as_deref() != Some(want)
    {
        problems.push(format!(
            "classification: expected {want}, got {:?}",
            j.classification
        ));
    }
    let strings = |key: &str| -> Option<Vec<String>> {
        expected.get(key).and_then(|v| v.as_sequence()).map(|s| {
            let mut v: Vec<String> = s
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
            v.sort();
            v
        })
    };
    let fired = |id: &str| {
        j.rules
            .iter()
            .any(|r| r.id == id && FIRING.contains(&r.effect))
    };
    for id in strings("fired").unwrap_or_default() {
        if !fired(&id) {
            problems.push(format!("expected `{id}` to fire"));
        }
    }
    for id in strings("not_fired").unwrap_or_default() {
        if fired(&id) {
            problems.push(format!("expected `{id}` not to fire"));
        }
    }
    if let Some(effects) = expected.get("effects").and_then(|v| v.as_mapping()) {
        for (id, effect) in effects {
            let (Some(id), Some(effect)) = (id.as_str(), effect.as_str()) else {
                continue;
            };
            if !j.rules.iter().any(|r| r.id == id && r.effect == effect) {
                problems.push(format!("expected `{id}` with effect {effect}"));
            }
        }
    }
    for (key, available) in [
        ("licensing", "yes"),
        ("licensing_conditional", "if the open questions resolve"),
    ] {
        if let Some(want) = strings(key) {
            let mut got: Vec<String> = j
                .licensing
                .iter()
                .filter(|l| l.available == available)
                .map(|l| l.licence.clone())
                .collect();
            got.sort();
            if want != got {
                problems.push(format!("{key}: expected {want:?}, got {got:?}"));
            }
        }
    }
    for q in strings("question_contains").unwrap_or_default() {
        if !j.unknowns.iter().any(|u| u.question.contains(&q)) {
            problems.push(format!(
                "expected an open question containing `{q}` (have {:?})",
                j.unknowns.iter().map(|u| &u.question).collect::<Vec<_>>()
            ));
        }
    }
    for n in strings("note_contains").unwrap_or_default() {
        if !j.notes.iter().any(|x| x.contains(&n)) {
            problems.push(format!(
                "expected a note containing `{n}` (have {:?})",
                j.notes
            ));
        }
    }
    problems
}

#[test]
fn rule_family_fixtures() {
    let rules = crate::common::rules();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("test_data exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "expected fixture files per rule family");
    let mut failures = Vec::new();
    let mut count = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut raw: serde_yaml::Value =
            serde_yaml::from_str(&chokepoint_rules::quote_eccn_like_numbers(&text)).expect("yaml");
        raw.apply_merge().expect("merge keys");
        let raw = raw.as_sequence().cloned().unwrap_or_default();
        let records = parse_records(rules, &name, &text);
        for (rec, raw) in records.iter().zip(raw.iter()) {
            let Some(expected) = raw.get("expected") else {
                continue;
            };
            count += 1;
            match rec {
                Err(e) => failures.push(format!("{name}: {e}")),
                Ok(r) => {
                    let d = determine(rules, r, &Context::default()).expect("in range");
                    let problems = check(&d, expected);
                    if !problems.is_empty() {
                        let seen: Vec<String> = d
                            .rules
                            .iter()
                            .map(|r| format!("    {} [{}]", r.id, r.effect))
                            .collect();
                        let regimes: Vec<String> = d
                            .jurisdictions
                            .iter()
                            .map(|j| {
                                format!(
                                    "    {} {} rules {:?} licensing {:?}",
                                    j.jurisdiction.code(),
                                    serde_json::to_value(j.license_required).unwrap_or_default(),
                                    j.rules
                                        .iter()
                                        .map(|r| format!("{} [{}]", r.id, r.effect))
                                        .collect::<Vec<_>>(),
                                    j.licensing
                                        .iter()
                                        .map(|l| format!("{} ({})", l.licence, l.available))
                                        .collect::<Vec<_>>()
                                )
                            })
                            .collect();
                        failures.push(format!(
                            "{name} {}:\n  - {}\n  rules:\n{}\n  jurisdictions:\n{}\n  unknowns: {:?}",
                            r.id,
                            problems.join("\n  - "),
                            seen.join("\n"),
                            regimes.join("\n"),
                            d.unknowns.iter().map(|q| &q.question).collect::<Vec<_>>()
                        ));
                    }
                }
            }
        }
    }
    println!("{count} fixtures checked");
    assert!(
        failures.is_empty(),
        "{} fixture(s) fail:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
