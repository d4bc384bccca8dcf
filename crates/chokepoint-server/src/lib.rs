//! The chokepoint HTTP JSON API: `pub fn app(state) -> Router`, handlers per resource under
//! `/v1`, bearer keys with roles, one error body with stable codes (see [`error`]), an audit
//! record for every answer that matters, review cases, and Prometheus metrics.
//!
//! This is the only crate that knows HTTP. Screening is the engine's ([`chokepoint_engine`]);
//! storage is behind `Arc<dyn Store>` ([`chokepoint_store`]). The list snapshot in use is held
//! as an `Arc<Snapshot>` behind a lock that is only taken to clone or replace the `Arc`: an
//! import builds the new index beside the old one and swaps it in one step, so a request in
//! flight finishes on the snapshot it started with.
//!
//! Routes (roles in brackets; each role has the rights of those below it, viewer < analyst <
//! admin):
//!
//! ```text
//! GET  /health                     open
//! GET  /metrics                    [viewer]   Prometheus text
//! GET  /openapi.json               [viewer]   the OpenAPI 3.1 document (api/openapi.json)
//! GET  /v1/lists                   [viewer]   what is loaded
//! POST /v1/lists/import            [admin]    multipart upload of list files; swaps the index
//! POST /v1/screen                  [analyst]  {"name", "country"?, "type"?, ...} -> {"hits": [...]}
//! POST /v1/check[?as_of=DATE]      [analyst]  transaction records (JSON/YAML) -> determinations
//! POST /v1/bom?destination=CC...   [analyst]  a BOM (CSV or JSON) -> de minimis and FDP answer
//! GET  /v1/facilities[?advanced=..][viewer]   the facility registry, classified as of a date
//! GET  /v1/facilities/{id}         [viewer]
//! POST /v1/screen/batch            [analyst]  CSV or {"rows": [...]} -> 202, a job
//! GET  /v1/jobs/{id}               [viewer]   progress
//! GET  /v1/jobs/{id}/results       [viewer]   ?format=jsonl|csv, once done
//! GET  /v1/cases[?status=open]     [viewer]
//! GET  /v1/cases/{id}              [viewer]
//! POST /v1/cases/{id}/decisions    [analyst]  {"hit", "decision", "reason"}
//! GET  /v1/keys                    [admin]
//! POST /v1/keys                    [admin]    {"role", "name"?} -> the new key, shown once
//! DELETE /v1/keys/{id}             [admin]
//! GET  /v1/alerts[?subject=&acknowledged=&since=&until=]   [viewer]   change-monitoring alerts
//! GET  /v1/alerts/{id}             [viewer]   one alert and its webhook deliveries
//! POST /v1/alerts/{id}/ack         [analyst]  {"note"?}
//! GET|POST /v1/webhooks, DELETE /v1/webhooks/{id}          [admin]    signed alert delivery
//! GET  /v1/report?from=&to=        [viewer]   what changed for the watched parties and orders
//! POST /v1/watch/parties|orders    [admin]    customer master CSV | transaction records
//! POST /v1/watch/run               [admin]    re-check what changed since the last run
//! ```
//!
//! The web UI ([`ui`]) is served at `/` from the same router, signed in with a key.

#![warn(missing_docs)]

pub mod alerts;
mod auth;
mod bom;
mod cases;
pub mod check;
pub mod error;
mod facilities;
pub mod jobs;
mod json;
mod keys;
mod lists;
mod metrics;
pub mod monitor;
pub mod replay;
mod screen;
mod shared_lists;
mod suppressions;
pub mod ui;
pub mod webhooks;

