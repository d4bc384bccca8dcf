//! The text worksheet: the answer first, then the calculation line by line (indented by level),
//! then the foreign direct product rules, each with its two tests and citation.

use crate::analyze::{Answer, BomAnswer};
use std::fmt::Write as _;

/// Renders the answer as a worksheet a compliance officer can file.
pub fn render_worksheet(a: &BomAnswer) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "De minimis and foreign direct product worksheet");
    let _ = writeln!(s, "================================================");
    let _ = writeln!(
        s,
        "Product:      {}{}",
        a.product,
        a.product_description
            .as_deref()
            .map_or(String::new(), |d| format!(" ({d})"))
    );
    let _ = writeln!(s, "Destination:  {}", a.destination);
    if let Some(u) = &a.end_user {
        let _ = writeln!(s, "End user:     {u}");
    }
    let _ = writeln!(s, "As of:        {}", a.as_of);
    let _ = writeln!(s, "Rule set:     {}", a.ruleset);
    let verdict = match a.subject_to_ear {
        Answer::Yes => "YES",
        Answer::No => "NO",
        Answer::Unknown => "UNKNOWN (open questions below)",
    };
    let _ = writeln!(s, "\nSubject to the EAR: {verdict}");
    for b in &a.basis {
        let _ = writeln!(s, "  - {b}");
    }
    let _ = writeln!(s, "\nDe minimis calculation (USD, per unit of product)");
    let _ = writeln!(s, "-------------------------------------------------");
    let _ = writeln!(
        s,
        "{:<28} {:>4} {:>12} {:>14} {:>14}  status / reason",
        "part", "orig", "ext. qty", "ext. value", "counted"
    );
    let _ = writeln!(
        s,
        "(\"counted\" is what a line adds to its parent's calculation; a sub-assembly is counted as a whole)"
    );
    for l in &a.lines {
        let indent = "  ".repeat(l.level.min(10) as usize);
        let name = format!("{indent}{}", l.part_id);
        let _ = writeln!(
            s,
            "{:<28} {:>4} {:>12} {:>14} {:>14}  {}: {}",
            name,
            l.origin_country,
            l.extended_quantity.normalize(),
            l.extended_value.round_dp(4).normalize(),
            l.counted_value.round_dp(4).normalize(),
            l.status.name(),
            match (&l.parent_id, l.level) {
                (Some(p), 2..) => format!("[in {p}] {}", l.reason),
                _ => l.reason.to_string(),
            }
        );
        if &*l.currency != "USD" {
            let _ = writeln!(
                s,
                "{:<28}      unit {} {} = {} USD",
                "",
                l.unit_value,
                l.currency,
                l.unit_value_usd.normalize()
            );
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Product value (sale price):      {} USD",
        a.product_value
    );
    let _ = writeln!(
        s,
        "Controlled US content:           {} USD",
        a.controlled_us_content_value.normalize()
    );
    if !a.undetermined_us_content_value.is_zero() {
        let _ = writeln!(
            s,
            "US content of unknown status:    {} USD",
            a.undetermined_us_content_value.normalize()
        );
    }
    let _ = writeln!(
        s,
        "Controlled US content share:     {} %",
        a.controlled_us_content_percent
    );
    match (&a.de_minimis_threshold_percent, &a.de_minimis_rule) {
        (Some(t), Some(r)) => {
            let _ = writeln!(
                s,
                "De minimis threshold:            {t} % ({}, {})",
                r.rule, r.citation
            );
        }
        _ => {
            let _ = writeln!(s, "De minimis threshold:            not applicable");
        }
    }
    let _ = writeln!(
        s,
        "Subject by de minimis:           {}",
        a.de_minimis_subject.word()
    );
    let _ = writeln!(s, "\nForeign direct product rules (15 CFR 734.9)");
    let _ = writeln!(s, "-------------------------------------------");
    for f in &a.fdp {
        let _ = writeln!(
            s,
            "{} ({}): product scope {}, second test {} => {}",
            f.rule,
            f.citation,
            f.item_scope.word(),
            f.destination_test.word(),
            f.outcome
        );
        for w in &f.why {
            let _ = writeln!(s, "    {w}");
        }
        for q in &f.questions {
            let _ = writeln!(s, "    ? {q}");
        }
    }
    if !a.notes.is_empty() {
        let _ = writeln!(s, "\nNotes");
        for n in &a.notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    s
}
