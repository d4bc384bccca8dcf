//! How a watched party's hits or an open order's answer changed, and the alerts that say so.
//!
//! An alert is raised for every new, changed or removed match and every new or changed answer,
//! never for an unchanged one. Its id is a hash of what it reports (subject, kind, entry or
//! answer, and the state it was found in), so running the same check twice raises nothing
//! new, and a webhook receiver can drop a delivery it has already seen by its id.

use crate::diff::FieldChange;
use chokepoint_rules::Determination;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A match of a watched party against a list entry, as remembered between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyHit {
    /// List code.
    pub list: String,
    /// The entry's own id in its source.
    pub source_id: String,
    /// The entry's primary name.
    pub name: String,
    /// The entry's name that matched.
    pub matched_name: String,
    /// The score.
    pub score: f32,
    /// SHA-256 of the entry's content: a changed entry is a changed hit.
    pub entry_hash: String,
}

/// The key a hit is remembered by: `(list, id)`, or `(list, "name:" + name)` without an id.
pub fn hit_key(hit: &PartyHit) -> (String, String) {
    // The same key as [`entry_key`](crate::entry_key) gives the entry.
    let id = hit.source_id.trim();
    if id.is_empty() {
        let folded: Vec<String> = hit.name.split_whitespace().map(str::to_lowercase).collect();
        (hit.list.clone(), format!("name:{}", folded.join(" ")))
    } else {
        (hit.list.clone(), id.to_string())
    }
}

/// How one hit changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum HitChange {
    /// A match that was not there before.
    New {
        /// The match.
        after: PartyHit,
    },
    /// The same entry still matches, but it (or the name that matched) changed.
    Changed {
        /// Before.
        before: PartyHit,
        /// After.
        after: PartyHit,
    },
    /// A match that is gone (entry removed from the list, or changed so it no longer matches).
    Removed {
        /// The match that was.
        before: PartyHit,
    },
}

/// The changes from `old` hits to `new` hits, by hit key, in key order. Unchanged hits give
/// nothing.
pub fn compare_hits(old: &[PartyHit], new: &[PartyHit]) -> Vec<HitChange> {
    let before: BTreeMap<(String, String), &PartyHit> =
        old.iter().map(|h| (hit_key(h), h)).collect();
    let after: BTreeMap<(String, String), &PartyHit> =
        new.iter().map(|h| (hit_key(h), h)).collect();
    let mut changes = Vec::new();
    for (key, hit) in &after {
        match before.get(key) {
            None => changes.push(HitChange::New {
                after: (*hit).clone(),
            }),
            Some(old)
                if old.entry_hash != hit.entry_hash || old.matched_name != hit.matched_name =>
            {
                changes.push(HitChange::Changed {
                    before: (*old).clone(),
                    after: (*hit).clone(),
                });
            }
            Some(_) => {}
        }
    }
    for (key, hit) in &before {
        if !after.contains_key(key) {
            changes.push(HitChange::Removed {
                before: (*hit).clone(),
            });
        }
    }
    changes
}

/// What an open order's answer is remembered by between runs: what decides whether it may ship.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerSummary {
    /// `true`, `false`, `"not subject to EAR"` or `"unknown"`.
    pub license_required: Value,
    /// The combined review policy (`unknown` when none applies).
    pub review_policy: String,
    /// The rules that fired, as `id: effect` (rules that did not fire left out).
    pub rules: Vec<String>,
    /// The list matches used for parties given by name, as `party: LIST entry`.
    pub listed_parties: Vec<String>,
    /// The questions still open.
    pub unknowns: Vec<String>,
    /// The date answered for.
    pub as_of: chokepoint_model::Date,
    /// The rule-set version used.
    pub ruleset_version: String,
    /// The list snapshot used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_snapshot: Option<String>,
}

impl AnswerSummary {
    /// The summary of a determination.
    pub fn of(determination: &Determination) -> AnswerSummary {
        let value = serde_json::to_value(determination).unwrap_or(Value::Null);
        let mut rules: Vec<String> = determination
            .rules
            .iter()
            .filter(|r| r.effect != "not_triggered")
            .map(|r| format!("{}: {}", r.id, r.effect))
            .collect();
        rules.sort();
        rules.dedup();
        let mut listed_parties: Vec<String> = determination
            .screening
            .iter()
            .flat_map(|s| {
                s.hits
                    .iter()
                    .map(move |h| format!("{}: {} {}", s.party, h.list, h.entry_name))
            })
            .collect();
        listed_parties.sort();
        listed_parties.dedup();
        AnswerSummary {
            license_required: value["license_required"].clone(),
            review_policy: value["review_policy"]
                .as_str()
                .unwrap_or("unknown")
                .to_string(),
            rules,
            listed_parties,
            unknowns: determination
                .unknowns
                .iter()
                .map(|q| q.question.clone())
                .collect(),
            as_of: determination.as_of,
            ruleset_version: determination.evidence.ruleset_version.clone(),
            list_snapshot: determination.evidence.list_snapshot.clone(),
        }
    }
}

