//! `chokepoint serve`: the HTTP API. Builds the tokio runtime here (the rest of the CLI is
//! synchronous), opens the store, loads the lists, starts the batch-job worker, and serves until
//! SIGINT or SIGTERM, letting requests in flight finish.

use crate::args::{DatabaseArg, ServeArgs};
use anyhow::Context;
use chokepoint_engine::DataDir;
use chokepoint_server::{AppState, Limits, ListsSource};
use chokepoint_store::Store;
use std::process::ExitCode;
use std::sync::Arc;

/// The database URL: `--database`, else the SQLite file in the data directory.
pub fn database_url(data_dir: &DataDir, database: &DatabaseArg) -> String {
    match &database.database {
        Some(url) => url.clone(),
        None => format!("sqlite:{}", data_dir.root().join("chokepoint.db").display()),
    }
}

/// Opens (and migrates) the store.
pub async fn open_store(
    data_dir: &DataDir,
    database: &DatabaseArg,
) -> anyhow::Result<Arc<dyn Store>> {
    let url = database_url(data_dir, database);
    chokepoint_store::connect(&url)
        .await
        .with_context(|| format!("cannot open the database `{}`", redact(&url)))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A runtime for the async commands.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn run(data_dir: &DataDir, args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logs();
    runtime()?.block_on(serve(data_dir, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(data_dir: &DataDir, args: ServeArgs) -> anyhow::Result<()> {
    let store = open_store(data_dir, &args.database).await?;
    tracing::info!(backend = ?store.backend(), "store open");
    if store.keys().await?.iter().all(|k| k.revoked_at.is_some()) {
        tracing::warn!(
            "no API key exists yet: every request but /health will be refused; create one with \
             `chokepoint keys create --role admin`"
        );
    }
    let source = if args.lists.paths.is_empty() {
        ListsSource::DataDir(data_dir.clone())
    } else {
        ListsSource::Paths(args.lists.paths.clone())
    };
    let limits = Limits {
        request_timeout: std::time::Duration::from_secs(args.timeout_secs),
        job_lease: std::time::Duration::from_secs(args.job_lease_secs.max(1)),
        rate_per_key: args.rate_limit,
        ..Limits::default()
    };
    let state = AppState::new(store, source, limits);
    if state.load_lists().await.context("cannot load the lists")? {
        let snapshot = state.snapshot();
        tracing::info!(
            entries = snapshot
                .as_ref()
                .map_or(0, |s| s.screener.index().entries().len()),
            snapshot = snapshot.as_ref().map_or("", |s| s.id.as_str()),
            "lists loaded"
        );
    } else {
        tracing::warn!(
            "no list is loaded: /v1/screen answers `no_lists_loaded` until lists are imported \
             (POST /v1/lists/import, or `chokepoint lists import PATH` and a restart)"
        );
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on `{}`", args.addr))?;
    if !args.addr.ip().is_loopback() {
        tracing::warn!(addr = %args.addr, "listening beyond this machine: put TLS in front");
    }
    tracing::info!(addr = %listener.local_addr()?, "serving");
    // Batch jobs run beside the requests; a job cut by a stop resumes at the next start.
    let worker = chokepoint_server::JobWorker::spawn(state.clone());
    // Alerts go out to the webhooks beside the requests; a delivery cut by a stop resumes.
    let webhooks = chokepoint_server::WebhookWorker::spawn(
        state.store().clone(),
        chokepoint_server::DeliveryOptions::default(),
    );
    // A list import on another instance sharing the PostgreSQL store is swapped in here too.
    let follower = chokepoint_server::ListsFollower::spawn(state.clone());
    let served = chokepoint_server::serve(listener, state, shutdown_signal()).await;
    follower.stop().await;
    worker.stop().await;
    webhooks.stop().await;
    served.context("the server stopped")?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact("sqlite:/tmp/a.db"), "sqlite:/tmp/a.db");
    }
}
