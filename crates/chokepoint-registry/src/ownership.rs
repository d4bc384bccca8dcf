//! The ownership graph and the affiliates rule (15 CFR 744.11(a)(1), 90 FR 47201): who owns
//! whom as of a date, and how much of a company listed parties own in aggregate.
//!
//! **Companies.** A company is identified by its normalised name (`chokepoint_names`): the
//! Entity List spelling when an edge gives one, else the name; a trailing parenthesis ("(SMIC)",
//! "(Big Fund II)") is also dropped for identity, so "X (SMIC)" and "X" are one company.
//!
//! **Edges as of a date.** For each (parent, child) pair, the dated edge with the latest `as_of`
//! on or before the date wins (a year `2020` starts on 2020-01-01); an undated edge applies when
//! no dated one does. Edges dated after the date are ignored. Only `owns…` and `controls…`
//! relations count toward the 50 %; planned/agreed acquisitions and supervision do not.
//!
//! **Aggregate listed share (our method).** Following 90 FR 47201 (and OFAC's 50 % rule, which
//! it mirrors), ownership is counted "directly or indirectly, individually or in the aggregate":
//!
//! 1. a direct owner that is listed contributes its whole direct share;
//! 2. a direct owner that is *not* listed but is itself owned 50 % or more by listed parties (an
//!    affiliate, by the same method, recursively) counts as a listed party: it contributes its
//!    whole direct share (not the product along the chain);
//! 3. a direct owner that is owned less than 50 % by listed parties contributes nothing: shares
//!    are not multiplied through minority-held intermediates;
//! 4. the contributions add up; the company is an affiliate at 50 % or more.
//!
//! A listed or affiliate owner with an unknown share, or an owner whose own status is unknown,
//! makes the answer *unknown* unless the known shares already reach 50 %. Cycles are cut.
//! Which companies are listed is the caller's [`Listed`] predicate, so the engine can answer
//! with real screening; this module does no lookup of its own.

use crate::model::{Edge, EdgeOrigin, Registry, Relation};
use chokepoint_model::{Date, ListEntry};
use chokepoint_rules::{RuleSet, Status};
use serde::Serialize;
use std::collections::HashMap;

/// The id of the affiliates rule in the rule set (its dates are read from there).
pub const AFFILIATES_RULE_ID: &str = "el-affiliates";

/// Index of a company in an [`OwnershipGraph`].
pub type CompanyId = usize;

/// A company in the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Company {
    /// Display name (the first name seen).
    pub name: String,
    /// Exact Entity List spelling, when any source gives one.
    pub entity_list_name: Option<String>,
    /// Other names seen for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    /// Its list entry says the listing reaches its subsidiaries ("and its subsidiaries", "and
    /// any successor, sub-unit, or subsidiary thereof").
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub listing_covers_subsidiaries: bool,
}

/// Decides whether a company is listed (Entity List, MEU List...) on the date asked about.
pub trait Listed {
    /// Whether `company` is a listed party.
    fn is_listed(&self, company: &Company) -> bool;
}

impl<F: Fn(&Company) -> bool> Listed for F {
    fn is_listed(&self, company: &Company) -> bool {
        self(company)
    }
}

/// The registry's own view: a company with an Entity List spelling is listed (CSL snapshot
/// 2026-07-31). Use real screening for a decision.
pub fn listed_per_registry(company: &Company) -> bool {
    company.entity_list_name.is_some()
}

/// How an owner's share counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Basis {
    /// The owner is listed.
    Listed,
    /// The owner is not listed but is itself an affiliate (owned ≥ 50 % by listed parties).
    Affiliate {
        /// The owner's own aggregate listed share.
        owner_share: f64,
    },
}

/// One owner counted toward the aggregate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The owner.
    pub owner: String,
    /// Its direct share; `None` when no source states it.
    pub percent: Option<f64>,
    /// Why it counts.
    pub basis: Basis,
    /// The edge.
    pub edge: Edge,
}

/// The aggregate share listed parties hold in a company on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedShare {
    /// The company.
    pub company: String,
    /// Whether the company is itself listed.
    pub listed: bool,
    /// Sum of the known counted shares (capped at 100).
    pub percent: f64,
    /// Owned 50 % or more by listed parties: yes, no, or unknown.
    pub affiliate: Option<bool>,
    /// The owners counted.
    pub contributions: Vec<Contribution>,
    /// Owners whose status as affiliate is unknown (their share might count).
    pub undecided: Vec<String>,
}

