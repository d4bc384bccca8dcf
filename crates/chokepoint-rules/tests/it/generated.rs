//! Codegen freshness (rust-analyzer style): docs/rules/reference.md and
//! rulesets/transaction.schema.json are generated from the rule set and the input types; the
//! test fails when the committed files are stale, and rewrites them when `UPDATE_EXPECT=1`.

use crate::common::rules;
use std::path::PathBuf;

fn check_or_update(rel: &str, generated: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == generated {
        return;
    }
    if std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1") {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create dir");
        }
        std::fs::write(&path, generated).expect("write generated file");
        println!("updated {rel}");
        return;
    }
    panic!(
        "{rel} is stale; regenerate with `UPDATE_EXPECT=1 cargo test -p chokepoint-rules --test it generated`"
    );
}

#[test]
fn reference_docs_are_fresh() {
    check_or_update(
        "docs/rules/reference.md",
        &chokepoint_rules::reference_markdown(rules()),
    );
}

#[test]
fn transaction_schema_is_fresh() {
    let schema = chokepoint_rules::record_schema();
    let text = serde_json::to_string_pretty(&schema).expect("schema serializes") + "\n";
    check_or_update("rulesets/transaction.schema.json", &text);
}

#[test]
fn diff_between_dates() {
    let rules = rules();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let diff = chokepoint_rules::diff(rules, d("2025-09-01"), d("2026-12-31"));
    let lines: Vec<String> = diff
        .changes
        .iter()
        .map(|c| format!("{} {} {}", c.date, c.change, c.id))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}
