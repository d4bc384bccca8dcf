//! What changed in the rule set between two dates, in the same shape as a list diff: rules that
//! came into force (added), rules no longer in force (removed), and rules whose status changed
//! (suspended, reinstated, compliance now required), plus Country Group membership changes.
//!
//! The dated events behind them come from [`chokepoint_rules::diff`] and are kept under
//! `changes`, so nothing of the rule crate's own account is lost.

use crate::diff::FieldChange;
use chokepoint_model::Date;
use chokepoint_rules::{RuleChange, RuleSet, Status};
use serde::Serialize;
use serde_json::Value;

/// A rule (or an alias or a group) named in a delta.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRef {
    /// Rule id (`group:D:5` for a Country Group, `alias:HK` for a destination alias).
    pub id: String,
    /// Citation.
    pub citation: String,
    /// Title.
    pub title: String,
}

/// A rule in force on both dates whose status (or a group whose membership) changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleChangeRef {
    /// Rule id.
    pub id: String,
    /// Citation.
    pub citation: String,
    /// Title.
    pub title: String,
    /// The names of the fields that changed (`status`, `members`).
    pub fields: Vec<String>,
    /// Each changed field, before and after.
    pub changes: Vec<FieldChange>,
}

/// The rule set's changes between two dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RulesDelta {
    /// From this date (its state is the "before").
    pub from: Date,
    /// To this date (its state is the "after").
    pub to: Date,
    /// The rule set's version.
    pub ruleset_version: String,
    /// In force on `to`, not on `from`.
    pub added: Vec<RuleRef>,
    /// In force on `from`, not on `to`.
    pub removed: Vec<RuleRef>,
    /// In force on both dates, with another status; groups with other members.
    pub changed: Vec<RuleChangeRef>,
    /// The dated events after `from` up to `to` (`came_into_force`, `suspended`...).
    pub changes: Vec<RuleChange>,
}

impl RulesDelta {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.changes.is_empty()
    }
}

fn status_name(status: &Status<'_>) -> Option<&'static str> {
    match status {
        Status::NotYet | Status::Ended => None,
        Status::BeforeCompliance(_) => Some("in_force_before_compliance"),
        Status::InForce => Some("in_force"),
        Status::Suspended(_) => Some("suspended"),
    }
}

/// The changes between `from` and `to` (swapped if reversed).
pub fn rules_delta(rules: &RuleSet, from: Date, to: Date) -> RulesDelta {
    let (from, to) = if from <= to { (from, to) } else { (to, from) };
    let mut delta = RulesDelta {
        from,
        to,
        ruleset_version: rules.meta.version.clone(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        changes: chokepoint_rules::diff(rules, from, to).changes,
    };
    for rule in &rules.rules {
        let reference = || RuleRef {
            id: rule.id.clone(),
            citation: rule.citation.clone(),
            title: rule.title.clone(),
        };
        let before = status_name(&rule.in_force.status(from));
        let after = status_name(&rule.in_force.status(to));
        match (before, after) {
            (None, Some(_)) => delta.added.push(reference()),
            (Some(_), None) => delta.removed.push(reference()),
            (Some(b), Some(a)) if a != b => delta.changed.push(RuleChangeRef {
                id: rule.id.clone(),
                citation: rule.citation.clone(),
                title: rule.title.clone(),
                fields: vec!["status".into()],
                changes: vec![FieldChange {
                    field: "status".into(),
                    before: Value::from(b),
                    after: Value::from(a),
                }],
            }),
            _ => {}
        }
    }
    for alias in &rules.aliases {
        let reference = RuleRef {
            id: format!("alias:{}", alias.code),
            citation: alias.citation.clone(),
            title: format!("{} treated as {}", alias.code, alias.treat_as),
        };
        match (alias.from <= from, alias.from <= to) {
            (false, true) => delta.added.push(reference),
            (true, false) => delta.removed.push(reference),
            _ => {}
        }
    }
    for group in &rules.groups {
        let mut codes: Vec<&str> = group.members.iter().map(String::as_str).collect();
        for change in &group.changes {
            codes.extend(change.add.iter().map(String::as_str));
            codes.extend(change.remove.iter().map(String::as_str));
        }
        codes.sort_unstable();
        codes.dedup();
        let on = |date: Date| -> Vec<&str> {
            codes
                .iter()
                .copied()
                .filter(|c| group.contains(c, date))
                .collect()
        };
        let (before, after) = (on(from), on(to));
        if before != after {
            delta.changed.push(RuleChangeRef {
                id: format!("group:{}", group.id),
                citation: group.citation.clone(),
                title: format!("Country Group {}", group.id),
                fields: vec!["members".into()],
                changes: vec![FieldChange {
                    field: "members".into(),
                    before: Value::from(before),
                    after: Value::from(after),
                }],
            });
        }
    }
    delta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_shipped_rules_change_over_the_affiliates_rule_dates() {
        let (rules, _) = chokepoint_rules::shipped_ruleset();
        // The affiliates rule came into force on 2025-09-29 and was suspended on 2025-11-10.
        let delta = rules_delta(&rules, d("2025-09-28"), d("2025-09-30"));
        assert!(
            delta.added.iter().any(|r| r.id == "el-affiliates"),
            "{:?}",
            delta.added
        );
        let delta = rules_delta(&rules, d("2025-10-01"), d("2025-11-11"));
        let changed = delta
            .changed
            .iter()
            .find(|c| c.id == "el-affiliates")
            .map(|c| c.changes[0].after.clone());
        assert_eq!(changed, Some(Value::from("suspended")), "{delta:?}");
        // Nothing changes within a day.
        let same = rules_delta(&rules, d("2025-10-01"), d("2025-10-01"));
        assert!(same.is_empty(), "{same:?}");
    }

    #[test]
    fn reversed_dates_are_swapped() {
        let (rules, _) = chokepoint_rules::shipped_ruleset();
        let a = rules_delta(&rules, d("2025-09-28"), d("2025-09-30"));
        let b = rules_delta(&rules, d("2025-09-30"), d("2025-09-28"));
        assert_eq!(a, b);
    }
}
