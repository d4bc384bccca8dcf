//! Data-driven tests of the registry: every 744.23 boundary of issue 4 on registry-style
//! fixtures, ownership aggregation (49 % vs 50 %, several owners, chains, dates, the affiliates
//! rule's suspension window), bad user files with their lines, and the shipped registry.

use chokepoint_model::{Date, ListCode, ListEntry, Severity};
use chokepoint_registry::{
    AffiliatesRule, Company, OwnershipGraph, Registry, affiliates_rule, affiliates_rule_applies,
    classify, listed_per_registry, parse_facilities_csv, parse_facilities_yaml, parse_file,
    parse_ownership_csv, parse_ownership_yaml, shipped,
};

fn d(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// A one-facility registry file with every given field sourced by `T`.
fn facility_yaml(id: &str, fields: &[(&str, &str)]) -> String {
    let mut text = format!("facilities:\n- id: {id}\n  name: Test fab {id}\n  country: CN\n");
    for (k, v) in fields {
        text.push_str(&format!("  {k}: {v}\n"));
    }
    text.push_str("  facts:\n    country: {source: T, confidence: high}\n");
    for (k, _) in fields {
        text.push_str(&format!("    {k}: {{source: T, confidence: high}}\n"));
    }
    text.push_str(
        "sources:\n  T: {publication: Test, date: '2024-01-01', url: 'https://example.test'}\n",
    );
    text
}

fn classify_fixture(fields: &[(&str, &str)], date: &str) -> (Option<bool>, Vec<&'static str>) {
    let (registry, problems) = parse_facilities_yaml("fixture.yaml", &facility_yaml("f", fields));
    assert!(problems.is_empty(), "{problems:?}");
    let class = classify(&registry.facilities[0], d(date));
    (class.advanced, class.missing)
}

/// (label, fields, date, expected `advanced`, expected `missing`).
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    Option<bool>,
    &'static [&'static str],
);

#[test]
fn every_744_23_boundary() {
    let before = "2024-06-01";
    let after = "2025-06-01";
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("planar 16 nm", &[("product", "logic"), ("node_nm", "16"), ("transistor", "planar")], after, Some(true), &[]),
        ("planar 14 nm", &[("product", "logic"), ("node_nm", "14"), ("transistor", "planar")], after, Some(true), &[]),
        ("planar 20 nm", &[("product", "logic"), ("node_nm", "20"), ("transistor", "planar")], after, Some(false), &[]),
        ("planar 28 nm foundry", &[("product", "foundry_mixed"), ("node_nm", "28"), ("transistor", "planar")], after, Some(false), &[]),
        ("FinFET at 28 nm", &[("product", "logic"), ("node_nm", "28"), ("transistor", "finfet")], after, Some(true), &[]),
        ("GAA, node unknown", &[("product", "logic"), ("transistor", "gaa")], after, Some(true), &[]),
        ("20 nm, transistor unknown", &[("product", "logic"), ("node_nm", "20")], after, None, &["transistor"]),
        ("logic, nothing known", &[("product", "logic")], after, None, &["node_nm", "transistor"]),
        ("analog, node unknown", &[("product", "analog_power"), ("transistor", "planar")], after, None, &["node_nm"]),
        ("NAND 127 layers", &[("product", "nand"), ("layers", "127")], after, Some(false), &[]),
        ("NAND 128 layers", &[("product", "nand"), ("layers", "128")], after, Some(true), &[]),
        ("NAND layers unknown", &[("product", "nand")], after, None, &["layers"]),
        ("DRAM 18 nm hp before Dec 2024", &[("product", "dram"), ("half_pitch_nm", "18")], before, Some(true), &[]),
        ("DRAM 19 nm hp before Dec 2024", &[("product", "dram"), ("half_pitch_nm", "19")], before, Some(false), &[]),
        ("DRAM 18 nm hp on 2024-12-01", &[("product", "dram"), ("half_pitch_nm", "18")], "2024-12-01", Some(true), &[]),
        ("DRAM 18 nm hp on 2024-12-02", &[("product", "dram"), ("half_pitch_nm", "18")], "2024-12-02", None,
            &["dram_cell_area_um2", "dram_density_gb_per_mm2", "tsv_per_die"]),
        ("DRAM cell area 0.0025", &[("product", "dram"), ("dram_cell_area_um2", "0.0025")], after, Some(true), &[]),
        ("DRAM density 0.21", &[("product", "dram"), ("dram_density_gb_per_mm2", "0.21")], after, Some(true), &[]),
        ("DRAM 3,001 TSVs", &[("product", "dram"), ("tsv_per_die", "3001")], after, Some(true), &[]),
        ("DRAM at every threshold", &[("product", "dram"), ("dram_cell_area_um2", "0.0026"),
            ("dram_density_gb_per_mm2", "0.20"), ("tsv_per_die", "3000")], after, Some(false), &[]),
        ("DRAM below area, TSVs unknown", &[("product", "dram"), ("dram_cell_area_um2", "0.003"),
            ("dram_density_gb_per_mm2", "0.1")], after, None, &["tsv_per_die"]),
        ("back end", &[("product", "back_end")], after, Some(false), &[]),
        ("memory of unstated type", &[("product", "memory"), ("layers", "200")], after, None, &["product"]),
        ("product unknown", &[], after, None, &["product"]),
    ];
    for (label, fields, date, advanced, missing) in cases {
        let (got, got_missing) = classify_fixture(fields, date);
        assert_eq!(got, *advanced, "{label}");
        assert_eq!(got_missing, *missing, "{label}");
    }
}

