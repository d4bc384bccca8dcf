//! Properties: controlled content never exceeds the product value for non-negative inputs
//! (when the product's price covers its parts), and the parsers never panic.

use crate::rules;
use chokepoint_bom::{Query, evaluate, parse_csv, parse_json};
use proptest::prelude::*;

const ORIGINS: &[&str] = &["US", "TW", "KR", "JP"];
const ECCNS: &[&str] = &["3A001.a.1", "EAR99", "5A992.c", "3A090.a"];

/// A random tree: (parent index < own index, quantity, unit value in cents, origin, eccn).
fn bom_text(parts: &[(usize, u32, u32, usize, usize)]) -> String {
    let mut s = String::from(
        "part_id,parent_id,quantity,unit_value,currency,origin_country,eccn,description\n",
    );
    // Children's extended values fit in the parent's price: price the product at the sum.
    let n = parts.len() + 1;
    let mut ext = vec![0u128; n];
    let mut qty = vec![1u128; n];
    for (k, p) in parts.iter().enumerate() {
        let i = k + 1;
        let parent = p.0 % i;
        qty[i] = qty[parent] * u128::from(p.1);
        ext[i] = qty[i] * u128::from(p.2);
    }
    let total: u128 = ext.iter().sum::<u128>() + 1;
    s.push_str(&format!("P0,,1,{total},USD,TW,EAR99,product\n"));
    for (k, p) in parts.iter().enumerate() {
        let i = k + 1;
        s.push_str(&format!(
            "P{i},P{},{},{},USD,{},{},\n",
            p.0 % i,
            p.1,
            p.2,
            ORIGINS[p.3 % ORIGINS.len()],
            ECCNS[p.4 % ECCNS.len()]
        ));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn controlled_never_exceeds_value(
        parts in prop::collection::vec((0usize..64, 0u32..4, 0u32..1000, 0usize..4, 0usize..4), 0..40),
        dest in prop::sample::select(vec!["CN", "DE", "CU", "SY", "RU"]),
    ) {
        let (bom, problems) = parse_csv(&bom_text(&parts));
        prop_assert!(problems.is_empty(), "{:?}", problems);
        let query = Query { destination: dest.into(), as_of: "2026-07-01".parse().unwrap(), end_user: None };
        let a = evaluate(rules(), &bom, &query).unwrap();
        prop_assert!(a.controlled_us_content_value >= rust_decimal::Decimal::ZERO);
        prop_assert!(a.controlled_us_content_value + a.undetermined_us_content_value <= a.product_value);
        prop_assert!(a.controlled_us_content_percent <= rust_decimal::Decimal::ONE_HUNDRED);
    }

    #[test]
    fn csv_parser_never_panics(text in "(?s).{0,400}") {
        let _ = parse_csv(&text);
    }

    #[test]
    fn csv_parser_never_panics_on_bom_like_rows(
        rows in prop::collection::vec(prop::collection::vec("[-A-Za-z0-9.,\" ]{0,12}", 0..14), 0..8)
    ) {
        let mut text = String::from("part_id,parent_id,quantity,unit_value,currency,origin_country,eccn,description,direct_product_of,plant_is_direct_product_of,incorporated_in,us_origin_ic\n");
        for r in rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        let (bom, _) = parse_csv(&text);
        let query = Query { destination: "CN".into(), as_of: "2026-07-01".parse().unwrap(), end_user: None };
        let _ = evaluate(rules(), &bom, &query);
    }

    #[test]
    fn json_parser_never_panics(text in "(?s).{0,400}") {
        let _ = parse_json(&text);
    }
}

#[test]
fn generated_bom_is_clean_and_definite() {
    let text = chokepoint_bom::generate_csv(2_000, 6);
    let (mut bom, problems) = parse_csv(&text);
    assert!(problems.is_empty(), "{problems:?}");
    bom.rates.insert("EUR".into(), "1.08".parse().unwrap());
    bom.rates.insert("JPY".into(), "0.0067".parse().unwrap());
    let query = Query {
        destination: "CN".into(),
        as_of: "2026-07-01".parse().unwrap(),
        end_user: None,
    };
    let a = evaluate(rules(), &bom, &query).unwrap();
    assert_eq!(a.lines.len(), 2_000);
    assert!(a.lines.iter().map(|l| l.level).max() == Some(5));
    // The product states its FDP facts, so the answer is definite; US content is controlled.
    assert_ne!(
        a.subject_to_ear,
        chokepoint_bom::Answer::Unknown,
        "{:?}",
        a.basis
    );
    assert!(a.controlled_us_content_value > rust_decimal::Decimal::ZERO);
}
