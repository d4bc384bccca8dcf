//! The public input format: YAML and JSON, lists, single records and bare transactions; bad
//! records yield errors naming the record id and the field path while the others are answered.

use crate::common::rules;
use chokepoint_rules::{Context, LicenseRequired, determine, parse_records, render_memo};

#[test]
fn bad_records_name_id_and_field_and_do_not_stop_the_others() {
    let text = include_str!("../../test_data/bad/bad_records.yaml");
    let rules = rules();
    let results = parse_records(rules, "bad_records.yaml", text);
    let shown: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(rec) => format!("ok {}", rec.id),
            Err(e) => e.to_string(),
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"), @r#"
    ok GOOD-1
    EX-004: transaction.item.eccn: "3X9" is not an ECCN (expected like 3B001, 3B001.c or EAR99)
    BAD-COUNTRY: transaction.destination_country: "QQ" is not a known ISO 3166-1 alpha-2 country code
    BAD-DATE: as_of: 2031-01-01 is outside the rule set's range 2019-01-01 to 2026-12-31
    BAD-MISSING: transaction.item: missing required field
    ok GOOD-2
    DEEMED-HARDWARE: transaction.item.eccn: "3B001.c" is a commodity ECCN (product group B); a deemed_export releases technology or source code: give the technology or software ECCN (product group D or E, e.g. 3E001) or EAR99
    DEEMED-ABROAD: transaction.exporter.country: a deemed_export is a release in the United States (exporter.country US, not "TW"); a release abroad is a deemed_reexport
    DEEMED-ABROAD: transaction.destination_country: for a deemed_export, destination_country is the foreign person's most recent country of citizenship or permanent residency; a US citizen or permanent resident is not a foreign person (no deemed_export)
    "#);
    for r in results.iter().flatten() {
        let d = determine(rules, r, &Context::default()).expect("in range");
        assert_eq!(d.license_required, LicenseRequired::No);
    }
}

#[test]
fn json_single_record_and_bare_transaction() {
    let rules = rules();
    let json = r#"{"id": "J1", "as_of": "2024-05-01", "expected": {"ignored": true},
        "transaction": {"item": {"eccn": "3A001.a.2", "origin_country": "US", "us_content_percent": 100},
        "exporter": {"country": "US", "us_person": true}, "destination_country": "TW",
        "parties": [{"role": "end_user", "name": "OEM", "country": "TW", "lists": []}], "activity": "export"}}"#;
    let r = parse_records(rules, "one.json", json);
    assert_eq!(r.len(), 1);
    let rec = r[0].as_ref().expect("valid");
    let d = determine(rules, rec, &Context::default()).expect("in range");
    assert_eq!(d.license_required, LicenseRequired::Yes);
    let bare = "item: {eccn: EAR99, origin_country: US}\nexporter: {country: US}\ndestination_country: CN\nactivity: export\n";
    let r = parse_records(rules, "bare.yaml", bare);
    let err = r[0].as_ref().expect_err("a bare transaction has no as_of");
    assert_eq!(
        err.to_string(),
        "bare.yaml#1: as_of: missing required field (a date like 2024-12-02)"
    );
    let bare = format!("as_of: 2024-05-01\n{bare}");
    let r = parse_records(rules, "bare.yaml", &bare);
    assert!(r[0].is_ok(), "{:?}", r[0]);
}

#[test]
fn as_of_override_and_out_of_range_override() {
    let rules = rules();
    let text = include_str!("../../test_data/affiliates.yaml");
    let recs = parse_records(rules, "affiliates.yaml", text);
    let rec = recs[1].as_ref().expect("valid");
    let d = determine(
        rules,
        rec,
        &Context {
            as_of_override: chrono::NaiveDate::from_ymd_opt(2025, 11, 20),
            ..Context::default()
        },
    )
    .expect("in range");
    assert_eq!(d.as_of.to_string(), "2025-11-20");
    assert_eq!(d.license_required, LicenseRequired::No);
    let e = determine(
        rules,
        rec,
        &Context {
            as_of_override: chrono::NaiveDate::from_ymd_opt(2018, 1, 1),
            ..Context::default()
        },
    )
    .expect_err("out of range");
    assert!(
        e.to_string()
            .starts_with("AFF-effective: as_of: 2018-01-01 is outside"),
        "{e}"
    );
}

#[test]
fn memo_reads_like_a_memo() {
    let rules = rules();
    let text = include_str!("../../test_data/affiliates.yaml");
    let recs = parse_records(rules, "affiliates.yaml", text);
    let d =
        determine(rules, recs[3].as_ref().expect("valid"), &Context::default()).expect("in range");
    insta::assert_snapshot!(render_memo(&d));
}

#[test]
fn eccn_like_numbers_stay_eccns() {
    let t = chokepoint_rules::quote_eccn_like_numbers(
        "direct_product_of: [3E001, 3D001]\n- 5E002\nx: '3E001'\nfoo: 13E0012\n",
    );
    assert_eq!(
        t,
        "direct_product_of: [\"3E001\", 3D001]\n- \"5E002\"\nx: '3E001'\nfoo: 13E0012\n"
    );
}
