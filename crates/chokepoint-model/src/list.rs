//! Which list an entry is on, which file it came from, and a set of loaded lists.

use crate::{Date, Diagnostic, ListEntry};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The short code of a screening list: `EL`, `MEU`, `UVL`, `DPL`, `SDN`, `SSI`, `CMIC`, `NS-MBS`,
/// `PLC`, `CAP`, `FSE`, `ISN`, `DTC`, `UN`, or a user list's own code (`USER:watch`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ListCode(String);

impl ListCode {
    /// A list code; it is stored as given (trimmed).
    pub fn new(code: impl Into<String>) -> Self {
        ListCode(code.into().trim().to_string())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code for a trade.gov CSL `source` column value, such as
    /// `Entity List (EL) - Bureau of Industry and Security` → `EL`. Returns `None` when the text
    /// carries no parenthesised code.
    pub fn from_csl_source(source: &str) -> Option<ListCode> {
        let open = source.find('(')?;
        let close = source[open..].find(')')? + open;
        let code = source[open + 1..close].trim();
        let code = code.strip_suffix(" List").unwrap_or(code);
        (!code.is_empty()).then(|| ListCode::new(code))
    }

    /// A human name for the well-known codes; the code itself otherwise.
    pub fn long_name(&self) -> &str {
        match self.0.as_str() {
            "EL" => "Entity List (BIS)",
            "MEU" => "Military End User List (BIS)",
            "UVL" => "Unverified List (BIS)",
            "DPL" => "Denied Persons List (BIS)",
            "SDN" => "Specially Designated Nationals (OFAC)",
            "SSI" => "Sectoral Sanctions Identifications (OFAC)",
            "CMIC" => "Non-SDN Chinese Military-Industrial Complex Companies (OFAC)",
            "NS-MBS" => "Non-SDN Menu-Based Sanctions (OFAC)",
            "PLC" => "Palestinian Legislative Council (OFAC)",
            "CAP" => "Correspondent Account or Payable-Through Account Sanctions (OFAC)",
            "FSE" => "Foreign Sanctions Evaders (OFAC)",
            "ISN" => "Nonproliferation Sanctions (State)",
            "DTC" => "ITAR Debarred (State)",
            "UN" => "UN Security Council Consolidated List",
            other => other,
        }
    }
}

impl fmt::Display for ListCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The file formats chokepoint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// trade.gov Consolidated Screening List, CSV export.
    CslCsv,
    /// trade.gov Consolidated Screening List, bulk JSON (`{"results": [...]}`).
    CslJson,
    /// OFAC SDN legacy CSV (`sdn.csv` with `add.csv`, `alt.csv`, `sdn_comments.csv`).
    OfacSdnCsv,
    /// OFAC consolidated non-SDN legacy CSV (`cons_prim.csv` with its companions).
    OfacConsCsv,
    /// BIS Denied Persons List, tab-delimited `dpl.txt`.
    BisDplTxt,
    /// UN Security Council consolidated list XML.
    UnXml,
    /// chokepoint's own list format, YAML.
    UserYaml,
    /// chokepoint's own list format, CSV.
    UserCsv,
    /// Japan's METI End User List, a table converted from METI's PDF (CSV or tab-separated).
    MetiEulCsv,
}

impl SourceFormat {
    /// Stable lowercase name used in CLI output and manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::CslCsv => "csl_csv",
            SourceFormat::CslJson => "csl_json",
            SourceFormat::OfacSdnCsv => "ofac_sdn_csv",
            SourceFormat::OfacConsCsv => "ofac_cons_csv",
            SourceFormat::BisDplTxt => "bis_dpl_txt",
            SourceFormat::UnXml => "un_xml",
            SourceFormat::UserYaml => "user_yaml",
            SourceFormat::UserCsv => "user_csv",
            SourceFormat::MetiEulCsv => "meti_eul_csv",
        }
    }
}

/// What is known about one loaded list file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMeta {
    /// A label for the source: the file name, or the user list's name.
    pub label: String,
    /// The format it was read as.
    pub format: SourceFormat,
    /// The date of the data, when the file says (UN `dateGenerated`, newest listing date...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vintage: Option<Date>,
    /// How many entries were kept.
    pub entries: usize,
    /// How many entries per list code, sorted by code.
    pub counts: Vec<(ListCode, usize)>,
    /// SHA-256 of the file content, hex, when the edge that read it computed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Every entry from a set of list files, with what is known of each file and every problem met.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSet {
    /// One per loaded file (or file group, for OFAC's multi-file formats).
    pub lists: Vec<ListMeta>,
    /// All entries, in load order.
    pub entries: Vec<ListEntry>,
    /// All problems met while reading.
    pub diagnostics: Vec<Diagnostic>,
}

impl ListSet {
    /// Whether no entry is loaded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds another set's lists, entries and problems to this one.
    pub fn extend(&mut self, other: ListSet) {
        self.lists.extend(other.lists);
        self.entries.extend(other.entries);
        self.diagnostics.extend(other.diagnostics);
    }
}

/// Counts entries per list code, sorted by code.
pub fn count_by_list(entries: &[ListEntry]) -> Vec<(ListCode, usize)> {
    let mut counts: std::collections::BTreeMap<ListCode, usize> = Default::default();
    for e in entries {
        *counts.entry(e.list.clone()).or_default() += 1;
    }
    counts.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csl_source_codes() {
        let cases = [
            (
                "Entity List (EL) - Bureau of Industry and Security",
                Some("EL"),
            ),
            (
                "Military End User (MEU) List - Bureau of Industry and Security",
                Some("MEU"),
            ),
            (
                "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
                Some("NS-MBS"),
            ),
            ("Capta List (CAP) - Treasury Department", Some("CAP")),
            ("no code here", None),
        ];
        for (source, code) in cases {
            assert_eq!(
                ListCode::from_csl_source(source)
                    .as_ref()
                    .map(ListCode::as_str),
                code,
                "{source}"
            );
        }
    }
}
