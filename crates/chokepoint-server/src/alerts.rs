//! Change monitoring over HTTP: alerts (`GET /v1/alerts`, `GET /v1/alerts/{id}`,
//! `POST /v1/alerts/{id}/ack`), webhooks (`GET`/`POST /v1/webhooks`, `DELETE
//! /v1/webhooks/{id}`), the change report (`GET /v1/report?from=&to=`), and the watch list
//! (`POST /v1/watch/parties` CSV, `POST /v1/watch/orders` YAML/JSON, `POST /v1/watch/run`,
//! `DELETE /v1/watch/parties/{id}` and `DELETE /v1/watch/orders/{id}`).
//!
//! Roles: viewers read alerts and the report; analysts acknowledge alerts; admins manage
//! webhooks, import and remove from the watch list and start runs (like list imports). The work is done by
//! [`crate::monitor`]; the JSON is the store's [`Alert`] and the monitor crate's report.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::json::ApiJson;
use crate::lists::ListsSource;
use crate::monitor::{self, MonitorError, WatchOptions, WatchSubject};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use chokepoint_model::Date;
use chokepoint_store::{AlertFilter, AuditEvent, NewWebhook, Role};
use serde::Deserialize;
use serde_json::{Value, json};

impl From<MonitorError> for ApiError {
    fn from(error: MonitorError) -> ApiError {
        match error {
            MonitorError::BadInput(message) => ApiError::invalid(message),
            MonitorError::NoLists => ApiError::new(
                ErrorCode::NoListsLoaded,
                "No list is loaded: import lists first (`POST /v1/lists/import`).",
            ),
            MonitorError::Store(e) => e.into(),
            other => ApiError::internal(other),
        }
    }
}

/// `GET /v1/alerts` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsQuery {
    /// `party` or `order`.
    subject: Option<String>,
    /// One party's or order's id.
    subject_id: Option<String>,
    /// `true`: only acknowledged; `false`: only open.
    acknowledged: Option<bool>,
    /// Raised on or after this date or time.
    since: Option<String>,
    /// Raised before this date or time.
    until: Option<String>,
    /// Skip this many.
    offset: Option<u64>,
    /// At most this many (default 100, at most 1000).
    limit: Option<u32>,
}

/// `GET /v1/alerts`, oldest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AlertsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Viewer)?;
    let Query(query) = query.map_err(ApiError::query)?;
    if let Some(subject) = &query.subject
        && subject != "party"
        && subject != "order"
    {
        return Err(ApiError::invalid("`subject` is `party` or `order`."));
    }
    let alerts = state
        .store()
        .alerts(AlertFilter {
            subject_kind: query.subject,
            subject_id: query.subject_id,
            acknowledged: query.acknowledged,
            since: query.since,
            until: query.until,
            after: None,
            offset: query.offset.unwrap_or(0),
            limit: query.limit.unwrap_or(100).clamp(1, 1000),
        })
        .await?;
    Ok(Json(json!({ "alerts": alerts })))
}

/// `GET /v1/alerts/{id}`: the alert and its webhook deliveries.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Viewer)?;
    let Some(alert) = state.store().alert(&id).await? else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("There is no alert `{id}`."),
        ));
    };
    let deliveries = state.store().deliveries(&id).await?;
    Ok(Json(json!({ "alert": alert, "deliveries": deliveries })))
}

/// The acknowledgement body (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// Why, or what was done.
    note: Option<String>,
}

/// `POST /v1/alerts/{id}/ack` with an optional `{"note"}`.
pub async fn ack(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Analyst)?;
    let request: AckRequest = if body.iter().all(u8::is_ascii_whitespace) {
        AckRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::invalid(format!(
                "The body is `{{\"note\": \"...\"}}` or empty: {e}."
            ))
        })?
    };
    if request
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > 4000)
    {
        return Err(ApiError::invalid(
            "The note is longer than 4000 characters.",
        ));
    }
    let alert = state
        .store()
        .ack_alert(
            &id,
            &caller.name,
            request.note.clone(),
            AuditEvent {
                kind: "alert_acknowledged".into(),
                actor: caller.name.clone(),
                inputs: json!({ "alert": id, "note": request.note }),
                outputs: Value::Null,
                list_snapshot: None,
                rule_set: None,
            },
        )
        .await?;
    Ok(Json(json!({ "alert": alert })))
}

/// `GET /v1/webhooks` (never their secrets).
pub async fn webhooks(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(json!({ "webhooks": state.store().webhooks().await? })))
}

/// The webhook body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// Where to POST alerts (`http://` or `https://`).
    url: String,
    /// The HMAC key; generated when not given.
    secret: Option<String>,
}