#[test]
fn an_unsourced_deciding_fact_is_not_used() {
    let text = "facilities:\n- id: x\n  name: X\n  product: logic\n  node_nm: 7\n  facts:\n    product: {source: T, confidence: high}\nsources:\n  T: {publication: Test}\n";
    let (registry, problems) = parse_facilities_yaml("x.yaml", text);
    let class = classify(&registry.facilities[0], d("2025-01-01"));
    assert_eq!(class.advanced, None);
    let problem = problems
        .iter()
        .find(|p| p.field.as_deref() == Some("node_nm"))
        .expect("a problem for node_nm");
    assert_eq!(problem.line, Some(5));
    assert_eq!(problem.severity, Severity::Error);
}

#[test]
fn classification_names_the_facts_and_sources_used() {
    let (registry, _) = parse_facilities_yaml(
        "f.yaml",
        &facility_yaml(
            "f",
            &[
                ("product", "logic"),
                ("node_nm", "7"),
                ("transistor", "finfet"),
            ],
        ),
    );
    let class = classify(&registry.facilities[0], d("2025-01-01"));
    let fields: Vec<&str> = class.used.iter().map(|u| u.field).collect();
    assert_eq!(fields, ["product", "node_nm", "transistor"]);
    assert!(
        class
            .used
            .iter()
            .all(|u| u.fact.as_ref().is_some_and(|f| f.sources == ["T"]))
    );
}

const OWNERSHIP: &str = "\
edges:
- {child: B49, parent: Listed A, percent: 49, relation: owns, source: T}
- {child: C50, parent: Listed A, percent: 50, relation: owns, source: T}
- {child: D, parent: Listed A, percent: 30, relation: owns, source: T}
- {child: D, parent: Listed Z, percent: 20, relation: owns, source: T}
- {child: D2, parent: Listed A, percent: 30, relation: owns, source: T}
- {child: D2, parent: Listed Z, percent: 19.9, relation: owns, source: T}
- {child: D2, parent: Clean Co, percent: 50.1, relation: owns, source: T}
- {child: Mid, parent: Listed A, percent: 50, relation: owns, source: T}
- {child: Leaf, parent: Mid, percent: 60, relation: owns, source: T}
- {child: Minority, parent: Listed A, percent: 40, relation: owns, source: T}
- {child: Leaf2, parent: Minority, percent: 100, relation: owns, source: T}
- {child: Controlled, parent: Listed A, percent: null, relation: controls, source: T}
- {child: Dated, parent: Listed A, percent: 60, as_of: '2020', relation: owns, source: T}
- {child: Dated, parent: Listed A, percent: 40, as_of: '2025-03-01', relation: owns, source: T}
- {child: Planned, parent: Listed A, percent: 80, relation: owns (planned), source: T}
- {child: Loop1, parent: Loop2, percent: 60, relation: owns, source: T}
- {child: Loop2, parent: Loop1, percent: 60, relation: owns, source: T}
sources:
  T: {publication: Test}
";

fn is_listed(company: &Company) -> bool {
    company.name.starts_with("Listed ")
}

