//! chokepoint-bom: is a product made outside the US subject to the EAR when it goes to a
//! destination (or an end user)? De minimis (15 CFR 734.4) and the foreign direct product rules
//! (734.9), computed over the whole multi-level bill of materials, line by line.
//!
//! **Architecture invariant:** pure, like `chokepoint-rules`: the BOM comes in as text, the date
//! and the rule set are arguments, no I/O, no clock. Every threshold, country group, Country Chart
//! mark and FDP scope comes from the rule set; this crate only adds the tree, the money and the
//! bookkeeping. Parsing returns the BOM plus every problem ([`parse_csv`], [`parse_json`]);
//! [`evaluate`] reports every structural problem at once, each naming its row.
//!
//! ```
//! let (rules, _) = chokepoint_rules::shipped_ruleset();
//! let (bom, problems) = chokepoint_bom::parse_csv(
//!     "part_id,parent_id,quantity,unit_value,currency,origin_country,eccn,description\n\
//!      P,,1,100,USD,TW,3A001.a.1,module\n\
//!      IC,P,1,30,USD,US,3A001.a.1,US chip\n",
//! );
//! assert!(problems.is_empty());
//! let query = chokepoint_bom::Query {
//!     destination: "CN".into(),
//!     as_of: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
//!     end_user: None,
//! };
//! let answer = chokepoint_bom::evaluate(&rules, &bom, &query).unwrap();
//! assert_eq!(answer.subject_to_ear, chokepoint_bom::Answer::Yes);
//! ```

#![warn(missing_docs)]

mod analyze;
mod input;
mod render;
mod tree;

pub use analyze::{
    Answer, BomAnswer, BomRules, EndUser, FdpOutcome, LineCalc, LineStatus, Query, SubassemblyCalc,
    Threshold, evaluate, evaluate_with,
};
pub use input::{
    Bom, BomLine, BomProblem, COLUMNS, DirectProduct, Row, parse_csv, parse_json, parse_rate,
};
pub use render::render_worksheet;
pub use tree::{Tree, build_tree};

/// Generates a synthetic BOM of about `lines` lines over `levels` levels (the product is level
/// 0), as CSV text: a fixed mix of US-origin controlled, EAR99 and foreign parts under foreign
/// sub-assemblies. Deterministic; used by the benchmark and the tests.
pub fn generate_csv(lines: usize, levels: u32) -> String {
    use std::fmt::Write as _;
    let levels = levels.max(2);
    let mut out = String::with_capacity(lines * 64);
    out.push_str(
        "part_id,parent_id,quantity,unit_value,currency,origin_country,eccn,description,\
         direct_product_of,plant_is_direct_product_of\n",
    );
    let _ = writeln!(out, "P0,,1,10000,USD,TW,3A001.a.1,product,none,none");
    // Fan-out f with 1 + f + f² + … + f^(levels-1) ≈ lines.
    let mut fan = 2usize;
    while (1..levels).map(|k| fan.pow(k)).sum::<usize>() + 1 < lines {
        fan += 1;
    }
    let mut count = 1usize;
    let mut frontier = vec!["P0".to_string()];
    for level in 1..levels {
        let mut next = Vec::new();
        let leaf_level = level == levels - 1;
        'outer: for parent in &frontier {
            for k in 0..fan {
                if count >= lines {
                    break 'outer;
                }
                let id = format!("{parent}.{k}");
                let (origin, eccn, value, currency) = if !leaf_level {
                    ("KR", "3A001.a.1", "120.50", "EUR")
                } else {
                    match k % 4 {
                        0 => ("US", "3A001.a.1", "20.00", "USD"),
                        1 => ("US", "EAR99", "0.10", "USD"),
                        2 => ("JP", "EAR99", "1.25", "JPY"),
                        _ => ("US", "5A992.c", "0.05", "USD"),
                    }
                };
                let _ = writeln!(out, "{id},{parent},2,{value},{currency},{origin},{eccn},,,");
                count += 1;
                if !leaf_level {
                    next.push(id);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    out
}
