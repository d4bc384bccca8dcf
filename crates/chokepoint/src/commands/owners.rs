//! `chokepoint owners NAME`: a company's ownership chain, what it owns and operates, the
//! aggregate share listed parties hold in it on a date, and whether the affiliates rule applies.
//!
//! Who is listed: with lists loaded (imported or `--lists`), a company is listed when screening
//! its name matches an Entity List or MEU List entry; without lists, when the registry gives its
//! Entity List spelling (CSL snapshot 2026-07-31). The answer says which.

use super::facility::{load_registry, today};
use super::load_screener;
use crate::args::{OwnersArgs, TextOrJson};
use crate::output::writer;
use chokepoint_engine::{DataDir, ScreenOptions, ScreenQuery, Screener};
use chokepoint_registry::{
    Company, CompanyId, Edge, OwnershipGraph, affiliates_rule, edge_when, listed_per_registry,
};
use chokepoint_screening::Filters;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

/// Listed status by screening, remembered per company name.
struct ScreenedListed<'a> {
    screener: &'a Screener,
    date: chrono::NaiveDate,
    seen: RefCell<HashMap<String, bool>>,
}

impl ScreenedListed<'_> {
    fn is_listed(&self, company: &Company) -> bool {
        if let Some(known) = self.seen.borrow().get(&company.name) {
            return *known;
        }
        let options = ScreenOptions::default();
        let listed = std::iter::once(&company.name)
            .chain(company.entity_list_name.as_ref())
            .any(|name| {
                let query = ScreenQuery {
                    name: name.clone(),
                    filters: Filters {
                        lists: vec!["EL".into(), "MEU".into()],
                        as_of: Some(self.date),
                        ..Filters::default()
                    },
                };
                self.screener
                    .screen(&query, &options)
                    .iter()
                    .any(|hit| hit.is_match)
            });
        self.seen.borrow_mut().insert(company.name.clone(), listed);
        listed
    }
}