/// The affiliates rule on a date, read from the rule set's dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum AffiliatesRule {
    /// Before it took effect.
    NotYet {
        /// Effective date.
        effective: Date,
    },
    /// In force.
    InForce {
        /// Citation.
        citation: String,
    },
    /// Suspended.
    Suspended {
        /// First suspended day.
        from: Date,
        /// Last suspended day.
        until: Option<Date>,
        /// The suspending act.
        citation: String,
    },
    /// Ended.
    Ended,
    /// The rule set has no affiliates rule.
    Absent,
}

impl AffiliatesRule {
    /// Whether the rule applies (in force and not suspended).
    pub fn applies(&self) -> bool {
        matches!(self, AffiliatesRule::InForce { .. })
    }
}

/// The affiliates rule's status on `date`, from the rule `el-affiliates` of `ruleset`.
pub fn affiliates_rule(ruleset: &RuleSet, date: Date) -> AffiliatesRule {
    let Some(rule) = ruleset.rule(AFFILIATES_RULE_ID) else {
        return AffiliatesRule::Absent;
    };
    match rule.in_force.status(date) {
        Status::NotYet => AffiliatesRule::NotYet {
            effective: rule.in_force.effective,
        },
        Status::InForce | Status::BeforeCompliance(_) => AffiliatesRule::InForce {
            citation: rule.citation.clone(),
        },
        Status::Suspended(s) => AffiliatesRule::Suspended {
            from: s.from,
            until: s.until,
            citation: s.citation.clone(),
        },
        Status::Ended => AffiliatesRule::Ended,
    }
}

/// Whether the affiliates rule applies on `date` (in force, not suspended).
pub fn affiliates_rule_applies(ruleset: &RuleSet, date: Date) -> bool {
    affiliates_rule(ruleset, date).applies()
}

/// Edges derived from list entries' own words:
///
/// - a name "X. Affiliated Entity: Y" makes Y controlled by X (share unknown);
/// - a name "X (a subsidiary of Y)" makes X controlled by Y (share unknown);
/// - two entities listed at the same full address (street, city and country, on the same list)
///   are tied by a `shares a listed address with` edge, which is shown but never counts as
///   ownership.
///
/// The wording "and its subsidiaries" / "and any successor, sub-unit, or subsidiary thereof"
/// makes no edge: it says the listing reaches the entity's subsidiaries, which
/// [`OwnershipGraph::add_list_entries`] records on the company (see
/// [`Company::listing_covers_subsidiaries`]).
pub fn edges_from_list_entries(entries: &[ListEntry]) -> Vec<Edge> {
    const AFFILIATED: &str = "Affiliated Entity:";
    let mut edges = Vec::new();
    let origin = |entry: &ListEntry| EdgeOrigin::List {
        list: entry.list.to_string(),
        source_id: entry.source_id.clone(),
    };
    let tidy = |text: &str| {
        text.trim()
            .trim_end_matches(['.', ',', ';'])
            .trim()
            .to_string()
    };
    for entry in entries {
        for name in &entry.names {
            if let Some(i) = name.text.find(AFFILIATED) {
                let parent = tidy(&name.text[..i]);
                let child = tidy(&name.text[i + AFFILIATED.len()..]);
                if !parent.is_empty() && !child.is_empty() {
                    edges.push(Edge {
                        child,
                        child_entity_list_name: Some(name.text.clone()),
                        parent: parent.clone(),
                        parent_entity_list_name: Some(parent),
                        relation: Relation::Controls,
                        relation_text: "controls (Entity List \"Affiliated Entity\")".into(),
                        percent: None,
                        as_of: None,
                        sources: vec![format!("{}:{}", entry.list, entry.source_id)],
                        confidence: None,
                        note: Some("derived from the listed name; share not stated".into()),
                        origin: origin(entry),
                    });
                }
            }
            if let Some((child, parent)) = subsidiary_of(&name.text) {
                edges.push(Edge {
                    child_entity_list_name: Some(name.text.clone()),
                    child,
                    parent,
                    parent_entity_list_name: None,
                    relation: Relation::Controls,
                    relation_text: "controls (listed \"a subsidiary of\")".into(),
                    percent: None,
                    as_of: None,
                    sources: vec![format!("{}:{}", entry.list, entry.source_id)],
                    confidence: None,
                    note: Some("derived from the listed name; share not stated".into()),
                    origin: origin(entry),
                });
            }
        }
    }
    edges.extend(shared_address_edges(entries));
    edges
}

