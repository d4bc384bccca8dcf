//! `chokepoint screen`: one name, or a whole customer file in parallel with a progress bar.

use crate::args::{Format, ScreenArgs};
use crate::commands::load_screener;
use crate::output::{stderr_is_terminal, writer};
use anyhow::Context;
use chokepoint_engine::{
    BatchAnswer, HitRecord, ScreenOptions, ScreenQuery, Screener, read_batch_csv,
};
use chokepoint_screening::Filters;
use std::io::Write;
use std::process::ExitCode;

pub fn run(data_dir: &chokepoint_engine::DataDir, args: ScreenArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.threshold) {
        anyhow::bail!(
            "--threshold must be between 0 and 1 (got {})",
            args.threshold
        );
    }
    let country = match &args.country {
        Some(c) => Some(
            chokepoint_model::country::code_for_name(c)
                .with_context(|| {
                    format!("--country `{c}` is not a country code or name chokepoint knows")
                })?
                .to_string(),
        ),
        None => None,
    };
    let filters = Filters {
        country,
        kind: args.kind.map(|k| k.to_model()),
        lists: args.list_codes.clone(),
        as_of: args.as_of,
    };
    let options = ScreenOptions {
        threshold: args.threshold,
        limit: args.limit,
        ..ScreenOptions::default()
    };
    match (&args.name, &args.input) {
        (Some(name), _) => {
            let screener = load_screener(data_dir, &args.lists)?;
            let query = ScreenQuery {
                name: name.clone(),
                filters,
            };
            let as_of = query
                .filters
                .as_of
                .unwrap_or_else(|| chrono::Local::now().date_naive());
            let hits = screener.screen(&query, &options);
            let related = related(&hits, as_of);
            let mut out = writer(None)?;
            match args.format.unwrap_or(Format::Text) {
                Format::Text => write_text(&mut out, &screener, name, &hits, &related, &options)?,
                Format::Json | Format::Jsonl => {
                    let mut hits_json = Vec::with_capacity(hits.len());
                    for (hit, context) in hits.iter().zip(&related) {
                        let mut json = serde_json::to_value(hit)?;
                        if !context.is_empty() {
                            json["related"] = serde_json::to_value(context)?;
                        }
                        hits_json.push(json);
                    }
                    let answer = serde_json::json!({ "query": name, "hits": hits_json });
                    serde_json::to_writer(&mut out, &answer)?;
                    writeln!(out)?;
                }
                Format::Csv => write_csv(&mut out, &[("", name.as_str(), hits.as_slice())])?,
            }
            out.flush()?;
            // Exit 1 when a match was found, so scripts can branch on it (like grep).
            Ok(if hits.iter().any(|h| h.is_match) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        (None, Some(input)) => batch(data_dir, &args, input, &filters, &options),
        (None, None) => anyhow::bail!("give a NAME to screen, or --input FILE.csv"),
    }
}

fn batch(
    data_dir: &chokepoint_engine::DataDir,
    args: &ScreenArgs,
    input: &std::path::Path,
    filters: &Filters,
    options: &ScreenOptions,
) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(input).with_context(|| format!("cannot read `{}`", input.display()))?;
    let label = input.display().to_string();
    let (rows, problems) = read_batch_csv(&label, &bytes)?;
    for p in &problems {
        eprintln!("{p}");
    }
    let screener = load_screener(data_dir, &args.lists)?;
    let queries: Vec<ScreenQuery> = rows
        .iter()
        .map(|row| ScreenQuery {
            name: row.query.name.clone(),
            filters: Filters {
                country: row
                    .query
                    .country
                    .clone()
                    .or_else(|| filters.country.clone()),
                kind: row.query.kind.or(filters.kind),
                ..filters.clone()
            },
        })
        .collect();
    let bar = if stderr_is_terminal() {
        indicatif::ProgressBar::new(queries.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} screening [{bar:40}] {pos}/{len} names ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let answers = screener.screen_many(&queries, options, &|done| bar.set_position(done as u64));
    bar.finish_and_clear();
    let mut out = writer(args.output.as_deref())?;
    match args.format.unwrap_or(Format::Jsonl) {
        Format::Jsonl | Format::Json => {
            for (row, hits) in rows.iter().zip(&answers) {
                let line = BatchAnswer {
                    id: &row.id,
                    query: &row.query.name,
                    hits,
                };
                serde_json::to_writer(&mut out, &line)?;
                writeln!(out)?;
            }
        }
        Format::Csv => {
            let rows: Vec<(&str, &str, &[HitRecord])> = rows
                .iter()
                .zip(&answers)
                .map(|(r, h)| (r.id.as_str(), r.query.name.as_str(), h.as_slice()))
                .collect();
            write_csv(&mut out, &rows)?;
        }
        Format::Text => {
            for (row, hits) in rows.iter().zip(&answers) {
                write_text(&mut out, &screener, &row.query.name, hits, &[], options)?;
            }
        }
    }
    out.flush()?;
    let matched = answers
        .iter()
        .filter(|h| h.iter().any(|h| h.is_match))
        .count();
    eprintln!(
        "screened {} name(s): {matched} with a match, {} row problem(s)",
        rows.len(),
        problems.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// What the shipped facility registry knows around each hit's party (owners, subsidiaries,
/// facilities), as the API's `related`.
fn related(hits: &[HitRecord], as_of: chrono::NaiveDate) -> Vec<chokepoint_registry::PartyContext> {
    if hits.is_empty() {
        return Vec::new();
    }
    let (registry, _) = chokepoint_registry::shipped();
    let graph = chokepoint_registry::OwnershipGraph::new(&registry);
    hits.iter()
        .map(|hit| chokepoint_registry::party_context(&registry, &graph, &hit.name, as_of))
        .collect()
}

fn write_text(
    out: &mut dyn Write,
    screener: &Screener,
    name: &str,
    hits: &[HitRecord],
    related: &[chokepoint_registry::PartyContext],
    options: &ScreenOptions,
) -> anyhow::Result<()> {
    let entries: usize = screener.lists.iter().map(|l| l.entries).sum();
    let matches = hits.iter().filter(|h| h.is_match).count();
    writeln!(
        out,
        "{name}: {matches} match(es), {} hit(s) shown (threshold {:.2}; {entries} entries in {} list file(s))",
        hits.len(),
        options.threshold,
        screener.lists.len()
    )?;
    for (i, hit) in hits.iter().enumerate() {
        writeln!(
            out,
            "  {} {:.3}  {:<5} {}  [{}]",
            if hit.is_match { "MATCH" } else { "maybe" },
            hit.score,
            hit.list,
            hit.name,
            hit.source_id
        )?;
        if hit.matched_name != hit.name {
            writeln!(out, "        matched name: {}", hit.matched_name)?;
        }
        writeln!(out, "        why: {}", hit.explanation)?;
        if !hit.countries.is_empty() {
            writeln!(out, "        countries: {}", hit.countries.join(", "))?;
        }
        if let Some(req) = &hit.license_requirement {
            writeln!(out, "        license requirement: {req}")?;
        }
        if let Some(policy) = &hit.license_policy {
            writeln!(out, "        license review policy: {policy}")?;
        }
        if !hit.federal_register.is_empty() {
            writeln!(
                out,
                "        Federal Register: {}",
                hit.federal_register.join("; ")
            )?;
        }
        if !hit.programs.is_empty() {
            writeln!(out, "        programs: {}", hit.programs.join(", "))?;
        }
        if let Some(context) = related.get(i).filter(|c| !c.is_empty()) {
            let ties = |ties: &[chokepoint_registry::Tie]| {
                ties.iter()
                    .map(|t| match t.percent {
                        Some(p) => format!("{} {p} %", t.name),
                        None => t.name.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            if !context.owners.is_empty() {
                writeln!(out, "        owners (registry): {}", ties(&context.owners))?;
            }
            if !context.owned.is_empty() {
                writeln!(out, "        owns (registry): {}", ties(&context.owned))?;
            }
            if !context.facilities.is_empty() {
                let fabs: Vec<String> = context
                    .facilities
                    .iter()
                    .map(|f| format!("{} (advanced: {})", f.name, f.advanced))
                    .collect();
                writeln!(out, "        facilities (registry): {}", fabs.join("; "))?;
            }
            if let Some(parent) = &context.covered_by {
                writeln!(
                    out,
                    "        covered by the listing of its owner {parent} (reaches subsidiaries)"
                )?;
            }
        }
    }
    Ok(())
}

fn write_csv(out: &mut dyn Write, rows: &[(&str, &str, &[HitRecord])]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
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
    ])?;
    for (id, query, hits) in rows {
        if hits.is_empty() {
            w.write_record([*id, *query, "", "", "", "", "", "", "false", "", ""])?;
        }
        for (rank, hit) in hits.iter().enumerate() {
            let rank = (rank + 1).to_string();
            let score = format!("{:.3}", hit.score);
            w.write_record([
                *id,
                *query,
                rank.as_str(),
                &hit.source_id,
                &hit.list,
                &hit.name,
                &hit.matched_name,
                score.as_str(),
                if hit.is_match { "true" } else { "false" },
                hit.license_requirement.as_deref().unwrap_or(""),
                hit.license_policy.as_deref().unwrap_or(""),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}
