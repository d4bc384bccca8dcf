//! `chokepoint rules`: the shipped rule set — what is in force on a date, one rule in full, and
//! what changed between two dates.

use crate::args::{Format, RulesCommand};
use crate::output::writer;
use anyhow::Context as _;
use chokepoint_rules::{Status, rule_markdown, rules_on, shipped_ruleset};
use std::io::Write;
use std::process::ExitCode;

pub fn run(command: RulesCommand) -> anyhow::Result<ExitCode> {
    let (rules, problems) = shipped_ruleset();
    if !problems.is_empty() {
        anyhow::bail!(
            "the shipped rule set has problems:\n{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let mut out = writer(None)?;
    match command {
        RulesCommand::List {
            as_of,
            regime,
            format,
        } => {
            let date = match as_of {
                Some(date) => date,
                None => chrono::Utc::now().date_naive(),
            };
            let regime = match regime.as_deref() {
                None => None,
                Some(text) => Some(
                    chokepoint_rules::regime::Regime::from_key(text).with_context(|| {
                        format!("unknown regime `{text}`; expected US, JP, NL or EU")
                    })?,
                ),
            };
            let mut listed = rules_on(&rules, date);
            listed.retain(|(rule, _)| regime.is_none_or(|r| rule.regime == r));
            if format == Format::Text {
                writeln!(
                    out,
                    "rule set {} version {}: {} rule(s) in force on {date}",
                    rules.meta.id,
                    rules.meta.version,
                    listed.len()
                )?;
                for (rule, status) in &listed {
                    let status = match status {
                        Status::InForce => "in force".to_string(),
                        Status::BeforeCompliance(d) => format!("in force, compliance from {d}"),
                        Status::Suspended(s) => match s.until {
                            Some(until) => format!("suspended {}..{until}", s.from),
                            None => format!("suspended from {}", s.from),
                        },
                        Status::NotYet | Status::Ended => continue,
                    };
                    writeln!(
                        out,
                        "  {:<28} {:<32} {}  [{status}]",
                        rule.id, rule.citation, rule.title
                    )?;
                }
            } else {
                let rows: Vec<serde_json::Value> = listed
                    .iter()
                    .map(|(rule, status)| {
                        serde_json::json!({
                            "id": rule.id,
                            "regime": rule.regime,
                            "citation": rule.citation,
                            "title": rule.title,
                            "confidence": rule.confidence,
                            "effective": rule.in_force.effective,
                            "status": format!("{status:?}"),
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            }
        }
        RulesCommand::Show { id } => {
            let rule = rules.rule(&id).with_context(|| {
                format!("no rule `{id}` in the rule set; `chokepoint rules list` shows the ids")
            })?;
            writeln!(out, "{}", rule_markdown(rule))?;
        }
        RulesCommand::Diff { from, to, format } => {
            if from > to {
                anyhow::bail!("--from {from} is after --to {to}");
            }
            // `{"added", "removed", "changed"}` like `lists diff`, with the dated events
            // under `changes`.
            let delta = chokepoint_monitor::rules_delta(&rules, from, to);
            if format == Format::Text {
                write!(
                    out,
                    "{}",
                    chokepoint_monitor::render_rules_delta_text(&delta)
                )?;
            } else {
                serde_json::to_writer_pretty(&mut out, &delta)?;
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
