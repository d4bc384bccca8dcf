//! chokepoint-registry: the facility registry (which fabs are advanced-node under 744.23) and
//! the ownership graph (who owns whom, and how much listed parties own under the affiliates
//! rule), as of a date.
//!
//! **Architecture invariant:** pure, like `chokepoint-rules`: file text comes in as `&str` (the
//! shipped `registry/*.yaml` are embedded with `include_str!`), the date is always an argument,
//! and which companies are listed is a caller-supplied [`Listed`] predicate. Parsers return the
//! value plus every problem (file, line, record, field); no outside value is unwrapped.
//!
//! Entry points: [`shipped`], [`parse_file`], [`classify`], [`OwnershipGraph`],
//! [`affiliates_rule`].

#![warn(missing_docs)]

mod classify;
mod enrich;
mod model;
mod ownership;
mod parse;

pub use classify::{Classification, UsedFact, classify, to_rules_facility};
pub use enrich::{
    FACILITY_MATCH, FacilityRef, PartyContext, Tie, advanced_word, edge_when, facility_json,
    fill_facilities, fill_ownership, find_facility, party_context,
};
pub use model::{
    Confidence, Edge, EdgeOrigin, FacilityRecord, FacilityStatus, Fact, OwnerShare, PartialDate,
    Product, Registry, Relation, Source, Transistor,
};
pub use ownership::{
    AFFILIATES_RULE_ID, AffiliatesRule, Basis, Company, CompanyId, Contribution, Listed,
    ListedShare, OwnershipGraph, affiliates_rule, affiliates_rule_applies, covers_subsidiaries,
    edges_from_list_entries, listed_per_registry,
};
pub use parse::{
    DECIDING_FIELDS, RegistryError, check_source_keys, parse_facilities_csv, parse_facilities_yaml,
    parse_file, parse_ownership_csv, parse_ownership_yaml,
};

use chokepoint_model::Diagnostic;

/// The shipped registry files, as `(label, text)` pairs (labels relative to the repository).
pub const SHIPPED_FILES: &[(&str, &str)] = &[
    (
        "registry/facilities.yaml",
        include_str!("../../../registry/facilities.yaml"),
    ),
    (
        "registry/ownership.yaml",
        include_str!("../../../registry/ownership.yaml"),
    ),
];

/// The shipped registry (facilities, ownership edges, sources) and the problems met reading it.
pub fn shipped() -> (Registry, Vec<Diagnostic>) {
    load(SHIPPED_FILES.iter().copied())
}

/// Reads several registry files, in order, into one registry; checks source keys across them.
/// A file of unknown kind is reported as an error and skipped.
pub fn load<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (Registry, Vec<Diagnostic>) {
    let mut registry = Registry::default();
    let mut problems = Vec::new();
    for (label, text) in files {
        match parse_file(label, text) {
            Ok((part, mut found)) => {
                registry.extend(part);
                problems.append(&mut found);
            }
            Err(e) => problems.push(Diagnostic::error(label, e.to_string())),
        }
    }
    problems.extend(check_source_keys(&registry));
    (registry, problems)
}
