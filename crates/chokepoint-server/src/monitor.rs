//! Change monitoring, orchestrated: import the customer master and open orders, re-check them
//! after a list or rule change, raise alerts, and assemble the change report. These are the
//! library functions the CLI (`chokepoint watch`, `alerts`, `report`) and the routes
//! (`alerts.rs`) call; the pure parts (diffs, hit comparison, alert ids, report text) are
//! `chokepoint-monitor`'s.
//!
//! A run ([`run_watch`]) compares what the store remembers (the list revision and date of the
//! last run, each party's hits, each order's answer) with now:
//!
//! - parties never screened, or edited since, are screened against the full lists;
//! - after a list change, every other party is screened only against the entries added or
//!   changed (a small index), and keeps its hits on untouched entries ([`DeltaIndex`]); without a
//!   known previous revision, everyone is screened in full;
//! - orders are answered again when new or edited, when a rule changed between the last run's
//!   date and this one (or the rule-set version changed), or when the list change can reach
//!   them (a party name, or an owner's, matching an added or changed entry, or a listed party
//!   before), or, with no file changed, an entry that came into force or lapsed between the
//!   two dates (its own start or end date) can; they are filled in from the registry first,
//!   as `chokepoint check` and `POST /v1/check` fill them;
//! - an alert is stored for every new, changed or removed hit and every new or changed answer,
//!   with a stable id, in the same transaction as the new state (and queued for each webhook).

use crate::lists::{ListsSource, LoadError, Snapshot};
use chokepoint_engine::{
    DataDir, DeltaIndex, EngineError, Revision, ScreenerLookup, screen_watched,
};
use chokepoint_model::{Date, Diagnostic, PartyKind};
use chokepoint_monitor::{
    AnswerSummary, ChangeReport, ListsChange, PartyHit, ReportAlert, WatchedParty, answer_alerts,
    compare_hits, hit_alerts, rules_delta,
};
use chokepoint_rules::{Context, PartyLookup, Record, RecordError, RuleSet};
use chokepoint_store::{
    Alert, AlertFilter, AuditEvent, MonitorState, NewAlert, NewOrder, NewParty, Store, StoreError,
    WatchResults,
};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

/// Parties read and written per page.
const PAGE: u32 = 20_000;

/// Most alerts a [`WatchReport`] carries (a first run over a large customer master can raise
/// hundreds of thousands; they are all stored).
pub const REPORTED_ALERTS: usize = 1000;

/// Most alerts of each kind of subject a [`ChangeReport`] lists (all are counted).
pub const REPORT_LISTED: usize = 1000;

/// What can go wrong in monitoring.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// Reading the data directory failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Loading the lists failed.
    #[error(transparent)]
    Lists(#[from] LoadError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The input cannot be used at all (no header, no record...).
    #[error("{0}")]
    BadInput(String),
    /// Nothing to screen against.
    #[error(
        "no list is loaded: import lists first (`chokepoint lists import PATH` or `lists update`)"
    )]
    NoLists,
    /// A worker task failed.
    #[error("a monitoring task failed: {0}")]
    Internal(String),
}

fn join_error(e: tokio::task::JoinError) -> MonitorError {
    MonitorError::Internal(e.to_string())
}

/// The shipped rule set (checked by the rules crate's tests). A problem in it (a build defect)
/// is logged, not fatal: parties are still re-screened, and orders answered by the rules that
/// could be read.
pub fn shipped_rules() -> Result<Arc<RuleSet>, MonitorError> {
    let (rules, problems) = chokepoint_rules::shipped_ruleset();
    for problem in &problems {
        tracing::warn!(%problem, "the shipped rule set has a problem");
    }
    Ok(Arc::new(rules))
}

/// What an import stored and what it refused.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    /// Rows (or records) stored: added or updated.
    pub stored: u64,
    /// Every problem, each naming its line (or record) and field.
    pub problems: Vec<Value>,
}

