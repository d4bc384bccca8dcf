//! Filling in a transaction record from the registry: a facility named without its 744.23 facts
//! and a party named without its owners get them, with a note naming the facts and sources used.
//! The CLI's `check` and the server's determinations call these, so both answer alike.

use crate::{
    Classification, CompanyId, Edge, FacilityRecord, OwnershipGraph, Registry, classify,
    listed_per_registry, to_rules_facility,
};
use chokepoint_model::Date;
use chokepoint_rules::{Record, RecordError};

/// The lowest score at which a name given by a user is taken to mean a registry facility.
pub const FACILITY_MATCH: f32 = 0.85;

/// The facility a user means by `name`: its id, one of its names (any case), or the best fuzzy
/// match scoring at least [`FACILITY_MATCH`].
pub fn find_facility<'a>(registry: &'a Registry, name: &str) -> Option<&'a FacilityRecord> {
    if let Some(f) = registry.facility(name.trim()) {
        return Some(f);
    }
    let wanted = name.trim().to_lowercase();
    if let Some(f) = registry
        .facilities
        .iter()
        .find(|f| f.names().any(|n| n.to_lowercase() == wanted))
    {
        return Some(f);
    }
    let query = chokepoint_names::normalize(name);
    registry
        .facilities
        .iter()
        .map(|f| {
            let score = f
                .names()
                .map(|n| chokepoint_screening::score(&query, &chokepoint_names::normalize(n)))
                .fold(0.0f32, f32::max);
            (f, score)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, score)| *score >= FACILITY_MATCH)
        .map(|(f, _)| f)
}

