//! One integration-test binary: the data-driven cases of `test_data/cases.json`, the bad-input
//! corpus of `test_data/bad/`, and property tests.

mod bad;
mod cases;
mod props;

use chokepoint_bom::{Bom, BomProblem, parse_csv, parse_json};
use std::path::PathBuf;

pub fn test_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data")
}

/// Reads a fixture as CSV or JSON by its extension.
pub fn read_bom(file: &str) -> (Bom, Vec<BomProblem>) {
    let path = test_data().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if file.ends_with(".json") {
        parse_json(&text)
    } else {
        parse_csv(&text)
    }
}

pub fn rules() -> &'static chokepoint_rules::RuleSet {
    static RULES: std::sync::OnceLock<chokepoint_rules::RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        let (rules, problems) = chokepoint_rules::shipped_ruleset();
        assert!(problems.is_empty(), "{problems:?}");
        rules
    })
}