/// Imports a customer master CSV (format: `crates/chokepoint-monitor/FORMAT.md`): parties are
/// added or updated by id; bad rows are reported and the others stored.
pub async fn import_parties(
    store: &Arc<dyn Store>,
    label: &str,
    bytes: &[u8],
) -> Result<ImportOutcome, MonitorError> {
    let (parties, problems) = chokepoint_monitor::read_parties_csv(label, bytes)
        .map_err(|d| MonitorError::BadInput(d.to_string()))?;
    let rows: Vec<NewParty> = parties
        .into_iter()
        .map(|p| NewParty {
            id: p.id,
            name: p.name,
            country: p.country,
            kind: p.kind.map(|k| kind_name(k).to_string()),
            extra: serde_json::to_value(&p.extra).unwrap_or(Value::Null),
        })
        .collect();
    let stored = store.upsert_parties(rows).await?;
    Ok(ImportOutcome {
        stored,
        problems: problems.iter().map(diagnostic_json).collect(),
    })
}

fn kind_name(kind: PartyKind) -> &'static str {
    match kind {
        PartyKind::Entity => "entity",
        PartyKind::Individual => "individual",
        PartyKind::Vessel => "vessel",
        PartyKind::Aircraft => "aircraft",
        _ => "unknown",
    }
}

fn diagnostic_json(d: &Diagnostic) -> Value {
    json!({
        "severity": if d.severity == chokepoint_model::Severity::Error { "error" } else { "warning" },
        "line": d.line,
        "record": d.record,
        "field": d.field,
        "message": d.message,
        "text": d.to_string(),
    })
}

/// Imports open orders: transaction records in YAML or JSON (the `chokepoint check` format).
/// Records are added or updated by id; a record with problems is reported (id and field) and
/// the others stored.
pub async fn import_orders(
    store: &Arc<dyn Store>,
    rules: &RuleSet,
    label: &str,
    text: &str,
) -> Result<ImportOutcome, MonitorError> {
    let parsed = chokepoint_rules::parse_records(rules, label, text);
    if parsed.is_empty() {
        return Err(MonitorError::BadInput(format!(
            "`{label}` holds no transaction record (see the README, \"Transaction records\")"
        )));
    }
    let mut orders = Vec::new();
    let mut problems = Vec::new();
    for record in parsed {
        match record {
            Ok(record) => orders.push(NewOrder {
                id: record.id.clone(),
                title: record.title.clone(),
                record: serde_json::to_value(&record)
                    .map_err(|e| MonitorError::Internal(e.to_string()))?,
            }),
            Err(error) => problems.push(record_error_json(&error)),
        }
    }
    let stored = store.upsert_orders(orders).await?;
    Ok(ImportOutcome { stored, problems })
}

fn record_error_json(error: &RecordError) -> Value {
    json!({
        "record": error.id,
        "problems": error.problems,
        "text": error.to_string(),
    })
}

/// Which watched subjects to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchSubject {
    /// Customers (`watch import-parties`).
    Party,
    /// Open orders (`watch import-orders`).
    Order,
}

/// Stops watching parties or orders, by id: they are removed with their last hits or answer
/// (alerts already raised are kept), in one transaction with the audit record
/// (`watch_parties_removed` / `watch_orders_removed`), so later runs neither check them nor
/// alert on them. All or nothing: an id not watched is `StoreError::NotFound` and nothing is
/// removed. Returns how many were removed.
pub async fn remove_watched(
    store: &Arc<dyn Store>,
    subject: WatchSubject,
    ids: Vec<String>,
    actor: &str,
) -> Result<u64, MonitorError> {
    let mut ids = ids;
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.iter().any(|id| id.trim().is_empty()) {
        return Err(MonitorError::BadInput(
            "name at least one id to remove, none of them empty".into(),
        ));
    }
    let kind = match subject {
        WatchSubject::Party => "watch_parties_removed",
        WatchSubject::Order => "watch_orders_removed",
    };
    let event = AuditEvent {
        kind: kind.into(),
        actor: actor.to_string(),
        inputs: json!({ "ids": ids }),
        outputs: json!({ "removed": ids.len() }),
        list_snapshot: None,
        rule_set: None,
    };
    let removed = match subject {
        WatchSubject::Party => store.remove_parties(ids, event).await?,
        WatchSubject::Order => store.remove_orders(ids, event).await?,
    };
    Ok(removed)
}

