//! Reference documentation and date-to-date diffs, generated from the rule-set data itself, so
//! the docs cannot drift from what the engine evaluates.

use crate::cond::FACTS;
use crate::regime::Regime;
use crate::ruleset::{Review, Rule, RuleSet, Stage};
use chokepoint_model::Date;
use serde::Serialize;
use std::fmt::Write;

/// One change between two dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// The date of the change.
    pub date: Date,
    /// Rule id (or `group:D:5` for a membership change).
    pub id: String,
    /// Title.
    pub title: String,
    /// Citation.
    pub citation: String,
    /// `came_into_force`, `compliance_required`, `ended`, `suspended`, `reinstated`,
    /// `membership_changed`.
    pub change: &'static str,
}

/// What changed between two dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSetDiff {
    /// From (exclusive).
    pub from: Date,
    /// To (inclusive).
    pub to: Date,
    /// Changes, by date.
    pub changes: Vec<RuleChange>,
}

/// The rules in force on `date` (including those suspended or awaiting their compliance date),
/// with their status, in rule-set order — what `chokepoint rules list --as-of DATE` prints.
pub fn rules_on(rules: &RuleSet, date: Date) -> Vec<(&Rule, crate::ruleset::Status<'_>)> {
    rules
        .rules
        .iter()
        .map(|r| (r, r.in_force.status(date)))
        .filter(|(_, s)| {
            !matches!(
                s,
                crate::ruleset::Status::NotYet | crate::ruleset::Status::Ended
            )
        })
        .collect()
}

/// The changes that take effect after `from` and on or before `to` (swapped if reversed).
pub fn diff(rules: &RuleSet, from: Date, to: Date) -> RuleSetDiff {
    let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
    let mut changes = Vec::new();
    let within = |d: Date| d > lo && d <= hi;
    for r in &rules.rules {
        let mut push = |date: Date, change: &'static str, citation: &str| {
            if within(date) {
                changes.push(RuleChange {
                    date,
                    id: r.id.clone(),
                    title: r.title.clone(),
                    citation: citation.to_string(),
                    change,
                });
            }
        };
        push(r.in_force.effective, "came_into_force", &r.citation);
        if let Some(c) = r.in_force.compliance {
            push(c, "compliance_required", &r.citation);
        }
        if let Some(u) = r.in_force.until.and_then(|u| u.succ_opt()) {
            push(u, "ended", &r.citation);
        }
        for s in &r.in_force.suspensions {
            push(s.from, "suspended", &s.citation);
            if let Some(u) = s.until.and_then(|u| u.succ_opt()) {
                push(u, "reinstated", &r.citation);
            }
        }
    }
    for g in &rules.groups {
        for c in &g.changes {
            if within(c.date) {
                let mut what = Vec::new();
                if !c.add.is_empty() {
                    what.push(format!("adds {}", c.add.join(", ")));
                }
                if !c.remove.is_empty() {
                    what.push(format!("removes {}", c.remove.join(", ")));
                }
                changes.push(RuleChange {
                    date: c.date,
                    id: format!("group:{}", g.id),
                    title: format!("Country Group {} {}", g.id, what.join("; ")),
                    citation: c.citation.clone(),
                    change: "membership_changed",
                });
            }
        }
    }
    for a in &rules.aliases {
        if within(a.from) {
            changes.push(RuleChange {
                date: a.from,
                id: format!("alias:{}", a.code),
                title: format!("{} treated as {}", a.code, a.treat_as),
                citation: a.citation.clone(),
                change: "came_into_force",
            });
        }
    }
    changes.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    RuleSetDiff {
        from: lo,
        to: hi,
        changes,
    }
}

fn stage_title(s: Stage) -> &'static str {
    match s {
        Stage::Activity => "Activity: is it an export, reexport or transfer of the item?",
        Stage::Jurisdiction => "Jurisdiction: is the item subject to the EAR?",
        Stage::License => "License requirements",
        Stage::UsPerson => "US-person rules",
        Stage::Restriction => "Restrictions on license exceptions",
        Stage::Exception => "License exceptions",
        Stage::Authorization => "Authorizations (VEU, temporary general licenses)",
    }
}

