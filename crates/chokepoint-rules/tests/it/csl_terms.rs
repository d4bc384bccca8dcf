//! Every distinct (license requirement, license policy) pair of the Entity List rows in the
//! Consolidated Screening List of 2026-07-31 parses into a known shape; the distinct shapes are
//! snapshotted so a parser change that alters any reading shows up in review.

use crate::common::shared;
use chokepoint_rules::parse_entity_list_terms;
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn every_entity_list_pair_parses_into_a_known_shape() {
    let Some(path) = shared("data/us-csl/consolidated_2026-07-31.csv") else {
        println!("SKIPPED: ../shared/data/us-csl/consolidated_2026-07-31.csv not found");
        return;
    };
    let mut reader = csv::Reader::from_path(&path).expect("readable CSV");
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .expect("column present")
    };
    let (source, req, pol) = (
        col("source"),
        col("license_requirement"),
        col("license_policy"),
    );
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    for row in reader.records() {
        let row = row.expect("valid row");
        if row
            .get(source)
            .is_some_and(|s| s.starts_with("Entity List"))
        {
            pairs.insert((
                row.get(req).unwrap_or("").to_string(),
                row.get(pol).unwrap_or("").to_string(),
            ));
        }
    }
    assert!(
        pairs.len() > 200,
        "expected the 2026 CSL's ~228 distinct pairs, got {}",
        pairs.len()
    );
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (r, p) in &pairs {
        let terms = parse_entity_list_terms(r, p);
        if terms.is_unrecognised() {
            failures.push(format!(
                "requirement `{r}` / policy `{p}` → {}",
                terms.shape()
            ));
        }
        *shapes.entry(terms.shape()).or_default() += 1;
    }
    assert!(
        failures.is_empty(),
        "{} pairs not understood:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let listing: Vec<String> = shapes
        .iter()
        .map(|(s, n)| format!("{n:>3} × {s}"))
        .collect();
    insta::assert_snapshot!(listing.join("\n"));
}