/// How a run is asked for.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// The date orders are answered for (at the earliest; an order's own later date wins).
    pub as_of: Date,
    /// Who asked (audit trail).
    pub actor: String,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct WatchReport {
    /// The list revision the last run saw.
    pub list_revision_from: Option<u64>,
    /// The list revision now.
    pub list_revision_to: Option<u64>,
    /// The list snapshot id now.
    pub list_snapshot: Option<String>,
    /// The date the last run answered orders for.
    pub rules_from: Option<String>,
    /// The date this run answered orders for.
    pub rules_to: Date,
    /// Entries added, removed, changed since the last run.
    pub entries_added: usize,
    /// Entries removed.
    pub entries_removed: usize,
    /// Entries changed.
    pub entries_changed: usize,
    /// Entries of the current lists that came into force or lapsed (their own start or end
    /// date) between the last run's date and this one; the orders they can reach are answered
    /// again even when no file changed.
    pub entries_in_force_changed: usize,
    /// Rule changes between the two dates.
    pub rule_changes: usize,
    /// Parties watched.
    pub parties: u64,
    /// Parties screened against the full lists (new, edited, or no previous revision).
    pub parties_screened_in_full: u64,
    /// Parties screened against the added and changed entries only.
    pub parties_screened_against_changes: u64,
    /// Orders watched.
    pub orders: u64,
    /// Orders answered again.
    pub orders_answered: u64,
    /// Orders due that could not be answered (their date is outside the rule set, or the
    /// stored record no longer reads); they are tried again at the next run.
    pub orders_unanswered: u64,
    /// How many alerts this run raised.
    pub alerts_raised: u64,
    /// The first alerts raised (at most [`REPORTED_ALERTS`]; `GET /v1/alerts` has them all).
    pub alerts: Vec<Alert>,
    /// How long it took.
    pub elapsed_ms: u64,
}

impl WatchReport {
    fn add_alerts(&mut self, alerts: Vec<Alert>) {
        self.alerts_raised += alerts.len() as u64;
        let room = REPORTED_ALERTS.saturating_sub(self.alerts.len());
        self.alerts.extend(alerts.into_iter().take(room));
    }

    fn nothing_watched(state: &MonitorState, now: &Revision, as_of: Date) -> WatchReport {
        WatchReport {
            list_revision_from: state.list_revision,
            list_revision_to: Some(now.revision),
            list_snapshot: Some(now.snapshot_id.clone()),
            rules_from: state.rules_date.clone(),
            rules_to: as_of,
            entries_added: 0,
            entries_removed: 0,
            entries_changed: 0,
            entries_in_force_changed: 0,
            rule_changes: 0,
            parties: 0,
            parties_screened_in_full: 0,
            parties_screened_against_changes: 0,
            orders: 0,
            orders_answered: 0,
            orders_unanswered: 0,
            alerts_raised: 0,
            alerts: Vec::new(),
            elapsed_ms: 0,
        }
    }
}

/// The previous revision's entries, the change to the current one, as a delta index.
struct ListChange {
    delta: DeltaIndex,
    added: usize,
    removed: usize,
    changed: usize,
}

async fn history(data_dir: &DataDir) -> Result<Vec<Revision>, MonitorError> {
    let data_dir = data_dir.clone();
    Ok(tokio::task::spawn_blocking(move || data_dir.history())
        .await
        .map_err(join_error)??)
}

