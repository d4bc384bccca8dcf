//! Audit: browse the hash-chained records newest first, filter by kind and actor, open one
//! record's inputs and outputs, verify the whole chain, and export it as JSON lines.

use super::view::{Shell, error_page, render, shorten};
use crate::AppState;
use crate::auth::Caller;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chokepoint_store::{AuditRecord, ChainReport, Role};
use serde::Deserialize;

/// Records per page.
const PAGE: u64 = 50;
/// Records read per store call while filtering or exporting.
const CHUNK: u32 = 1000;

/// `GET /audit` query.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    actor: String,
    /// Show records with a sequence number below this.
    before: Option<u64>,
}

/// One record, ready to show.
pub struct RecordView {
    seq: u64,
    at: String,
    kind: String,
    actor: String,
    summary: String,
    detail: String,
    hash: String,
}

fn view(r: &AuditRecord) -> RecordView {
    let inputs = r.event.inputs.to_string();
    RecordView {
        seq: r.seq,
        at: r.at.get(..19).unwrap_or(&r.at).replace('T', " "),
        kind: r.event.kind.clone(),
        actor: r.event.actor.clone(),
        summary: shorten(&inputs, 120),
        detail: serde_json::to_string_pretty(&r.event).unwrap_or_default(),
        hash: r.hash.get(..16).unwrap_or(&r.hash).to_string(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    shell: Shell,
    query: AuditQuery,
    records: Vec<RecordView>,
    older: Option<u64>,
    verdict: Option<(bool, String)>,
    kinds: Vec<String>,
}

/// Every record, oldest first (the store pages by sequence number).
async fn all_records(state: &AppState) -> Result<Vec<AuditRecord>, crate::ApiError> {
    let mut all = Vec::new();
    let mut after = 0u64;
    loop {
        let page = state.store().audit_records(after, CHUNK).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        let full = page.len() == CHUNK as usize;
        all.extend(page);
        if !full {
            break;
        }
    }
    Ok(all)
}

async fn audit_page(
    state: &AppState,
    caller: &Caller,
    query: AuditQuery,
    verdict: Option<(bool, String)>,
) -> Response {
    let shell = Shell::new(caller, "audit", "Audit");
    let all = match all_records(state).await {
        Ok(all) => all,
        Err(e) => return error_page(shell, e),
    };
    let mut kinds: Vec<String> = all.iter().map(|r| r.event.kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let kind = query.kind.trim();
    let actor = query.actor.trim().to_lowercase();
    let mut matching = all.iter().rev().filter(|r| {
        (kind.is_empty() || r.event.kind == kind)
            && (actor.is_empty() || r.event.actor.to_lowercase().contains(&actor))
            && query.before.is_none_or(|b| r.seq < b)
    });
    let records: Vec<RecordView> = matching.by_ref().take(PAGE as usize).map(view).collect();
    let older = matching.next().and(records.last().map(|r| r.seq));
    render(
        StatusCode::OK,
        &AuditPage {
            shell,
            query,
            records,
            older,
            verdict,
            kinds,
        },
    )
}

/// `GET /audit`.
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
) -> Response {
    audit_page(&state, &caller, query, None).await
}

/// `POST /audit/verify`: checks the whole chain and says where it breaks, if it does.
pub async fn verify(State(state): State<AppState>, caller: Caller) -> Response {
    let verdict = match state.store().verify_audit().await {
        Ok(ChainReport::Intact { records, .. }) => (
            true,
            format!("The chain is intact: {records} records, each hash checked."),
        ),
        Ok(ChainReport::Broken { seq, reason }) => (
            false,
            format!("The chain is broken at record {seq}: {reason}"),
        ),
        Err(e) => return error_page(Shell::new(&caller, "audit", "Audit"), e.into()),
    };
    audit_page(&state, &caller, AuditQuery::default(), Some(verdict)).await
}

/// `GET /audit/export.jsonl` [admin]: every record, oldest first, one JSON object per line.
pub async fn export(State(state): State<AppState>, caller: Caller) -> Response {
    let shell = Shell::new(&caller, "audit", "Audit");
    if let Err(e) = caller.require(Role::Admin) {
        return error_page(shell, e);
    }
    let all = match all_records(&state).await {
        Ok(all) => all,
        Err(e) => return error_page(shell, e),
    };
    let mut body = String::new();
    for record in &all {
        body.push_str(&serde_json::to_string(record).unwrap_or_default());
        body.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"chokepoint-audit.jsonl\"",
            ),
        ],
        body,
    )
        .into_response()
}
