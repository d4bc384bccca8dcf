//! The crate's single integration-test binary: data-driven checks of the shipped rule set against
//! the worked examples and our own fixtures, the parsers' error reporting, and codegen freshness.

mod allied;
mod common;
mod csl_terms;
mod examples;
mod fixtures;
mod generated;
mod records;
mod reference_tables;
mod robustness;
mod ruleset_errors;
mod screening;
mod tidy;