async fn list_change(
    data_dir: &DataDir,
    history: &[Revision],
    from: u64,
    to: u64,
) -> Result<ListChange, MonitorError> {
    let data_dir = data_dir.clone();
    let history = history.to_vec();
    tokio::task::spawn_blocking(move || {
        let before = data_dir.revision_entries(&history, from, None)?;
        let after = data_dir.revision_entries(&history, to, None)?;
        let diff = chokepoint_monitor::diff_entries(&before, &after);
        let delta = DeltaIndex::new(&before, &after, &diff)?;
        Ok(ListChange {
            delta,
            added: diff.added.len(),
            removed: diff.removed.len(),
            changed: diff.changed.len(),
        })
    })
    .await
    .map_err(join_error)?
}

fn party_of(row: &chokepoint_store::StoredParty) -> WatchedParty {
    WatchedParty {
        id: row.id.clone(),
        name: row.name.clone(),
        country: row.country.clone(),
        kind: row.kind.as_deref().and_then(PartyKind::parse),
        extra: Default::default(),
    }
}

fn hits_of(row: &chokepoint_store::StoredParty) -> Vec<PartyHit> {
    row.hits
        .clone()
        .and_then(|h| serde_json::from_value(h).ok())
        .unwrap_or_default()
}

fn draft_to_new(draft: chokepoint_monitor::AlertDraft) -> NewAlert {
    NewAlert {
        id: draft.id,
        kind: draft.kind.as_str().to_string(),
        subject_kind: draft.subject_kind.as_str().to_string(),
        subject_id: draft.subject_id,
        subject_name: draft.subject_name,
        title: draft.title,
        details: draft.details,
    }
}

