//! Whole-file failures: what could not be read, in which file, and how to fix it.
//!
//! A file that cannot be read at all is an [`IngestError`]; a bad record inside a readable file
//! is a [`chokepoint_model::Diagnostic`] and the rest of the file is kept.

use chokepoint_model::SourceFormat;

/// Why a whole file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The content matches none of the formats chokepoint reads.
    #[error(
        "`{label}`: not a recognised list format (expected trade.gov CSL CSV/JSON, OFAC SDN/consolidated CSV, BIS DPL text, UN XML, or chokepoint YAML/CSV)"
    )]
    UnrecognisedFormat {
        /// The file.
        label: String,
    },
    /// The file holds no bytes (or only blanks).
    #[error("`{label}`: the file is empty; download or export the list again")]
    Empty {
        /// The file.
        label: String,
    },
    /// The file was taken for `format` but its structure is broken beyond single records.
    #[error("`{label}`: cannot be read as {}: {reason}", format.as_str())]
    Malformed {
        /// The file.
        label: String,
        /// The format it was read as.
        format: SourceFormat,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// An OFAC companion file (`add.csv`, `alt.csv`, `sdn_comments.csv`, `cons_*`) given without
    /// the primary file it completes.
    #[error(
        "`{label}`: this OFAC {role} file only completes a primary file (`sdn.csv` or `cons_prim.csv`); pass them together"
    )]
    CompanionWithoutPrimary {
        /// The file.
        label: String,
        /// What the companion holds: addresses, aliases or remarks.
        role: &'static str,
    },
}

impl IngestError {
    /// The file the error is about.
    pub fn label(&self) -> &str {
        match self {
            IngestError::UnrecognisedFormat { label }
            | IngestError::Empty { label }
            | IngestError::Malformed { label, .. }
            | IngestError::CompanionWithoutPrimary { label, .. } => label,
        }
    }

    pub(crate) fn malformed(label: &str, format: SourceFormat, reason: impl Into<String>) -> Self {
        IngestError::Malformed {
            label: label.to_string(),
            format,
            reason: reason.into(),
        }
    }
}