#[test]
fn aggregate_listed_ownership() {
    let (registry, problems) = parse_ownership_yaml("o.yaml", OWNERSHIP);
    assert!(problems.is_empty(), "{problems:?}");
    let graph = OwnershipGraph::new(&registry);
    #[rustfmt::skip]
    let cases: &[(&str, &str, f64, Option<bool>)] = &[
        ("B49", "2026-01-01", 49.0, Some(false)),
        ("C50", "2026-01-01", 50.0, Some(true)),
        ("D", "2026-01-01", 50.0, Some(true)),
        ("D2", "2026-01-01", 49.9, Some(false)),
        ("Leaf", "2026-01-01", 60.0, Some(true)),
        ("Leaf2", "2026-01-01", 0.0, Some(false)),
        ("Controlled", "2026-01-01", 0.0, None),
        ("Dated", "2019-12-31", 0.0, Some(false)),
        ("Dated", "2020-01-01", 60.0, Some(true)),
        ("Dated", "2025-02-28", 60.0, Some(true)),
        ("Dated", "2025-03-01", 40.0, Some(false)),
        ("Planned", "2026-01-01", 0.0, Some(false)),
        ("Loop1", "2026-01-01", 0.0, Some(false)),
    ];
    for (name, date, percent, affiliate) in cases {
        let id = graph.find_exact(name).expect(name);
        let share = graph.listed_share(id, d(date), &is_listed);
        assert!(
            (share.percent - percent).abs() < 1e-9,
            "{name} {date}: {}",
            share.percent
        );
        assert_eq!(share.affiliate, *affiliate, "{name} {date}");
    }
}

#[test]
fn affiliates_rule_window_comes_from_the_rule_set() {
    let (ruleset, _) = chokepoint_rules::shipped_ruleset();
    #[rustfmt::skip]
    let cases = [
        ("2025-09-28", false), ("2025-09-29", true), ("2025-11-09", true),
        ("2025-11-10", false), ("2026-11-09", false), ("2026-11-10", true),
    ];
    for (date, applies) in cases {
        assert_eq!(
            affiliates_rule_applies(&ruleset, d(date)),
            applies,
            "{date}"
        );
    }
    assert!(matches!(
        affiliates_rule(&ruleset, d("2026-01-01")),
        AffiliatesRule::Suspended { .. }
    ));
    assert!(matches!(
        affiliates_rule(&ruleset, d("2025-01-01")),
        AffiliatesRule::NotYet { .. }
    ));
}

#[test]
fn list_names_give_affiliated_entity_edges() {
    let entry = ListEntry::new(
        ListCode::new("EL"),
        "42",
        "Huawei Technologies Co., Ltd. (Huawei). Affiliated Entity: Huawei Marine Networks Co., Ltd.",
    );
    let mut graph = OwnershipGraph::new(&Registry::default());
    graph.add_list_entries(&[entry]);
    let child = graph
        .find_exact("Huawei Marine Networks Co., Ltd.")
        .expect("child");
    let owners = graph.owners(child, d("2026-01-01"));
    assert_eq!(owners.len(), 1);
    assert_eq!(
        graph.company(owners[0].0).name,
        "Huawei Technologies Co., Ltd. (Huawei)"
    );
    assert_eq!(owners[0].1.percent, None);
    let share = graph.listed_share(child, d("2026-01-01"), &listed_per_registry);
    assert_eq!(
        share.affiliate, None,
        "control with an unknown share is unknown"
    );
}

#[test]
fn list_names_give_subsidiary_of_edges() {
    let entry = ListEntry::new(
        ListCode::new("EL"),
        "7",
        "CNOOC Limited (a subsidiary of China National Offshore Oil Corporation)",
    );
    let mut graph = OwnershipGraph::new(&Registry::default());
    graph.add_list_entries(&[entry]);
    let child = graph.find_exact("CNOOC Limited").expect("child");
    let owners = graph.owners(child, d("2026-01-01"));
    assert_eq!(owners.len(), 1);
    assert_eq!(
        graph.company(owners[0].0).name,
        "China National Offshore Oil Corporation"
    );
    assert!(owners[0].1.relation.counts());
}

#[test]
fn subsidiaries_wording_extends_the_listing_to_owned_companies() {
    let listed = ListEntry::new(
        ListCode::new("ISN"),
        "9",
        "Wisdom Import and Export (Shanghai) Co., Ltd. and any successor, sub-unit, or subsidiary thereof",
    );
    let registry = Registry {
        edges: vec![chokepoint_registry::Edge {
            child: "Wisdom Trading Shenzhen Co., Ltd.".into(),
            child_entity_list_name: None,
            parent: "Wisdom Import and Export (Shanghai) Co., Ltd.".into(),
            parent_entity_list_name: None,
            relation: chokepoint_registry::Relation::Owns,
            relation_text: "owns".into(),
            percent: Some(60.0),
            as_of: None,
            sources: vec!["test".into()],
            confidence: None,
            note: None,
            origin: chokepoint_registry::EdgeOrigin::Ownership {
                file: "test".into(),
                line: None,
            },
        }],
        ..Registry::default()
    };
    let mut graph = OwnershipGraph::new(&registry);
    graph.add_list_entries(&[listed]);
    let parent = graph
        .find_exact("Wisdom Import and Export (Shanghai) Co., Ltd.")
        .expect("parent");
    assert!(graph.company(parent).listing_covers_subsidiaries);
    let child = graph
        .find_exact("Wisdom Trading Shenzhen Co., Ltd.")
        .expect("child");
    assert_eq!(
        graph.covered_by_parent_listing(child, d("2026-01-01")),
        Some(parent)
    );
    assert_eq!(
        graph.covered_by_parent_listing(parent, d("2026-01-01")),
        None
    );
}

