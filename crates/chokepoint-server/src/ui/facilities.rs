//! Facilities and owners: a searchable table of the registry (filters: advanced / not /
//! unknown, product, node), a chart of facilities by node, and a page per facility with its
//! classification as of a date, the facts it rests on with their sources, and its ownership
//! chain up to the ultimate owners.

use super::charts;
use super::view::{Shell, form_date, render, today};
use crate::auth::Caller;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chokepoint_model::Date;
use chokepoint_registry::{
    CompanyId, FacilityRecord, OwnershipGraph, Registry, advanced_word, classify, edge_when,
    listed_per_registry,
};
use serde::Deserialize;

pub use crate::check::registry;

/// `GET /facilities` query.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TableQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    advanced: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    node: String,
    #[serde(default)]
    as_of: String,
}

/// One row of the table.
pub struct Row {
    id: String,
    name: String,
    operator: String,
    place: String,
    product: String,
    node: String,
    advanced: &'static str,
    why: String,
}

#[derive(Template)]
#[template(path = "facilities.html")]
struct TablePage {
    shell: Shell,
    query: TableQuery,
    as_of: Date,
    products: Vec<&'static str>,
    rows: Vec<Row>,
    total: usize,
    chart: String,
    error: Option<String>,
}

/// The node a facility is known by, as text.
fn node_text(f: &FacilityRecord) -> String {
    if let Some(n) = f.node_nm {
        format!("{n} nm")
    } else if let Some(h) = f.half_pitch_nm {
        format!("{h} nm half-pitch")
    } else if let Some(l) = f.layers {
        format!("{l} layers")
    } else {
        "unknown".to_string()
    }
}

/// The bucket a facility's node falls in, for the chart.
fn node_bucket(f: &FacilityRecord) -> &'static str {
    match (f.node_nm, f.half_pitch_nm, f.layers) {
        (Some(n), _, _) if n <= 7.0 => "logic ≤ 7 nm",
        (Some(n), _, _) if n <= 16.0 => "logic 8–16 nm",
        (Some(n), _, _) if n <= 28.0 => "logic 17–28 nm",
        (Some(_), _, _) => "logic > 28 nm",
        (None, Some(h), _) if h <= 18.0 => "DRAM ≤ 18 nm hp",
        (None, Some(_), _) => "DRAM > 18 nm hp",
        (None, None, Some(l)) if l >= 128 => "NAND ≥ 128 layers",
        (None, None, Some(_)) => "NAND < 128 layers",
        _ => "node unknown",
    }
}

