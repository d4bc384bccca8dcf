//! The registry's records: facilities with a sourced fact per field, ownership edges, sources.
//!
//! A `None` field is *unknown*, never "no": the registry never guesses (see `registry/README.md`).

use chokepoint_model::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// How sure the registry is of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Stated directly by a reliable source.
    High,
    /// One secondary source, or a dated or campus-level fact.
    Medium,
    /// Weak source, background knowledge, or a derivation from a weak fact.
    Low,
}

impl Confidence {
    /// Reads `high`, `medium` or `low`.
    pub fn from_name(name: &str) -> Option<Confidence> {
        match name.trim().to_ascii_lowercase().as_str() {
            "high" => Some(Confidence::High),
            "medium" => Some(Confidence::Medium),
            "low" => Some(Confidence::Low),
            _ => None,
        }
    }
}

/// A date as precise as the source gives it: `2020`, `2020-05` or `2020-05-31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// Year.
    pub year: i32,
    /// Month, when given.
    pub month: Option<u32>,
    /// Day, when given.
    pub day: Option<u32>,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; `None` when it is none of them.
    pub fn parse(text: &str) -> Option<PartialDate> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let year: i32 = parts.first()?.parse().ok()?;
        if !(1900..=2200).contains(&year) || parts.first()?.len() != 4 {
            return None;
        }
        let month = match parts.get(1) {
            Some(m) => Some(m.parse::<u32>().ok().filter(|m| (1..=12).contains(m))?),
            None => None,
        };
        let day = match parts.get(2) {
            Some(d) => Some(d.parse::<u32>().ok()?),
            None => None,
        };
        if parts.len() > 3 {
            return None;
        }
        let date = PartialDate { year, month, day };
        if day.is_some() {
            Date::from_ymd_opt(year, month?, day?)?;
        }
        Some(date)
    }

    /// The first day the date covers (`2020` → 2020-01-01).
    pub fn start(self) -> Date {
        Date::from_ymd_opt(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
            .unwrap_or_default()
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The provenance of one fact: which sources state it, how sure we are, and when it was true.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    /// Source keys (into the file's `sources` table).
    pub sources: Vec<String>,
    /// Confidence.
    pub confidence: Confidence,
    /// When the fact was true according to the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<PartialDate>,
    /// Caveat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One source: a publication with its date and address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// Publication (or publisher).
    pub publication: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Date, when the stored copy was dated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    /// Address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Project-local path (list snapshots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Caveat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a facility mainly makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    /// Logic ICs.
    Logic,
    /// DRAM.
    Dram,
    /// NAND flash.
    Nand,
    /// Memory of an unstated type.
    Memory,
    /// Contract fab with mixed logic and specialty output.
    FoundryMixed,
    /// Analog and power ICs.
    AnalogPower,
    /// Assembly, test and packaging only.
    BackEnd,
    /// Something else.
    Other,
}

impl Product {
    /// Reads the registry spelling (`foundry_mixed`...).
    pub fn from_name(name: &str) -> Option<Product> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "logic" => Product::Logic,
            "dram" => Product::Dram,
            "nand" => Product::Nand,
            "memory" => Product::Memory,
            "foundry_mixed" => Product::FoundryMixed,
            "analog_power" => Product::AnalogPower,
            "back_end" => Product::BackEnd,
            "other" => Product::Other,
            _ => return None,
        })
    }

    /// The registry spelling.
    pub fn name(self) -> &'static str {
        match self {
            Product::Logic => "logic",
            Product::Dram => "dram",
            Product::Nand => "nand",
            Product::Memory => "memory",
            Product::FoundryMixed => "foundry_mixed",
            Product::AnalogPower => "analog_power",
            Product::BackEnd => "back_end",
            Product::Other => "other",
        }
    }
}

/// Logic transistor architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transistor {
    /// Planar.
    Planar,
    /// FinFET (non-planar).
    Finfet,
    /// Gate-all-around (non-planar).
    Gaa,
}

impl Transistor {
    /// Reads `planar`, `finfet` or `gaa`.
    pub fn from_name(name: &str) -> Option<Transistor> {
        match name.trim().to_ascii_lowercase().as_str() {
            "planar" => Some(Transistor::Planar),
            "finfet" => Some(Transistor::Finfet),
            "gaa" | "gaafet" => Some(Transistor::Gaa),
            _ => None,
        }
    }

    /// The registry spelling.
    pub fn name(self) -> &'static str {
        match self {
            Transistor::Planar => "planar",
            Transistor::Finfet => "finfet",
            Transistor::Gaa => "gaa",
        }
    }
}

/// Where a facility stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FacilityStatus {
    /// Announced.
    Planned,
    /// Being built.
    Construction,
    /// Starting production.
    Ramping,
    /// In volume production.
    Producing,
    /// Closed.
    Closed,
}

impl FacilityStatus {
    /// Reads the registry spelling.
    pub fn from_name(name: &str) -> Option<FacilityStatus> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "planned" => FacilityStatus::Planned,
            "construction" => FacilityStatus::Construction,
            "ramping" => FacilityStatus::Ramping,
            "producing" => FacilityStatus::Producing,
            "closed" => FacilityStatus::Closed,
            _ => return None,
        })
    }
}

/// A direct owner as a facility record states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerShare {
    /// Owner's name.
    pub owner: String,
    /// Share in %, when stated.
    pub percent: Option<f64>,
    /// When the share applied.
    pub as_of: Option<PartialDate>,
    /// Source keys.
    pub sources: Vec<String>,
    /// Confidence.
    pub confidence: Option<Confidence>,
}