/// The fields of the answer that changed (`license_required`, `review_policy`, `rules`,
/// `listed_parties`, `unknowns`); the date, rule-set version and snapshot are not compared.
pub fn compare_answers(old: &AnswerSummary, new: &AnswerSummary) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut field = |name: &str, before: Value, after: Value| {
        if before != after {
            changes.push(FieldChange {
                field: name.to_string(),
                before,
                after,
            });
        }
    };
    field(
        "license_required",
        old.license_required.clone(),
        new.license_required.clone(),
    );
    field(
        "review_policy",
        json!(old.review_policy),
        json!(new.review_policy),
    );
    field("rules", json!(old.rules), json!(new.rules));
    field(
        "listed_parties",
        json!(old.listed_parties),
        json!(new.listed_parties),
    );
    field("unknowns", json!(old.unknowns), json!(new.unknowns));
    changes
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A watched party now matches an entry.
    NewHit,
    /// A watched party still matches an entry that changed.
    ChangedHit,
    /// A watched party no longer matches an entry.
    RemovedHit,
    /// An open order was answered for the first time.
    NewAnswer,
    /// An open order's answer changed.
    ChangedAnswer,
}

impl AlertKind {
    /// The kind as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NewHit => "new_hit",
            AlertKind::ChangedHit => "changed_hit",
            AlertKind::RemovedHit => "removed_hit",
            AlertKind::NewAnswer => "new_answer",
            AlertKind::ChangedAnswer => "changed_answer",
        }
    }
}

/// Whose alert it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A watched party (customer master).
    Party,
    /// An open order (transaction record).
    Order,
}

impl SubjectKind {
    /// The kind as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Party => "party",
            SubjectKind::Order => "order",
        }
    }
}

/// An alert ready to be stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertDraft {
    /// Stable id: the same change found twice has the same id.
    pub id: String,
    /// What happened.
    pub kind: AlertKind,
    /// Party or order.
    pub subject_kind: SubjectKind,
    /// The party's or order's id.
    pub subject_id: String,
    /// The party's name or the order's title.
    pub subject_name: String,
    /// One line for people.
    pub title: String,
    /// Before and after, and what caused the check.
    pub details: Value,
}