/// `POST /v1/webhooks` → the webhook and its secret (shown once).
pub async fn create_webhook(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<WebhookRequest>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    caller.require(Role::Admin)?;
    let url = request.url.trim().to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2000 {
        return Err(ApiError::invalid(
            "`url` must be an `http://` or `https://` URL of at most 2000 characters.",
        ));
    }
    let secret = match request.secret {
        Some(secret) if secret.len() >= 16 => secret,
        Some(_) => {
            return Err(ApiError::invalid(
                "`secret` must be at least 16 characters (or leave it out to have one generated).",
            ));
        }
        None => chokepoint_store::random_id(24).map_err(ApiError::internal)?,
    };
    let id = format!(
        "wh_{}",
        chokepoint_store::random_id(8).map_err(ApiError::internal)?
    );
    let webhook = state
        .store()
        .create_webhook(
            NewWebhook {
                id: id.clone(),
                url: url.clone(),
                secret: secret.clone(),
                created_by: caller.name.clone(),
            },
            AuditEvent {
                kind: "webhook_created".into(),
                actor: caller.name.clone(),
                inputs: json!({ "id": id, "url": url }),
                outputs: Value::Null,
                list_snapshot: None,
                rule_set: None,
            },
        )
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "webhook": webhook, "secret": secret })),
    ))
}

/// `DELETE /v1/webhooks/{id}`.
pub async fn delete_webhook(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    state
        .store()
        .delete_webhook(
            &id,
            AuditEvent {
                kind: "webhook_deleted".into(),
                actor: caller.name.clone(),
                inputs: json!({ "id": id }),
                outputs: Value::Null,
                list_snapshot: None,
                rule_set: None,
            },
        )
        .await?;
    Ok(Json(json!({ "deleted": id })))
}

/// `GET /v1/report` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    from: Date,
    to: Date,
}

fn data_dir(state: &AppState) -> Result<chokepoint_engine::DataDir, ApiError> {
    match state.source() {
        ListsSource::DataDir(dir) => Ok(dir.clone()),
        ListsSource::Paths(_) => Err(ApiError::new(
            ErrorCode::ListsReadOnly,
            "This server screens against fixed files (`serve --lists`), which keep no versions; \
             restart it with a data directory to monitor changes.",
        )),
    }
}

/// `GET /v1/report?from=YYYY-MM-DD&to=YYYY-MM-DD`: what changed after `from` up to `to`.
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<chokepoint_monitor::ChangeReport>, ApiError> {
    caller.require(Role::Viewer)?;
    let Query(query) = query.map_err(ApiError::query)?;
    let dir = data_dir(&state)?;
    Ok(Json(
        monitor::report(state.store(), &dir, query.from, query.to).await?,
    ))
}

/// `POST /v1/watch/parties`: a customer master CSV as the body.
pub async fn import_parties(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    let outcome = monitor::import_parties(state.store(), "upload", &body).await?;
    Ok(Json(
        serde_json::to_value(outcome).map_err(ApiError::internal)?,
    ))
}

/// `POST /v1/watch/orders`: transaction records (YAML or JSON) as the body.
pub async fn import_orders(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::invalid("The records must be UTF-8 text (YAML or JSON)."))?;
    let rules = monitor::shipped_rules()?;
    let outcome = monitor::import_orders(state.store(), &rules, "upload", text).await?;
    Ok(Json(
        serde_json::to_value(outcome).map_err(ApiError::internal)?,
    ))
}

/// `DELETE /v1/watch/parties/{id}`: stop watching a customer (audited; its alerts are kept).
pub async fn remove_party(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    remove(state, caller, WatchSubject::Party, id).await
}

/// `DELETE /v1/watch/orders/{id}`: stop watching an open order (audited; its alerts are kept).
pub async fn remove_order(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    remove(state, caller, WatchSubject::Order, id).await
}

async fn remove(
    state: AppState,
    caller: Caller,
    subject: WatchSubject,
    id: String,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    // A run in progress may still alert on it once (raised before the removal); none after.
    monitor::remove_watched(state.store(), subject, vec![id.clone()], &caller.name).await?;
    Ok(Json(json!({ "removed": id })))
}

/// The run body (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Answer orders as of this date (default: today, UTC).
    as_of: Option<Date>,
}

/// `POST /v1/watch/run` with an optional `{"as_of"}`: re-checks what changed since the last
/// run and answers with what it did and the alerts raised.
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<monitor::WatchReport>, ApiError> {
    caller.require(Role::Admin)?;
    let request: RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RunRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::invalid(format!(
                "The body is `{{\"as_of\": \"YYYY-MM-DD\"}}` or empty: {e}."
            ))
        })?
    };
    let dir = data_dir(&state)?;
    let _importing = state.0.import_lock.lock().await;
    let options = WatchOptions {
        as_of: request
            .as_of
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
        actor: caller.name.clone(),
    };
    Ok(Json(
        monitor::run_watch(state.store(), &dir, state.snapshot(), &options).await?,
    ))
}
