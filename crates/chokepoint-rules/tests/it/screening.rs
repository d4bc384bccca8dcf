//! Parties given by name only are screened through the caller's `PartyLookup` as of the date;
//! the hits are used and shown. Without a lookup their status is a question, never "not listed".

use crate::common::rules;
use chokepoint_model::Date;
use chokepoint_rules::{
    Context, LicenseRequired, ListHit, PartyLookup, Policy, determine, parse_records,
};

struct FakeLists;

impl PartyLookup for FakeLists {
    fn lookup(&self, name: &str, _country: Option<&str>, as_of: Date) -> Vec<ListHit> {
        let listed_from = Date::from_ymd_opt(2022, 12, 16).unwrap_or_default();
        if name.to_lowercase().contains("yangtze memory") && as_of >= listed_from {
            vec![ListHit {
                list: "entity_list".into(),
                entry_name: "Yangtze Memory Technologies Co., Ltd.".into(),
                score: 0.97,
                license_requirement: Some(
                    "For all items subject to the EAR. (See § 744.11 of the EAR)".into(),
                ),
                license_policy: Some("Presumption of denial".into()),
                fr: vec!["87 FR 77508".into()],
                footnotes: vec![],
            }]
        } else {
            vec![]
        }
    }
}

const RECORD: &str = "
- id: SCREEN-YMTC
  as_of: '2023-01-10'
  transaction:
    item: { eccn: EAR99, origin_country: US, us_content_percent: 100 }
    exporter: { country: US, us_person: true }
    destination_country: CN
    parties: [{ role: end_user, name: YANGTZE MEMORY TECHNOLOGIES CO LTD, country: CN }]
    activity: export
";

#[test]
fn name_only_party_is_screened_as_of_the_date() {
    let rules = rules();
    let recs = parse_records(rules, "screen.yaml", RECORD);
    let rec = recs[0].as_ref().expect("valid");
    let lookup = FakeLists;
    let ctx = Context {
        lookup: Some(&lookup),
        list_snapshot: Some("csl-2026-07-31"),
        as_of_override: None,
    };
    let d = determine(rules, rec, &ctx).expect("in range");
    assert_eq!(d.license_required, LicenseRequired::Yes);
    assert_eq!(d.review_policy, Some(Policy::PresumptionOfDenial));
    assert_eq!(d.screening.len(), 1);
    assert_eq!(d.evidence.list_snapshot.as_deref(), Some("csl-2026-07-31"));
    assert!(
        d.rules
            .iter()
            .any(|r| r.id == "el-744.11" && r.citation.contains("87 FR 77508"))
    );
    // Before the listing the same lookup finds nothing: no license, and no open screening question.
    let before = Context {
        as_of_override: Date::from_ymd_opt(2022, 12, 1),
        ..ctx
    };
    let d = determine(rules, rec, &before).expect("in range");
    assert_eq!(d.license_required, LicenseRequired::No);
    assert!(
        !d.unknowns
            .iter()
            .any(|q| q.question.contains("list status"))
    );
    // Without a lookup the status is unknown and asked.
    let d = determine(rules, rec, &Context::default()).expect("in range");
    assert_eq!(d.license_required, LicenseRequired::Unknown);
    assert!(
        d.unknowns
            .iter()
            .any(|q| q.question.contains("list status"))
    );
}

#[test]
fn determination_json_has_the_issue_field_names() {
    let rules = rules();
    let recs = parse_records(rules, "screen.yaml", RECORD);
    let d =
        determine(rules, recs[0].as_ref().expect("valid"), &Context::default()).expect("in range");
    let v = serde_json::to_value(&d).expect("serializes");
    for key in [
        "id",
        "as_of",
        "subject_to_ear",
        "license_required",
        "review_policy",
        "rules",
        "license_exceptions",
        "unknowns",
        "evidence",
    ] {
        assert!(v.get(key).is_some(), "missing `{key}` in {v}");
    }
    assert_eq!(v["license_required"], serde_json::json!("unknown"));
    assert_eq!(
        v["evidence"]["ruleset_version"],
        serde_json::json!(rules.meta.version)
    );
}
