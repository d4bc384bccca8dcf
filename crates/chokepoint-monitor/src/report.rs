//! "What changed between two dates for my customers and my orders": the report's shape and its
//! text, and the text of list diffs and rule deltas.
//!
//! The report is assembled by the edge that has the data (the server's `monitor` module reads
//! the data directory's revisions and the stored alerts); here it is plain data and text.

use crate::diff::{FieldChange, ListDiff};
use crate::rules_delta::RulesDelta;
use chokepoint_model::Date;
use serde::Serialize;
use std::fmt::Write as _;

/// The list side of a report: the revisions current on each date and what changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListsChange {
    /// The data-directory revision current at the start (`None`: no list yet).
    pub from_revision: Option<u64>,
    /// The revision current at the end.
    pub to_revision: Option<u64>,
    /// Entries added, removed and changed.
    pub diff: ListDiff,
}

/// An alert as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportAlert {
    /// The alert's id.
    pub id: String,
    /// `new_hit`, `changed_hit`, `removed_hit`, `new_answer`, `changed_answer`.
    pub kind: String,
    /// The party's or order's id.
    pub subject_id: String,
    /// Its name or title.
    pub subject_name: String,
    /// One line.
    pub title: String,
    /// When it was raised (RFC 3339).
    pub raised_at: String,
    /// Whether someone acknowledged it.
    pub acknowledged: bool,
}

/// Counts at the top of the report.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ReportSummary {
    /// Entries added to the lists.
    pub entries_added: usize,
    /// Entries removed.
    pub entries_removed: usize,
    /// Entries changed.
    pub entries_changed: usize,
    /// Rule changes (added, removed, changed).
    pub rule_changes: usize,
    /// Distinct customers with an alert.
    pub parties_affected: usize,
    /// Distinct orders with an alert.
    pub orders_affected: usize,
    /// Alerts raised in the period.
    pub alerts: usize,
    /// Alerts not acknowledged yet.
    pub open_alerts: usize,
}

/// The change report between two dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeReport {
    /// From this date.
    pub from: Date,
    /// To this date (inclusive).
    pub to: Date,
    /// Counts.
    pub summary: ReportSummary,
    /// List changes.
    pub lists: ListsChange,
    /// Rule changes.
    pub rules: RulesDelta,
    /// Alerts raised for watched parties in the period, oldest first (the server lists at most
    /// 1000; `summary` counts them all).
    pub parties: Vec<ReportAlert>,
    /// Alerts raised for open orders in the period, oldest first (likewise).
    pub orders: Vec<ReportAlert>,
}

impl ChangeReport {
    /// Assembles a report and counts its summary.
    pub fn new(
        from: Date,
        to: Date,
        lists: ListsChange,
        rules: RulesDelta,
        parties: Vec<ReportAlert>,
        orders: Vec<ReportAlert>,
    ) -> ChangeReport {
        let distinct = |alerts: &[ReportAlert]| {
            let mut ids: Vec<&str> = alerts.iter().map(|a| a.subject_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        };
        let summary = ReportSummary {
            entries_added: lists.diff.added.len(),
            entries_removed: lists.diff.removed.len(),
            entries_changed: lists.diff.changed.len(),
            rule_changes: rules.added.len() + rules.removed.len() + rules.changed.len(),
            parties_affected: distinct(&parties),
            orders_affected: distinct(&orders),
            alerts: parties.len() + orders.len(),
            open_alerts: parties
                .iter()
                .chain(&orders)
                .filter(|a| !a.acknowledged)
                .count(),
        };
        ChangeReport {
            from,
            to,
            summary,
            lists,
            rules,
            parties,
            orders,
        }
    }
}

/// At most this many entries per section in text; the JSON has them all.
const TEXT_LIMIT: usize = 50;

fn short(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => "(none)".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(119).collect::<String>())
    } else {
        text
    }
}

fn write_changes(out: &mut String, changes: &[FieldChange]) {
    for change in changes {
        let _ = writeln!(
            out,
            "      {}: {} → {}",
            change.field,
            short(&change.before),
            short(&change.after)
        );
    }
}