/// One fabrication facility (or campus) with its facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityRecord {
    /// Stable slug.
    pub id: String,
    /// Human label.
    pub name: String,
    /// Other names (Chinese names, fab numbers, former names).
    pub aliases: Vec<String>,
    /// Legal name of the operating company.
    pub operator: Option<String>,
    /// The operator's exact Entity List spelling, when listed under it.
    pub operator_entity_list_name: Option<String>,
    /// Direct owners.
    pub owners: Vec<OwnerShare>,
    /// City.
    pub city: Option<String>,
    /// ISO-2 country code.
    pub country: Option<String>,
    /// Main output.
    pub product: Option<Product>,
    /// Process label as sources give it.
    pub process: Option<String>,
    /// Smallest logic node in production (nm).
    pub node_nm: Option<f64>,
    /// Smallest announced node (not in production).
    pub planned_node_nm: Option<f64>,
    /// DRAM half-pitch (nm).
    pub half_pitch_nm: Option<f64>,
    /// DRAM memory-cell area (µm²).
    pub dram_cell_area_um2: Option<f64>,
    /// DRAM memory density (Gb/mm²).
    pub dram_density_gb_per_mm2: Option<f64>,
    /// DRAM through-silicon vias per die.
    pub tsv_per_die: Option<u32>,
    /// NAND active layers.
    pub layers: Option<u32>,
    /// NAND total gate layers.
    pub layers_total: Option<u32>,
    /// Logic transistor architecture.
    pub transistor: Option<Transistor>,
    /// Wafer diameter (mm).
    pub wafer_mm: Option<u32>,
    /// Status.
    pub status: Option<FacilityStatus>,
    /// Wafers per month.
    pub capacity_wpm: Option<u64>,
    /// Provenance of each non-null field.
    pub facts: BTreeMap<String, Fact>,
    /// Caveats.
    pub notes: Option<String>,
    /// The file the record came from.
    pub file: String,
    /// 1-based line where the record starts, when known.
    pub line: Option<u64>,
}

impl FacilityRecord {
    /// Every source key any fact or owner row cites, deduplicated, in first-seen order.
    pub fn source_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        let cited = self
            .facts
            .values()
            .flat_map(|f| f.sources.iter())
            .chain(self.owners.iter().flat_map(|o| o.sources.iter()));
        for key in cited {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
        keys
    }

    /// Every name the facility goes by: its name, its aliases, its operator.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.operator.as_deref())
            .chain(self.operator_entity_list_name.as_deref())
    }
}

/// The kind of tie an ownership edge records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Equity ownership (`owns`, `owns (H shares only)`).
    Owns,
    /// Control without a stated share (`controls`, `controls (ultimate)`, "Affiliated Entity").
    Controls,
    /// Planned or agreed but not completed: not counted.
    Pending,
    /// State supervision or another tie that is not ownership: not counted.
    Other,
}

impl Relation {
    /// Reads the registry's relation text.
    pub fn from_text(text: &str) -> Relation {
        let text = text.trim().to_ascii_lowercase();
        if text.contains("planned") || text.contains("agreed") {
            Relation::Pending
        } else if text.starts_with("owns") {
            Relation::Owns
        } else if text.starts_with("controls") {
            Relation::Controls
        } else {
            Relation::Other
        }
    }

    /// Whether the edge counts toward the affiliates rule's 50 % (equity or control).
    pub fn counts(&self) -> bool {
        matches!(self, Relation::Owns | Relation::Controls)
    }
}

/// Where an edge came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EdgeOrigin {
    /// An ownership file (shipped or the user's).
    Ownership {
        /// File label.
        file: String,
        /// 1-based line, when known.
        line: Option<u64>,
    },
    /// A facility record's `owners` rows.
    Facility {
        /// Facility id.
        id: String,
    },
    /// A list entry ("X. Affiliated Entity: Y").
    List {
        /// List code.
        list: String,
        /// The entry's id in its source.
        source_id: String,
    },
}

/// A parent/subsidiary edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    /// The owned company.
    pub child: String,
    /// Its exact Entity List spelling, when listed.
    pub child_entity_list_name: Option<String>,
    /// The owner.
    pub parent: String,
    /// Its exact Entity List spelling, when listed.
    pub parent_entity_list_name: Option<String>,
    /// Kind of tie.
    pub relation: Relation,
    /// The relation as written.
    pub relation_text: String,
    /// Direct share in %, when stated.
    pub percent: Option<f64>,
    /// When the share applied (undated edges apply at any date).
    pub as_of: Option<PartialDate>,
    /// Source keys.
    pub sources: Vec<String>,
    /// Confidence.
    pub confidence: Option<Confidence>,
    /// Caveat.
    pub note: Option<String>,
    /// Where it came from.
    pub origin: EdgeOrigin,
}

/// Facilities, edges and the sources they cite.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Registry {
    /// Facilities.
    pub facilities: Vec<FacilityRecord>,
    /// Ownership edges.
    pub edges: Vec<Edge>,
    /// Sources by key (keys are shared across files; a later file's key wins).
    pub sources: BTreeMap<String, Source>,
}

impl Registry {
    /// Adds another registry's records (a user file after the shipped ones).
    pub fn extend(&mut self, other: Registry) {
        self.facilities.extend(other.facilities);
        self.edges.extend(other.edges);
        self.sources.extend(other.sources);
    }

    /// The facility with this id.
    pub fn facility(&self, id: &str) -> Option<&FacilityRecord> {
        self.facilities.iter().find(|f| f.id == id)
    }
}
