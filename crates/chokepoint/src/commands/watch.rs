//! `chokepoint watch`: import the customer master and open orders into the store, and re-check
//! them against what changed in the lists and rules since the last run (also done after every
//! `lists import` and `lists update` when something is watched).

use crate::args::{DatabaseArg, TextOrJson, WatchCommand};
use crate::commands::serve::{open_store, runtime};
use anyhow::Context as _;
use chokepoint_engine::DataDir;
use chokepoint_server::monitor::{self, ImportOutcome, WatchOptions, WatchReport, WatchSubject};
use std::process::ExitCode;

pub fn run(data_dir: &DataDir, command: WatchCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        match command {
            WatchCommand::ImportParties { file, database } => {
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("cannot read `{}`", file.display()))?;
                let store = open_store(data_dir, &database).await?;
                let label = file.display().to_string();
                let outcome = monitor::import_parties(&store, &label, &bytes).await?;
                Ok(print_import("customer(s)", &outcome))
            }
            WatchCommand::ImportOrders { file, database } => {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read `{}` as UTF-8 text", file.display()))?;
                let store = open_store(data_dir, &database).await?;
                let rules = monitor::shipped_rules()?;
                let label = file.display().to_string();
                let outcome = monitor::import_orders(&store, &rules, &label, &text).await?;
                Ok(print_import("order(s)", &outcome))
            }
            WatchCommand::RemoveParties { ids, database } => {
                remove(data_dir, &database, WatchSubject::Party, ids).await
            }
            WatchCommand::RemoveOrders { ids, database } => {
                remove(data_dir, &database, WatchSubject::Order, ids).await
            }
            WatchCommand::Run {
                as_of,
                format,
                database,
            } => {
                let report = run_watch(data_dir, &database, as_of).await?;
                print_run(&report, format)?;
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// `watch remove-parties|remove-orders`: all or nothing, audited.
async fn remove(
    data_dir: &DataDir,
    database: &DatabaseArg,
    subject: WatchSubject,
    ids: Vec<String>,
) -> anyhow::Result<ExitCode> {
    let store = open_store(data_dir, database).await?;
    let removed = monitor::remove_watched(&store, subject, ids, &cli_actor()).await?;
    let what = match subject {
        WatchSubject::Party => "customer(s)",
        WatchSubject::Order => "order(s)",
    };
    println!("removed {removed} {what}; no longer watched");
    Ok(ExitCode::SUCCESS)
}

/// Runs the monitor against the data directory's lists.
pub async fn run_watch(
    data_dir: &DataDir,
    database: &DatabaseArg,
    as_of: Option<chrono::NaiveDate>,
) -> anyhow::Result<WatchReport> {
    let store = open_store(data_dir, database).await?;
    let options = WatchOptions {
        as_of: as_of.unwrap_or_else(|| chrono::Utc::now().date_naive()),
        actor: cli_actor(),
    };
    Ok(monitor::run_watch(&store, data_dir, None, &options).await?)
}

/// `cli:USER`, as the audit trail names command-line actors.
pub fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn print_import(what: &str, outcome: &ImportOutcome) -> ExitCode {
    for problem in &outcome.problems {
        eprintln!("{}", problem["text"].as_str().unwrap_or_default());
    }
    println!(
        "stored {} {what}; {} problem(s) reported",
        outcome.stored,
        outcome.problems.len()
    );
    let errors = outcome
        .problems
        .iter()
        .filter(|p| p["severity"] != "warning")
        .count();
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints what a run did: a summary and one line per alert, or the JSON.
pub fn print_run(report: &WatchReport, format: TextOrJson) -> anyhow::Result<()> {
    if format == TextOrJson::Json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    println!(
        "lists: revision {} → {} ({} added, {} removed, {} changed); rules: {} → {} ({} change(s))",
        report
            .list_revision_from
            .map_or_else(|| "none".into(), |r| r.to_string()),
        report
            .list_revision_to
            .map_or_else(|| "none".into(), |r| r.to_string()),
        report.entries_added,
        report.entries_removed,
        report.entries_changed,
        report.rules_from.as_deref().unwrap_or("none"),
        report.rules_to,
        report.rule_changes
    );
    println!(
        "customers: {} watched, {} screened in full, {} against the changes; orders: {} watched, {} answered again",
        report.parties,
        report.parties_screened_in_full,
        report.parties_screened_against_changes,
        report.orders,
        report.orders_answered
    );
    if report.orders_unanswered > 0 {
        eprintln!(
            "warning: {} order(s) could not be answered as of {} (outside the rule set's dates?); they are tried again at the next run",
            report.orders_unanswered, report.rules_to
        );
    }
    if report.entries_in_force_changed > 0 {
        println!(
            "entries in or out of force between the two dates (their own start or end date): {}",
            report.entries_in_force_changed
        );
    }
    println!("{} alert(s) raised", report.alerts_raised);
    for alert in report.alerts.iter().take(50) {
        println!("  {}  {:<14} {}", alert.id, alert.kind, alert.title);
    }
    if report.alerts_raised > 50 {
        println!(
            "  ... and {} more (`chokepoint alerts list`)",
            report.alerts_raised - 50
        );
    }
    Ok(())
}
