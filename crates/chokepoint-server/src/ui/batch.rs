//! Batch: upload a CSV (the same columns as `chokepoint screen --input`), watch the job's
//! progress bar (htmx polls `/batch/{id}/progress`; without JavaScript the page refreshes
//! itself), download the answers as CSV or JSON lines, and open the hits queue.

use super::view::{Shell, error_page, render};
use crate::AppState;
use crate::auth::Caller;
use crate::jobs::{ResultsQuery, create_batch};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chokepoint_store::{Job, JobStatus};

/// One job, ready to show.
pub struct JobView {
    id: String,
    status: &'static str,
    done: u64,
    total: u64,
    matched: u64,
    percent: u32,
    created_by: String,
    created_at: String,
    finished: bool,
}

fn view(job: &Job) -> JobView {
    let percent = (job.done * 100).checked_div(job.total).unwrap_or(100) as u32;
    JobView {
        id: job.id.clone(),
        status: job.status.as_str(),
        done: job.done,
        total: job.total,
        matched: job.matched,
        percent,
        created_by: job.created_by.clone(),
        created_at: job
            .created_at
            .get(..19)
            .unwrap_or(&job.created_at)
            .replace('T', " "),
        finished: job.status == JobStatus::Done,
    }
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    shell: Shell,
    jobs: Vec<JobView>,
    error: Option<String>,
}

/// `GET /batch`: the upload form and the latest jobs.
pub async fn page(State(state): State<AppState>, caller: Caller) -> Response {
    batch_page(&state, &caller, None).await
}

async fn batch_page(state: &AppState, caller: &Caller, error: Option<String>) -> Response {
    let shell = Shell::new(caller, "batch", "Batch");
    let jobs = match state.store().jobs(20).await {
        Ok(jobs) => jobs.iter().map(view).collect(),
        Err(e) => return error_page(shell, e.into()),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, &BatchPage { shell, jobs, error })
}

/// `POST /batch` (multipart, field `file`): creates the job and goes to its page.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return batch_page(
                &state,
                &caller,
                Some(format!("The upload cannot be read: {}.", e.body_text())),
            )
            .await;
        }
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    Err(e) => {
                        return batch_page(
                            &state,
                            &caller,
                            Some(format!("The file cannot be read: {}.", e.body_text())),
                        )
                        .await;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                return batch_page(
                    &state,
                    &caller,
                    Some(format!("The upload cannot be read: {}.", e.body_text())),
                )
                .await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return batch_page(
            &state,
            &caller,
            Some("Choose a CSV file with an `id` and a `name` column.".into()),
        )
        .await;
    };
    let content_type = if name.to_ascii_lowercase().ends_with(".json") {
        "application/json"
    } else {
        "text/csv"
    };
    match create_batch(&state, &caller, content_type, &bytes).await {
        Ok((job, _problems)) => Redirect::to(&format!("/batch/{}", job.id)).into_response(),
        Err(e) if e.code.status().is_client_error() => {
            batch_page(&state, &caller, Some(format!("`{name}`: {}", e.message))).await
        }
        Err(e) => error_page(Shell::new(&caller, "batch", "Batch"), e),
    }
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    shell: Shell,
    job: JobView,
}

#[derive(Template)]
#[template(path = "job_progress.html")]
struct ProgressPartial {
    job: JobView,
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<Job, Response> {
    match state.store().job(id).await {
        Ok(Some(job)) => Ok(job),
        Ok(None) => Err(error_page(
            Shell::new(caller, "batch", "Batch"),
            crate::ApiError::new(
                crate::ErrorCode::NotFound,
                format!("There is no job `{id}`."),
            ),
        )),
        Err(e) => Err(error_page(Shell::new(caller, "batch", "Batch"), e.into())),
    }
}

/// `GET /batch/{id}`.
pub async fn job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    match load(&state, &caller, &id).await {
        Ok(job) => render(
            StatusCode::OK,
            &JobPage {
                shell: Shell::new(&caller, "batch", format!("Job {id}")),
                job: view(&job),
            },
        ),
        Err(page) => page,
    }
}

/// `GET /batch/{id}/progress`: the progress fragment htmx swaps in.
pub async fn progress(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    match load(&state, &caller, &id).await {
        Ok(job) => render(StatusCode::OK, &ProgressPartial { job: view(&job) }),
        Err(page) => page,
    }
}

async fn results(state: AppState, caller: Caller, id: String, format: &str) -> Response {
    let shell = Shell::new(&caller, "batch", "Batch");
    match crate::jobs::results(
        State(state),
        caller,
        Path(id.clone()),
        Ok(Query(ResultsQuery::new(format))),
    )
    .await
    {
        Ok(mut response) => {
            let disposition = format!("attachment; filename=\"{id}.{format}\"");
            if let Ok(value) = axum::http::HeaderValue::from_str(&disposition) {
                response
                    .headers_mut()
                    .insert(axum::http::header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => error_page(shell, e),
    }
}

/// `GET /batch/{id}/results.csv`.
pub async fn results_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    results(state, caller, id, "csv").await
}

/// `GET /batch/{id}/results.jsonl`.
pub async fn results_jsonl(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    results(state, caller, id, "jsonl").await
}
