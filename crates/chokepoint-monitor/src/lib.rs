//! Change monitoring for chokepoint, the pure half: what changed between two list snapshots
//! ([`diff_entries`]) or two dates of the rule set ([`rules_delta`]), how a watched party's hits
//! or an open order's answer changed ([`compare_hits`], [`compare_answers`]) and the alerts that
//! follow, the customer-master CSV ([`read_parties_csv`]), and the text of the change report.
//!
//! **Architecture invariant:** no I/O, no clock, no environment, no async. Entries, rules and
//! dates come in as arguments; storing, screening and delivering are the edges' work
//! (`chokepoint-engine`, `chokepoint-store`, `chokepoint-server`).
//!
//! Why a crate of its own and not a module of `chokepoint-model`: the model is vocabulary that
//! every crate reads; deltas, alert identity and the report are one feature with its own tests,
//! and they need the rules crate (rule deltas), which the model must not depend on.

#![warn(missing_docs)]

mod alerts;
mod diff;
mod parties;
mod report;
mod rules_delta;

pub use alerts::{
    AlertDraft, AlertKind, AnswerSummary, HitChange, PartyHit, SubjectKind, alert_id,
    answer_alerts, compare_answers, compare_hits, hit_alerts, hit_key,
};
pub use diff::{EntryChange, EntryRef, FieldChange, ListDiff, diff_entries, entry_key};
pub use parties::{WatchedParty, read_parties_csv};
pub use report::{
    ChangeReport, ListsChange, ReportAlert, ReportSummary, render_diff_text, render_report_text,
    render_rules_delta_text,
};
pub use rules_delta::{RuleChangeRef, RuleRef, RulesDelta, rules_delta};
