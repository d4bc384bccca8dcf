//! `chokepoint match`: score two names and explain, or every pair of a TSV file in parallel.

use crate::args::{Format, MatchArgs};
use crate::output::writer;
use anyhow::Context;
use chokepoint_names::normalize;
use chokepoint_screening::compare;
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

#[derive(Serialize)]
struct PairAnswer<'a> {
    query: &'a str,
    candidate: &'a str,
    score: f32,
    #[serde(rename = "match")]
    is_match: bool,
}

pub fn run(args: MatchArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.threshold) {
        anyhow::bail!(
            "--threshold must be between 0 and 1 (got {})",
            args.threshold
        );
    }
    if let Some(path) = &args.pairs {
        return pairs(path, args.threshold, args.format.unwrap_or(Format::Jsonl));
    }
    let (Some(a), Some(b)) = (&args.name_a, &args.name_b) else {
        anyhow::bail!("give two names, or --pairs FILE.tsv");
    };
    let comparison = compare(&normalize(a), &normalize(b));
    let is_match = comparison.score >= args.threshold;
    let mut out = writer(None)?;
    match args.format.unwrap_or(Format::Text) {
        Format::Text => {
            writeln!(
                out,
                "{:.3} {} (threshold {:.2})\n  {}",
                comparison.score,
                if is_match { "match" } else { "no match" },
                args.threshold,
                comparison.explain()
            )?;
        }
        _ => {
            let answer = serde_json::json!({
                "query": a,
                "candidate": b,
                "score": round(comparison.score),
                "match": is_match,
                "method": comparison.method,
                "explanation": comparison.explain(),
                "matched_tokens": comparison.matches,
                "query_coverage": round(comparison.query_coverage),
                "candidate_coverage": round(comparison.candidate_coverage),
            });
            serde_json::to_writer(&mut out, &answer)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn round(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

fn pairs(path: &std::path::Path, threshold: f32, format: Format) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}` as UTF-8 text", path.display()))?;
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().with_context(|| {
        format!(
            "`{}` is empty: expected a header naming `query` and `candidate`",
            path.display()
        )
    })?;
    let columns: Vec<&str> = header.split('\t').map(str::trim).collect();
    let find = |name: &str| {
        columns.iter().position(|c| *c == name).with_context(|| {
            format!(
                "`{}`: the header has no `{name}` column (found: {})",
                path.display(),
                columns.join(", ")
            )
        })
    };
    let (qi, ci) = (find("query")?, find("candidate")?);
    let mut rows: Vec<(&str, &str)> = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        match (fields.get(qi), fields.get(ci)) {
            (Some(q), Some(c)) => rows.push((q, c)),
            _ => anyhow::bail!(
                "`{}` line {}: expected at least {} tab-separated fields, found {}",
                path.display(),
                i + 1,
                qi.max(ci) + 1,
                fields.len()
            ),
        }
    }
    let scores = chokepoint_engine::score_pairs(&rows);
    let mut out = writer(None)?;
    for ((query, candidate), score) in rows.iter().zip(scores) {
        let is_match = score >= threshold;
        match format {
            Format::Text => writeln!(out, "{score:.3}\t{is_match}\t{query}\t{candidate}")?,
            _ => {
                serde_json::to_writer(
                    &mut out,
                    &PairAnswer {
                        query,
                        candidate,
                        score: round(score),
                        is_match,
                    },
                )?;
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
