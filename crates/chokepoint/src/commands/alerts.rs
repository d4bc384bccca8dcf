//! `chokepoint alerts`: the alerts change monitoring raised, and acknowledging them.

use crate::args::{AlertsCommand, TextOrJson};
use crate::commands::serve::{open_store, runtime};
use crate::commands::watch::cli_actor;
use crate::output::writer;
use chokepoint_engine::DataDir;
use chokepoint_store::{AlertFilter, AuditEvent};
use std::io::Write;
use std::process::ExitCode;

pub fn run(data_dir: &DataDir, command: AlertsCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        match command {
            AlertsCommand::List {
                subject,
                open,
                since,
                limit,
                format,
                database,
            } => {
                if let Some(s) = &subject
                    && s != "party"
                    && s != "order"
                {
                    anyhow::bail!("--subject is `party` or `order`, not `{s}`");
                }
                let store = open_store(data_dir, &database).await?;
                let alerts = store
                    .alerts(AlertFilter {
                        subject_kind: subject,
                        acknowledged: open.then_some(false),
                        since: since.map(|d| d.to_string()),
                        limit: limit.clamp(1, 100_000),
                        ..AlertFilter::default()
                    })
                    .await?;
                let mut out = writer(None)?;
                if format == TextOrJson::Json {
                    serde_json::to_writer_pretty(&mut out, &alerts)?;
                    writeln!(out)?;
                } else if alerts.is_empty() {
                    writeln!(out, "no alert")?;
                } else {
                    for a in &alerts {
                        writeln!(
                            out,
                            "{}  {}  {:<14} {}{}",
                            a.id,
                            a.raised_at.get(..19).unwrap_or(&a.raised_at),
                            a.kind,
                            a.title,
                            if a.acked_at.is_some() {
                                "  [acknowledged]"
                            } else {
                                ""
                            }
                        )?;
                    }
                }
                out.flush()?;
                Ok(ExitCode::SUCCESS)
            }
            AlertsCommand::Ack { id, note, database } => {
                let store = open_store(data_dir, &database).await?;
                let actor = cli_actor();
                let alert = store
                    .ack_alert(
                        &id,
                        &actor,
                        note.clone(),
                        AuditEvent {
                            kind: "alert_acknowledged".into(),
                            actor: actor.clone(),
                            inputs: serde_json::json!({ "alert": id, "note": note }),
                            outputs: serde_json::Value::Null,
                            list_snapshot: None,
                            rule_set: None,
                        },
                    )
                    .await?;
                println!(
                    "acknowledged {} by {} at {}",
                    alert.id,
                    alert.acked_by.as_deref().unwrap_or(""),
                    alert.acked_at.as_deref().unwrap_or("")
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
