//! chokepoint-rules: export-control rules as dated data, and a pure engine that answers "is this
//! item subject to the EAR, is a license required, by which rules, under which review policy,
//! with which license exceptions, and what is still unknown" for a transaction on a date — and
//! the same question under Japan's, the Netherlands' and the EU's regimes when the exporter's
//! country brings them in ([`JurisdictionAnswer`]).
//!
//! **Architecture invariant:** this crate does no I/O, reads no clock and no environment. Rule-set
//! text comes in as `&str` (the shipped set is embedded with `include_str!`), the date is always
//! an argument, and party screening is a caller-supplied [`PartyLookup`]. Parsing returns the
//! value plus every problem ([`RuleSet::parse`], [`parse_records`]); evaluation never panics on
//! outside data.
//!
//! Entry points: [`shipped_ruleset`], [`parse_records`], [`determine`], [`render_memo`],
//! [`diff`], [`reference_markdown`], [`classify_facility`], [`parse_entity_list_terms`].

#![warn(missing_docs)]

mod allied;
pub mod cond;
mod determine;
mod docs;
pub mod eccn;
mod facility;
mod input;
mod memo;
pub mod regime;
mod ruleset;
mod shipped;
pub mod terms;

pub use allied::{JurisdictionAnswer, Licensing, RegimeLicense};
pub use determine::{
    Context, Determination, Evidence, ExceptionOutcome, Exceptions, LicenseRequired, ListHit,
    PartyLookup, Question, RuleOutcome, ScreeningUse, SubjectToEar, determine,
};
pub use docs::{RuleChange, RuleSetDiff, diff, reference_markdown, rule_markdown, rules_on};
pub use facility::{FacilityClass, classify_facility};
pub use input::{
    Activity, Exporter, Facility, FieldProblem, Item, ListStatus, Makes, Ownership, Party, Record,
    RecordError, Role, ServicingPerson, Transaction, parse_records, quote_eccn_like_numbers,
    record_schema,
};
pub use memo::render_memo;
pub use ruleset::{
    Alias, Chart, Confidence, Control, EccnEntry, EccnException, EntryTerms, Group, GroupChange,
    InForce, Meta, Policy, RegimeDef, Review, ReviewClause, Rule, RuleSet, Stage, Status,
    Suspension, TextHint,
};
pub use shipped::{SHIPPED_SOURCES, shipped_ruleset};
pub use terms::{EntityListTerms, parse_entity_list_terms};