#[test]
fn entities_at_one_listed_address_are_tied_but_not_owners() {
    let at = |id: &str, name: &str, street: &str| {
        let mut e = ListEntry::new(ListCode::new("EL"), id, name);
        e.kind = chokepoint_model::PartyKind::Entity;
        e.addresses.push(chokepoint_model::Address {
            street: Some(street.into()),
            city: Some("Shenzhen".into()),
            country: Some("CN".into()),
            ..chokepoint_model::Address::default()
        });
        e
    };
    let entries = [
        at("1", "Alpha Optics Co., Ltd.", "Room 101, 8 Keji Road"),
        at("2", "Beta Photonics Co., Ltd.", "Room 101, 8 Keji Road."),
        at("3", "Gamma Lasers Co., Ltd.", "12 Other Street"),
    ];
    let edges = chokepoint_registry::edges_from_list_entries(&entries);
    assert_eq!(edges.len(), 1, "{edges:?}");
    assert_eq!(edges[0].relation_text, "shares a listed address with");
    assert!(!edges[0].relation.counts(), "an address is not ownership");
}

#[test]
fn bad_user_files_are_reported_with_lines() {
    let csv = "\
id,name,country,product,node_nm,transistor,layers,source,confidence
ok-fab,OK Fab,CN,logic,14,planar,,Company report 2025,high
bad-country,Bad,China,logic,abc,planar,,Report,medium
,No Id,CN,nand,,,128,Report,low
no-source,No Source,CN,nand,,,128,,
ok-fab,Duplicate,CN,nand,,,128,Report,low
";
    let (registry, problems) = parse_facilities_csv("user.csv", csv);
    let ids: Vec<&str> = registry.facilities.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["ok-fab", "bad-country", "no-source"]);
    let at = |line: u64, field: &str| {
        problems
            .iter()
            .any(|p| p.line == Some(line) && p.field.as_deref() == Some(field))
    };
    assert!(at(3, "country"), "{problems:#?}");
    assert!(at(3, "node_nm"), "{problems:#?}");
    assert!(at(4, "id"), "{problems:#?}");
    assert!(at(5, "source"), "{problems:#?}");
    assert!(
        at(5, "layers"),
        "unsourced layers are dropped: {problems:#?}"
    );
    assert!(at(6, "id"), "{problems:#?}");
    assert_eq!(registry.facilities[1].country, None);
    assert_eq!(registry.facilities[2].layers, None);
    assert_eq!(
        classify(&registry.facilities[0], d("2025-01-01")).advanced,
        Some(true)
    );

    let yaml = "facilities:\n- id: a\n  name: A\n  product: gpu\n  facts:\n    product: {source: T, confidence: high}\n- id: b\n  name: B\n  layers: 12.5\n  facts:\n    layers: {source: T, confidence: sure}\n";
    let (_, problems) = parse_facilities_yaml("user.yaml", yaml);
    let lines: Vec<(Option<u64>, Option<&str>, Option<&str>)> = problems
        .iter()
        .map(|p| (p.line, p.record.as_deref(), p.field.as_deref()))
        .collect();
    assert!(
        lines.contains(&(Some(4), Some("a"), Some("product"))),
        "{problems:#?}"
    );
    assert!(
        lines.contains(&(Some(9), Some("b"), Some("layers"))),
        "{problems:#?}"
    );

    let (_, problems) =
        parse_facilities_yaml("broken.yaml", "facilities:\n- id: a\n  name: [unclosed\n");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].line.is_some());

    let csv = "child,parent,percent,relation,source\nA,B,150,owns,R\nA,,10,owns,R\nA,C,60,owns,R\nA,D,60,owns,R\n";
    let (registry, problems) = parse_ownership_csv("owners.csv", csv);
    assert_eq!(registry.edges.len(), 2);
    assert!(
        problems
            .iter()
            .any(|p| p.line == Some(2) && p.field.as_deref() == Some("percent"))
    );
    assert!(problems.iter().any(|p| p.line == Some(3)));
    assert!(
        problems.iter().any(|p| p.message.contains("above 100 %")),
        "{problems:#?}"
    );

    assert!(parse_file("what.csv", "a,b\n1,2\n").is_err());
}

