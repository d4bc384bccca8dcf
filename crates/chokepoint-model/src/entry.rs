//! One entry of a screening list, in the same shape whatever file format it came from.

use crate::{Date, ListCode};
use serde::{Deserialize, Serialize};

/// What kind of party an entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyKind {
    /// A company, organisation, government body, university or other legal entity.
    Entity,
    /// A natural person.
    Individual,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
    /// The source does not say. Most BIS lists (Entity List, MEU, UVL) give no type.
    Unknown,
}

impl PartyKind {
    /// Parses the spellings the official files use (`Entity`, `individual`, `Vessel`, `-0-`...).
    /// Returns `None` for a spelling that is not known, so the caller can report it.
    pub fn parse(text: &str) -> Option<PartyKind> {
        let t = text.trim();
        if t.is_empty() || t == "-0-" {
            return Some(PartyKind::Unknown);
        }
        match t.to_ascii_lowercase().as_str() {
            "entity" | "organization" | "organisation" | "company" => Some(PartyKind::Entity),
            "individual" | "person" => Some(PartyKind::Individual),
            "vessel" => Some(PartyKind::Vessel),
            "aircraft" => Some(PartyKind::Aircraft),
            "unknown" => Some(PartyKind::Unknown),
            _ => None,
        }
    }

    /// The lowercase word used in chokepoint's own formats and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Entity => "entity",
            PartyKind::Individual => "individual",
            PartyKind::Vessel => "vessel",
            PartyKind::Aircraft => "aircraft",
            PartyKind::Unknown => "unknown",
        }
    }
}

/// Why a name is attached to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The entry's own name.
    Primary,
    /// A strong alias ("a.k.a.", CSL `alt_names`).
    Alias,
    /// A weak alias (OFAC "weak a.k.a.", UN "Low" quality): shown, scored lower.
    WeakAlias,
    /// A former name ("f.k.a.").
    FormerName,
    /// The name in its native script (中芯国际), as given by the source or a user list.
    Native,
}

/// A name of a list entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntryName {
    /// The name exactly as the source wrote it (trimmed).
    pub text: String,
    /// Why this name is on the entry.
    pub kind: NameKind,
}

impl EntryName {
    /// A name of the given kind.
    pub fn new(text: impl Into<String>, kind: NameKind) -> Self {
        EntryName {
            text: text.into(),
            kind,
        }
    }
}

/// A postal address as far as the source gives it. Only `country` is used by screening filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// Street and house, in one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// City (with state or postal code when the source glues them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 code, when the country could be recognised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The whole address as the source wrote it, when it came as one string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
}

/// One entry of a screening list: a listed party and what its listing means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The list this entry is on (`EL`, `SDN`, `DPL`, `UN`...).
    pub list: ListCode,
    /// The entry's own id in its source file (CSL `_id`, SDN `ent_num`, UN `DATAID`...).
    pub source_id: String,
    /// Entity, individual, vessel, aircraft or unknown.
    pub kind: PartyKind,
    /// Every name; the first is the primary name. Never empty for a kept entry.
    pub names: Vec<EntryName>,
    /// Addresses, in source order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// ISO-2 codes of every country the entry is tied to (addresses, nationality, citizenship),
    /// deduplicated, in first-seen order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Sanctions programs (`SDGT`, `CMIC-EO13959`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// The license requirement as the list states it (Entity List, MEU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_requirement: Option<String>,
    /// The license review policy as the list states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_policy: Option<String>,
    /// Federal Register citations (`85 FR 83420`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub federal_register: Vec<String>,
    /// The date the listing took effect, when the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Date>,
    /// The date the listing ends (Denied Persons orders expire), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Date>,
    /// Title or position (individuals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Dates of birth as written (often only a year).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates_of_birth: Vec<String>,
    /// Identity documents and registration numbers as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Remarks, comments and overflow text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    /// The official page of the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

impl ListEntry {
    /// A new entry with only the required fields; the rest empty.
    pub fn new(
        list: ListCode,
        source_id: impl Into<String>,
        primary_name: impl Into<String>,
    ) -> Self {
        ListEntry {
            list,
            source_id: source_id.into(),
            kind: PartyKind::Unknown,
            names: vec![EntryName::new(primary_name, NameKind::Primary)],
            addresses: Vec::new(),
            countries: Vec::new(),
            programs: Vec::new(),
            license_requirement: None,
            license_policy: None,
            federal_register: Vec::new(),
            start_date: None,
            end_date: None,
            title: None,
            dates_of_birth: Vec::new(),
            ids: Vec::new(),
            remarks: None,
            source_url: None,
        }
    }

    /// The primary name (the first name).
    pub fn primary_name(&self) -> &str {
        self.names.first().map(|n| n.text.as_str()).unwrap_or("")
    }

    /// Adds a name unless the entry already has exactly that text.
    pub fn push_name(&mut self, text: &str, kind: NameKind) {
        let text = text.trim();
        if text.is_empty() || self.names.iter().any(|n| n.text == text) {
            return;
        }
        self.names.push(EntryName::new(text, kind));
    }

    /// Adds an ISO-2 country code unless already present.
    pub fn push_country(&mut self, code: &str) {
        let code = code.trim().to_ascii_uppercase();
        if code.len() == 2 && !self.countries.contains(&code) {
            self.countries.push(code);
        }
    }

    /// Whether the listing is in force on `date`: started on or before it (when a start is
    /// known) and not ended before it (when an end is known).
    pub fn in_force_on(&self, date: Date) -> bool {
        self.start_date.is_none_or(|s| s <= date) && self.end_date.is_none_or(|e| e >= date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("valid test date")
    }

    #[test]
    fn in_force_respects_start_and_end() {
        let mut e = ListEntry::new(ListCode::new("DPL"), "1", "X");
        e.start_date = Some(d("2020-01-01"));
        e.end_date = Some(d("2025-01-01"));
        assert!(!e.in_force_on(d("2019-12-31")));
        assert!(e.in_force_on(d("2020-01-01")));
        assert!(e.in_force_on(d("2025-01-01")));
        assert!(!e.in_force_on(d("2025-01-02")));
    }

    #[test]
    fn party_kind_parses_official_spellings() {
        assert_eq!(PartyKind::parse("individual"), Some(PartyKind::Individual));
        assert_eq!(PartyKind::parse("-0- "), Some(PartyKind::Unknown));
        assert_eq!(PartyKind::parse("Vessel"), Some(PartyKind::Vessel));
        assert_eq!(PartyKind::parse("spaceship"), None);
    }

    #[test]
    fn push_name_skips_duplicates_and_blanks() {
        let mut e = ListEntry::new(ListCode::new("EL"), "1", "SMIC");
        e.push_name("SMIC", NameKind::Alias);
        e.push_name("  ", NameKind::Alias);
        e.push_name("中芯国际", NameKind::Native);
        assert_eq!(e.names.len(), 2);
    }
}