/// `yes`, `no` or `unknown`: a classification's answer in one word.
pub fn advanced_word(class: &Classification) -> &'static str {
    match class.advanced {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

/// `, as of DATE [sources]` for an edge, empty parts left out.
pub fn edge_when(edge: &Edge) -> String {
    let mut text = edge
        .as_of
        .map(|d| format!(", as of {d}"))
        .unwrap_or_default();
    if !edge.sources.is_empty() {
        text.push_str(&format!(" [{}]", edge.sources.join(", ")));
    }
    text
}

/// A record that names its facility (`transaction.facility.name`) but gives none of
/// its 744.23 facts gets them from `registry`. Returns, per record, the note saying
/// which registry facility, facts and sources were used (added to the answer's notes).
pub fn fill_facilities(
    registry: &Registry,
    records: &mut [Result<Record, RecordError>],
    as_of_override: Option<Date>,
) -> Vec<Option<String>> {
    records
        .iter_mut()
        .map(|record| {
            let record = record.as_mut().ok()?;
            let facility = record.transaction.facility.as_mut()?;
            let given = facility.makes.is_some()
                || facility.node_nm.is_some()
                || facility.half_pitch_nm.is_some()
                || facility.layers.is_some()
                || facility.non_planar.is_some()
                || facility.cell_area_um2.is_some()
                || facility.density_gb_per_mm2.is_some()
                || facility.tsv_per_die.is_some();
            if given {
                return None;
            }
            let found = find_facility(registry, facility.name.as_deref()?)?;
            let mut filled = to_rules_facility(found);
            filled.name = facility.name.clone();
            filled.owner_hq_country = facility.owner_hq_country.clone();
            *facility = filled;
            let date = as_of_override.unwrap_or(record.as_of);
            let class = classify(found, date);
            let used: Vec<String> = class
                .used
                .iter()
                .map(|u| match &u.fact {
                    Some(f) => format!(
                        "{} = {} [{}; {}{}]",
                        u.field,
                        u.value,
                        f.sources.join(", "),
                        format!("{:?}", f.confidence).to_lowercase(),
                        f.as_of.map(|d| format!(", as of {d}")).unwrap_or_default()
                    ),
                    None => format!("{} = {} [no source]", u.field, u.value),
                })
                .collect();
            Some(format!(
                "Facility facts from the chokepoint registry `{}` ({}): {}; 744.23 advanced-node on {date}: {}{}",
                found.id,
                found.file,
                if used.is_empty() { "none known".to_string() } else { used.join("; ") },
                advanced_word(&class),
                if class.missing.is_empty() {
                    String::new()
                } else {
                    format!(" (unknown: {})", class.missing.join(", "))
                }
            ))
        })
        .collect()
}

/// A party given by name without `ownership` gets its direct owners with known
/// shares from the registry (their list status is then screened like any owner's). Returns, per
/// record, notes saying which edges and sources were used, and the registry's own aggregate.
pub fn fill_ownership(
    registry: &Registry,
    records: &mut [Result<Record, RecordError>],
    as_of_override: Option<Date>,
) -> Vec<Vec<String>> {
    let graph = OwnershipGraph::new(registry);
    records
        .iter_mut()
        .map(|record| {
            let Ok(record) = record.as_mut() else {
                return Vec::new();
            };
            let date = as_of_override.unwrap_or(record.as_of);
            let mut notes = Vec::new();
            for party in record
                .transaction
                .parties
                .iter_mut()
                .filter(|p| p.ownership.is_none())
            {
                let Some(company) = graph.find_exact(&party.name) else {
                    continue;
                };
                let owners = graph.owners(company, date);
                let counted: Vec<(CompanyId, &Edge, f64)> = owners
                    .iter()
                    .filter(|(_, e)| e.relation.counts())
                    .filter_map(|(o, e)| e.percent.map(|p| (*o, *e, p)))
                    .collect();
                if counted.is_empty() {
                    continue;
                }
                party.ownership = Some(
                    counted
                        .iter()
                        .map(|(o, _, p)| {
                            let c = graph.company(*o);
                            chokepoint_rules::Ownership {
                                owner: c.entity_list_name.clone().unwrap_or_else(|| c.name.clone()),
                                percent: *p,
                                owner_lists: None,
                                headquarters_country: None,
                            }
                        })
                        .collect(),
                );
                let edges: Vec<String> = counted
                    .iter()
                    .map(|(o, e, p)| {
                        format!(
                            "{} {p} %{}",
                            graph.company(*o).name,
                            edge_when(e)
                        )
                    })
                    .collect();
                let unknown: Vec<&str> = owners
                    .iter()
                    .filter(|(_, e)| e.relation.counts() && e.percent.is_none())
                    .map(|(o, _)| graph.company(*o).name.as_str())
                    .collect();
                let share = graph.listed_share(company, date, &listed_per_registry);
                notes.push(format!(
                    "Ownership of `{}` from the chokepoint registry as of {date}: {}{}; the registry's aggregate share held by its Entity List names (direct, and through 50 %+ held owners): {} % (affiliate: {})",
                    party.name,
                    edges.join("; "),
                    if unknown.is_empty() {
                        String::new()
                    } else {
                        format!("; share unknown for {}", unknown.join(", "))
                    },
                    share.percent,
                    match share.affiliate {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "unknown",
                    }
                ));
            }
            notes
        })
        .collect()
}

/// One facility as JSON, as `chokepoint facility show --format json` and `GET
/// /v1/facilities/{id}` give it: the record, its classification on `as_of` (`advanced`, `why`,
/// `missing`, `used`, `dated_after`) and the sources it cites (each with its `key`).
pub fn facility_json(
    registry: &Registry,
    facility: &FacilityRecord,
    as_of: Date,
) -> serde_json::Value {
    use serde_json::{Value, json};
    let class = classify(facility, as_of);
    let mut value = serde_json::to_value(facility).unwrap_or(Value::Null);
    let sources: Vec<Value> = facility
        .source_keys()
        .into_iter()
        .map(|key| match registry.sources.get(key) {
            Some(s) => {
                let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut v {
                    map.insert("key".into(), json!(key));
                }
                v
            }
            None => json!({ "key": key }),
        })
        .collect();
    if let Value::Object(map) = &mut value {
        map.insert("as_of".into(), json!(as_of));
        map.insert("advanced".into(), json!(class.advanced));
        map.insert("why".into(), json!(class.why));
        map.insert("missing".into(), json!(class.missing));
        map.insert("used".into(), json!(class.used));
        map.insert("dated_after".into(), json!(class.dated_after));
        map.insert("sources".into(), Value::Array(sources));
    }
    value
}

/// One ownership tie around a party.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tie {
    /// The other company's name.
    pub name: String,
    /// Its exact Entity List spelling, when the registry gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_list_name: Option<String>,
    /// The direct share in %, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// The relation as the source writes it.
    pub relation: String,
    /// `, as of DATE [sources]`.
    pub when: String,
}

