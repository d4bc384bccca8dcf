//! Batch screening jobs: `POST /v1/screen/batch` (a CSV like `chokepoint screen --input`, or
//! JSON rows) stores the rows as a queued job and answers 202 at once; a background worker
//! screens them in chunks; `GET /v1/jobs/{id}` shows progress and `GET /v1/jobs/{id}/results`
//! downloads the answers as JSON lines (`{"id", "query", "hits"}`, like the CLI) or CSV.
//!
//! Nothing is kept only in memory: the worker claims a job under a lease, writes each chunk's
//! answers in one transaction (a row already answered is never counted again) and renews the
//! lease. A server killed mid-job leaves the job `running` under a lease that runs out; the
//! next worker, on this instance after a restart or on another one, claims it and goes on from
//! the first unanswered row.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::json::payload_too_large;
use crate::screen::ScreenRequest;
use crate::{AppState, metrics};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chokepoint_engine::{ScreenOptions, ScreenQuery, read_batch_csv};
use chokepoint_model::{Date, PartyKind};
use chokepoint_screening::Filters;
use chokepoint_store::{AuditEvent, Job, JobRow, JobStatus, NewJob, Role, RowResult, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// Rows screened per chunk (one transaction each).
const CHUNK: u32 = 512;
/// Rows read per page when downloading results.
const PAGE: u32 = 2000;

/// Options for every row of a batch.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct BatchOptions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lists: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    as_of: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threshold: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<usize>,
}

/// The JSON form of a batch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRequest {
    rows: Vec<BatchRowRequest>,
    #[serde(flatten)]
    options: BatchOptions,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRowRequest {
    #[serde(default)]
    id: Option<Value>,
    name: String,
    #[serde(default)]
    country: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

fn screen_options(options: &BatchOptions, max_hits: usize) -> Result<ScreenOptions, ApiError> {
    let request = ScreenRequest {
        name: "batch".to_string(),
        country: None,
        kind: None,
        lists: options.lists.clone(),
        as_of: options.as_of,
        threshold: options.threshold,
        limit: options.limit,
    };
    Ok(crate::screen::validate(&request, max_hits)?.1)
}

/// `POST /v1/screen/batch`: `text/csv` or `application/json`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Role::Analyst)?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            payload_too_large()
        } else {
            ApiError::invalid(format!(
                "The request body cannot be read: {}.",
                e.body_text()
            ))
        }
    })?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (job, problems) = create_batch(&state, &caller, &content_type, &body).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "job": describe(&job),
            "problems": problems,
        })),
    ))
}

/// Stores a batch (`content_type` `text/csv` or `application/json`) as a queued job and wakes
/// a worker; returns the job and the problems met reading the rows (rows with problems are
/// reported, the others kept). Shared by the API and the web UI's upload.
pub(crate) async fn create_batch(
    state: &AppState,
    caller: &Caller,
    content_type: &str,
    body: &[u8],
) -> Result<(Job, Vec<String>), ApiError> {
    let Some(snapshot) = state.snapshot() else {
        return Err(crate::screen::no_lists_loaded());
    };
    let (rows, options, problems) = if content_type.starts_with("text/csv") {
        let (rows, problems) = read_batch_csv("upload.csv", body)
            .map_err(|e| ApiError::invalid(format!("The CSV cannot be read: {e}.")))?;
        let rows: Vec<JobRow> = rows
            .into_iter()
            .map(|row| JobRow {
                id: row.id,
                query: serde_json::to_value(&row.query).unwrap_or(Value::Null),
            })
            .collect();
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        (rows, BatchOptions::default(), problems)
    } else if content_type.starts_with("application/json") {
        let request: BatchRequest = serde_json::from_slice(body).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                ApiError::new(
                    ErrorCode::MalformedJson,
                    format!("The request body is not valid JSON: {e}."),
                )
            } else {
                ApiError::invalid(format!(
                    "The request body does not have the expected fields: {e}."
                ))
            }
        })?;
        let mut rows = Vec::with_capacity(request.rows.len());
        for (i, row) in request.rows.into_iter().enumerate() {
            let name = row.name.trim();
            if name.is_empty() {
                return Err(ApiError::invalid(format!(
                    "Row {i}: `name` must not be empty."
                )));
            }
            let country = match row.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                Some(c) => Some(
                    chokepoint_model::country::code_for_name(c)
                        .ok_or_else(|| {
                            ApiError::invalid(format!(
                                "Row {i}: `country` `{c}` is not a country code or name chokepoint knows."
                            ))
                        })?
                        .to_string(),
                ),
                None => None,
            };
            let kind = match row.kind.as_deref() {
                Some(t) => match PartyKind::parse(t) {
                    Some(PartyKind::Unknown) => None,
                    Some(kind) => Some(kind),
                    None => {
                        return Err(ApiError::invalid(format!(
                            "Row {i}: `type` `{t}` is not one of entity, individual, vessel, aircraft."
                        )));
                    }
                },
                None => None,
            };
            let id = match row.id {
                Some(Value::String(s)) => s,
                Some(Value::Null) | None => i.to_string(),
                Some(other) => other.to_string(),
            };
            rows.push(JobRow {
                id,
                query: json!({ "name": name, "country": country, "type": kind }),
            });
        }
        (rows, request.options, Vec::new())
    } else {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the batch as `text/csv` (header with `id` and `name`) or as \
             `application/json` (`{\"rows\": [{\"id\", \"name\"}]}`).",
        ));
    };
    screen_options(&options, state.0.limits.max_hits)?;
    if rows.is_empty() {
        return Err(ApiError::invalid("The batch holds no row to screen."));
    }
    if rows.len() > state.0.limits.max_batch_rows {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "The batch has {} rows; this server takes at most {} per job. Split it.",
                rows.len(),
                state.0.limits.max_batch_rows
            ),
        ));
    }
    let id = format!(
        "job_{}",
        chokepoint_store::random_id(10).map_err(ApiError::internal)?
    );
    let options_json = serde_json::to_value(&options).map_err(ApiError::internal)?;
    let rows_sha256 = chokepoint_engine::sha256_hex(
        chokepoint_store::canonical_json(&serde_json::to_value(&rows).map_err(ApiError::internal)?)
            .as_bytes(),
    );
    let event = AuditEvent {
        kind: "batch_created".to_string(),
        actor: caller.name.clone(),
        inputs: json!({ "job_id": id, "rows": rows.len(), "rows_sha256": rows_sha256, "options": options_json }),
        outputs: json!({ "problems": problems.len() }),
        list_snapshot: Some(snapshot.id.clone()),
        rule_set: None,
    };
    let job = state
        .store()
        .create_job(
            NewJob {
                id: id.clone(),
                created_by: caller.name.clone(),
                options: options_json,
                rows,
            },
            event,
        )
        .await?;
    state.0.jobs_waiting.notify_one();
    Ok((job, problems))
}