/// One rule as Markdown (also used by `chokepoint rules show`).
pub fn rule_markdown(r: &Rule) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### `{}` — {}\n", r.id, r.title);
    if r.regime != Regime::Us {
        let _ = writeln!(
            s,
            "- **Regime:** {} ({})",
            r.regime.code(),
            if r.family.is_empty() {
                "authorization".to_string()
            } else {
                r.family.replace('_', "-")
            }
        );
    }
    let _ = writeln!(s, "- **Citation:** {}", r.citation);
    let _ = writeln!(s, "- **Confidence:** {:?}", r.confidence);
    let f = &r.in_force;
    let mut dates = format!("effective {}", f.effective);
    if let Some(c) = f.compliance {
        let _ = write!(dates, ", compliance {c}");
    }
    if let Some(u) = f.until {
        let _ = write!(dates, ", until {u}");
    }
    if let Some(sv) = f.savings_until {
        let _ = write!(dates, ", savings clause until {sv}");
    }
    let _ = writeln!(s, "- **In force:** {dates}");
    for sus in &f.suspensions {
        let _ = writeln!(
            s,
            "- **Suspended:** {} to {} ({}) {}",
            sus.from,
            sus.until.map_or("open".into(), |u| u.to_string()),
            sus.citation,
            sus.note
        );
    }
    if r.for_each_party {
        let _ = writeln!(s, "- **Evaluated:** once per party");
    }
    let _ = writeln!(s, "- **When:** `{}`", r.when);
    if let Some(rel) = &r.relevant_when {
        let _ = writeln!(s, "- **Reported when not triggered if:** `{rel}`");
    }
    match &r.review {
        Review::None => {}
        Review::FromEntry => {
            let _ = writeln!(
                s,
                "- **Review policy:** as stated in the party's Entity List entry (most restrictive owner's entry for affiliates)"
            );
        }
        Review::Clauses(cl) => {
            let _ = writeln!(s, "- **Review policy (first match):**");
            for c in cl {
                let _ = writeln!(
                    s,
                    "  - {}{}{}",
                    c.policy.name(),
                    c.when
                        .as_ref()
                        .map_or(String::new(), |w| format!(" when `{w}`")),
                    c.citation
                        .as_ref()
                        .map_or(String::new(), |c| format!(" ({c})"))
                );
            }
        }
    }
    if let Some(a) = &r.exceptions_allowed {
        let _ = writeln!(
            s,
            "- **License exceptions:** {}",
            if a.is_empty() && r.exceptions_named.is_empty() {
                "none".to_string()
            } else {
                format!(
                    "only {}",
                    a.iter()
                        .chain(r.exceptions_named.iter())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
    if let Some(sym) = &r.symbol {
        let _ = writeln!(
            s,
            "- **Symbol:** {sym}{}",
            if r.only_when_named {
                " (offered only when a requirement names it)"
            } else {
                ""
            }
        );
    }
    if r.stage == Stage::Activity {
        let _ = writeln!(
            s,
            "- **When it fires:** {}",
            if r.exports_item {
                "the activity is an export, reexport or transfer on the basis stated"
            } else {
                "the activity is not an export, reexport or transfer of the item: its license requirements, exceptions and authorizations (rules that do not test `activity`) are not evaluated"
            }
        );
    }
    if r.stage == Stage::Jurisdiction && !r.chart_applies {
        let _ = writeln!(
            s,
            "- **Country Chart:** does not apply to items subject only by this route"
        );
    }
    let _ = writeln!(s, "\n{}\n", r.explanation.trim());
    if let Some(n) = &r.note {
        let _ = writeln!(s, "> Note: {}\n", n.trim());
    }
    s
}

/// The reference documentation of a rule set, as Markdown.
pub fn reference_markdown(rules: &RuleSet) -> String {
    let mut s = String::new();
    let m = &rules.meta;
    let _ = writeln!(
        s,
        "<!-- GENERATED by chokepoint-rules reference_markdown(); do not edit. Regenerate: UPDATE_EXPECT=1 cargo test -p chokepoint-rules --test it generated -->\n"
    );
    let _ = writeln!(s, "# {} — rule reference\n", m.title);
    let _ = writeln!(
        s,
        "Rule set `{}` version `{}`, covering {} to {}.\n",
        m.id,
        m.version,
        m.covers_from.map_or("?".into(), |d| d.to_string()),
        m.covers_until.map_or("?".into(), |d| d.to_string())
    );
    let _ = writeln!(
        s,
        "Confidence: `Confirmed` (primary text or two sources), `SingleSource`, `Unconfirmed` (surfaced in every answer it touches).\n"
    );
    for (section, id) in &m.policy_references {
        let _ = writeln!(
            s,
            "Entity List policies that refer to § {section} are evaluated with the review clauses of `{id}`.\n"
        );
    }
    let _ = writeln!(s, "## Contents\n");
    for stage in [
        Stage::Activity,
        Stage::Jurisdiction,
        Stage::License,
        Stage::UsPerson,
        Stage::Restriction,
        Stage::Exception,
        Stage::Authorization,
    ] {
        let _ = writeln!(
            s,
            "- {} ({} rules)",
            stage_title(stage),
            rules
                .rules
                .iter()
                .filter(|r| r.stage == stage && r.regime == Regime::Us)
                .count()
        );
    }
    for def in &rules.regimes {
        let _ = writeln!(
            s,
            "- {}: {} ({} rules)",
            def.regime.code(),
            def.title,
            rules
                .rules
                .iter()
                .filter(|r| r.regime == def.regime)
                .count()
        );
    }
    let _ = writeln!(
        s,
        "- Country groups, Country Chart, ECCNs, known Entity List terms, text hints, facts\n"
    );
    for stage in [
        Stage::Activity,
        Stage::Jurisdiction,
        Stage::License,
        Stage::UsPerson,
        Stage::Restriction,
        Stage::Exception,
        Stage::Authorization,
    ] {
        let _ = writeln!(s, "## {}\n", stage_title(stage));
        for r in rules
            .rules
            .iter()
            .filter(|r| r.stage == stage && r.regime == Regime::Us)
        {
            s.push_str(&rule_markdown(r));
        }
    }
    for def in &rules.regimes {
        let _ = writeln!(s, "## {}: {}\n", def.regime.code(), def.title);
        let _ = writeln!(s, "- **Legal basis:** {}", def.citation);
        let _ = writeln!(s, "- **Applies when:** `{}`", def.applies_when);
        let _ = writeln!(
            s,
            "- **Classification** (`item.classifications.{}`): {}",
            def.regime.code(),
            def.classification
        );
        let _ = writeln!(s, "\n{}\n", def.explanation.trim());
        if let Some(n) = &def.note {
            let _ = writeln!(s, "> Note: {}\n", n.trim());
        }
        for stage in [Stage::License, Stage::Authorization] {
            let _ = writeln!(
                s,
                "### {} — {}\n",
                def.regime.code(),
                if stage == Stage::License {
                    "licence requirements"
                } else {
                    "licences that may be used"
                }
            );
            for r in rules
                .rules
                .iter()
                .filter(|r| r.stage == stage && r.regime == def.regime)
            {
                // One heading level down inside the regime's section.
                s.push_str(&rule_markdown(r).replacen("### ", "#### ", 1));
            }
        }
    }
    let _ = writeln!(s, "## Country groups\n");
    for g in &rules.groups {
        let _ = writeln!(s, "### {} — {}\n", g.id, g.title);
        if !g.citation.is_empty() {
            let _ = writeln!(s, "{}\n", g.citation);
        }
        let _ = writeln!(
            s,
            "Members (reference date): {}{}\n",
            g.members.iter().cloned().collect::<Vec<_>>().join(", "),
            if g.complete {
                String::new()
            } else {
                format!(
                    " — **incomplete**: other countries are unknown members{}",
                    if g.non_members.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " except known non-members {}",
                            g.non_members.iter().cloned().collect::<Vec<_>>().join(", ")
                        )
                    }
                )
            }
        );
        for c in &g.changes {
            let _ = writeln!(
                s,
                "- {}: adds [{}], removes [{}] ({})",
                c.date,
                c.add.join(", "),
                c.remove.join(", "),
                c.citation
            );
        }
        if !g.changes.is_empty() {
            s.push('\n');
        }
    }
    let _ = writeln!(s, "## Destination aliases\n");
    for a in &rules.aliases {
        let _ = writeln!(
            s,
            "- {} is treated as {} from {}{} ({})",
            a.code,
            a.treat_as,
            a.from,
            a.until.map_or(String::new(), |u| format!(" to {u}")),
            a.citation
        );
    }
    let _ = writeln!(
        s,
        "\n## Commerce Country Chart\n\n{}\n\n{}\n",
        rules.chart.citation, rules.chart.note
    );
    let _ = writeln!(s, "| Destination | {} |", rules.chart.columns.join(" | "));
    let _ = writeln!(s, "|---|{}", "---|".repeat(rules.chart.columns.len()));
    for (code, marks) in &rules.chart.rows {
        let cells: Vec<&str> = rules
            .chart
            .columns
            .iter()
            .map(|c| if marks.contains(c) { "X" } else { "" })
            .collect();
        let _ = writeln!(s, "| {code} | {} |", cells.join(" | "));
    }
    let _ = writeln!(
        s,
        "\nEmbargoed rows (see part 746): {}\n",
        rules
            .chart
            .embargoed
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(s, "## ECCNs\n");
    for e in &rules.eccns {
        let _ = writeln!(s, "### {} — {}\n", e.id, e.title);
        for c in &e.controls {
            let _ = writeln!(
                s,
                "- {} → {}{}{}{}",
                c.reason,
                c.column,
                if c.paragraphs.is_empty() {
                    " (entire entry)".to_string()
                } else {
                    format!(" for {}", c.paragraphs.join(", "))
                },
                c.from.map_or(String::new(), |d| format!(", from {d}")),
                c.until.map_or(String::new(), |d| format!(", until {d}"))
            );
        }
        for (sym, x) in &e.exceptions {
            let _ = writeln!(
                s,
                "- {sym}: {}{}",
                if x.eligible { "yes" } else { "N/A" },
                if x.text.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", x.text)
                }
            );
        }
        if !e.note.is_empty() {
            let _ = writeln!(s, "\n{}", e.note);
        }
        s.push('\n');
    }
    let _ = writeln!(s, "## Known Entity List entry terms\n");
    let _ = writeln!(
        s,
        "Used when a party's list status gives FR citations but not the entry's text.\n"
    );
    for t in &rules.entry_terms {
        let _ = writeln!(
            s,
            "- `{}` ({}{}; {} to {}; {:?}): requirement “{}”; policy “{}”. Source: {}",
            t.id,
            t.fr.join("; "),
            if t.names.is_empty() {
                String::new()
            } else {
                format!("; names: {}", t.names.join(", "))
            },
            t.from,
            t.until.map_or("open".into(), |u| u.to_string()),
            t.confidence,
            t.license_requirement,
            t.license_policy,
            t.source
        );
    }
    let _ = writeln!(s, "\n## Text hints\n");
    let _ = writeln!(
        s,
        "Phrases in `end_use`, `item.description` or `item.content_detail` that state a fact (first match per fact wins; the answer shows the phrase).\n"
    );
    for h in &rules.text_hints {
        let _ = writeln!(
            s,
            "- `{}` = {} ← {}",
            h.fact,
            h.value,
            h.phrases
                .iter()
                .map(|p| format!("“{p}”"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(s, "\n## Facts the conditions may test\n");
    for (name, fact, meaning) in FACTS {
        let _ = writeln!(
            s,
            "- `{name}`{} — {meaning}",
            if fact.is_knowledge() {
                " (knowledge)"
            } else {
                ""
            }
        );
    }
    s
}