/// A facility a party operates or owns.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FacilityRef {
    /// Registry id.
    pub id: String,
    /// Name.
    pub name: String,
    /// 744.23 advanced-node on the date asked: `yes`, `no` or `unknown`.
    pub advanced: &'static str,
}

/// What the registry knows around a party, as of a date: the company it is, its direct owners,
/// what it owns, and the facilities it operates. Empty when the registry does not know it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct PartyContext {
    /// The registry's company name the party was taken for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Direct owners.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<Tie>,
    /// Companies it directly owns or controls.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owned: Vec<Tie>,
    /// Facilities it operates or directly owns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facilities: Vec<FacilityRef>,
    /// An owner whose listing reaches its subsidiaries, so this party is covered by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covered_by: Option<String>,
}

impl PartyContext {
    /// Whether the registry knows nothing around the party.
    pub fn is_empty(&self) -> bool {
        self.company.is_none()
    }
}

/// The registry's knowledge around `name` on `as_of` (see [`PartyContext`]). `graph` must be
/// [`OwnershipGraph::new`] of this `registry`.
pub fn party_context(
    registry: &Registry,
    graph: &OwnershipGraph,
    name: &str,
    as_of: Date,
) -> PartyContext {
    // Exact (normalised) names only: a hit names a list entry, and the registry keeps each
    // listed company's exact list spelling; a fuzzy guess here would pin owners on the wrong
    // company.
    let Some(company) = graph.find_exact(name) else {
        return PartyContext::default();
    };
    let tie = |(other, edge): (CompanyId, &Edge)| {
        let c = graph.company(other);
        Tie {
            name: c.name.clone(),
            entity_list_name: c.entity_list_name.clone(),
            percent: edge.percent,
            relation: edge.relation_text.clone(),
            when: edge_when(edge),
        }
    };
    let facilities = graph
        .facilities_of(company)
        .iter()
        .filter_map(|&index| registry.facilities.get(index))
        .map(|f| FacilityRef {
            id: f.id.clone(),
            name: f.name.clone(),
            advanced: advanced_word(&classify(f, as_of)),
        })
        .collect();
    PartyContext {
        company: Some(graph.company(company).name.clone()),
        owners: graph.owners(company, as_of).into_iter().map(tie).collect(),
        owned: graph.owned(company, as_of).into_iter().map(tie).collect(),
        facilities,
        covered_by: graph
            .covered_by_parent_listing(company, as_of)
            .map(|p| graph.company(p).name.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().expect("test date")
    }

    #[test]
    fn smic_context_names_owners_and_fabs() {
        let (registry, _) = crate::shipped();
        let graph = OwnershipGraph::new(&registry);
        let context = party_context(
            &registry,
            &graph,
            "Semiconductor Manufacturing International Corporation",
            date("2025-06-01"),
        );
        assert!(context.company.is_some(), "{context:?}");
        assert!(
            !context.owned.is_empty() || !context.facilities.is_empty(),
            "SMIC owns subsidiaries and operates fabs in the registry: {context:?}"
        );
    }

    #[test]
    fn unknown_party_has_empty_context() {
        let (registry, _) = crate::shipped();
        let graph = OwnershipGraph::new(&registry);
        let context = party_context(&registry, &graph, "Zyxwv Qutsr Bakery", date("2025-06-01"));
        assert!(context.is_empty());
        assert_eq!(context, PartyContext::default());
    }

    #[test]
    fn find_facility_by_id_name_and_fuzzy() {
        let (registry, _) = crate::shipped();
        let first = &registry.facilities[0];
        assert_eq!(
            find_facility(&registry, &first.id).map(|f| &f.id),
            Some(&first.id)
        );
        assert_eq!(
            find_facility(&registry, &first.name.to_uppercase()).map(|f| &f.id),
            Some(&first.id)
        );
        assert!(find_facility(&registry, "Zyxwv Qutsr Bakery").is_none());
    }
}
