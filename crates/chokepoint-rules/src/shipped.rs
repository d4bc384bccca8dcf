//! The rule set shipped in `rulesets/ear/` (the EAR) and `rulesets/{jp,nl,eu}/` (the allied
//! regimes), embedded so the binary answers with no files around.

use crate::ruleset::RuleSet;
use chokepoint_model::Diagnostic;

/// The shipped rule files, as `(label, text)` pairs (labels are paths relative to the repository).
pub const SHIPPED_SOURCES: &[(&str, &str)] = &[
    (
        "rulesets/ear/ruleset.toml",
        include_str!("../../../rulesets/ear/ruleset.toml"),
    ),
    (
        "rulesets/ear/countries.toml",
        include_str!("../../../rulesets/ear/countries.toml"),
    ),
    (
        "rulesets/ear/eccns.toml",
        include_str!("../../../rulesets/ear/eccns.toml"),
    ),
    (
        "rulesets/ear/activities.toml",
        include_str!("../../../rulesets/ear/activities.toml"),
    ),
    (
        "rulesets/ear/jurisdiction.toml",
        include_str!("../../../rulesets/ear/jurisdiction.toml"),
    ),
    (
        "rulesets/ear/licensing.toml",
        include_str!("../../../rulesets/ear/licensing.toml"),
    ),
    (
        "rulesets/ear/end_use.toml",
        include_str!("../../../rulesets/ear/end_use.toml"),
    ),
    (
        "rulesets/ear/exceptions.toml",
        include_str!("../../../rulesets/ear/exceptions.toml"),
    ),
    (
        "rulesets/ear/entries.toml",
        include_str!("../../../rulesets/ear/entries.toml"),
    ),
    (
        "rulesets/jp/jp.toml",
        include_str!("../../../rulesets/jp/jp.toml"),
    ),
    (
        "rulesets/nl/nl.toml",
        include_str!("../../../rulesets/nl/nl.toml"),
    ),
    (
        "rulesets/eu/eu.toml",
        include_str!("../../../rulesets/eu/eu.toml"),
    ),
];

/// Parses the shipped rule set.
pub fn shipped_ruleset() -> (RuleSet, Vec<Diagnostic>) {
    RuleSet::parse(SHIPPED_SOURCES)
}
