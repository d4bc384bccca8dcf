//! Prometheus metrics, hand-written (a few counters need no framework), the middleware that
//! counts every request by route and status with its duration, and the request timeout.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chokepoint_store::Role;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Upper bounds of the request duration histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0];

/// Event counters.
#[derive(Debug, Clone, Copy)]
pub enum Counter {
    /// Names screened.
    Screenings,
    /// Cases opened.
    CasesOpened,
    /// List imports swapped in.
    ListImports,
}

#[derive(Debug, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The server's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    screenings: AtomicU64,
    cases_opened: AtomicU64,
    list_imports: AtomicU64,
    /// Requests by (route, method, status).
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// Durations by route.
    durations: Mutex<BTreeMap<String, Histogram>>,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn count(&self, counter: Counter) {
        self.add(counter, 1);
    }

    /// Adds `n` to a counter.
    pub fn add(&self, counter: Counter, n: u64) {
        let cell = match counter {
            Counter::Screenings => &self.screenings,
            Counter::CasesOpened => &self.cases_opened,
            Counter::ListImports => &self.list_imports,
        };
        cell.fetch_add(n, Ordering::Relaxed);
    }

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        {
            let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            *requests
                .entry((route.to_string(), method.to_string(), status))
                .or_default() += 1;
        }
        let mut durations = self.durations.lock().unwrap_or_else(|p| p.into_inner());
        let histogram = durations.entry(route.to_string()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                histogram.buckets[i] += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    fn render(&self, entries: usize) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        counter(
            &mut out,
            "chokepoint_screenings_total",
            "Names screened.",
            self.screenings.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "chokepoint_cases_opened_total",
            "Review cases opened.",
            self.cases_opened.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "chokepoint_list_imports_total",
            "List imports swapped in.",
            self.list_imports.load(Ordering::Relaxed),
        );
        let _ = writeln!(
            out,
            "# HELP chokepoint_list_entries Entries in the list snapshot in use.\n\
             # TYPE chokepoint_list_entries gauge\nchokepoint_list_entries {entries}"
        );
        let _ = writeln!(
            out,
            "# HELP chokepoint_http_requests_total HTTP requests by route, method and status.\n\
             # TYPE chokepoint_http_requests_total counter"
        );
        for ((route, method, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "chokepoint_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP chokepoint_http_request_duration_seconds HTTP request durations by route.\n\
             # TYPE chokepoint_http_request_duration_seconds histogram"
        );
        for (route, h) in self
            .durations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                let _ = writeln!(
                    out,
                    "chokepoint_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "chokepoint_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 chokepoint_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 chokepoint_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        out
    }
}

/// Middleware: counts the request by its route pattern (never the raw path, which would let
/// clients grow the table) and status, with its duration.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    state.0.metrics.observe(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Middleware: answers 503 `timeout` when the handler takes longer than the limit.
pub async fn timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.0.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            ErrorCode::Timeout,
            format!(
                "The request took longer than {} s and was stopped; try again.",
                limit.as_secs_f64()
            ),
        )
        .into_response(),
    }
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let entries = state
        .snapshot()
        .map(|s| s.screener.index().entries().len())
        .unwrap_or(0);
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.0.metrics.render(entries),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use crate::{AppState, Limits, ListsSource};
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use std::sync::Arc;
    use std::time::Duration;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_request_over_the_timeout_answers_503() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = chokepoint_store::SqliteStore::open(&dir.path().join("t.db"))
            .await
            .expect("store");
        let limits = Limits {
            request_timeout: Duration::from_millis(20),
            ..Limits::default()
        };
        let state = AppState::new(Arc::new(store), ListsSource::Paths(Vec::new()), limits);
        let app = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                super::timeout,
            ))
            .with_state(state);
        let response = app
            .oneshot(Request::get("/slow").body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(body["error"]["code"], "timeout");
    }
}