/// A list diff as text: counts, then each entry (at most 50 per section).
pub fn render_diff_text(diff: &ListDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} added, {} removed, {} changed",
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len()
    );
    for (label, entries) in [("added", &diff.added), ("removed", &diff.removed)] {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{label}:");
        for e in entries.iter().take(TEXT_LIMIT) {
            let _ = writeln!(out, "  {:<8} {:<12} {}", e.list, e.id, e.name);
        }
        if entries.len() > TEXT_LIMIT {
            let _ = writeln!(
                out,
                "  ... and {} more (--format json lists all)",
                entries.len() - TEXT_LIMIT
            );
        }
    }
    if !diff.changed.is_empty() {
        let _ = writeln!(out, "changed:");
        for e in diff.changed.iter().take(TEXT_LIMIT) {
            let _ = writeln!(
                out,
                "  {:<8} {:<12} {}  [{}]",
                e.list,
                e.id,
                e.name,
                e.fields.join(", ")
            );
            write_changes(&mut out, &e.changes);
        }
        if diff.changed.len() > TEXT_LIMIT {
            let _ = writeln!(
                out,
                "  ... and {} more (--format json lists all)",
                diff.changed.len() - TEXT_LIMIT
            );
        }
    }
    out
}

/// A rule delta as text.
pub fn render_rules_delta_text(delta: &RulesDelta) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rule set version {}: {} added, {} removed, {} changed from {} to {}",
        delta.ruleset_version,
        delta.added.len(),
        delta.removed.len(),
        delta.changed.len(),
        delta.from,
        delta.to
    );
    for (label, rules) in [("added", &delta.added), ("removed", &delta.removed)] {
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{label}:");
        for r in rules {
            let _ = writeln!(out, "  {:<28} {} ({})", r.id, r.title, r.citation);
        }
    }
    if !delta.changed.is_empty() {
        let _ = writeln!(out, "changed:");
        for r in &delta.changed {
            let _ = writeln!(out, "  {:<28} {} ({})", r.id, r.title, r.citation);
            write_changes(&mut out, &r.changes);
        }
    }
    if !delta.changes.is_empty() {
        let _ = writeln!(out, "dated events:");
        for c in &delta.changes {
            let _ = writeln!(
                out,
                "  {}  {:<20} {:<28} {}",
                c.date, c.change, c.id, c.citation
            );
        }
    }
    out
}

/// The report as text.
pub fn render_report_text(report: &ChangeReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(out, "What changed from {} to {}", report.from, report.to);
    let _ = writeln!(
        out,
        "  lists: {} added, {} removed, {} changed (revision {} → {})",
        s.entries_added,
        s.entries_removed,
        s.entries_changed,
        report
            .lists
            .from_revision
            .map_or_else(|| "none".to_string(), |r| r.to_string()),
        report
            .lists
            .to_revision
            .map_or_else(|| "none".to_string(), |r| r.to_string())
    );
    let _ = writeln!(out, "  rules: {} change(s)", s.rule_changes);
    let _ = writeln!(
        out,
        "  customers affected: {}, orders affected: {}, alerts not acknowledged: {}",
        s.parties_affected, s.orders_affected, s.open_alerts
    );
    for (label, alerts) in [("customers", &report.parties), ("orders", &report.orders)] {
        let _ = writeln!(out, "\n{label}:");
        if alerts.is_empty() {
            let _ = writeln!(out, "  nothing changed");
        }
        for a in alerts.iter().take(TEXT_LIMIT) {
            let _ = writeln!(
                out,
                "  {} {:<14} {}{}",
                a.raised_at.get(..10).unwrap_or(&a.raised_at),
                a.kind,
                a.title,
                if a.acknowledged {
                    "  [acknowledged]"
                } else {
                    ""
                }
            );
        }
        if alerts.len() > TEXT_LIMIT {
            let _ = writeln!(
                out,
                "  ... and more ({} alerts in all; `chokepoint alerts list --since {}` or --format json)",
                s.alerts,
                report.from.succ_opt().unwrap_or(report.from)
            );
        }
    }
    let _ = writeln!(out, "\nlist changes:");
    out.push_str(&indent(&render_diff_text(&report.lists.diff)));
    let _ = writeln!(out, "\nrule changes:");
    out.push_str(&indent(&render_rules_delta_text(&report.rules)));
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