/// "X (a subsidiary of Y)" → `(X, Y)`.
fn subsidiary_of(name: &str) -> Option<(String, String)> {
    let lower = name.to_ascii_lowercase();
    let at = lower.find("(a subsidiary of ")?;
    let close = lower[at..].find(')')? + at;
    let child = name[..at].trim().trim_end_matches(',').trim();
    let parent = name[at + "(a subsidiary of ".len()..close].trim();
    (!child.is_empty() && !parent.is_empty()).then(|| (child.to_string(), parent.to_string()))
}

/// Whether a listed name extends the listing to the entity's subsidiaries.
pub fn covers_subsidiaries(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("and its subsidiaries")
        || lower.contains("or subsidiary thereof")
        || lower.contains("and subsidiaries thereof")
}

/// The name a "covers its subsidiaries" wording qualifies: the text before it.
fn covered_name(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    let cut = [
        "and its subsidiaries",
        "and any successor",
        "and subsidiaries thereof",
    ]
    .iter()
    .filter_map(|w| lower.find(w))
    .min()
    .unwrap_or(name.len());
    name[..cut].trim().trim_end_matches([',', ';']).trim()
}

/// Entities of one list sharing a full address (street, city and country all given).
fn shared_address_edges(entries: &[ListEntry]) -> Vec<Edge> {
    let mut by_address: HashMap<(String, String), Vec<&ListEntry>> = HashMap::new();
    for entry in entries
        .iter()
        .filter(|e| e.kind == chokepoint_model::PartyKind::Entity)
    {
        for address in &entry.addresses {
            let (Some(street), Some(city), Some(country)) =
                (&address.street, &address.city, &address.country)
            else {
                continue;
            };
            let key = format!("{street} {city} {country}")
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if street.trim().len() < 6 {
                continue;
            }
            let group = by_address.entry((entry.list.to_string(), key)).or_default();
            if !group.iter().any(|e| e.source_id == entry.source_id) {
                group.push(entry);
            }
        }
    }
    let mut edges = Vec::new();
    let mut groups: Vec<_> = by_address.into_iter().collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, group) in groups {
        // A building that houses dozens of listed entities (registered agents) says nothing.
        if group.len() < 2 || group.len() > 5 {
            continue;
        }
        for pair in group.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (Some(a_name), Some(b_name)) = (a.names.first(), b.names.first()) else {
                continue;
            };
            edges.push(Edge {
                child: a_name.text.clone(),
                child_entity_list_name: Some(a_name.text.clone()),
                parent: b_name.text.clone(),
                parent_entity_list_name: Some(b_name.text.clone()),
                relation: Relation::Other,
                relation_text: "shares a listed address with".into(),
                percent: None,
                as_of: None,
                sources: vec![
                    format!("{}:{}", a.list, a.source_id),
                    format!("{}:{}", b.list, b.source_id),
                ],
                confidence: None,
                note: Some("same street, city and country on the list; not ownership".into()),
                origin: EdgeOrigin::List {
                    list: a.list.to_string(),
                    source_id: a.source_id.clone(),
                },
            });
        }
    }
    edges
}

/// Identity keys of a name: normalised, and normalised without a trailing parenthesis.
fn keys(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |text: &str| {
        let n = chokepoint_names::normalize(text);
        let key = if n.compact.is_empty() {
            n.native.clone()
        } else {
            n.compact.clone()
        };
        if !key.is_empty() && !out.contains(&key) {
            out.push(key);
        }
    };
    push(name);
    let trimmed = name.trim();
    if trimmed.ends_with(')')
        && let Some(open) = trimmed.rfind('(')
        && open > 0
    {
        push(&trimmed[..open]);
    }
    out
}

/// Companies and the dated edges between them.
#[derive(Debug, Clone, Default)]
pub struct OwnershipGraph {
    companies: Vec<Company>,
    by_key: HashMap<String, CompanyId>,
    /// (child, parent, edge).
    edges: Vec<(CompanyId, CompanyId, Edge)>,
    /// The registry facilities (indices into `Registry::facilities`) that each company
    /// operates or owns, resolved once in [`OwnershipGraph::new`]: answering "which fabs does
    /// this hit run" per screening by normalising every facility's names was the service's
    /// largest cost.
    facilities: HashMap<CompanyId, Vec<usize>>,
}

