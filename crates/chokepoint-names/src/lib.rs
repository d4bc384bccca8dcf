//! Name normalisation for screening: Unicode folding, transliteration of every script to Latin,
//! Chinese simplified/traditional folding and Hanyu Pinyin, legal forms, abbreviations, tokens and
//! phonetic keys.
//!
//! Pure functions on `&str`: no I/O, no clock, no dependency on the rest of chokepoint (like
//! rust-analyzer's `syntax`). The tables (Unicode, transliteration, pinyin, simplified ↔
//! traditional, Double Metaphone) come from well-kept crates; the word lists that decide how much
//! a token counts are ours, in [`lexicon`](crate::TokenClass).

#![warn(missing_docs)]

mod lexicon;
mod normalize;
mod phonetic;
mod script;
mod variants;

pub use lexicon::TokenClass;
pub use normalize::{NormalizedName, Origin, Token, normalize};
pub use phonetic::{consonant_skeleton, phonetic_key};
pub use script::Script;
pub use variants::name_variants;