/// A stable alert id: the first 32 hex digits of SHA-256 over the parts.
pub fn alert_id(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The alerts for one party's hit changes. `state` names the state the hits were found in (the
/// list snapshot id), so a later return of the same match is a new alert; `cause` is recorded
/// in the details.
pub fn hit_alerts(
    party_id: &str,
    party_name: &str,
    changes: &[HitChange],
    state: &str,
    cause: &Value,
) -> Vec<AlertDraft> {
    changes
        .iter()
        .map(|change| {
            let (kind, hit, title) = match change {
                HitChange::New { after } => (
                    AlertKind::NewHit,
                    after,
                    format!(
                        "{party_name} ({party_id}) now matches {} entry {} `{}` (score {:.2})",
                        after.list, after.source_id, after.name, after.score
                    ),
                ),
                HitChange::Changed { after, .. } => (
                    AlertKind::ChangedHit,
                    after,
                    format!(
                        "{party_name} ({party_id}) matches {} entry {} `{}`, which changed",
                        after.list, after.source_id, after.name
                    ),
                ),
                HitChange::Removed { before } => (
                    AlertKind::RemovedHit,
                    before,
                    format!(
                        "{party_name} ({party_id}) no longer matches {} entry {} `{}`",
                        before.list, before.source_id, before.name
                    ),
                ),
            };
            let (list, key) = hit_key(hit);
            AlertDraft {
                id: alert_id(&[
                    "party",
                    party_id,
                    kind.as_str(),
                    &list,
                    &key,
                    &hit.entry_hash,
                    state,
                ]),
                kind,
                subject_kind: SubjectKind::Party,
                subject_id: party_id.to_string(),
                subject_name: party_name.to_string(),
                title,
                details: json!({ "hit": change, "cause": cause }),
            }
        })
        .collect()
}

/// The alert for an order's answer, if it is new or changed; `None` when unchanged.
pub fn answer_alerts(
    order_id: &str,
    order_title: &str,
    old: Option<&AnswerSummary>,
    new: &AnswerSummary,
    cause: &Value,
) -> Option<AlertDraft> {
    let answer = serde_json::to_string(&json!([
        new.license_required,
        new.review_policy,
        new.rules,
        new.listed_parties,
        new.unknowns
    ]))
    .unwrap_or_default();
    let (kind, changes, title) = match old {
        None => (
            AlertKind::NewAnswer,
            Vec::new(),
            format!(
                "order {order_id}: license required {} ({})",
                new.license_required, new.review_policy
            ),
        ),
        Some(old) => {
            let changes = compare_answers(old, new);
            if changes.is_empty() {
                return None;
            }
            let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
            (
                AlertKind::ChangedAnswer,
                changes.clone(),
                format!(
                    "order {order_id}: answer changed ({}): license required {} → {}",
                    fields.join(", "),
                    old.license_required,
                    new.license_required
                ),
            )
        }
    };
    Some(AlertDraft {
        id: alert_id(&[
            "order",
            order_id,
            kind.as_str(),
            &answer,
            &new.as_of.to_string(),
            new.list_snapshot.as_deref().unwrap_or(""),
        ]),
        kind,
        subject_kind: SubjectKind::Order,
        subject_id: order_id.to_string(),
        subject_name: order_title.to_string(),
        title,
        details: json!({
            "before": old,
            "after": new,
            "changes": changes,
            "cause": cause,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(list: &str, id: &str, hash: &str) -> PartyHit {
        PartyHit {
            list: list.into(),
            source_id: id.into(),
            name: format!("Entry {id}"),
            matched_name: format!("Entry {id}"),
            score: 0.9,
            entry_hash: hash.into(),
        }
    }

    #[test]
    fn unchanged_hits_raise_nothing() {
        let hits = vec![hit("EL", "1", "a"), hit("SDN", "2", "b")];
        assert!(compare_hits(&hits, &hits).is_empty());
        // A score that moves with the same entry is not a change.
        let mut moved = hits.clone();
        moved[0].score = 0.91;
        assert!(compare_hits(&hits, &moved).is_empty());
    }

    #[test]
    fn new_changed_and_removed_hits_each_raise_one_alert_with_a_stable_id() {
        let old = vec![hit("EL", "1", "a"), hit("SDN", "2", "b")];
        let new = vec![hit("EL", "1", "a2"), hit("MEU", "3", "c")];
        let changes = compare_hits(&old, &new);
        let kinds: Vec<&str> = changes
            .iter()
            .map(|c| match c {
                HitChange::New { .. } => "new",
                HitChange::Changed { .. } => "changed",
                HitChange::Removed { .. } => "removed",
            })
            .collect();
        assert_eq!(kinds, ["changed", "new", "removed"]);
        let cause = json!({"lists": {"from": 1, "to": 2}});
        let alerts = hit_alerts("C1", "Alpha Co", &changes, "snap-2", &cause);
        assert_eq!(alerts.len(), 3);
        assert_eq!(alerts[1].kind, AlertKind::NewHit);
        assert!(
            alerts[1].title.contains("now matches MEU entry 3"),
            "{}",
            alerts[1].title
        );
        let again = hit_alerts("C1", "Alpha Co", &changes, "snap-2", &cause);
        assert_eq!(alerts, again);
        let later = hit_alerts("C1", "Alpha Co", &changes, "snap-3", &cause);
        assert_ne!(alerts[0].id, later[0].id);
        assert_eq!(alerts[0].id.len(), 32);
    }

    #[test]
    fn an_answer_alert_is_raised_only_when_something_that_decides_changes() {
        let summary = AnswerSummary {
            license_required: json!(false),
            review_policy: "not_applicable".into(),
            rules: vec![],
            listed_parties: vec![],
            unknowns: vec![],
            as_of: "2026-01-01".parse().unwrap_or_default(),
            ruleset_version: "1".into(),
            list_snapshot: Some("s1".into()),
        };
        let first = answer_alerts("O1", "Order 1", None, &summary, &Value::Null);
        assert_eq!(first.map(|a| a.kind), Some(AlertKind::NewAnswer));
        let mut later = summary.clone();
        later.as_of = "2026-02-01".parse().unwrap_or_default();
        later.list_snapshot = Some("s2".into());
        assert!(answer_alerts("O1", "Order 1", Some(&summary), &later, &Value::Null).is_none());
        later.license_required = json!(true);
        later.listed_parties = vec!["Alpha Co: entity_list Alpha Co".into()];
        let changed = answer_alerts("O1", "Order 1", Some(&summary), &later, &Value::Null);
        let Some(changed) = changed else {
            panic!("no alert for a changed answer");
        };
        assert_eq!(changed.kind, AlertKind::ChangedAnswer);
        assert_eq!(changed.details["changes"][0]["field"], "license_required");
        assert!(changed.title.contains("false → true"), "{}", changed.title);
    }
}