impl OwnershipGraph {
    /// The graph of a registry: its ownership edges, then its facilities' owner rows (the
    /// operator is the child).
    pub fn new(registry: &Registry) -> OwnershipGraph {
        let mut graph = OwnershipGraph::default();
        for edge in &registry.edges {
            graph.add_edge(edge.clone());
        }
        for facility in &registry.facilities {
            let Some(operator) = &facility.operator else {
                continue;
            };
            for owner in &facility.owners {
                graph.add_edge(Edge {
                    child: operator.clone(),
                    child_entity_list_name: facility.operator_entity_list_name.clone(),
                    parent: owner.owner.clone(),
                    parent_entity_list_name: None,
                    relation: Relation::Owns,
                    relation_text: "owns".into(),
                    percent: owner.percent,
                    as_of: owner.as_of,
                    sources: owner.sources.clone(),
                    confidence: owner.confidence,
                    note: None,
                    origin: EdgeOrigin::Facility {
                        id: facility.id.clone(),
                    },
                });
            }
        }
        for (index, facility) in registry.facilities.iter().enumerate() {
            let names = facility
                .operator
                .iter()
                .chain(&facility.operator_entity_list_name)
                .chain(facility.owners.iter().map(|o| &o.owner));
            for name in names {
                if let Some(company) = graph.find_exact(name) {
                    let list = graph.facilities.entry(company).or_default();
                    if list.last() != Some(&index) {
                        list.push(index);
                    }
                }
            }
        }
        graph
    }

    /// Indices into the `Registry::facilities` this graph was built from ([`OwnershipGraph::new`])
    /// of the facilities `company` operates or owns, in registry order. Companies added after
    /// construction have none.
    pub fn facilities_of(&self, company: CompanyId) -> &[usize] {
        self.facilities.get(&company).map_or(&[], Vec::as_slice)
    }

    /// The company for a name (and Entity List spelling), added when new.
    pub fn company_for(&mut self, name: &str, entity_list_name: Option<&str>) -> CompanyId {
        let mut all_keys = Vec::new();
        for text in entity_list_name.into_iter().chain([name]) {
            for key in keys(text) {
                if !all_keys.contains(&key) {
                    all_keys.push(key);
                }
            }
        }
        let found = all_keys.iter().find_map(|k| self.by_key.get(k).copied());
        let id = match found {
            Some(id) => {
                let company = &mut self.companies[id];
                if company.entity_list_name.is_none() {
                    company.entity_list_name = entity_list_name.map(String::from);
                }
                if company.name != name && !company.other_names.iter().any(|n| n == name) {
                    company.other_names.push(name.to_string());
                }
                id
            }
            None => {
                self.companies.push(Company {
                    name: name.to_string(),
                    entity_list_name: entity_list_name.map(String::from),
                    other_names: Vec::new(),
                    listing_covers_subsidiaries: false,
                });
                self.companies.len() - 1
            }
        };
        for key in all_keys {
            self.by_key.entry(key).or_insert(id);
        }
        id
    }

    /// Adds an edge (from a file, a facility or a list entry).
    pub fn add_edge(&mut self, edge: Edge) {
        let child = self.company_for(&edge.child, edge.child_entity_list_name.as_deref());
        let parent = self.company_for(&edge.parent, edge.parent_entity_list_name.as_deref());
        if child != parent {
            self.edges.push((child, parent, edge));
        }
    }

    /// Adds the edges hidden in list entries' words ([`edges_from_list_entries`]), and marks
    /// the companies whose listing reaches their subsidiaries ([`covers_subsidiaries`]).
    pub fn add_list_entries(&mut self, entries: &[ListEntry]) {
        for edge in edges_from_list_entries(entries) {
            self.add_edge(edge);
        }
        for entry in entries {
            for name in entry.names.iter().filter(|n| covers_subsidiaries(&n.text)) {
                let covered = covered_name(&name.text);
                if covered.is_empty() {
                    continue;
                }
                let id = self.company_for(covered, Some(covered));
                self.companies[id].listing_covers_subsidiaries = true;
            }
        }
    }

    /// A listed company whose listing reaches its subsidiaries and that owns or controls
    /// `company` on `as_of`, if any: `company` is then covered by that listing itself.
    pub fn covered_by_parent_listing(&self, company: CompanyId, as_of: Date) -> Option<CompanyId> {
        self.owners(company, as_of)
            .into_iter()
            .filter(|(_, e)| e.relation.counts())
            .map(|(p, _)| p)
            .find(|p| self.companies[*p].listing_covers_subsidiaries)
    }

    /// Every company.
    pub fn companies(&self) -> &[Company] {
        &self.companies
    }

    /// One company.
    pub fn company(&self, id: CompanyId) -> &Company {
        &self.companies[id]
    }

    /// The company a name is known under exactly (after normalisation), if any.
    pub fn find_exact(&self, name: &str) -> Option<CompanyId> {
        keys(name).iter().find_map(|k| self.by_key.get(k).copied())
    }