pub use error::{ApiError, ErrorCode};
pub use jobs::JobWorker;
pub use lists::{ListsFollower, ListsSource, LoadError, Snapshot};
pub use monitor::{MonitorError, WatchOptions, WatchReport};
pub use webhooks::{DeliveryOptions, WebhookWorker};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use chokepoint_store::Store;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Request limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, except list uploads (413 above).
    pub body_bytes: usize,
    /// Largest list upload (413 above).
    pub import_bytes: usize,
    /// Longest a request may take, except list imports (503 `timeout` after).
    pub request_timeout: Duration,
    /// Most hits a screening may ask for.
    pub max_hits: usize,
    /// Largest batch upload (413 above).
    pub batch_bytes: usize,
    /// Most rows in one batch job (413 above).
    pub max_batch_rows: usize,
    /// How long a worker holds a job without writing progress before another may take it.
    pub job_lease: Duration,
    /// Most requests per second per key (429 above); `None`: no limit.
    pub rate_per_key: Option<u32>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 64 * 1024,
            import_bytes: 512 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            max_hits: 100,
            batch_bytes: 64 * 1024 * 1024,
            max_batch_rows: 1_000_000,
            job_lease: Duration::from_secs(30),
            rate_per_key: None,
        }
    }
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Arc<dyn Store>,
    source: ListsSource,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    import_lock: tokio::sync::Mutex<()>,
    jobs_waiting: tokio::sync::Notify,
    keys: auth::KeyCache,
    rates: auth::RateLimiter,
    metrics: metrics::Metrics,
    limits: Limits,
    sessions: ui::Sessions,
    suppressions: suppressions::Suppressions,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.0.store)
            .field("source", &self.0.source)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State with no list loaded yet (see [`AppState::set_snapshot`]).
    pub fn new(store: Arc<dyn Store>, source: ListsSource, limits: Limits) -> AppState {
        AppState(Arc::new(Inner {
            store,
            source,
            snapshot: RwLock::new(None),
            import_lock: tokio::sync::Mutex::new(()),
            jobs_waiting: tokio::sync::Notify::new(),
            keys: auth::KeyCache::default(),
            rates: auth::RateLimiter::default(),
            metrics: metrics::Metrics::default(),
            limits,
            sessions: ui::Sessions::default(),
            suppressions: suppressions::Suppressions::default(),
        }))
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.0.store
    }

    /// The web UI's sign-in sessions.
    pub fn sessions(&self) -> &ui::Sessions {
        &self.0.sessions
    }

    /// Where lists come from.
    pub fn source(&self) -> &ListsSource {
        &self.0.source
    }

    /// The snapshot in use, if any list is loaded.
    pub fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.0
            .snapshot
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Replaces the snapshot in use, atomically for readers.
    pub fn set_snapshot(&self, snapshot: Option<Snapshot>) {
        let snapshot = snapshot.map(Arc::new);
        *self
            .0
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = snapshot;
    }

    /// Loads the lists from the source (blocking work on a worker thread), puts them in use,
    /// and audits which files the snapshot is made of (`lists_loaded`). Returns whether any
    /// list was found. With a data directory, it is first brought up to the store's current
    /// lists when the store's are newer, and lists the store does not know are published to
    /// it (see `shared_lists.rs`).
    pub async fn load_lists(&self) -> Result<bool, LoadError> {
        shared_lists::load_lists(self).await
    }
}

/// The router: every route, with auth, limits, metrics and request logs.
pub fn app(state: AppState) -> Router {
    let limits = state.0.limits.clone();
    let api = Router::new()
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi))
        .route("/v1/lists", get(lists::list))
        .route("/v1/screen", post(screen::screen))
        .route("/v1/check", post(check::check))
        .route("/v1/facilities", get(facilities::list))
        .route("/v1/facilities/{id}", get(facilities::get))
        .route("/v1/jobs/{id}", get(jobs::get))
        .route("/v1/jobs/{id}/results", get(jobs::results))
        .route("/v1/cases", get(cases::list))
        .route("/v1/cases/{id}", get(cases::get))
        .route("/v1/cases/{id}/decisions", post(cases::decide))
        .route("/v1/keys", get(keys::list).post(keys::create))
        .route("/v1/keys/{id}", delete(keys::revoke))
        .route("/v1/alerts", get(alerts::list))
        .route("/v1/alerts/{id}", get(alerts::get))
        .route("/v1/alerts/{id}/ack", post(alerts::ack))
        .route(
            "/v1/webhooks",
            get(alerts::webhooks).post(alerts::create_webhook),
        )
        .route("/v1/webhooks/{id}", delete(alerts::delete_webhook))
        .route("/v1/watch/parties/{id}", delete(alerts::remove_party))
        .route("/v1/watch/orders/{id}", delete(alerts::remove_order))
        .route("/v1/report", get(alerts::report))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::timeout,
        ))
        .layer(DefaultBodyLimit::max(limits.body_bytes));
    // Imports are not cut by the timeout: a cut would leave the files stored but not in use.
    let import = Router::new()
        .route("/v1/lists/import", post(lists::import))
        .route("/v1/watch/parties", post(alerts::import_parties))
        .route("/v1/watch/orders", post(alerts::import_orders))
        .route("/v1/watch/run", post(alerts::run))
        .layer(DefaultBodyLimit::max(limits.import_bytes));
    // A bill of materials may have a million lines: the batch limit, not the JSON one.
    let bom = Router::new()
        .route("/v1/bom", post(bom::bom))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::timeout,
        ))
        .layer(DefaultBodyLimit::max(limits.batch_bytes));
    let batch = Router::new()
        .route("/v1/screen/batch", post(jobs::create))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::timeout,
        ))
        .layer(DefaultBodyLimit::max(limits.batch_bytes));
    let protected =
        api.merge(import)
            .merge(batch)
            .merge(bom)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                auth::require_key,
            ));
    Router::new()
        .route("/health", get(health))
        .merge(protected)
        .merge(ui::routes(state.clone(), limits.batch_bytes))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `app(state)` on `listener` until `shutdown` completes, then lets requests in flight
/// finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    let snapshot = state.snapshot();
    axum::Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "lists_loaded": snapshot.is_some(),
    }))
}

/// The OpenAPI 3.1 document of this API (`api/openapi.json`, checked against the router by
/// the tests).
pub const OPENAPI: &str = include_str!("../api/openapi.json");

async fn openapi(caller: auth::Caller) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    caller.require(chokepoint_store::Role::Viewer)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response())
}

async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "There is no such route; the API lives under `/v1` (see the README).",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "This route does not take this HTTP method.",
    )
}
