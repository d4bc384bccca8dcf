//! Cases: the review queue (with charts of cases opened and closed per day and of hits by
//! list), a case page where an analyst confirms or clears each hit with a reason, the party's
//! history (its other cases), and the good-guy list (hits cleared as false positives, which
//! later screenings of the same party suppress while the entry is unchanged).

use super::charts::{self, Series};
use super::view::{Shell, error_page, percent, render, shorten};
use crate::AppState;
use crate::auth::Caller;
use crate::cases::{DecisionRequest, record_decision};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chokepoint_store::{Case, CaseStatus, Verdict};
use serde::Deserialize;
use std::collections::BTreeMap;

/// How many cases the queue and the charts read.
const WINDOW: u32 = 500;

/// One row of the queue.
pub struct CaseRow {
    id: String,
    party: String,
    hits: usize,
    decided: usize,
    status: &'static str,
    opened_at: String,
    opened_by: String,
    top: String,
}

fn row(case: &Case) -> CaseRow {
    CaseRow {
        id: case.id.clone(),
        party: case.party_name.clone(),
        hits: case.hits.len(),
        decided: case.decisions.len(),
        status: case.status.as_str(),
        opened_at: case
            .opened_at
            .get(..16)
            .unwrap_or(&case.opened_at)
            .replace('T', " "),
        opened_by: case.opened_by.clone(),
        top: case
            .hits
            .first()
            .map(|h| {
                format!(
                    "{} ({})",
                    shorten(h.hit["name"].as_str().unwrap_or(""), 60),
                    h.list
                )
            })
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct QueuePage {
    shell: Shell,
    status: String,
    rows: Vec<CaseRow>,
    by_day: String,
    by_list: String,
}

/// `GET /cases` query.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
}

/// Cases opened and closed per day (UTC), oldest first, at most the last 30 days with any.
pub fn per_day(cases: &[Case]) -> (Vec<String>, Vec<Series>) {
    let mut days: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for case in cases {
        if let Some(day) = case.opened_at.get(..10) {
            days.entry(day.to_string()).or_default().0 += 1;
        }
        if let Some(day) = case.closed_at.as_deref().and_then(|c| c.get(..10)) {
            days.entry(day.to_string()).or_default().1 += 1;
        }
    }
    let skip = days.len().saturating_sub(30);
    let days: Vec<(String, (u64, u64))> = days.into_iter().skip(skip).collect();
    let labels = days.iter().map(|(d, _)| d.clone()).collect();
    let series = vec![
        Series {
            name: "opened".into(),
            class: "chart-a",
            values: days.iter().map(|(_, (o, _))| *o).collect(),
        },
        Series {
            name: "closed".into(),
            class: "chart-b",
            values: days.iter().map(|(_, (_, c))| *c).collect(),
        },
    ];
    (labels, series)
}

/// Hits per list over `cases`, most first.
pub fn hits_by_list(cases: &[Case]) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for hit in cases.iter().flat_map(|c| &c.hits) {
        *counts.entry(hit.list.clone()).or_default() += 1;
    }
    let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}

/// `GET /cases[?status=open|closed|all]`.
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<QueueQuery>,
) -> Response {
    let shell = Shell::new(&caller, "cases", "Cases");
    let status = query.status.unwrap_or_else(|| "open".into());
    let filter = match status.as_str() {
        "open" => Some(CaseStatus::Open),
        "closed" => Some(CaseStatus::Closed),
        "all" => None,
        other => {
            return error_page(
                shell,
                crate::ApiError::invalid(format!(
                    "`status` `{other}` is not `open`, `closed` or `all`."
                )),
            );
        }
    };
    let all = match state.store().cases(None, WINDOW).await {
        Ok(all) => all,
        Err(e) => return error_page(shell, e.into()),
    };
    let rows = all
        .iter()
        .filter(|c| filter.is_none_or(|f| c.status == f))
        .map(row)
        .collect();
    let (labels, series) = per_day(&all);
    render(
        StatusCode::OK,
        &QueuePage {
            shell,
            status,
            rows,
            by_day: charts::columns("Cases opened and closed per day", &labels, &series),
            by_list: charts::bars("Hits by list", &hits_by_list(&all)),
        },
    )
}

/// One hit of a case page.
pub struct HitRow {
    index: usize,
    name: String,
    matched_name: String,
    list: String,
    score: u32,
    explanation: String,
    requirement: String,
    policy: String,
    citations: String,
    decision: Option<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    shell: Shell,
    case: Case,
    status: &'static str,
    hits: Vec<HitRow>,
    history: Vec<CaseRow>,
    can_decide: bool,
    error: Option<String>,
}

