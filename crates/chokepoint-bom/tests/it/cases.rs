//! `test_data/cases.json`: each case names a BOM fixture, a destination (and end user) and the
//! JSON fields expected in the answer; decimals are compared as numbers.

use crate::{read_bom, rules, test_data};
use chokepoint_bom::{EndUser, Query, evaluate, render_worksheet};
use chokepoint_rules::ListStatus;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

fn same(expected: &Value, actual: &Value) -> bool {
    if let (Value::String(e), Value::String(a)) = (expected, actual)
        && let (Ok(e), Ok(a)) = (Decimal::from_str(e), Decimal::from_str(a))
    {
        return e == a;
    }
    expected == actual
}

fn end_user(v: Option<&Value>) -> Option<EndUser> {
    let v = v?;
    let list = v.get("list").and_then(Value::as_str);
    Some(EndUser {
        name: v["name"].as_str().unwrap_or_default().to_string(),
        country: None,
        headquarters_country: v
            .get("headquarters")
            .and_then(Value::as_str)
            .map(str::to_string),
        lists: list.map(|l| {
            if l == "none" {
                Vec::new()
            } else {
                vec![ListStatus {
                    list: l.to_string(),
                    footnotes: v
                        .get("footnotes")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_u64)
                                .map(|n| n as u8)
                                .collect()
                        })
                        .unwrap_or_default(),
                    fr: None,
                    entry_review_policy: None,
                    license_requirement: None,
                    license_policy: None,
                }]
            }
        }),
    })
}

#[test]
fn cases() {
    let text = std::fs::read_to_string(test_data().join("cases.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (bom, problems) = read_bom(case["file"].as_str().unwrap());
        assert!(problems.is_empty(), "{name}: {problems:?}");
        let query = Query {
            destination: case["destination"].as_str().unwrap().to_string(),
            as_of: case
                .get("as_of")
                .and_then(Value::as_str)
                .unwrap_or("2026-07-01")
                .parse()
                .unwrap(),
            end_user: end_user(case.get("end_user")),
        };
        let answer = match evaluate(rules(), &bom, &query) {
            Ok(a) => a,
            Err(p) => {
                failures.push(format!("{name}: {p:?}"));
                continue;
            }
        };
        // The worksheet renders for every case.
        assert!(render_worksheet(&answer).contains("Subject to the EAR"));
        let json = serde_json::to_value(&answer).unwrap();
        let line = |part: &str| {
            json["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["part_id"] == part)
                .cloned()
                .unwrap_or(Value::Null)
        };
        for (key, want) in case["expect"].as_object().unwrap() {
            match key.as_str() {
                "status" | "counted" | "extended_quantity" => {
                    let field = match key.as_str() {
                        "counted" => "counted_value",
                        k => k,
                    };
                    for (part, w) in want.as_object().unwrap() {
                        let got = &line(part)[field];
                        if !same(w, got) {
                            failures.push(format!("{name}: {part}.{field}: want {w}, got {got}"));
                        }
                    }
                }
                "fdp" | "fdp_tests" => {
                    for (rule, w) in want.as_object().unwrap() {
                        let f = json["fdp"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|f| f["rule"] == rule.as_str())
                            .cloned()
                            .unwrap_or(Value::Null);
                        let got = if key == "fdp" {
                            f["outcome"].clone()
                        } else {
                            let word = |v: &Value| match v {
                                Value::Bool(true) => "yes".into(),
                                Value::Bool(false) => "no".into(),
                                other => other.as_str().unwrap_or("?").to_string(),
                            };
                            serde_json::json!([
                                word(&f["item_scope"]),
                                word(&f["destination_test"])
                            ])
                        };
                        if !same(w, &got) {
                            failures.push(format!("{name}: fdp {rule}: want {w}, got {got}: {f}"));
                        }
                    }
                }
                _ => {
                    if !same(want, &json[key]) {
                        failures.push(format!(
                            "{name}: {key}: want {want}, got {}; basis {}",
                            json[key], json["basis"]
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_output_has_the_contract_fields() {
    let (bom, _) = read_bom("cases/subassemblies.csv");
    let query = Query {
        destination: "CN".into(),
        as_of: "2026-07-01".parse().unwrap(),
        end_user: None,
    };
    let json = serde_json::to_value(evaluate(rules(), &bom, &query).unwrap()).unwrap();
    for field in [
        "product",
        "destination",
        "product_value",
        "controlled_us_content_value",
        "controlled_us_content_percent",
        "de_minimis_threshold_percent",
        "subject_to_ear",
        "basis",
        "lines",
        "fdp",
    ] {
        assert!(json.get(field).is_some(), "missing `{field}`");
    }
    assert_eq!(json["lines"].as_array().unwrap().len(), 8);
}