/// Facilities per node bucket, in a fixed order.
pub fn by_node(registry: &Registry) -> Vec<(String, u64)> {
    const ORDER: [&str; 9] = [
        "logic ≤ 7 nm",
        "logic 8–16 nm",
        "logic 17–28 nm",
        "logic > 28 nm",
        "DRAM ≤ 18 nm hp",
        "DRAM > 18 nm hp",
        "NAND ≥ 128 layers",
        "NAND < 128 layers",
        "node unknown",
    ];
    ORDER
        .iter()
        .map(|bucket| {
            let n = registry
                .facilities
                .iter()
                .filter(|f| node_bucket(f) == *bucket)
                .count() as u64;
            (bucket.to_string(), n)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn matches(f: &FacilityRecord, query: &TableQuery, advanced: &str) -> bool {
    let q = query.q.trim().to_lowercase();
    if !q.is_empty() {
        let hay = f
            .names()
            .chain(f.operator.as_deref())
            .chain(f.city.as_deref())
            .chain(f.country.as_deref())
            .map(str::to_lowercase)
            .collect::<Vec<_>>();
        if !hay.iter().any(|h| h.contains(&q)) && f.id != q {
            return false;
        }
    }
    if !query.advanced.is_empty() && query.advanced != advanced {
        return false;
    }
    if !query.product.is_empty() && f.product.map(|p| p.name()) != Some(query.product.as_str()) {
        return false;
    }
    if !query.node.is_empty() && node_bucket(f) != query.node {
        return false;
    }
    true
}

/// `GET /facilities`.
pub async fn table(caller: Caller, Query(query): Query<TableQuery>) -> Response {
    let (reg, _) = registry();
    let (as_of, error) = match form_date("as of", Some(&query.as_of)) {
        Ok(d) => (d.unwrap_or_else(today), None),
        Err(e) => (today(), Some(e.message)),
    };
    let mut products: Vec<&'static str> = reg
        .facilities
        .iter()
        .filter_map(|f| f.product.map(|p| p.name()))
        .collect();
    products.sort_unstable();
    products.dedup();
    let rows = reg
        .facilities
        .iter()
        .filter_map(|f| {
            let class = classify(f, as_of);
            let advanced = advanced_word(&class);
            matches(f, &query, advanced).then(|| Row {
                id: f.id.clone(),
                name: f.name.clone(),
                operator: f.operator.clone().unwrap_or_default(),
                place: [f.city.as_deref(), f.country.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                product: f.product.map(|p| p.name().to_string()).unwrap_or_default(),
                node: node_text(f),
                advanced,
                why: class.why,
            })
        })
        .collect();
    let chart = charts::bars("Facilities by node", &by_node(reg));
    render(
        StatusCode::OK,
        &TablePage {
            shell: Shell::new(&caller, "facilities", "Facilities"),
            query,
            as_of,
            products,
            rows,
            total: reg.facilities.len(),
            chart,
            error,
        },
    )
}

/// One fact line of the facility page.
pub struct FactView {
    field: String,
    value: String,
    used: bool,
    provenance: String,
}

/// One source of the facility page.
pub struct SourceView {
    key: String,
    publication: String,
    date: String,
    url: Option<String>,
}

/// One step of an ownership chain.
pub struct ChainView {
    depth: usize,
    name: String,
    share: String,
    listed: bool,
}

#[derive(Template)]
#[template(path = "facility.html")]
struct FacilityPage {
    shell: Shell,
    f: FacilityRecord,
    as_of: Date,
    advanced: &'static str,
    why: String,
    missing: Vec<String>,
    dated_after: Vec<String>,
    facts: Vec<FactView>,
    sources: Vec<SourceView>,
    chain: Vec<ChainView>,
    listed_share: Option<String>,
}

/// `GET /facilities/{id}` query.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    as_of: String,
}

/// `GET /facilities/{id}`.
pub async fn page(
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let shell = Shell::new(&caller, "facilities", "Facility");
    let (reg, graph) = registry();
    let Some(f) = reg.facility(&id) else {
        return super::view::error_page(
            shell,
            crate::ApiError::new(
                crate::ErrorCode::NotFound,
                format!("There is no facility `{id}` in the registry; see the Facilities table."),
            ),
        );
    };
    let as_of = match form_date("as of", Some(&query.as_of)) {
        Ok(d) => d.unwrap_or_else(today),
        Err(e) => return super::view::error_page(shell, e),
    };
    let class = classify(f, as_of);
    let record = serde_json::to_value(f).unwrap_or_default();
    let facts = f
        .facts
        .iter()
        .map(|(field, fact)| FactView {
            field: field.clone(),
            value: match &record[field.as_str()] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join("; "),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            },
            used: class.used.iter().any(|u| u.field == field),
            provenance: format!(
                "{} ({}{})",
                fact.sources.join(", "),
                format!("{:?}", fact.confidence).to_lowercase(),
                fact.as_of
                    .map(|d| format!(", as of {d}"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let sources = f
        .source_keys()
        .into_iter()
        .map(|key| match reg.sources.get(key) {
            Some(s) => SourceView {
                key: key.to_string(),
                publication: s.publication.clone(),
                date: s.date.map(|d| d.to_string()).unwrap_or_default(),
                url: s.url.clone().filter(|u| u.starts_with("http")),
            },
            None => SourceView {
                key: key.to_string(),
                publication: "(not in any sources table)".into(),
                date: String::new(),
                url: None,
            },
        })
        .collect();
    let operator = f.operator.as_deref().and_then(|o| graph.find_exact(o));
    let mut chain = Vec::new();
    let mut listed_share = None;
    if let Some(company) = operator {
        let mut seen = vec![company];
        chain.push(ChainView {
            depth: 0,
            name: graph.company(company).name.clone(),
            share: "operator".into(),
            listed: listed_per_registry(graph.company(company)),
        });
        walk_owners(graph, company, as_of, 1, &mut seen, &mut chain);
        let share = graph.listed_share(company, as_of, &listed_per_registry);
        listed_share = Some(format!(
            "{} % held by Entity List parties (registry spellings); affiliates rule: {}",
            share.percent,
            match share.affiliate {
                Some(true) => "applies (50 % or more)",
                Some(false) => "does not apply",
                None => "unknown (shares missing)",
            }
        ));
    }
    render(
        StatusCode::OK,
        &FacilityPage {
            shell: Shell::new(&caller, "facilities", f.name.clone()),
            advanced: advanced_word(&class),
            why: class.why.clone(),
            missing: class.missing.iter().map(|m| m.to_string()).collect(),
            dated_after: class.dated_after.iter().map(|m| m.to_string()).collect(),
            facts,
            sources,
            chain,
            listed_share,
            as_of,
            f: f.clone(),
        },
    )
}

/// Owners of `company`, depth first, at most six levels up (cycles cut).
fn walk_owners(
    graph: &OwnershipGraph,
    company: CompanyId,
    as_of: Date,
    depth: usize,
    seen: &mut Vec<CompanyId>,
    chain: &mut Vec<ChainView>,
) {
    if depth > 6 {
        return;
    }
    for (owner, edge) in graph.owners(company, as_of) {
        let c = graph.company(owner);
        chain.push(ChainView {
            depth,
            name: c.name.clone(),
            share: format!(
                "{}{}",
                edge.percent
                    .map(|p| format!("{p} % "))
                    .unwrap_or_else(|| "share unknown ".into()),
                edge_when(edge)
            ),
            listed: listed_per_registry(c),
        });
        if !seen.contains(&owner) {
            seen.push(owner);
            walk_owners(graph, owner, as_of, depth + 1, seen, chain);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_facility_falls_in_one_chart_bucket() {
        let (reg, _) = registry();
        let total: u64 = by_node(reg).iter().map(|(_, n)| n).sum();
        assert_eq!(total as usize, reg.facilities.len());
    }
}