    /// Companies whose name (or Entity List spelling) matches `name` with a score of at least
    /// `threshold`, best first; an exact match alone when there is one.
    pub fn find(&self, name: &str, threshold: f32) -> Vec<(CompanyId, f32)> {
        if let Some(id) = self.find_exact(name) {
            return vec![(id, 1.0)];
        }
        let query = chokepoint_names::normalize(name);
        let mut hits: Vec<(CompanyId, f32)> = self
            .companies
            .iter()
            .enumerate()
            .filter_map(|(id, c)| {
                let best = std::iter::once(&c.name)
                    .chain(c.entity_list_name.as_ref())
                    .chain(c.other_names.iter())
                    .map(|n| chokepoint_screening::score(&query, &chokepoint_names::normalize(n)))
                    .fold(0.0f32, f32::max);
                (best >= threshold).then_some((id, best))
            })
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits
    }

    /// The edges in force on `as_of`, one per (child, parent) pair, filtered by `keep`.
    fn current(
        &self,
        as_of: Date,
        keep: impl Fn(CompanyId, CompanyId) -> bool,
    ) -> Vec<&(CompanyId, CompanyId, Edge)> {
        let mut best: Vec<&(CompanyId, CompanyId, Edge)> = Vec::new();
        for item in self.edges.iter().filter(|(c, p, _)| keep(*c, *p)) {
            let edge = &item.2;
            if edge.as_of.is_some_and(|d| d.start() > as_of) {
                continue;
            }
            match best.iter_mut().find(|b| b.0 == item.0 && b.1 == item.1) {
                None => best.push(item),
                Some(slot) => {
                    let newer = match (edge.as_of, slot.2.as_of) {
                        (Some(a), Some(b)) => a > b,
                        (Some(_), None) => true,
                        _ => false,
                    };
                    if newer {
                        *slot = item;
                    }
                }
            }
        }
        best
    }

    /// The direct owners of `company` on `as_of` (one edge per owner).
    pub fn owners(&self, company: CompanyId, as_of: Date) -> Vec<(CompanyId, &Edge)> {
        self.current(as_of, |c, _| c == company)
            .into_iter()
            .map(|(_, p, e)| (*p, e))
            .collect()
    }

    /// The companies `company` directly owns or controls on `as_of`.
    pub fn owned(&self, company: CompanyId, as_of: Date) -> Vec<(CompanyId, &Edge)> {
        self.current(as_of, |_, p| p == company)
            .into_iter()
            .map(|(c, _, e)| (*c, e))
            .collect()
    }

    /// The aggregate share listed parties hold in `company` on `as_of` (see the module doc).
    pub fn listed_share(
        &self,
        company: CompanyId,
        as_of: Date,
        listed: &dyn Listed,
    ) -> ListedShare {
        let mut stack = vec![company];
        self.share(company, as_of, listed, &mut stack)
    }

    fn share(
        &self,
        company: CompanyId,
        as_of: Date,
        listed: &dyn Listed,
        stack: &mut Vec<CompanyId>,
    ) -> ListedShare {
        let mut contributions = Vec::new();
        let mut undecided = Vec::new();
        for (owner, edge) in self.owners(company, as_of) {
            if !edge.relation.counts() {
                continue;
            }
            let owner_company = &self.companies[owner];
            if listed.is_listed(owner_company) {
                contributions.push(Contribution {
                    owner: owner_company.name.clone(),
                    percent: edge.percent,
                    basis: Basis::Listed,
                    edge: edge.clone(),
                });
                continue;
            }
            if stack.contains(&owner) {
                continue;
            }
            stack.push(owner);
            let sub = self.share(owner, as_of, listed, stack);
            stack.pop();
            match sub.affiliate {
                Some(true) => contributions.push(Contribution {
                    owner: owner_company.name.clone(),
                    percent: edge.percent,
                    basis: Basis::Affiliate {
                        owner_share: sub.percent,
                    },
                    edge: edge.clone(),
                }),
                None => undecided.push(owner_company.name.clone()),
                Some(false) => {}
            }
        }
        let sum: f64 = contributions.iter().filter_map(|c| c.percent).sum();
        let percent = sum.min(100.0);
        let unknown_share = contributions.iter().any(|c| c.percent.is_none());
        let affiliate = if percent >= 50.0 - 1e-9 {
            Some(true)
        } else if unknown_share || !undecided.is_empty() {
            None
        } else {
            Some(false)
        };
        ListedShare {
            company: self.companies[company].name.clone(),
            listed: listed.is_listed(&self.companies[company]),
            percent,
            affiliate,
            contributions,
            undecided,
        }
    }
}
