//! Case review: `GET /v1/cases`, `GET /v1/cases/{id}`, and `POST /v1/cases/{id}/decisions`
//! where an analyst marks one hit `confirmed` or `false_positive` with a reason. A false
//! positive is remembered for the party and that version of the entry (see `screen.rs`).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::json::ApiJson;
use axum::Json;
use axum::extract::{Path, Query, State};
use chokepoint_store::{AuditEvent, Case, CaseStatus, NewDecision, Role, Verdict};
use serde::Deserialize;
use serde_json::{Value, json};

/// Longest reason accepted, in characters.
const MAX_REASON_CHARS: usize = 4000;

/// `GET /v1/cases` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<CaseStatus>,
    limit: Option<u32>,
}

/// `GET /v1/cases[?status=open|closed][&limit=N]`, newest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Viewer)?;
    let Query(query) = query.map_err(ApiError::query)?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let cases = state.store().cases(query.status, limit).await?;
    Ok(Json(json!({ "cases": cases })))
}

pub(crate) async fn find(state: &AppState, id: &str) -> Result<Case, ApiError> {
    state
        .store()
        .case(id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("There is no case `{id}`.")))
}

/// `GET /v1/cases/{id}`.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Case>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(find(&state, &id).await?))
}

/// The decision body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Which hit of the case (0-based, as listed in the case).
    pub hit: u32,
    /// `confirmed` or `false_positive`.
    pub decision: Verdict,
    /// Why.
    pub reason: String,
}

/// `POST /v1/cases/{id}/decisions`.
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(record_decision(&state, &caller, id, request).await?))
}

/// Records `caller`'s decision on one hit of case `id` (analyst role), audited in the same
/// transaction. Shared by the API and the web UI.
pub(crate) async fn record_decision(
    state: &AppState,
    caller: &Caller,
    id: String,
    request: DecisionRequest,
) -> Result<Case, ApiError> {
    caller.require(Role::Analyst)?;
    let reason = request.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::invalid("`reason` must say why."));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::invalid(format!(
            "`reason` is longer than {MAX_REASON_CHARS} characters."
        )));
    }
    let case = find(state, &id).await?;
    let Some(hit) = case.hits.get(request.hit as usize) else {
        return Err(ApiError::invalid(format!(
            "Case `{id}` has {} hit(s); `hit` must be between 0 and {}.",
            case.hits.len(),
            case.hits.len().saturating_sub(1)
        )));
    };
    let event = AuditEvent {
        kind: "decision".to_string(),
        actor: caller.name.clone(),
        inputs: json!({
            "case_id": id,
            "hit": request.hit,
            "decision": request.decision,
            "reason": reason,
            "party_key": case.party_key,
            "list": hit.list,
            "source_id": hit.source_id,
            "entry_hash": hit.entry_hash,
        }),
        outputs: json!({ "suppressed": request.decision == Verdict::FalsePositive }),
        list_snapshot: None,
        rule_set: None,
    };
    let updated = state
        .store()
        .decide(
            NewDecision {
                case_id: id,
                hit_index: request.hit,
                verdict: request.decision,
                reason: reason.to_string(),
                decided_by: caller.name.clone(),
            },
            event,
        )
        .await?;
    if request.decision == Verdict::FalsePositive {
        // The next screening of this party must see it.
        state.0.suppressions.reload(state.store().as_ref()).await?;
    }
    Ok(updated)
}
