//! Screening: an in-memory index over list entries and a name matcher whose every score explains
//! itself.
//!
//! Pure and deterministic: the same entries, query and `as_of` always give the same hits. No I/O,
//! no clock; the caller passes the date.

#![warn(missing_docs)]

mod distance;
mod index;
pub mod score;

pub use index::{Filters, Hit, Index, Scratch};
pub use score::{Comparison, DEFAULT_THRESHOLD, Method, TokenHow, TokenMatch, compare, score};
