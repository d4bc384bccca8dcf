//! The overview: what is loaded, how many cases wait for review, and the charts people would
//! rather look at than read (hits by list, cases opened and closed per day, facilities by node).

use super::cases::{hits_by_list, per_day};
use super::charts;
use super::facilities::{by_node, registry};
use super::view::{Shell, error_page, render, today};
use crate::AppState;
use crate::auth::Caller;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chokepoint_registry::classify;
use chokepoint_store::CaseStatus;

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    shell: Shell,
    entries: usize,
    snapshot_id: String,
    open_cases: usize,
    closed_cases: usize,
    facilities: usize,
    advanced: usize,
    hits_chart: String,
    cases_chart: String,
    node_chart: String,
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, caller: Caller) -> Response {
    let shell = Shell::new(&caller, "overview", "Overview");
    let cases = match state.store().cases(None, 500).await {
        Ok(cases) => cases,
        Err(e) => return error_page(shell, e.into()),
    };
    let snapshot = state.snapshot();
    let (reg, _) = registry();
    let date = today();
    let (labels, series) = per_day(&cases);
    render(
        StatusCode::OK,
        &OverviewPage {
            shell,
            entries: snapshot
                .as_ref()
                .map_or(0, |s| s.screener.index().entries().len()),
            snapshot_id: snapshot
                .as_ref()
                .map(|s| s.id.get(..12).unwrap_or(&s.id).to_string())
                .unwrap_or_default(),
            open_cases: cases
                .iter()
                .filter(|c| c.status == CaseStatus::Open)
                .count(),
            closed_cases: cases
                .iter()
                .filter(|c| c.status == CaseStatus::Closed)
                .count(),
            facilities: reg.facilities.len(),
            advanced: reg
                .facilities
                .iter()
                .filter(|f| classify(f, date).advanced == Some(true))
                .count(),
            hits_chart: charts::bars("Hits by list", &hits_by_list(&cases)),
            cases_chart: charts::columns("Cases opened and closed per day", &labels, &series),
            node_chart: charts::bars("Facilities by node", &by_node(reg)),
        },
    )
}
