//! Alerts and the change report: every new or changed hit for a watched party and every
//! changed answer for an open order (raised by change monitoring after a list or rule change),
//! acknowledged with a note; and "what changed between two dates for my customers and my
//! orders", the report of `chokepoint report` as a page.

use super::view::{Shell, error_page, form_date, render, today};
use crate::AppState;
use crate::auth::Caller;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chokepoint_store::{Alert, AlertFilter, AuditEvent, Role};
use serde::Deserialize;
use serde_json::json;

/// `GET /alerts` query.
#[derive(Debug, Default, Deserialize)]
pub struct AlertsQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    subject: String,
}

/// One alert, ready to show.
pub struct AlertView {
    id: String,
    kind: String,
    subject: String,
    subject_name: String,
    title: String,
    raised_at: String,
    acked: Option<String>,
    details: String,
}

fn view(a: &Alert) -> AlertView {
    AlertView {
        id: a.id.clone(),
        kind: a.kind.replace('_', " "),
        subject: format!("{} {}", a.subject_kind, a.subject_id),
        subject_name: a.subject_name.clone(),
        title: a.title.clone(),
        raised_at: a
            .raised_at
            .get(..19)
            .unwrap_or(&a.raised_at)
            .replace('T', " "),
        acked: a.acked_at.as_ref().map(|at| {
            format!(
                "acknowledged by {} at {}{}",
                a.acked_by.as_deref().unwrap_or("?"),
                at.get(..19).unwrap_or(at).replace('T', " "),
                a.ack_note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            )
        }),
        details: serde_json::to_string_pretty(&a.details).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    shell: Shell,
    status: String,
    subject: String,
    alerts: Vec<AlertView>,
    can_ack: bool,
}

/// `GET /alerts[?status=open|acknowledged|all][&subject=party|order]`, newest first.
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AlertsQuery>,
) -> Response {
    let shell = Shell::new(&caller, "alerts", "Alerts");
    let status = if query.status.is_empty() {
        "open".to_string()
    } else {
        query.status
    };
    let acknowledged = match status.as_str() {
        "open" => Some(false),
        "acknowledged" => Some(true),
        "all" => None,
        other => {
            return error_page(
                shell,
                crate::ApiError::invalid(format!(
                    "`status` `{other}` is not `open`, `acknowledged` or `all`."
                )),
            );
        }
    };
    let subject_kind = match query.subject.as_str() {
        "" => None,
        "party" | "order" => Some(query.subject.clone()),
        other => {
            return error_page(
                shell,
                crate::ApiError::invalid(format!("`subject` `{other}` is not `party` or `order`.")),
            );
        }
    };
    let mut alerts = Vec::new();
    let mut offset = 0;
    loop {
        let page = match state
            .store()
            .alerts(AlertFilter {
                subject_kind: subject_kind.clone(),
                acknowledged,
                offset,
                limit: 1000,
                ..AlertFilter::default()
            })
            .await
        {
            Ok(page) => page,
            Err(e) => return error_page(shell, e.into()),
        };
        offset += page.len() as u64;
        let done = page.len() < 1000 || alerts.len() >= 10_000;
        alerts.extend(page);
        if done {
            break;
        }
    }
    alerts.reverse();
    render(
        StatusCode::OK,
        &AlertsPage {
            can_ack: caller.role.allows(Role::Analyst),
            shell,
            status,
            subject: query.subject,
            alerts: alerts.iter().take(500).map(view).collect(),
        },
    )
}

/// The acknowledgement form.
#[derive(Debug, Deserialize)]
pub struct AckForm {
    #[serde(default)]
    note: String,
}

/// `POST /alerts/{id}/ack` (analyst): audited.
pub async fn ack(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<AckForm>,
) -> Response {
    let shell = Shell::new(&caller, "alerts", "Alerts");
    if let Err(e) = caller.require(Role::Analyst) {
        return error_page(shell, e);
    }
    let note = Some(form.note.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 4000) {
        return error_page(
            shell,
            crate::ApiError::invalid("The note is longer than 4000 characters."),
        );
    }
    let event = AuditEvent {
        kind: "alert_acknowledged".into(),
        actor: caller.name.clone(),
        inputs: json!({ "alert": id, "note": note }),
        outputs: serde_json::Value::Null,
        list_snapshot: None,
        rule_set: None,
    };
    match state
        .store()
        .ack_alert(&id, &caller.name, note, event)
        .await
    {
        Ok(_) => Redirect::to("/alerts").into_response(),
        Err(e) => error_page(shell, e.into()),
    }
}

/// `GET /report` query.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    shell: Shell,
    from: String,
    to: String,
    report: Option<chokepoint_monitor::ChangeReport>,
    text: String,
    error: Option<String>,
}

/// `GET /report[?from=DATE&to=DATE]` (default: the last 30 days).
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReportQuery>,
) -> Response {
    let shell = Shell::new(&caller, "alerts", "Change report");
    let dates = form_date("from", Some(&query.from))
        .and_then(|from| form_date("to", Some(&query.to)).map(|to| (from, to)));
    let (from, to) = match dates {
        Ok((from, to)) => {
            let to = to.unwrap_or_else(today);
            (from.unwrap_or(to - chrono::Duration::days(30)), to)
        }
        Err(e) => {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ReportPage {
                    shell,
                    from: query.from,
                    to: query.to,
                    report: None,
                    text: String::new(),
                    error: Some(e.message),
                },
            );
        }
    };
    let mut page = ReportPage {
        shell,
        from: from.to_string(),
        to: to.to_string(),
        report: None,
        text: String::new(),
        error: None,
    };
    let crate::ListsSource::DataDir(data_dir) = state.source() else {
        page.error = Some(
            "The server reads fixed list files (`--lists`); the report needs imported lists, \
             whose revisions the data directory keeps."
                .into(),
        );
        return render(StatusCode::OK, &page);
    };
    match crate::monitor::report(state.store(), data_dir, from, to).await {
        Ok(report) => {
            page.text = chokepoint_monitor::render_report_text(&report);
            page.report = Some(report);
            render(StatusCode::OK, &page)
        }
        Err(e) => {
            page.error = Some(e.to_string());
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
