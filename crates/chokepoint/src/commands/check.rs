//! `chokepoint check`: license determinations for one transaction or a file of records, with
//! parties given by name screened against the loaded lists as of each record's date.

use crate::args::{CheckArgs, Format};
use crate::commands::load_screener;
use crate::output::writer;
use anyhow::Context as _;
use chokepoint_engine::{DataDir, Screener, ScreenerLookup};
use chokepoint_rules::{Context, PartyLookup, parse_records, render_memo, shipped_ruleset};
use std::io::Write;
use std::process::ExitCode;

pub fn run(data_dir: &DataDir, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let (rules, problems) = shipped_ruleset();
    if !problems.is_empty() {
        // The shipped rule set is checked by the tests; this would be a build defect.
        anyhow::bail!(
            "the shipped rule set has problems:\n{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read `{}` as UTF-8 text", args.file.display()))?;
    let label = args.file.display().to_string();
    let mut records = parse_records(&rules, &label, &text);
    if records.is_empty() {
        anyhow::bail!(
            "`{label}` holds no transaction record (see README: \"Transaction records\")"
        );
    }
    // A facility named without its facts takes them from the facility registry (issue 4).
    let registry_notes = super::facility::fill_from_registry(&mut records, args.as_of);
    let ownership_notes = super::owners::fill_ownership_from_registry(&mut records, args.as_of);

    // Screening backs the parties given by name only; without lists their status is unknown.
    let screener: Option<Screener> = if !args.lists.paths.is_empty() || data_dir.has_lists()? {
        Some(load_screener(data_dir, &args.lists)?)
    } else {
        eprintln!(
            "note: no list is loaded, so parties given without a list status are answered as \
             unknowns (load lists with `chokepoint lists update`, `lists import`, or `--lists PATH`)"
        );
        None
    };
    let lookup = screener.as_ref().map(ScreenerLookup::new);
    let snapshot = screener.as_ref().and_then(|s| s.snapshot_id.clone());
    let context = Context {
        lookup: lookup.as_ref().map(|l| l as &dyn PartyLookup),
        list_snapshot: snapshot.as_deref(),
        as_of_override: args.as_of,
    };

    let format = args.format.unwrap_or(Format::Text);
    let many = records.len() > 1;
    let mut out = writer(None)?;
    let mut failed = 0usize;
    let mut json_answers = Vec::new();
    for ((record, registry_note), ownership_notes) in
        records.iter().zip(&registry_notes).zip(&ownership_notes)
    {
        let answer = record
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|r| chokepoint_rules::determine(&rules, r, &context))
            .map(|mut d| {
                d.notes.extend(registry_note.clone());
                d.notes.extend(ownership_notes.iter().cloned());
                d
            });
        match (&answer, format) {
            (Ok(d), Format::Text) => {
                writeln!(out, "{}", render_memo(d))?;
            }
            (Err(e), Format::Text) => {
                failed += 1;
                writeln!(out, "RECORD {} NOT ANSWERED\n{e}\n", e.id)?;
            }
            (Ok(d), Format::Jsonl) => {
                serde_json::to_writer(&mut out, d)?;
                writeln!(out)?;
            }
            (Err(e), Format::Jsonl) => {
                failed += 1;
                serde_json::to_writer(&mut out, &error_json(e))?;
                writeln!(out)?;
            }
            (Ok(d), _) => json_answers.push(serde_json::to_value(d)?),
            (Err(e), _) => {
                failed += 1;
                json_answers.push(error_json(e));
            }
        }
    }
    if matches!(format, Format::Json | Format::Csv) {
        if many {
            serde_json::to_writer_pretty(&mut out, &json_answers)?;
        } else if let Some(one) = json_answers.first() {
            serde_json::to_writer_pretty(&mut out, one)?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    if failed > 0 {
        eprintln!(
            "{failed} of {} record(s) could not be answered; see each one's errors",
            records.len()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn error_json(e: &chokepoint_rules::RecordError) -> serde_json::Value {
    serde_json::json!({
        "id": e.id,
        "error": e.to_string(),
        "problems": e
            .problems
            .iter()
            .map(|p| serde_json::json!({ "field": p.field, "message": p.message }))
            .collect::<Vec<_>>(),
    })
}
