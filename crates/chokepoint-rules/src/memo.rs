//! The determination as a memo a compliance officer could file: question, short answer, rules
//! with citations and reasons, review policy, exceptions, open questions, caveats, the answers
//! of the other regimes that apply (Japan, the Netherlands, the EU), evidence.

use crate::allied::RegimeLicense;
use crate::determine::{Determination, LicenseRequired};
use std::fmt::Write;

/// Renders `d` as a plain-text memo.
pub fn render_memo(d: &Determination) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "EXPORT LICENSE DETERMINATION — {}", d.id);
    if let Some(t) = &d.title {
        let _ = writeln!(s, "Re: {t}");
    }
    let _ = writeln!(s, "As of: {}", d.as_of);
    let _ = writeln!(s);
    let answer = match d.license_required {
        LicenseRequired::Yes => "A license is required.",
        LicenseRequired::No => "No license is required.",
        LicenseRequired::NotSubjectToEar => {
            "The item is not subject to the EAR; no license is required under the EAR."
        }
        LicenseRequired::Unknown => "Undetermined: the answer depends on the open questions below.",
    };
    let _ = writeln!(s, "1. Answer\n   {answer}");
    let _ = writeln!(
        s,
        "   Review policy: {}",
        d.review_policy.map_or("undetermined", |p| p.words())
    );
    if d.jurisdictions.len() > 1 {
        let others: Vec<String> = d
            .jurisdictions
            .iter()
            .skip(1)
            .map(|j| {
                format!(
                    "{}: {}",
                    j.jurisdiction.code(),
                    regime_words(j.license_required)
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "   Under the other regimes that apply: {} (see Jurisdictions below).",
            others.join("; ")
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "2. Jurisdiction\n   Subject to the EAR: {}.",
        d.subject_to_ear.answer
    );
    for b in &d.subject_to_ear.basis {
        let _ = writeln!(s, "   - {b}");
    }
    let _ = writeln!(s, "   {}", d.subject_to_ear.explanation);
    let _ = writeln!(s);
    let _ = writeln!(s, "3. Rules considered");
    if d.rules.is_empty() {
        let _ = writeln!(s, "   No rule applies to this transaction on this date.");
    }
    for (i, r) in d.rules.iter().enumerate() {
        let effect = r.effect.replace('_', " ");
        let _ = writeln!(
            s,
            "   3.{} {} — {} [{}]",
            i + 1,
            r.title,
            effect,
            r.citation
        );
        if let Some(p) = &r.party {
            let _ = writeln!(s, "       Party: {p}");
        }
        for w in &r.why {
            let _ = writeln!(s, "       - {w}");
        }
        if let Some(p) = r.review_policy {
            let _ = writeln!(
                s,
                "       Review policy: {}{}",
                p.words(),
                r.policy_basis
                    .as_ref()
                    .map_or(String::new(), |b| format!(" ({b})"))
            );
        }
        if r.confidence != crate::ruleset::Confidence::Confirmed {
            let _ = writeln!(s, "       Confidence: {:?}", r.confidence);
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "4. License exceptions and authorizations");
    let e = &d.license_exceptions;
    if e.excluded.is_empty()
        && e.available.is_empty()
        && e.conditional.is_empty()
        && d.authorizations.is_empty()
    {
        let _ = writeln!(s, "   None apply.");
    }
    for x in &e.excluded {
        let _ = writeln!(s, "   - Excluded: {} [{}]", x.why, x.citation);
    }
    for x in &e.available {
        let _ = writeln!(
            s,
            "   - Available: {} ({}) — {}",
            x.symbol, x.citation, x.why
        );
    }
    for x in &e.conditional {
        let _ = writeln!(
            s,
            "   - Possibly available if the open questions resolve: {} ({})",
            x.symbol, x.citation
        );
    }
    for x in &d.authorizations {
        let _ = writeln!(
            s,
            "   - Authorization: {} ({}) — {}",
            x.symbol, x.citation, x.why
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "5. Open questions");
    if d.unknowns.is_empty() {
        let _ = writeln!(s, "   None.");
    }
    for q in &d.unknowns {
        let _ = writeln!(s, "   - {} [{}]", q.question, q.rules.join(", "));
    }
    if !d.notes.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "6. Caveats");
        for n in &d.notes {
            let _ = writeln!(s, "   - {n}");
        }
    }
    render_jurisdictions(&mut s, d);
    if !d.screening.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Screening used:");
        for u in &d.screening {
            let hits: Vec<String> = u
                .hits
                .iter()
                .map(|h| format!("{} on {} (score {:.2})", h.entry_name, h.list, h.score))
                .collect();
            let _ = writeln!(
                s,
                "   - {}: {}",
                u.party,
                if hits.is_empty() {
                    "no hits".to_string()
                } else {
                    hits.join("; ")
                }
            );
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Evidence: rule set {} version {}; list snapshot {}; as of {}.",
        d.evidence.ruleset,
        d.evidence.ruleset_version,
        d.evidence.list_snapshot.as_deref().unwrap_or("none"),
        d.evidence.as_of
    );
    let _ = writeln!(
        s,
        "This memo restates export-control rules as encoded data; it is not legal advice."
    );
    s
}

fn regime_words(l: RegimeLicense) -> &'static str {
    match l {
        RegimeLicense::Yes => "licence required",
        RegimeLicense::No => "no licence required",
        RegimeLicense::NotControlled => "not controlled",
        RegimeLicense::Unknown => "undetermined (see its open questions)",
    }
}

/// The last numbered section, only when a regime besides the US applies: a one-line answer per regime, then each
/// other regime in full.
fn render_jurisdictions(s: &mut String, d: &Determination) {
    if d.jurisdictions.len() < 2 {
        return;
    }
    let words = regime_words;
    let n = if d.notes.is_empty() { 6 } else { 7 };
    let _ = writeln!(s);
    let _ = writeln!(s, "{n}. Jurisdictions");
    for j in &d.jurisdictions {
        let licence = j
            .licensing
            .iter()
            .filter(|l| l.available == "yes")
            .map(|l| l.licence.as_str())
            .collect::<Vec<_>>();
        let _ = writeln!(
            s,
            "   - {}: {}{}",
            j.jurisdiction.code(),
            words(j.license_required),
            if licence.is_empty() || j.jurisdiction == crate::regime::Regime::Us {
                String::new()
            } else {
                format!(" ({})", licence.join("; "))
            }
        );
    }
    for (i, j) in d.jurisdictions.iter().skip(1).enumerate() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "   {n}.{} {} — {}",
            i + 1,
            j.jurisdiction.code(),
            j.title
        );
        let _ = writeln!(s, "       Applies: {}", j.applies);
        let _ = writeln!(
            s,
            "       Classification: {}",
            j.classification.as_deref().unwrap_or("not given")
        );
        let _ = writeln!(s, "       Answer: {}.", words(j.license_required));
        if let Some(p) = j.review_policy
            && matches!(
                j.license_required,
                RegimeLicense::Yes | RegimeLicense::Unknown
            )
        {
            let _ = writeln!(s, "       Review policy: {}", p.words());
        }
        for r in &j.rules {
            let _ = writeln!(
                s,
                "       - {} — {} [{}]{}",
                r.title,
                r.effect.replace('_', " "),
                r.citation,
                if r.confidence == crate::ruleset::Confidence::Confirmed {
                    String::new()
                } else {
                    format!(" (confidence: {:?})", r.confidence)
                }
            );
            for w in &r.why {
                let _ = writeln!(s, "         · {w}");
            }
        }
        for l in &j.licensing {
            let _ = writeln!(
                s,
                "       Licence: {} — {} [{}]{}: {}",
                l.licence,
                if l.available == "yes" {
                    "usable"
                } else {
                    "usable if the open questions resolve"
                },
                l.citation,
                if l.confidence == crate::ruleset::Confidence::Confirmed {
                    String::new()
                } else {
                    format!(" (confidence: {:?})", l.confidence)
                },
                l.why
            );
        }
        for q in &j.unknowns {
            let _ = writeln!(
                s,
                "       Open question: {} [{}]",
                q.question,
                q.rules.join(", ")
            );
        }
        for n in &j.notes {
            let _ = writeln!(s, "       Caveat: {n}");
        }
    }
}