async fn case_page(state: &AppState, caller: &Caller, id: &str, error: Option<String>) -> Response {
    let shell = Shell::new(caller, "cases", format!("Case {id}"));
    let case = match crate::cases::find(state, id).await {
        Ok(case) => case,
        Err(e) => return error_page(shell, e),
    };
    let hits = case
        .hits
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let text = |k: &str| h.hit[k].as_str().unwrap_or("").to_string();
            HitRow {
                index: i,
                name: text("name"),
                matched_name: text("matched_name"),
                list: h.list.clone(),
                score: percent(h.hit["score"].as_f64().unwrap_or(0.0) as f32),
                explanation: text("explanation"),
                requirement: text("license_requirement"),
                policy: text("license_policy"),
                citations: h.hit["federal_register"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                    .unwrap_or_default(),
                decision: case
                    .decisions
                    .iter()
                    .find(|d| d.hit_index as usize == i)
                    .map(|d| {
                        (
                            d.decision.as_str().replace('_', " "),
                            d.reason.clone(),
                            d.decided_by.clone(),
                            d.decided_at.clone(),
                        )
                    }),
            }
        })
        .collect();
    let history = match state.store().cases(None, WINDOW).await {
        Ok(all) => all
            .iter()
            .filter(|c| c.party_key == case.party_key && c.id != case.id)
            .map(row)
            .collect(),
        Err(e) => return error_page(shell, e.into()),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &CasePage {
            shell,
            status: case.status.as_str(),
            case,
            hits,
            history,
            can_decide: caller.role.allows(chokepoint_store::Role::Analyst),
            error,
        },
    )
}

/// `GET /cases/{id}`.
pub async fn case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    case_page(&state, &caller, &id, None).await
}

/// The decision form.
#[derive(Debug, Deserialize)]
pub struct DecideForm {
    hit: u32,
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /cases/{id}/decide`: records the decision (audited), then shows the case again.
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> Response {
    let verdict = match form.decision.as_str() {
        "confirmed" => Verdict::Confirmed,
        "false_positive" => Verdict::FalsePositive,
        other => {
            return case_page(
                &state,
                &caller,
                &id,
                Some(format!(
                    "Decision `{other}` is not `confirmed` or `false_positive`."
                )),
            )
            .await;
        }
    };
    let request = DecisionRequest {
        hit: form.hit,
        decision: verdict,
        reason: form.reason,
    };
    match record_decision(&state, &caller, id.clone(), request).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e) if matches!(e.code.status().as_u16(), 409 | 422) => {
            case_page(&state, &caller, &id, Some(e.message)).await
        }
        Err(e) => error_page(Shell::new(&caller, "cases", "Case"), e),
    }
}

/// One cleared hit.
pub struct GoodGuy {
    party: String,
    entry: String,
    list: String,
    reason: String,
    decided_by: String,
    decided_at: String,
    case_id: String,
}

#[derive(Template)]
#[template(path = "goodguys.html")]
struct GoodGuysPage {
    shell: Shell,
    rows: Vec<GoodGuy>,
}

/// `GET /goodguys`: every hit decided a false positive, newest case first.
pub async fn good_guys(State(state): State<AppState>, caller: Caller) -> Response {
    let shell = Shell::new(&caller, "cases", "Good-guy list");
    let cases = match state.store().cases(None, WINDOW).await {
        Ok(cases) => cases,
        Err(e) => return error_page(shell, e.into()),
    };
    let rows = cases
        .iter()
        .flat_map(|c| {
            c.decisions
                .iter()
                .filter(|d| d.decision == Verdict::FalsePositive)
                .map(move |d| {
                    let hit = c.hits.get(d.hit_index as usize);
                    GoodGuy {
                        party: c.party_name.clone(),
                        entry: hit
                            .and_then(|h| h.hit["name"].as_str())
                            .unwrap_or("")
                            .to_string(),
                        list: hit.map(|h| h.list.clone()).unwrap_or_default(),
                        reason: d.reason.clone(),
                        decided_by: d.decided_by.clone(),
                        decided_at: d.decided_at.clone(),
                        case_id: c.id.clone(),
                    }
                })
        })
        .collect();
    render(StatusCode::OK, &GoodGuysPage { shell, rows })
}
