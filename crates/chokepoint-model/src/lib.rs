//! Domain vocabulary of chokepoint: what a screening list entry is, whose names it carries, where
//! it is, and what a problem found while reading data looks like.
//!
//! This crate is plain data. It does no I/O, reads no clock and no environment. Types derive
//! `serde` because list snapshots are persisted and exchanged as JSON by the edges; the wire
//! shapes of the CLI and HTTP answers live in `chokepoint-engine`, not here.

#![warn(missing_docs)]

pub mod country;
mod diagnostic;
mod entry;
mod list;

pub use diagnostic::{Diagnostic, Severity};
pub use entry::{Address, EntryName, ListEntry, NameKind, PartyKind};
pub use list::{ListCode, ListMeta, ListSet, SourceFormat, count_by_list};

/// A calendar date without time zone. Every "as of" in chokepoint is one of these, passed in.
pub type Date = chrono::NaiveDate;