pub fn run(data_dir: &DataDir, args: OwnersArgs) -> anyhow::Result<ExitCode> {
    let registry = load_registry(&args.registry)?;
    let date = args.as_of.unwrap_or_else(today);
    let (rules, problems) = chokepoint_rules::shipped_ruleset();
    if !problems.is_empty() {
        anyhow::bail!("the shipped rule set has problems; run `chokepoint rules list`");
    }
    let mut graph = OwnershipGraph::new(&registry);
    let screener = if !args.lists.paths.is_empty() || data_dir.has_lists()? {
        Some(load_screener(data_dir, &args.lists)?)
    } else {
        None
    };
    if let Some(screener) = &screener {
        graph.add_list_entries(screener.index().entries());
    }
    let screened = screener.as_ref().map(|s| ScreenedListed {
        screener: s,
        date,
        seen: RefCell::default(),
    });
    let listed = |c: &Company| match &screened {
        Some(s) => s.is_listed(c),
        None => listed_per_registry(c),
    };
    let basis = if screened.is_some() {
        "screening against the loaded lists (Entity List, MEU List)"
    } else {
        "the registry's Entity List names (CSL snapshot 2026-07-31; load lists for a current answer)"
    };

    let hits = graph.find(&args.name, 0.85);
    let Some(&(company, _)) = hits.first() else {
        anyhow::bail!(
            "no company called `{}` in the ownership registry{}; add one with `--registry FILE`",
            args.name,
            if screener.is_some() {
                " or the lists' affiliated-entity names"
            } else {
                ""
            }
        );
    };
    let share = graph.listed_share(company, date, &listed);
    let rule = affiliates_rule(&rules, date);
    let facilities: Vec<&str> = registry
        .facilities
        .iter()
        .filter(|f| {
            f.operator
                .as_deref()
                .and_then(|o| graph.find_exact(o))
                .is_some_and(|id| id == company)
        })
        .map(|f| f.id.as_str())
        .collect();
    let owners = graph.owners(company, date);
    let owned = graph.owned(company, date);

    let mut out = writer(None)?;
    match args.format {
        TextOrJson::Json => {
            let edge_json = |other: CompanyId, edge: &Edge| {
                json!({
                    "company": graph.company(other).name,
                    "listed": listed(graph.company(other)),
                    "edge": edge,
                })
            };
            let value = json!({
                "company": graph.company(company),
                "as_of": date,
                "listed": share.listed,
                "listed_basis": basis,
                "owners": owners.iter().map(|(o, e)| edge_json(*o, e)).collect::<Vec<Value>>(),
                "owned": owned.iter().map(|(o, e)| edge_json(*o, e)).collect::<Vec<Value>>(),
                "facilities": facilities,
                "listed_share": share,
                "affiliates_rule": rule,
                "affiliates_rule_applies": rule.applies(),
                "covered_by_parent_listing": graph
                    .covered_by_parent_listing(company, date)
                    .map(|p| graph.company(p).name.clone()),
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        TextOrJson::Text => {
            let c = graph.company(company);
            writeln!(out, "{} — as of {date}", c.name)?;
            if let Some(el) = &c.entity_list_name {
                writeln!(out, "  Entity List spelling: {el}")?;
            }
            for (other, score) in hits.iter().skip(1).take(3) {
                writeln!(
                    out,
                    "  (also close: {} {:.2})",
                    graph.company(*other).name,
                    score
                )?;
            }
            writeln!(
                out,
                "  listed: {} (by {basis})",
                if share.listed { "yes" } else { "no" }
            )?;
            if let Some(parent) = graph.covered_by_parent_listing(company, date) {
                writeln!(
                    out,
                    "  covered by the listing of its owner {}, whose entry reaches its subsidiaries",
                    graph.company(parent).name
                )?;
            }
            writeln!(out, "ownership chain (owners, then their owners):")?;
            if owners.is_empty() {
                writeln!(out, "  no owner recorded on {date}")?;
            }
            let mut path = vec![company];
            write_owners(&mut out, &graph, company, date, &listed, 1, &mut path)?;
            if !owned.is_empty() {
                writeln!(out, "owns or controls:")?;
                for (child, edge) in &owned {
                    writeln!(
                        out,
                        "  {} — {}{}",
                        graph.company(*child).name,
                        share_text(edge),
                        edge_when(edge)
                    )?;
                }
            }
            if !facilities.is_empty() {
                writeln!(out, "operates facilities: {}", facilities.join(", "))?;
            }
            writeln!(
                out,
                "aggregate listed ownership: {} % — affiliate (≥ 50 %): {}",
                share.percent,
                match share.affiliate {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "unknown",
                }
            )?;
            for contribution in &share.contributions {
                writeln!(
                    out,
                    "  counted: {} {} ({})",
                    contribution.owner,
                    contribution
                        .percent
                        .map(|p| format!("{p} %"))
                        .unwrap_or_else(|| "share unknown".into()),
                    match &contribution.basis {
                        chokepoint_registry::Basis::Listed => "listed".to_string(),
                        chokepoint_registry::Basis::Affiliate { owner_share } =>
                            format!("itself {owner_share} % owned by listed parties"),
                    }
                )?;
            }
            for name in &share.undecided {
                writeln!(
                    out,
                    "  undecided: {name} (its own listed ownership is unknown)"
                )?;
            }
            let rule_text = match &rule {
                chokepoint_registry::AffiliatesRule::InForce { citation } => {
                    format!("applies on {date} ({citation})")
                }
                chokepoint_registry::AffiliatesRule::NotYet { effective } => {
                    format!("does not apply on {date}: in force from {effective}")
                }
                chokepoint_registry::AffiliatesRule::Suspended {
                    from,
                    until,
                    citation,
                } => format!(
                    "does not apply on {date}: suspended {from}..{} ({citation}); listed-party ownership remains a red flag",
                    until
                        .map(|u| u.to_string())
                        .unwrap_or_else(|| "open".into())
                ),
                chokepoint_registry::AffiliatesRule::Ended => format!("ended before {date}"),
                chokepoint_registry::AffiliatesRule::Absent => "not in the rule set".into(),
            };
            writeln!(
                out,
                "affiliates rule (15 CFR 744.11(a)(1), 90 FR 47201): {rule_text}"
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn share_text(edge: &Edge) -> String {
    match edge.percent {
        Some(p) => format!("{p} % ({})", edge.relation_text),
        None => format!("share unknown ({})", edge.relation_text),
    }
}

fn write_owners(
    out: &mut dyn Write,
    graph: &OwnershipGraph,
    company: CompanyId,
    date: chrono::NaiveDate,
    listed: &dyn Fn(&Company) -> bool,
    depth: usize,
    path: &mut Vec<CompanyId>,
) -> anyhow::Result<()> {
    if depth > 6 {
        return Ok(());
    }
    for (owner, edge) in graph.owners(company, date) {
        let c = graph.company(owner);
        writeln!(
            out,
            "{}{}{} — {}{}",
            "  ".repeat(depth),
            c.name,
            if listed(c) { " [LISTED]" } else { "" },
            share_text(edge),
            edge_when(edge)
        )?;
        if !path.contains(&owner) {
            path.push(owner);
            write_owners(out, graph, owner, date, listed, depth + 1, path)?;
            path.pop();
        }
    }
    Ok(())
}

/// For `check`: a party given by name without `ownership` gets its direct owners with known
/// shares from the shipped registry (see [`chokepoint_registry::fill_ownership`]).
pub fn fill_ownership_from_registry(
    records: &mut [Result<chokepoint_rules::Record, chokepoint_rules::RecordError>],
    as_of_override: Option<chrono::NaiveDate>,
) -> Vec<Vec<String>> {
    let (registry, _) = chokepoint_registry::shipped();
    chokepoint_registry::fill_ownership(&registry, records, as_of_override)
}