#[test]
fn shipped_registry() {
    let (registry, problems) = shipped();
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let chinese = registry
        .facilities
        .iter()
        .filter(|f| f.country.as_deref() == Some("CN"))
        .count();
    assert!(chinese >= 40, "{chinese} Chinese facilities");
    for f in &registry.facilities {
        assert!(!f.source_keys().is_empty(), "{} cites no source", f.id);
        for key in f.source_keys() {
            assert!(
                registry.sources.contains_key(key),
                "{}: source `{key}`",
                f.id
            );
        }
        for date in ["2023-01-01", "2024-12-02", "2026-11-21"] {
            let class = classify(f, d(date));
            assert_eq!(
                class.advanced.is_none(),
                !class.missing.is_empty(),
                "{} on {date}: {class:?}",
                f.id
            );
            for used in &class.used {
                assert!(used.fact.is_some(), "{}: `{}` unsourced", f.id, used.field);
            }
        }
    }
    let advanced = |id: &str| {
        let f = registry.facility(id).expect(id);
        classify(f, d("2026-11-21")).advanced
    };
    assert_eq!(advanced("smic-south-sn"), Some(true));
    assert_eq!(advanced("tsmc-nanjing"), Some(true));
    assert_eq!(advanced("ymtc-fab1"), Some(true));
    assert_eq!(advanced("huahong-fab7-wuxi"), Some(false));
    assert_eq!(advanced("smic-shanghai-s1"), None);
}

#[test]
fn shipped_ownership_counts_listed_parents() {
    let (registry, _) = shipped();
    let graph = OwnershipGraph::new(&registry);
    let id = graph
        .find(
            "SMIC Lingang joint venture (legal name not found in stored sources)",
            0.9,
        )
        .first()
        .map(|h| h.0)
        .expect("the SMIC Lingang operator");
    let share = graph.listed_share(id, d("2026-11-21"), &listed_per_registry);
    assert!(share.percent >= 50.0, "{share:#?}");
    assert_eq!(share.affiliate, Some(true));
}

#[test]
fn facts_dated_after_the_date_are_flagged() {
    let text = "facilities:\n- id: x\n  name: X\n  product: logic\n  node_nm: 7\n  transistor: finfet\n  facts:\n    product: {source: T, confidence: high}\n    node_nm: {source: T, confidence: high, as_of: '2023'}\n    transistor: {source: T, confidence: high}\nsources:\n  T: {publication: Test}\n";
    let (registry, _) = parse_facilities_yaml("x.yaml", text);
    assert_eq!(
        classify(&registry.facilities[0], d("2022-12-31")).dated_after,
        ["node_nm"]
    );
    assert!(
        classify(&registry.facilities[0], d("2023-01-01"))
            .dated_after
            .is_empty()
    );
}

#[test]
fn dates_as_precise_as_the_source() {
    use chokepoint_registry::PartialDate;
    #[rustfmt::skip]
    let cases = [
        ("2020", Some("2020-01-01")), ("2020-05", Some("2020-05-01")), ("2020-05-31", Some("2020-05-31")),
        ("2020-02-30", None), ("2020-13", None), ("20", None), ("soon", None), ("2020-05-31-1", None),
    ];
    for (text, start) in cases {
        let parsed = PartialDate::parse(text);
        assert_eq!(parsed.map(|p| p.start()), start.map(d), "{text}");
        if let Some(p) = parsed {
            assert_eq!(p.to_string(), text);
        }
    }
}

#[test]
fn indented_yaml_lists_keep_their_lines() {
    let text = "edges:\n  - child: A\n    parent: B\n    percent: 120\n    source: T\n  - child: C\n    parent: D\n    percent: x\n    source: T\n";
    let (registry, problems) = parse_ownership_yaml("o.yaml", text);
    // Above 100 %: the edge is dropped; not a number: kept with the share unknown.
    assert_eq!(registry.edges.len(), 1);
    assert_eq!(registry.edges[0].percent, None);
    let lines: Vec<(Option<u64>, Option<&str>)> = problems
        .iter()
        .map(|p| (p.line, p.field.as_deref()))
        .collect();
    assert!(lines.contains(&(Some(4), Some("percent"))), "{problems:#?}");
    assert!(lines.contains(&(Some(8), Some("percent"))), "{problems:#?}");
}
