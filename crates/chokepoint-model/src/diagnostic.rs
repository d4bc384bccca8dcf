//! Problems found while reading user or official data: where, which field, and what is wrong.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a problem is for the record it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The record was kept; a value was repaired or left out.
    Warning,
    /// The record (or the value) could not be used and was skipped.
    Error,
}

/// One problem met while reading a file: the file, the line (1-based, of the physical line where
/// the record starts), the record's own id when known, the field, and a message saying what is
/// wrong and, where possible, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// The file (or other source label) the problem is in.
    pub file: String,
    /// 1-based line of the record, when the format has lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The record's own identifier (CSL `_id`, SDN `ent_num`, UN `DATAID`...), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// The field (column, element or key) concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong, and what was done about it.
    pub message: String,
}

impl Diagnostic {
    /// A warning about `file`; refine it with the builder methods.
    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, message)
    }

    /// An error about `file`; refine it with the builder methods.
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, message)
    }

    fn new(severity: Severity, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: file.into(),
            line: None,
            record: None,
            field: None,
            message: message.into(),
        }
    }

    /// Sets the 1-based line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the record id.
    pub fn in_record(mut self, record: impl Into<String>) -> Self {
        self.record = Some(record.into());
        self
    }

    /// Sets the field.
    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(record) = &self.record {
            write!(f, " record `{record}`")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_every_location_part() {
        let d = Diagnostic::error("sdn.csv", "not a number")
            .at_line(12)
            .in_record("36")
            .in_field("ent_num");
        assert_eq!(
            d.to_string(),
            "error: sdn.csv:12 record `36` field `ent_num`: not a number"
        );
    }
}
