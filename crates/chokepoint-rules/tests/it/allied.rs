//! Issue 9, allied regimes: classification problems reported all at once (what, where, how to
//! fix), the `jurisdictions` JSON shape, the memo's jurisdiction section, and rule-file problems
//! specific to regimes. Per-regime outcomes on each side of each date are the fixtures in
//! `test_data/allied_{jp,nl,eu}.yaml`.

use crate::common::rules;
use chokepoint_rules::{Context, RuleSet, determine, parse_records, render_memo};

#[test]
fn issue_9_bad_classifications_are_all_reported_with_field_and_expected_form() {
    let text = r#"
- id: BAD-CLASS
  as_of: '2024-06-01'
  transaction:
    item:
      eccn: 3B001.f.1
      origin_country: JP
      classifications: { JP: "ETCO row 7(17)", NL: "NL-SME 3Z001", EU: "3B0O1.f", XX: "3B001", US: "3B001" }
    exporter: { country: JP }
    destination_country: ZZ
    activity: export
"#;
    let results = parse_records(rules(), "bad.yaml", text);
    let shown: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(rec) => format!("ok {}", rec.id),
            Err(e) => e.to_string(),
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"), @r#"
    BAD-CLASS: transaction.item.classifications.EU: "3B0O1.f" is not a valid EU classification (expected an Annex I entry such as "3B001.f.1" ("Cat. 3B001", "3b001 f 1" also read), or "not listed")
    BAD-CLASS: transaction.item.classifications.JP: "ETCO row 7(17)" is not a valid JP classification (expected a Goods Ordinance reference such as "Goods Ordinance Art. 6(17)(fu)", "Art. 6(17-2)", "第6条第17号フ" or "Art. 6(17)" when the sub-item is unknown, or "not listed" (非該当)) (this looks like an ETCO Appended Table 1 row; give the Goods Ordinance article instead: row 7(17) probably corresponds to Art. 6(17), which is unconfirmed)
    BAD-CLASS: transaction.item.classifications.NL: "NL-SME 3Z001" is not a valid NL classification (expected a Dutch annex code such as "NL-SME 3B001.f.4" (or the EU compilation code "3B1001.l"), or "not listed")
    BAD-CLASS: transaction.item.classifications.US: the US classification is `item.eccn`; remove this key
    BAD-CLASS: transaction.item.classifications.XX: unknown regime `XX` (expected JP, NL or EU; the US classification is `item.eccn`)
    BAD-CLASS: transaction.destination_country: "ZZ" is not a known ISO 3166-1 alpha-2 country code
    "#);
}

const JP_TO_CN: &str = r#"
- id: JP-EXAMPLE
  title: Japanese EUV mask-blank inspection tool to a Chinese fab
  as_of: '2024-06-01'
  transaction:
    item:
      eccn: 3B002.c
      description: EUV mask blank inspection system
      origin_country: JP
      us_content_percent: 0
      foreign_direct_product_of_us_tech: false
      made_by_plant_that_is_us_direct_product: false
      classifications: { JP: "Art. 6(17)(フ)" }
    exporter: { country: JP, us_person: false }
    destination_country: CN
    parties: [{ role: end_user, name: Example Fab, country: CN, lists: [] }]
    activity: export
"#;

#[test]
fn issue_9_determination_json_has_jurisdictions_beside_the_us_answer() {
    let rules = rules();
    let records = parse_records(rules, "jp.yaml", JP_TO_CN);
    let record = records[0].as_ref().expect("valid record");
    let d = determine(rules, record, &Context::default()).expect("in range");
    let json = serde_json::to_value(&d).expect("serializes");
    // The US answer stays where it was.
    assert_eq!(json["license_required"], "not subject to EAR");
    let jurisdictions = json["jurisdictions"].as_array().expect("array");
    let codes: Vec<&str> = jurisdictions
        .iter()
        .filter_map(|j| j["jurisdiction"].as_str())
        .collect();
    assert_eq!(codes, ["US", "JP"]);
    assert_eq!(jurisdictions[0]["license_required"], "not controlled");
    let jp = &jurisdictions[1];
    assert_eq!(jp["license_required"], true);
    assert_eq!(jp["classification"], "Goods Ordinance Art. 6(17)(fu)");
    assert_eq!(jp["review_policy"], "case_by_case");
    for key in [
        "title",
        "applies",
        "rules",
        "licensing",
        "unknowns",
        "review_policy",
    ] {
        assert!(jp.get(key).is_some(), "missing `{key}` in {jp:#}");
    }
    let rule = &jp["rules"][0];
    for key in ["id", "citation", "effect", "why", "confidence"] {
        assert!(rule.get(key).is_some(), "missing `{key}` in a JP rule");
    }
    let licences: Vec<&str> = jp["licensing"]
        .as_array()
        .expect("licensing")
        .iter()
        .filter_map(|l| l["licence"].as_str())
        .collect();
    assert!(
        licences.contains(&"individual licence (個別許可)"),
        "{licences:?}"
    );
}

#[test]
fn issue_9_memo_shows_each_jurisdiction() {
    let rules = rules();
    let records = parse_records(rules, "jp.yaml", JP_TO_CN);
    let record = records[0].as_ref().expect("valid record");
    let d = determine(rules, record, &Context::default()).expect("in range");
    insta::assert_snapshot!(render_memo(&d));
}

#[test]
fn issue_9_regime_rule_problems_are_reported() {
    let text = r#"
[ruleset]
id = "t"
version = "1"
title = "t"
covers_from = 2019-01-01
covers_until = 2026-12-31

[[regime]]
id = "XX"
title = "t"
citation = "t"
applies_when = 'exporter.country = "XX"'
explanation = "t"
classification = "t"

[[rule]]
id = "jp-no-relevant"
title = "t"
regime = "JP"
stage = "license"
family = "list"
citation = "t"
confidence = "confirmed"
effective = 2023-07-23
when = 'item.classification.JP in ["6(17)(zz)"]'
explanation = "t"

[[rule]]
id = "nl-jurisdiction"
title = "t"
regime = "NL"
stage = "jurisdiction"
citation = "t"
confidence = "confirmed"
effective = 2023-07-23
when = 'item.classification.NL in ["3X001"]'
explanation = "t"

[[rule]]
id = "mars"
title = "t"
regime = "Mars"
stage = "license"
family = "list"
citation = "t"
confidence = "confirmed"
effective = 2023-07-23
relevant_when = 'true'
when = 'true'
explanation = "t"
"#;
    let (_rules, diags) = RuleSet::parse(&[("regimes.toml", text)]);
    let all = diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    for expected in [
        "unknown regime `XX`",
        "needs `relevant_when`",
        "\"6(17)(zz)\" is not a valid JP classification",
        "must have stage `license` or `authorization`",
        "\"3X001\" is not a valid NL classification",
        "unknown regime `Mars`",
        "regime `JP` has no `[[regime]]` declaration",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
}
