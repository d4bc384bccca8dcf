//! The web UI for compliance officers: server-rendered pages (askama templates in
//! `templates/`) with light progressive enhancement (vendored htmx, `hx-boost`), served at `/`
//! beside the JSON API and signed in with an API key.
//!
//! Every page works without JavaScript; htmx only swaps page bodies and polls a batch job's
//! progress. Nothing is fetched from another host at run time: the script, the style sheet and
//! the charts (SVG drawn on the server, [`charts`]) come from this binary.
//!
//! Pages call the same functions as the API handlers (`screen::run`, `jobs::create_batch`,
//! `cases::record_decision`), so an answer given in the UI is validated, audited and opens
//! cases exactly as one given through `/v1`.
//!
//! ```text
//! GET  /login, POST /login, POST /logout     open; a session cookie for an API key
//! GET  /assets/{file}                        open; htmx, the style sheet
//! GET  /                                     overview: charts and counts
//! GET  /screen, POST /screen                 [analyst to screen] one name, with filters
//! GET  /batch, POST /batch                   [analyst] upload a CSV; recent jobs
//! GET  /batch/{id}[/progress|/results.csv|/results.jsonl]
//! GET  /cases[?status=]                      the review queue
//! GET  /cases/{id}, POST /cases/{id}/decide  [analyst to decide] confirm or clear a hit
//! GET  /goodguys                             hits cleared as false positives
//! GET  /determine, POST /determine           a transaction (form or YAML/JSON) -> memo
//! GET  /facilities[?q&advanced&product], GET /facilities/{id}
//! GET  /lists                                what is loaded, each list's vintage and counts
//! GET  /audit[?kind&actor&before], POST /audit/verify, GET /audit/export.jsonl
//! GET  /alerts[?status&subject], POST /alerts/{id}/ack   change-monitoring alerts
//! GET  /report[?from&to]                    what changed for the watched customers and orders
//! GET  /api-docs                             the vendored Swagger UI over api/openapi.json
//! ```

mod alerts;
mod audit;
mod batch;
mod cases;
pub mod charts;
mod determine;
mod facilities;
mod lists;
mod overview;
mod screen;
mod session;
mod view;

pub use session::Sessions;

use crate::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// The vendored htmx (0BSD, `assets/htmx-LICENSE.txt`).
const HTMX: &str = include_str!("../../assets/htmx-2.0.11.min.js");
/// The style sheet.
const CSS: &str = include_str!("../../assets/app.css");
/// The vendored Swagger UI (Apache-2.0, `assets/swagger/README.md`) and its start script.
const SWAGGER_JS: &str = include_str!("../../assets/swagger/swagger-ui-bundle.js");
const SWAGGER_CSS: &str = include_str!("../../assets/swagger/swagger-ui.css");
const SWAGGER_INIT: &str = include_str!("../../assets/swagger-init.js");

/// The UI's routes; `state` is needed for the session middleware.
pub fn routes(state: AppState, upload_bytes: usize) -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(overview::page))
        .route("/screen", get(screen::form).post(screen::submit))
        .route("/batch", get(batch::page))
        .route("/batch/{id}", get(batch::job))
        .route("/batch/{id}/progress", get(batch::progress))
        .route("/batch/{id}/results.csv", get(batch::results_csv))
        .route("/batch/{id}/results.jsonl", get(batch::results_jsonl))
        .route("/cases", get(cases::queue))
        .route("/cases/{id}", get(cases::case))
        .route("/cases/{id}/decide", post(cases::decide))
        .route("/goodguys", get(cases::good_guys))
        .route("/determine", get(determine::form).post(determine::submit))
        .route("/facilities", get(facilities::table))
        .route("/facilities/{id}", get(facilities::page))
        .route("/lists", get(lists::page))
        .route("/audit", get(audit::page))
        .route("/audit/verify", post(audit::verify))
        .route("/audit/export.jsonl", get(audit::export))
        .route("/alerts", get(alerts::page))
        .route("/alerts/{id}/ack", post(alerts::ack))
        .route("/report", get(alerts::report))
        .route("/api-docs", get(api_docs))
        .route("/api-docs/openapi.json", get(openapi));
    let upload = Router::new()
        .route("/batch", post(batch::upload))
        .layer(DefaultBodyLimit::max(upload_bytes));
    pages
        .merge(upload)
        .layer(axum::middleware::from_fn_with_state(
            state,
            session::require_session,
        ))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/assets/{file}", get(asset))
}

#[derive(askama::Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    shell: view::Shell,
}

async fn api_docs(caller: crate::auth::Caller) -> Response {
    view::render(
        StatusCode::OK,
        &ApiDocsPage {
            shell: view::Shell::new(&caller, "api", "API"),
        },
    )
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI).into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "swagger-ui-bundle.js" => (SWAGGER_JS, "text/javascript; charset=utf-8"),
        "swagger-ui.css" => (SWAGGER_CSS, "text/css; charset=utf-8"),
        "swagger-init.js" => (SWAGGER_INIT, "text/javascript; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "no such asset").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
