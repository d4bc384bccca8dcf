//! The shipped Country Chart and country groups equal the eCFR reference tables of 2026-07-23
//! (shared/data/ecfr-2026-07-23), translated to ISO codes with test_data/country_names.tsv.
//! Membership before that date comes from the dated `changes` and is checked by fixtures.

use crate::common::{rules, shared};
use std::collections::{BTreeMap, BTreeSet};

fn names() -> BTreeMap<String, String> {
    include_str!("../../test_data/country_names.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect()
}

fn load(file: &str) -> Option<serde_json::Value> {
    let Some(path) = shared(&format!("data/ecfr-2026-07-23/{file}")) else {
        println!("SKIPPED: ../shared/data/ecfr-2026-07-23/{file} not found");
        return None;
    };
    Some(serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON"))
}

#[test]
fn country_chart_matches_the_2026_reference() {
    let Some(reference) = load("country-chart.json") else {
        return;
    };
    let names = names();
    let rules = rules();
    let mut diffs = Vec::new();
    let countries = reference["countries"].as_object().expect("countries");
    for (name, row) in countries {
        let Some(code) = names.get(name) else {
            diffs.push(format!("no ISO code for `{name}`"));
            continue;
        };
        let want: BTreeSet<String> = row["marks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str())
            .map(|m| m.replace(' ', ""))
            .collect();
        let got = rules.chart.rows.get(code).cloned().unwrap_or_default();
        if want != got {
            diffs.push(format!("{code} ({name}): reference {want:?}, ours {got:?}"));
        }
    }
    assert_eq!(rules.chart.rows.len(), countries.len(), "row count");
    let embargoed: BTreeSet<String> = reference["embargoed"]
        .as_object()
        .expect("embargoed")
        .keys()
        .filter_map(|n| names.get(n).cloned())
        .collect();
    assert_eq!(embargoed, rules.chart.embargoed);
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn country_groups_match_the_2026_reference() {
    let Some(reference) = load("country-groups.json") else {
        return;
    };
    let names = names();
    let rules = rules();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 7, 23).expect("date");
    let mut diffs = Vec::new();
    for group in &rules.groups {
        let Some(members) = reference["groups"][group.id.as_str()].as_array() else {
            continue;
        };
        let want: BTreeSet<String> = members
            .iter()
            .filter_map(|m| m.as_str())
            .filter_map(|n| names.get(n).cloned())
            .collect();
        let got: BTreeSet<String> = want
            .iter()
            .chain(group.members.iter())
            .filter(|c| group.contains(c, date))
            .cloned()
            .collect();
        if want != got {
            diffs.push(format!("{}: reference {want:?}, ours {got:?}", group.id));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    // Macau's special place: never in D:5, always named beside it.
    let d5 = rules.group("D:5").expect("D:5");
    assert!(!d5.contains("MO", date) && d5.contains("CN", date));
}
