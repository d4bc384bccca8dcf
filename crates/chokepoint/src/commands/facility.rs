//! `chokepoint facility list|show`: the facility registry (shipped, plus the user's `--registry`
//! files) with each facility's 744.23 classification on a date, its facts and their sources.

use crate::args::{AdvancedArg, FacilityCommand, RegistryFiles, TextOrJson};
use crate::output::writer;
use anyhow::Context as _;
use chokepoint_registry::{
    Classification, FacilityRecord, OwnershipGraph, Registry, advanced_word, classify,
    listed_per_registry,
};
use serde_json::Value;
use std::io::Write;
use std::process::ExitCode;

pub fn run(command: FacilityCommand) -> anyhow::Result<ExitCode> {
    match command {
        FacilityCommand::List(args) => {
            let registry = load_registry(&args.registry)?;
            let date = args.as_of.unwrap_or_else(today);
            let country = args.country.map(|c| c.trim().to_ascii_uppercase());
            let mut rows = Vec::new();
            for facility in &registry.facilities {
                if country
                    .as_deref()
                    .is_some_and(|c| facility.country.as_deref() != Some(c))
                {
                    continue;
                }
                let class = classify(facility, date);
                let keep = match args.advanced {
                    None => true,
                    Some(AdvancedArg::True) => class.advanced == Some(true),
                    Some(AdvancedArg::False) => class.advanced == Some(false),
                    Some(AdvancedArg::Unknown) => class.advanced.is_none(),
                };
                if keep {
                    rows.push((facility, class));
                }
            }
            let mut out = writer(None)?;
            match args.format {
                TextOrJson::Json => {
                    let array: Vec<Value> = rows
                        .iter()
                        .map(|(f, _)| chokepoint_registry::facility_json(&registry, f, date))
                        .collect();
                    serde_json::to_writer_pretty(&mut out, &array)?;
                    writeln!(out)?;
                }
                TextOrJson::Text => {
                    writeln!(
                        out,
                        "{} facilit{} as of {date} (744.23 advanced-node: yes / no / unknown)",
                        rows.len(),
                        if rows.len() == 1 { "y" } else { "ies" }
                    )?;
                    for (f, c) in &rows {
                        writeln!(
                            out,
                            "  {:<26} {:<2}  {:<8} {}  {}",
                            f.id,
                            f.country.as_deref().unwrap_or("??"),
                            advanced_word(c),
                            f.name,
                            facts_line(f)
                        )?;
                    }
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        FacilityCommand::Show(args) => {
            let registry = load_registry(&args.registry)?;
            let date = args.as_of.unwrap_or_else(today);
            let facility = find_facility(&registry, &args.name)?;
            let class = classify(facility, date);
            let mut out = writer(None)?;
            match args.format {
                TextOrJson::Json => {
                    serde_json::to_writer_pretty(
                        &mut out,
                        &chokepoint_registry::facility_json(&registry, facility, date),
                    )?;
                    writeln!(out)?;
                }
                TextOrJson::Text => show_text(&mut out, &registry, facility, &class, date)?,
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The shipped registry plus the user's files; problems go to standard error.
pub fn load_registry(files: &RegistryFiles) -> anyhow::Result<Registry> {
    let mut texts = Vec::new();
    for path in &files.files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read `{}` as UTF-8 text", path.display()))?;
        texts.push((path.display().to_string(), text));
    }
    let files = chokepoint_registry::SHIPPED_FILES
        .iter()
        .map(|(l, t)| (*l, *t))
        .chain(texts.iter().map(|(l, t)| (l.as_str(), t.as_str())));
    let (registry, problems) = chokepoint_registry::load(files);
    for problem in &problems {
        eprintln!("{problem}");
    }
    Ok(registry)
}

fn find_facility<'a>(registry: &'a Registry, name: &str) -> anyhow::Result<&'a FacilityRecord> {
    chokepoint_registry::find_facility(registry, name).with_context(|| {
        format!(
            "no facility in the registry is called `{name}`; see `chokepoint facility list` for ids and names"
        )
    })
}

fn facts_line(f: &FacilityRecord) -> String {
    let mut parts = Vec::new();
    if let Some(p) = f.product {
        parts.push(p.name().to_string());
    }
    if let Some(n) = f.node_nm {
        parts.push(format!("{n} nm"));
    }
    if let Some(h) = f.half_pitch_nm {
        parts.push(format!("hp {h} nm"));
    }
    if let Some(l) = f.layers {
        parts.push(format!("{l} layers"));
    }
    if let Some(t) = f.transistor {
        parts.push(t.name().to_string());
    }
    format!("[{}]", parts.join(", "))
}

fn show_text(
    out: &mut dyn Write,
    registry: &Registry,
    f: &FacilityRecord,
    class: &Classification,
    date: chrono::NaiveDate,
) -> anyhow::Result<()> {
    writeln!(out, "{} ({})", f.name, f.id)?;
    if !f.aliases.is_empty() {
        writeln!(out, "  aliases: {}", f.aliases.join("; "))?;
    }
    let unknown = "unknown".to_string();
    writeln!(
        out,
        "  operator: {}",
        f.operator.as_ref().unwrap_or(&unknown)
    )?;
    if let Some(el) = &f.operator_entity_list_name {
        writeln!(out, "  operator on the Entity List as: {el}")?;
    }
    writeln!(
        out,
        "  place: {}, {}",
        f.city.as_ref().unwrap_or(&unknown),
        f.country.as_ref().unwrap_or(&unknown)
    )?;
    writeln!(
        out,
        "744.23 advanced-node on {date}: {} — {}",
        advanced_word(class),
        class.why
    )?;
    if !class.missing.is_empty() {
        writeln!(out, "  would decide it: {}", class.missing.join(", "))?;
    }
    if !class.dated_after.is_empty() {
        writeln!(
            out,
            "  caution: sources date {} after {date}; the fact may not have held then",
            class.dated_after.join(", ")
        )?;
    }
    for used in &class.used {
        let provenance = used
            .fact
            .as_ref()
            .map(|fact| {
                let when = fact
                    .as_of
                    .map(|d| format!(", as of {d}"))
                    .unwrap_or_default();
                let confidence = format!("{:?}", fact.confidence).to_lowercase();
                format!("{} ({confidence}{when})", fact.sources.join(", "))
            })
            .unwrap_or_else(|| "no source".into());
        writeln!(
            out,
            "  used {} = {}  [{}]",
            used.field, used.value, provenance
        )?;
    }
    writeln!(out, "facts:")?;
    for (field, fact) in &f.facts {
        let when = fact
            .as_of
            .map(|d| format!(" as of {d}"))
            .unwrap_or_default();
        let confidence = format!("{:?}", fact.confidence).to_lowercase();
        writeln!(
            out,
            "  {field}: {} ({confidence}{when})",
            fact.sources.join(", ")
        )?;
    }
    if !f.owners.is_empty() {
        writeln!(out, "owners:")?;
        for o in &f.owners {
            let pct = o
                .percent
                .map(|p| format!("{p} %"))
                .unwrap_or_else(|| "share unknown".into());
            let when = o.as_of.map(|d| format!(" as of {d}")).unwrap_or_default();
            writeln!(out, "  {} — {pct}{when}", o.owner)?;
        }
    }
    if let Some(operator) = &f.operator {
        let graph = OwnershipGraph::new(registry);
        if let Some(id) = graph.find_exact(operator) {
            let share = graph.listed_share(id, date, &listed_per_registry);
            writeln!(
                out,
                "operator's listed ownership on {date} (registry's Entity List names): {} % — affiliate: {}",
                share.percent,
                match share.affiliate {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "unknown",
                }
            )?;
        }
    }
    writeln!(out, "sources:")?;
    for key in f.source_keys() {
        match registry.sources.get(key) {
            Some(s) => writeln!(
                out,
                "  {key}: {}{}{}",
                s.publication,
                s.date.map(|d| format!(", {d}")).unwrap_or_default(),
                s.url.as_ref().map(|u| format!(", {u}")).unwrap_or_default()
            )?,
            None => writeln!(out, "  {key}: (not in any sources table)")?,
        }
    }
    if let Some(notes) = &f.notes {
        writeln!(out, "notes: {notes}")?;
    }
    Ok(())
}

/// For `check`: a record that names its facility (`transaction.facility.name`) but gives none of
/// its 744.23 facts gets them from the shipped registry (see
/// [`chokepoint_registry::fill_facilities`]).
pub fn fill_from_registry(
    records: &mut [Result<chokepoint_rules::Record, chokepoint_rules::RecordError>],
    as_of_override: Option<chrono::NaiveDate>,
) -> Vec<Option<String>> {
    let (registry, _) = chokepoint_registry::shipped();
    chokepoint_registry::fill_facilities(&registry, records, as_of_override)
}