fn describe(job: &Job) -> Value {
    let mut value = serde_json::to_value(job).unwrap_or(Value::Null);
    value["progress"] = json!(if job.total == 0 {
        1.0
    } else {
        job.done as f64 / job.total as f64
    });
    value["links"] = json!({
        "self": format!("/v1/jobs/{}", job.id),
        "results": format!("/v1/jobs/{}/results", job.id),
    });
    value
}

async fn find(state: &AppState, id: &str) -> Result<Job, ApiError> {
    state
        .store()
        .job(id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("There is no job `{id}`.")))
}

/// `GET /v1/jobs/{id}`.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Viewer)?;
    Ok(Json(describe(&find(&state, &id).await?)))
}

/// `GET /v1/jobs/{id}/results` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsQuery {
    format: Option<String>,
}

impl ResultsQuery {
    /// Results in `format` (`jsonl` or `csv`).
    pub fn new(format: &str) -> ResultsQuery {
        ResultsQuery {
            format: Some(format.to_string()),
        }
    }
}

/// `GET /v1/jobs/{id}/results[?format=jsonl|csv]`, once the job is done.
pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<ResultsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let Query(query) = query.map_err(ApiError::query)?;
    let csv = match query.format.as_deref() {
        None | Some("jsonl") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "`format` `{other}` is not `jsonl` or `csv`."
            )));
        }
    };
    let job = find(&state, &id).await?;
    if job.status != JobStatus::Done {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "Job `{id}` is not finished ({} of {} rows screened); ask again later.",
                job.done, job.total
            ),
        ));
    }
    let mut jsonl = String::new();
    let mut writer = csv_writer();
    let mut from = 0u64;
    loop {
        let rows = state.store().job_rows(&id, from, PAGE).await?;
        let Some(last) = rows.last() else {
            break;
        };
        from = last.index + 1;
        for row in &rows {
            let name = row.query["name"].as_str().unwrap_or("");
            let hits = row.hits.clone().unwrap_or_else(|| json!([]));
            if csv {
                write_csv_row(&mut writer, &row.id, name, &hits).map_err(ApiError::internal)?;
            } else {
                jsonl.push_str(&json!({ "id": row.id, "query": name, "hits": hits }).to_string());
                jsonl.push('\n');
            }
        }
    }
    if csv {
        let bytes = writer.into_inner().map_err(ApiError::internal)?;
        Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response())
    } else {
        Ok(([(CONTENT_TYPE, "application/x-ndjson")], jsonl).into_response())
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "id",
        "query",
        "rank",
        "source_id",
        "list",
        "name",
        "matched_name",
        "score",
        "match",
        "license_requirement",
        "license_policy",
    ]);
    writer
}

/// One row per hit (or one empty row when there is none), like `chokepoint screen --format csv`.
fn write_csv_row(
    writer: &mut csv::Writer<Vec<u8>>,
    id: &str,
    query: &str,
    hits: &Value,
) -> Result<(), csv::Error> {
    let hits = hits.as_array().map(Vec::as_slice).unwrap_or(&[]);
    if hits.is_empty() {
        return writer.write_record([id, query, "", "", "", "", "", "", "false", "", ""]);
    }
    for (rank, hit) in hits.iter().enumerate() {
        let text = |key: &str| hit[key].as_str().unwrap_or("").to_string();
        writer.write_record([
            id.to_string(),
            query.to_string(),
            (rank + 1).to_string(),
            text("source_id"),
            text("list"),
            text("name"),
            text("matched_name"),
            format!("{:.3}", hit["score"].as_f64().unwrap_or(0.0)),
            (hit["match"] == Value::Bool(true)).to_string(),
            text("license_requirement"),
            text("license_policy"),
        ])?;
    }
    Ok(())
}