/// Re-checks the watched parties and open orders against the current lists and rules (see the
/// module doc) and stores the alerts. `current` is the snapshot in use when the caller has one
/// (the server); otherwise it is loaded from the data directory when needed.
pub async fn run_watch(
    store: &Arc<dyn Store>,
    data_dir: &DataDir,
    current: Option<Arc<Snapshot>>,
    options: &WatchOptions,
) -> Result<WatchReport, MonitorError> {
    let started = Instant::now();
    let history = history(data_dir).await?;
    let Some(now) = history.last().cloned() else {
        return Err(MonitorError::NoLists);
    };
    let state = store.monitor_state().await?;
    let rules = shipped_rules()?;
    if store.party_count().await? == 0 && store.orders("", 1).await?.is_empty() {
        // Nothing is watched: only remember where the lists stand.
        store
            .set_monitor_state(MonitorState {
                list_revision: Some(now.revision),
                list_snapshot: Some(now.snapshot_id.clone()),
                rules_date: state.rules_date.clone(),
                ruleset_version: state.ruleset_version.clone(),
                run_at: Some(chokepoint_store::now_rfc3339()),
            })
            .await?;
        return Ok(WatchReport::nothing_watched(&state, &now, options.as_of));
    }
    let list_changed = state.list_revision != Some(now.revision);
    let change = match state.list_revision {
        Some(from) if list_changed && history.iter().any(|r| r.revision == from) => {
            Some(list_change(data_dir, &history, from, now.revision).await?)
        }
        _ => None,
    };
    let change = change.map(Arc::new);
    let rules_from: Option<Date> = state.rules_date.as_deref().and_then(|d| d.parse().ok());
    let delta_rules = rules_from.map(|from| rules_delta(&rules, from, options.as_of));
    let rules_changed = match &delta_rules {
        Some(delta) => {
            !delta.is_empty()
                || state.ruleset_version.as_deref() != Some(rules.meta.version.as_str())
        }
        None => true,
    };
    // A new date with no file changed: list entries that came into force or lapsed between the
    // two dates (their own start or end date) change the orders' answers (screened as of their
    // date); parties are screened without a date, like `chokepoint screen` without `--as-of`.
    let dated = match rules_from {
        Some(from) if from != options.as_of && !store.orders("", 1).await?.is_empty() => {
            let (data_dir, history, revision, to) = (
                data_dir.clone(),
                history.clone(),
                now.revision,
                options.as_of,
            );
            let delta = tokio::task::spawn_blocking(move || {
                let entries = data_dir.revision_entries(&history, revision, None)?;
                DeltaIndex::in_force_changed(&entries, from, to)
            })
            .await
            .map_err(join_error)??;
            (!delta.is_empty()).then_some(delta)
        }
        _ => None,
    };
    let cause = json!({
        "lists": {
            "from_revision": state.list_revision,
            "to_revision": now.revision,
            "snapshot": now.snapshot_id,
            "entries_in_force_changed": dated.as_ref().map_or(0, DeltaIndex::indexed),
        },
        "rules": {
            "from": state.rules_date,
            "to": options.as_of,
            "ruleset_version": rules.meta.version,
        },
    });

    // The full index, loaded once and only when something needs it, with its entries' hashes.
    let mut snapshot = current.filter(|s| s.id == now.snapshot_id);
    let mut full_hashes: Option<Arc<Vec<String>>> = None;
    let mut report = WatchReport {
        list_revision_from: state.list_revision,
        list_revision_to: Some(now.revision),
        list_snapshot: Some(now.snapshot_id.clone()),
        rules_from: state.rules_date.clone(),
        rules_to: options.as_of,
        entries_added: change.as_ref().map_or(0, |c| c.added),
        entries_removed: change.as_ref().map_or(0, |c| c.removed),
        entries_changed: change.as_ref().map_or(0, |c| c.changed),
        entries_in_force_changed: dated.as_ref().map_or(0, DeltaIndex::indexed),
        rule_changes: delta_rules
            .as_ref()
            .map_or(0, |d| d.added.len() + d.removed.len() + d.changed.len()),
        parties: 0,
        parties_screened_in_full: 0,
        parties_screened_against_changes: 0,
        orders: 0,
        orders_answered: 0,
        orders_unanswered: 0,
        alerts_raised: 0,
        alerts: Vec::new(),
        elapsed_ms: 0,
    };

    // Parties, a page at a time.
    let mut after = String::new();
    loop {
        let page = store.parties(&after, PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id.clone();
        report.parties += page.len() as u64;
        let (full, incremental): (Vec<_>, Vec<_>) = page
            .into_iter()
            .partition(|row| row.dirty || row.hits.is_none() || (list_changed && change.is_none()));
        let incremental: Vec<_> = if list_changed {
            incremental
        } else {
            Vec::new()
        };
        if full.is_empty() && incremental.is_empty() {
            continue;
        }
        if !full.is_empty() && snapshot.is_none() {
            snapshot = Some(load_current(data_dir).await?);
        }
        if !full.is_empty()
            && full_hashes.is_none()
            && let Some(snapshot) = snapshot.clone()
        {
            full_hashes = Some(
                tokio::task::spawn_blocking(move || {
                    Arc::new(
                        snapshot
                            .screener
                            .index()
                            .entries()
                            .iter()
                            .map(chokepoint_engine::entry_hash)
                            .collect::<Vec<_>>(),
                    )
                })
                .await
                .map_err(join_error)?,
            );
        }
        report.parties_screened_in_full += full.len() as u64;
        report.parties_screened_against_changes += incremental.len() as u64;
        let (full_snapshot, hashes, change) =
            (snapshot.clone(), full_hashes.clone(), change.clone());
        let screened = tokio::task::spawn_blocking(move || {
            let mut out: Vec<(chokepoint_store::StoredParty, Vec<PartyHit>)> = Vec::new();
            if let (Some(snapshot), Some(hashes)) = (full_snapshot, hashes)
                && !full.is_empty()
            {
                let parties: Vec<WatchedParty> = full.iter().map(party_of).collect();
                let hits = screen_watched(snapshot.screener.index(), &hashes, &parties);
                out.extend(full.into_iter().zip(hits));
            }
            if let Some(change) = change.filter(|_| !incremental.is_empty()) {
                let parties: Vec<WatchedParty> = incremental.iter().map(party_of).collect();
                let before: Vec<Vec<PartyHit>> = incremental.iter().map(hits_of).collect();
                let hits = change.delta.rescreen(&parties, &before);
                out.extend(incremental.into_iter().zip(hits));
            }
            out
        })
        .await
        .map_err(join_error)?;
        let mut results = WatchResults::default();
        for (row, hits) in screened {
            let before = hits_of(&row);
            let changes = compare_hits(&before, &hits);
            if changes.is_empty() && !row.dirty && row.hits.is_some() {
                continue;
            }
            results.alerts.extend(
                hit_alerts(&row.id, &row.name, &changes, &now.snapshot_id, &cause)
                    .into_iter()
                    .map(draft_to_new),
            );
            results.parties.push((
                row.id.clone(),
                serde_json::to_value(&hits).unwrap_or(Value::Null),
            ));
        }
        if !results.parties.is_empty() {
            report.add_alerts(store.save_watch(results).await?);
        }
    }

    // Orders.
    let mut after = String::new();
    loop {
        let page = store.orders(&after, PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id.clone();
        report.orders += page.len() as u64;
        let due: Vec<_> = page
            .into_iter()
            .filter(|row| {
                row.dirty
                    || row.answer.is_none()
                    || rules_changed
                    || (list_changed
                        && order_reached(row, change.as_ref().map(|c| &c.delta), options.as_of))
                    || dated
                        .as_ref()
                        .is_some_and(|d| order_reached(row, Some(d), options.as_of))
            })
            .collect();
        if due.is_empty() {
            continue;
        }
        if snapshot.is_none() {
            snapshot = Some(load_current(data_dir).await?);
        }
        let (full_snapshot, rules, as_of) = (snapshot.clone(), rules.clone(), options.as_of);
        let answered = tokio::task::spawn_blocking(move || {
            let answers = answer_orders(&rules, full_snapshot.as_deref(), &due, as_of);
            due.into_iter().zip(answers).collect::<Vec<_>>()
        })
        .await
        .map_err(join_error)?;
        let mut results = WatchResults::default();
        for (row, answer) in answered {
            let Some(summary) = answer else {
                report.orders_unanswered += 1;
                continue;
            };
            report.orders_answered += 1;
            let before: Option<AnswerSummary> = row
                .answer
                .clone()
                .and_then(|a| serde_json::from_value(a).ok());
            let title = row.title.clone().unwrap_or_else(|| row.id.clone());
            if let Some(alert) = answer_alerts(&row.id, &title, before.as_ref(), &summary, &cause) {
                results.alerts.push(draft_to_new(alert));
            }
            results.orders.push((
                row.id.clone(),
                serde_json::to_value(&summary).unwrap_or(Value::Null),
            ));
        }
        if !results.orders.is_empty() {
            report.add_alerts(store.save_watch(results).await?);
        }
    }

    store
        .set_monitor_state(MonitorState {
            list_revision: Some(now.revision),
            list_snapshot: Some(now.snapshot_id.clone()),
            rules_date: Some(options.as_of.to_string()),
            ruleset_version: Some(rules.meta.version.clone()),
            run_at: Some(chokepoint_store::now_rfc3339()),
        })
        .await?;
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    store
        .append_audit(AuditEvent {
            kind: "watch_run".into(),
            actor: options.actor.clone(),
            inputs: json!({ "as_of": options.as_of, "cause": cause }),
            outputs: json!({
                "parties": report.parties,
                "parties_screened_in_full": report.parties_screened_in_full,
                "parties_screened_against_changes": report.parties_screened_against_changes,
                "orders_answered": report.orders_answered,
                "alerts_raised": report.alerts_raised,
            }),
            list_snapshot: Some(now.snapshot_id.clone()),
            rule_set: Some(rules.meta.version.clone()),
        })
        .await?;
    Ok(report)
}

/// Whether a list change (`delta`: the entries added or changed; `None`: unknown, so
/// everything) can reach an order: one of its party names, or an owner of one (given in the
/// record, or the registry's, which the answer fills in), matches an entry of the change, or a
/// party of it was listed at the last answer.
fn order_reached(
    row: &chokepoint_store::StoredOrder,
    delta: Option<&DeltaIndex>,
    as_of: Date,
) -> bool {
    let Some(delta) = delta else {
        return true;
    };
    let listed_before = row
        .answer
        .as_ref()
        .and_then(|a| a["listed_parties"].as_array())
        .is_some_and(|l| !l.is_empty());
    if listed_before {
        return true;
    }
    let parties: Vec<WatchedParty> = order_names(&row.record, as_of)
        .into_iter()
        .enumerate()
        .map(|(i, name)| WatchedParty {
            id: i.to_string(),
            name,
            country: None,
            kind: None,
            extra: Default::default(),
        })
        .collect();
    let none = vec![Vec::new(); parties.len()];
    delta
        .rescreen(&parties, &none)
        .iter()
        .any(|hits| !hits.is_empty())
}

/// The names an order's answer screens: its parties, the owners the record gives, and the
/// owners the registry knows for its parties on `as_of` (filled in when it is answered).
fn order_names(record: &Value, as_of: Date) -> Vec<String> {
    let (_, graph) = crate::check::registry();
    let mut names = Vec::new();
    for party in record["transaction"]["parties"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let Some(name) = party["name"].as_str() else {
            continue;
        };
        names.push(name.to_string());
        names.extend(
            party["ownership"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|o| o["owner"].as_str())
                .map(str::to_string),
        );
        if let Some(company) = graph.find_exact(name) {
            for (owner, _) in graph.owners(company, as_of) {
                let owner = graph.company(owner);
                names.push(owner.name.clone());
                names.extend(owner.entity_list_name.clone());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Answers stored orders as `chokepoint check --as-of D` and `POST /v1/check?as_of=D` would,
/// where `D` is the later of the order's own date and `as_of`: a facility named without its
/// facts and a party named without its owners are filled in from the registry first
/// (`chokepoint_registry::fill_facilities`, `fill_ownership`, as of `D`), so an alert and a
/// direct check give the same answer. `None` for a record that cannot be read back or answered
/// (it was checked at import).
fn answer_orders(
    rules: &RuleSet,
    snapshot: Option<&Snapshot>,
    rows: &[chokepoint_store::StoredOrder],
    as_of: Date,
) -> Vec<Option<AnswerSummary>> {
    let mut records: Vec<Result<Record, RecordError>> = rows
        .iter()
        .map(|row| {
            serde_json::from_value::<Record>(row.record.clone()).map_err(|_| RecordError {
                id: row.id.clone(),
                problems: Vec::new(),
            })
        })
        .collect();
    // One fill per distinct date (usually one: the run's), each record filled as of its own.
    let dates: std::collections::BTreeSet<Date> = records
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.as_of.max(as_of))
        .collect();
    let (registry, _) = crate::check::registry();
    for date in dates {
        let mut slot: Vec<usize> = Vec::new();
        let mut batch: Vec<Result<Record, RecordError>> = Vec::new();
        for (i, record) in records.iter_mut().enumerate() {
            if record.as_ref().is_ok_and(|r| r.as_of.max(as_of) == date) {
                slot.push(i);
                batch.push(std::mem::replace(
                    record,
                    Err(RecordError {
                        id: String::new(),
                        problems: Vec::new(),
                    }),
                ));
            }
        }
        // The notes saying what was filled in are the determination's, not the summary's.
        chokepoint_registry::fill_facilities(registry, &mut batch, Some(date));
        chokepoint_registry::fill_ownership(registry, &mut batch, Some(date));
        for (i, record) in slot.into_iter().zip(batch) {
            records[i] = record;
        }
    }
    let lookup = snapshot.map(|s| ScreenerLookup::new(&s.screener));
    records
        .iter()
        .map(|record| {
            let record = record.as_ref().ok()?;
            let context = Context {
                lookup: lookup.as_ref().map(|l| l as &dyn PartyLookup),
                list_snapshot: snapshot.map(|s| s.id.as_str()),
                as_of_override: Some(record.as_of.max(as_of)),
            };
            chokepoint_rules::determine(rules, record, &context)
                .ok()
                .map(|d| AnswerSummary::of(&d))
        })
        .collect()
}

async fn load_current(data_dir: &DataDir) -> Result<Arc<Snapshot>, MonitorError> {
    let source = ListsSource::DataDir(data_dir.clone());
    let loaded = tokio::task::spawn_blocking(move || source.load())
        .await
        .map_err(join_error)??;
    loaded.map(Arc::new).ok_or(MonitorError::NoLists)
}

/// The change report between two dates: the period is after `from` up to the end of `to`
/// (lists: the revisions current at the end of each day; rules: the changes taking effect
/// after `from` up to `to`; alerts raised in that period).
pub async fn report(
    store: &Arc<dyn Store>,
    data_dir: &DataDir,
    from: Date,
    to: Date,
) -> Result<ChangeReport, MonitorError> {
    let (from, to) = if from <= to { (from, to) } else { (to, from) };
    let history = history(data_dir).await?;
    let from_revision = chokepoint_engine::revision_on(&history, from);
    let to_revision = chokepoint_engine::revision_on(&history, to);
    let diff = {
        let data_dir = data_dir.clone();
        let history = history.clone();
        tokio::task::spawn_blocking(move || {
            data_dir.diff(&history, from_revision, to_revision, None)
        })
        .await
        .map_err(join_error)??
    };
    let rules = shipped_rules()?;
    let delta = rules_delta(&rules, from, to);
    let day_after = |d: Date| d.succ_opt().unwrap_or(d).to_string();
    // Every alert of the period is counted; the first REPORT_LISTED of each kind of subject are
    // listed (the rest are in `GET /v1/alerts?since=&until=`).
    let (mut parties, mut orders) = (Vec::new(), Vec::new());
    let (mut party_ids, mut order_ids) = (HashSet::new(), HashSet::new());
    let (mut total, mut open) = (0usize, 0usize);
    let mut after = None;
    loop {
        let page = store
            .alerts(AlertFilter {
                since: Some(day_after(from)),
                until: Some(day_after(to)),
                after: after.clone(),
                limit: 5000,
                ..AlertFilter::default()
            })
            .await?;
        let Some(last) = page.last() else {
            break;
        };
        after = Some((last.raised_at.clone(), last.id.clone()));
        for a in page {
            total += 1;
            open += usize::from(a.acked_at.is_none());
            let (listed, ids) = if a.subject_kind == "order" {
                (&mut orders, &mut order_ids)
            } else {
                (&mut parties, &mut party_ids)
            };
            ids.insert(a.subject_id.clone());
            if listed.len() < REPORT_LISTED {
                listed.push(ReportAlert {
                    id: a.id,
                    kind: a.kind,
                    subject_id: a.subject_id,
                    subject_name: a.subject_name,
                    title: a.title,
                    raised_at: a.raised_at,
                    acknowledged: a.acked_at.is_some(),
                });
            }
        }
    }
    let mut report = ChangeReport::new(
        from,
        to,
        ListsChange {
            from_revision: (from_revision > 0).then_some(from_revision),
            to_revision: (to_revision > 0).then_some(to_revision),
            diff,
        },
        delta,
        parties,
        orders,
    );
    report.summary.alerts = total;
    report.summary.open_alerts = open;
    report.summary.parties_affected = party_ids.len();
    report.summary.orders_affected = order_ids.len();
    Ok(report)
}
