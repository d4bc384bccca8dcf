//! License determinations over HTTP: `POST /v1/check` takes transaction records (the format of
//! `chokepoint check`, JSON or YAML; one record or a list) and answers each, as of its date or
//! `?as_of=`. Parties named without a list status are screened against the snapshot in use;
//! a facility or party the registry knows gets its facts and owners from it, with a note, as
//! in the CLI. Every call is audited with the rule-set version and the list snapshot.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use chokepoint_engine::ScreenerLookup;
use chokepoint_model::Date;
use chokepoint_registry::{OwnershipGraph, Registry};
use chokepoint_rules::{
    Context, Determination, PartyLookup, RecordError, RuleSet, parse_records, shipped_ruleset,
};
use chokepoint_store::{AuditEvent, Role};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// Most records in one call.
pub const MAX_RECORDS: usize = 1000;

/// The shipped rule set, parsed once (its problems are a build defect the tests catch).
pub fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| shipped_ruleset().0)
}

/// The shipped facility registry and its ownership graph, built once.
pub fn registry() -> &'static (Registry, OwnershipGraph) {
    static REGISTRY: OnceLock<(Registry, OwnershipGraph)> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let (registry, _) = chokepoint_registry::shipped();
        let graph = OwnershipGraph::new(&registry);
        (registry, graph)
    })
}

/// One record's answer, or why it could not be answered.
pub type Answer = Result<Determination, RecordError>;

/// What a call answered, and the audit record that keeps it.
#[derive(Debug)]
pub struct Answers {
    /// One per record, in input order.
    pub answers: Vec<Answer>,
    /// The audit record.
    pub audit_seq: u64,
}

/// The JSON of an answer that could not be given (as `chokepoint check --format json`).
pub fn error_json(e: &RecordError) -> Value {
    json!({
        "id": e.id,
        "error": e.to_string(),
        "problems": e
            .problems
            .iter()
            .map(|p| json!({ "field": p.field, "message": p.message }))
            .collect::<Vec<_>>(),
    })
}

/// The JSON of one answer.
pub fn answer_json(answer: &Answer) -> Value {
    match answer {
        Ok(d) => serde_json::to_value(d).unwrap_or(Value::Null),
        Err(e) => error_json(e),
    }
}

/// Answers the records in `text` (JSON or YAML) for `caller` (analyst role) and audits them.
/// Shared by the API and the web UI.
pub async fn determine_text(
    state: &AppState,
    caller: &Caller,
    label: &str,
    text: &str,
    as_of: Option<Date>,
) -> Result<Answers, ApiError> {
    caller.require(Role::Analyst)?;
    let rules = rules();
    let mut records = parse_records(rules, label, text);
    if records.is_empty() {
        return Err(ApiError::invalid(
            "The body holds no transaction record (see the README, \"Transaction records\").",
        ));
    }
    if records.len() > MAX_RECORDS {
        return Err(ApiError::invalid(format!(
            "The body holds {} records; send at most {MAX_RECORDS} per call.",
            records.len()
        )));
    }
    let snapshot = state.snapshot();
    let answers = answer_records(&mut records, snapshot.as_deref(), as_of);
    let inputs = json!({
        "label": label,
        "text_sha256": chokepoint_engine::sha256_hex(text.as_bytes()),
        "text": text,
        "as_of": as_of,
    });
    let event = AuditEvent {
        kind: "determination".to_string(),
        actor: caller.name.clone(),
        inputs,
        outputs: json!({ "answers": answers.iter().map(answer_json).collect::<Vec<_>>() }),
        list_snapshot: snapshot.as_ref().map(|s| s.id.clone()),
        rule_set: Some(format!("{} {}", rules.meta.id, rules.meta.version)),
    };
    let record = state.store().append_audit(event).await?;
    Ok(Answers {
        answers,
        audit_seq: record.seq,
    })
}

/// Fills the records from the registry and answers each (synchronous: the screening lookup
/// is not `Send`, so it never lives across an `.await`).
fn answer_records(
    records: &mut [Result<chokepoint_rules::Record, RecordError>],
    snapshot: Option<&crate::Snapshot>,
    as_of: Option<Date>,
) -> Vec<Answer> {
    let rules = rules();
    let (registry, _) = registry();
    let facility_notes = chokepoint_registry::fill_facilities(registry, records, as_of);
    let owner_notes = chokepoint_registry::fill_ownership(registry, records, as_of);
    let lookup = snapshot.map(|s| ScreenerLookup::new(&s.screener));
    let context = Context {
        lookup: lookup.as_ref().map(|l| l as &dyn PartyLookup),
        list_snapshot: snapshot.map(|s| s.id.as_str()),
        as_of_override: as_of,
    };
    records
        .iter()
        .zip(facility_notes)
        .zip(owner_notes)
        .map(|((record, facility_note), owner_notes)| {
            let record = record.as_ref().map_err(Clone::clone)?;
            let mut d = chokepoint_rules::determine(rules, record, &context)?;
            d.notes.extend(facility_note);
            d.notes.extend(owner_notes);
            Ok(d)
        })
        .collect()
}

/// `POST /v1/check` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    as_of: Option<Date>,
}

/// `POST /v1/check`: `{"determinations": [...], "audit_seq"}`, one per record in input order
/// (an unanswerable record gives `{"id", "error", "problems"}` in its place).
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<CheckQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query.map_err(ApiError::query)?;
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::invalid(format!("The body is not UTF-8 text: {e}.")))?;
    let answers = determine_text(&state, &caller, "request body", text, query.as_of).await?;
    Ok(Json(json!({
        "determinations": answers.answers.iter().map(answer_json).collect::<Vec<_>>(),
        "audit_seq": answers.audit_seq,
    })))
}
