//! `chokepoint bom FILE --destination CC`: de minimis and foreign-direct-product status of a
//! foreign-made product over its whole bill of materials (CSV or JSON, see
//! `crates/chokepoint-bom/FORMAT.md`), as a worksheet or JSON.

use crate::args::{BomArgs, Format};
use crate::output::writer;
use anyhow::Context as _;
use chokepoint_bom::{
    EndUser, Query, evaluate, parse_csv, parse_json, parse_rate, render_worksheet,
};
use chokepoint_engine::DataDir;
use chokepoint_rules::{ListStatus, shipped_ruleset};
use std::io::Write;
use std::process::ExitCode;

pub fn run(data_dir: &DataDir, args: BomArgs) -> anyhow::Result<ExitCode> {
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
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read `{}` as UTF-8 text", args.file.display()))?;
    let label = args.file.display().to_string();
    let is_json = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with(['{', '[']);
    let (mut bom, mut problems) = if is_json {
        parse_json(&text)
    } else {
        parse_csv(&text)
    };
    for rate in &args.rates {
        let (code, value) = parse_rate(rate).map_err(|m| anyhow::anyhow!("--rate: {m}"))?;
        bom.rates.insert(code, value);
    }
    let end_user = args.end_user.as_ref().map(|name| EndUser {
        name: name.clone(),
        country: None,
        headquarters_country: args.end_user_headquarters.clone(),
        lists: args.end_user_list.as_ref().map(|list| {
            if list == "none" {
                Vec::new()
            } else {
                vec![ListStatus {
                    list: list.clone(),
                    footnotes: args.end_user_footnotes.clone(),
                    fr: None,
                    entry_review_policy: None,
                    license_requirement: None,
                    license_policy: None,
                }]
            }
        }),
    });
    if end_user.is_none() && args.end_user_list.is_some() {
        anyhow::bail!("--end-user-list needs --end-user NAME");
    }
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    // An end user named without its list status is screened against the imported lists.
    let mut end_user = end_user;
    if let Some(u) = end_user.as_mut()
        && u.lists.is_none()
    {
        if data_dir.has_lists()? {
            let screener = super::load_screener(data_dir, &crate::args::ListSources::default())?;
            let found = chokepoint_engine::list_status(&screener, &u.name, None, as_of);
            eprintln!(
                "note: end user `{}` screened against the imported lists as of {as_of}: {}",
                u.name,
                if found.is_empty() {
                    "no match".to_string()
                } else {
                    found
                        .iter()
                        .map(|l| l.list.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
            u.lists = Some(found);
        } else {
            eprintln!(
                "note: the end user's list status is not given and no list is imported, so FDP \
                 rules that turn on it are answered as unknowns (import lists, or give \
                 --end-user-list entity_list --end-user-footnote N, or --end-user-list none)"
            );
        }
    }
    let query = Query {
        destination: args.destination.to_ascii_uppercase(),
        as_of,
        end_user,
    };
    let answer = evaluate(&rules, &bom, &query);
    let answer = match answer {
        Ok(a) if problems.is_empty() => a,
        Ok(_) => {
            report(&label, &problems);
            return Ok(ExitCode::from(2));
        }
        Err(mut more) => {
            problems.append(&mut more);
            report(&label, &problems);
            return Ok(ExitCode::from(2));
        }
    };
    let mut out = writer(None)?;
    match args.format.unwrap_or(Format::Text) {
        Format::Json | Format::Jsonl => {
            serde_json::to_writer_pretty(&mut out, &answer)?;
            writeln!(out)?;
        }
        Format::Text | Format::Csv => write!(out, "{}", render_worksheet(&answer))?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn report(label: &str, problems: &[chokepoint_bom::BomProblem]) {
    eprintln!(
        "error: `{label}` has {} problem(s); nothing was computed:",
        problems.len()
    );
    for p in problems {
        eprintln!("  {label}: {p}");
    }
}