/// Claims one job and screens it to the end (or until `stop` says so, or the lease is lost).
/// Returns whether a job was claimed.
pub async fn work_once(
    state: &AppState,
    worker: &str,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<bool, StoreError> {
    let lease_ms = state.0.limits.job_lease.as_millis() as u64;
    let Some(job) = state.store().claim_job(worker, lease_ms).await? else {
        return Ok(false);
    };
    tracing::info!(job = %job.id, worker, done = job.done, total = job.total, "job claimed");
    let options: BatchOptions = serde_json::from_value(job.options.clone()).unwrap_or_default();
    let screen_options = screen_options(&options, usize::MAX).unwrap_or_default();
    let mut snapshots: Vec<String> = Vec::new();
    loop {
        if *stop.borrow() {
            return Ok(true);
        }
        let rows = state.store().pending_rows(&job.id, CHUNK).await?;
        if rows.is_empty() {
            break;
        }
        let Some(snapshot) = state.snapshot() else {
            // No list (it cannot be unloaded, but be safe): leave the job to its lease.
            return Ok(true);
        };
        if !snapshots.contains(&snapshot.id) {
            snapshots.push(snapshot.id.clone());
        }
        let queries: Vec<ScreenQuery> = rows
            .iter()
            .map(|row| ScreenQuery {
                name: row.query["name"].as_str().unwrap_or("").to_string(),
                filters: Filters {
                    country: row.query["country"].as_str().map(str::to_string),
                    kind: row.query["type"].as_str().and_then(PartyKind::parse),
                    lists: options.lists.clone(),
                    as_of: options.as_of,
                },
            })
            .collect();
        let worker_snapshot = snapshot.clone();
        let answers = tokio::task::spawn_blocking(move || {
            worker_snapshot
                .screener
                .screen_many(&queries, &screen_options, &|_| {})
        })
        .await
        .map_err(|e| StoreError::Conflict(format!("screening task failed: {e}")))?;
        let results: Vec<RowResult> = rows
            .iter()
            .zip(answers)
            .map(|(row, hits)| RowResult {
                index: row.index,
                matched: hits.iter().any(|h| h.is_match),
                hits: serde_json::to_value(&hits).unwrap_or_else(|_| json!([])),
                list_snapshot: snapshot.id.clone(),
            })
            .collect();
        state
            .0
            .metrics
            .add(metrics::Counter::Screenings, results.len() as u64);
        match state
            .store()
            .save_results(&job.id, worker, results, lease_ms)
            .await
        {
            Ok(_) => {}
            Err(StoreError::Conflict(reason)) => {
                tracing::warn!(job = %job.id, worker, %reason, "job lost to another worker");
                return Ok(true);
            }
            Err(other) => return Err(other),
        }
    }
    let current = state.store().job(&job.id).await?;
    let event = AuditEvent {
        kind: "batch_done".to_string(),
        actor: job.created_by.clone(),
        inputs: json!({ "job_id": job.id, "rows": job.total, "options": job.options }),
        outputs: json!({
            "done": current.as_ref().map_or(0, |j| j.done),
            "matched": current.as_ref().map_or(0, |j| j.matched),
            "list_snapshots": snapshots,
        }),
        list_snapshot: snapshots.last().cloned(),
        rule_set: None,
    };
    match state.store().finish_job(&job.id, event).await {
        Ok(done) => {
            tracing::info!(job = %done.id, rows = done.total, matched = done.matched, "job done");
            Ok(true)
        }
        // Another worker still has rows of it in flight; it finishes the job.
        Err(StoreError::Conflict(_)) => Ok(true),
        Err(other) => Err(other),
    }
}

/// A running background worker; stop it with [`JobWorker::stop`].
#[derive(Debug)]
pub struct JobWorker {
    stop: tokio::sync::watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl JobWorker {
    /// Starts a worker that claims and screens jobs until stopped.
    pub fn spawn(state: AppState) -> JobWorker {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = format!(
            "worker-{}",
            chokepoint_store::random_id(6).unwrap_or_else(|_| std::process::id().to_string())
        );
        let handle = tokio::spawn(async move {
            let mut stopped = stopped;
            loop {
                if *stopped.borrow() {
                    break;
                }
                let worked = match work_once(&state, &worker, &stopped).await {
                    Ok(worked) => worked,
                    Err(e) => {
                        tracing::error!(error = %e, worker, "job worker failed; retrying");
                        false
                    }
                };
                if !worked {
                    // Poll now and then: jobs of other instances, and expired leases.
                    tokio::select! {
                        () = state.0.jobs_waiting.notified() => {}
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stopped.changed() => {}
                    }
                }
            }
        });
        JobWorker { stop, handle }
    }

    /// Asks the worker to stop after the chunk in hand, and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}
