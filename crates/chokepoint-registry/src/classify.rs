//! A registry facility under 744.23 on a date: the registry's sourced facts are mapped onto the
//! rules crate's [`Facility`] and classified by [`chokepoint_rules::classify_facility`], which
//! holds the thresholds (this module holds none). The answer names the facts used with their
//! sources, and the registry fields that would decide an unknown answer.
//!
//! Product mapping: `logic`, `foundry_mixed` and `analog_power` take the logic test (node and
//! transistor: any IC production other than memory is judged by it, so an analog fab with an
//! unknown node is *unknown*, not "mature"); `dram`, `nand` and `back_end` take their own tests;
//! `memory` (type not stated), `other` and an unknown product leave the product undecided.

use crate::model::{FacilityRecord, Fact, Product, Transistor};
use chokepoint_model::Date;
use chokepoint_rules::{Facility, Makes, classify_facility};
use serde::Serialize;

/// One registry fact a classification used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsedFact {
    /// Registry field name.
    pub field: &'static str,
    /// The value, as text.
    pub value: String,
    /// Its provenance (always present for the shipped registry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<Fact>,
}

/// A facility's 744.23 classification on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// Advanced-node: `Some(true)`, `Some(false)`, or `None` (unknown).
    pub advanced: Option<bool>,
    /// Why, in words.
    pub why: String,
    /// Registry fields that would decide an unknown answer (empty when decided).
    pub missing: Vec<&'static str>,
    /// The registry facts the answer rests on.
    pub used: Vec<UsedFact>,
    /// Used facts the source dates after the date asked about (true later; maybe not then).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dated_after: Vec<&'static str>,
}

/// The rules crate's facility facts for a registry record.
pub fn to_rules_facility(record: &FacilityRecord) -> Facility {
    let makes = match record.product {
        Some(Product::Logic | Product::FoundryMixed | Product::AnalogPower) => Some(Makes::Logic),
        Some(Product::Dram) => Some(Makes::Dram),
        Some(Product::Nand) => Some(Makes::Nand),
        Some(Product::BackEnd) => Some(Makes::BackEnd),
        Some(Product::Memory | Product::Other) | None => None,
    };
    Facility {
        name: Some(record.name.clone()),
        makes,
        owner_hq_country: None,
        node_known: record.node_nm.map(|_| true),
        node_nm: record.node_nm,
        half_pitch_nm: record.half_pitch_nm,
        layers: record.layers,
        non_planar: record
            .transistor
            .map(|t| matches!(t, Transistor::Finfet | Transistor::Gaa)),
        cell_area_um2: record.dram_cell_area_um2,
        density_gb_per_mm2: record.dram_density_gb_per_mm2,
        tsv_per_die: record.tsv_per_die,
    }
}

/// The registry field for a field name of the rules crate.
fn registry_field(rules_field: &'static str) -> &'static str {
    match rules_field {
        "makes" => "product",
        "non_planar" => "transistor",
        "cell_area_um2" => "dram_cell_area_um2",
        "density_gb_per_mm2" => "dram_density_gb_per_mm2",
        other => other,
    }
}

fn value_of(record: &FacilityRecord, field: &str) -> Option<String> {
    let number = |v: Option<f64>| v.map(|v| v.to_string());
    match field {
        "product" => record.product.map(|p| p.name().to_string()),
        "node_nm" => number(record.node_nm),
        "transistor" => record.transistor.map(|t| t.name().to_string()),
        "layers" => record.layers.map(|v| v.to_string()),
        "half_pitch_nm" => number(record.half_pitch_nm),
        "dram_cell_area_um2" => number(record.dram_cell_area_um2),
        "dram_density_gb_per_mm2" => number(record.dram_density_gb_per_mm2),
        "tsv_per_die" => record.tsv_per_die.map(|v| v.to_string()),
        _ => None,
    }
}

/// Classifies a registry facility under 744.23 as of `as_of`.
pub fn classify(record: &FacilityRecord, as_of: Date) -> Classification {
    let facility = to_rules_facility(record);
    let class = classify_facility(&facility, as_of);
    let mut why = class.why;
    if record.product.is_some() && facility.makes.is_none() {
        why = format!(
            "{why} (the registry's product `{}` does not say logic, DRAM or NAND)",
            value_of(record, "product").unwrap_or_default()
        );
    }
    let relevant: &[&'static str] = match facility.makes {
        Some(Makes::Logic) => &["product", "node_nm", "transistor"],
        Some(Makes::Nand) => &["product", "layers"],
        Some(Makes::Dram) => &[
            "product",
            "half_pitch_nm",
            "dram_cell_area_um2",
            "dram_density_gb_per_mm2",
            "tsv_per_die",
        ],
        _ => &["product"],
    };
    let used: Vec<UsedFact> = relevant
        .iter()
        .filter_map(|field| {
            value_of(record, field).map(|value| UsedFact {
                field,
                value,
                fact: record.facts.get(*field).cloned(),
            })
        })
        .collect();
    let dated_after = used
        .iter()
        .filter(|u| {
            u.fact
                .as_ref()
                .and_then(|f| f.as_of)
                .is_some_and(|d| d.start() > as_of)
        })
        .map(|u| u.field)
        .collect();
    Classification {
        advanced: class.advanced,
        why,
        missing: class.missing.into_iter().map(registry_field).collect(),
        used,
        dated_after,
    }
}
