//! Is a facility an "advanced-node IC" facility (744.23, 744.6(c)(2), 772.1) on a date?
//!
//! Logic: non-planar transistors, or a production node of 16/14 nm or less. NAND: 128 layers or
//! more. DRAM: 18 nm half-pitch or less until 2024-12-01; from 2024-12-02 (89 FR 96790) a memory
//! cell area below 0.0026 µm², a memory density above 0.20 Gb/mm², or more than 3,000
//! through-silicon vias per die. Back-end facilities do not "produce" ICs in this sense (BIS FAQ).
//! The answer is `None` when a deciding fact is missing, and the missing facts are named.

use crate::input::{Facility, Makes};
use chokepoint_model::Date;

/// The day the DRAM test changed from half-pitch to cell area / density / TSVs.
pub const DRAM_TEST_CHANGED: (i32, u32, u32) = (2024, 12, 2);

/// The classification and its reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityClass {
    /// Advanced-node: yes, no, or unknown.
    pub advanced: Option<bool>,
    /// Why, in words.
    pub why: String,
    /// Facts that would decide it (field names under `facility.`).
    pub missing: Vec<&'static str>,
}

fn dram_changed() -> Date {
    let (y, m, d) = DRAM_TEST_CHANGED;
    Date::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Classifies `facility` as of `as_of`.
pub fn classify_facility(facility: &Facility, as_of: Date) -> FacilityClass {
    let yes = |why: String| FacilityClass {
        advanced: Some(true),
        why,
        missing: vec![],
    };
    let no = |why: String| FacilityClass {
        advanced: Some(false),
        why,
        missing: vec![],
    };
    let unknown = |why: String, missing: Vec<&'static str>| FacilityClass {
        advanced: None,
        why,
        missing,
    };
    match facility.makes {
        None => unknown(
            "the facility's product type is not given".into(),
            vec!["makes"],
        ),
        Some(Makes::BackEnd) => {
            no("back-end assembly, test and packaging is not IC production".into())
        }
        Some(Makes::None) => no("the facility does not produce ICs".into()),
        Some(Makes::Logic) => {
            if facility.non_planar == Some(true) {
                return yes("logic with non-planar transistors".into());
            }
            match facility.node_nm {
                Some(n) if n <= 16.0 => yes(format!("logic at {n} nm (16/14 nm or less)")),
                Some(n) => match facility.non_planar {
                    Some(false) => no(format!("planar logic at {n} nm (above 16/14 nm)")),
                    _ => unknown(
                        format!("logic at {n} nm, transistor architecture not given"),
                        vec!["non_planar"],
                    ),
                },
                None => unknown(
                    "logic node not given".into(),
                    if facility.non_planar.is_none() {
                        vec!["node_nm", "non_planar"]
                    } else {
                        vec!["node_nm"]
                    },
                ),
            }
        }
        Some(Makes::Nand) => match facility.layers {
            Some(l) if l >= 128 => yes(format!("NAND with {l} layers (128 or more)")),
            Some(l) => no(format!("NAND with {l} layers (fewer than 128)")),
            None => unknown("NAND layer count not given".into(), vec!["layers"]),
        },
        Some(Makes::Dram) => {
            if as_of < dram_changed() {
                match facility.half_pitch_nm {
                    Some(h) if h <= 18.0 => {
                        yes(format!("DRAM at {h} nm half-pitch (18 nm or less)"))
                    }
                    Some(h) => no(format!("DRAM at {h} nm half-pitch (above 18 nm)")),
                    None => unknown("DRAM half-pitch not given".into(), vec!["half_pitch_nm"]),
                }
            } else {
                if facility.cell_area_um2.is_some_and(|a| a < 0.0026) {
                    return yes("DRAM with memory cell area below 0.0026 µm²".into());
                }
                if facility.density_gb_per_mm2.is_some_and(|d| d > 0.20) {
                    return yes("DRAM with memory density above 0.20 Gb/mm²".into());
                }
                if facility.tsv_per_die.is_some_and(|t| t > 3000) {
                    return yes("DRAM with more than 3,000 through-silicon vias per die".into());
                }
                let mut missing = Vec::new();
                if facility.cell_area_um2.is_none() {
                    missing.push("cell_area_um2");
                }
                if facility.density_gb_per_mm2.is_none() {
                    missing.push("density_gb_per_mm2");
                }
                if facility.tsv_per_die.is_none() {
                    missing.push("tsv_per_die");
                }
                if missing.is_empty() {
                    no("DRAM below every Dec-2024 threshold (cell area, density, TSVs)".into())
                } else {
                    unknown(
                        "the Dec-2024 DRAM test needs cell area, density and TSV count".into(),
                        missing,
                    )
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dram_test_changes_on_2024_12_02() {
        let f = Facility {
            makes: Some(Makes::Dram),
            half_pitch_nm: Some(17.0),
            ..Default::default()
        };
        assert_eq!(classify_facility(&f, d("2024-12-01")).advanced, Some(true));
        let later = classify_facility(&f, d("2024-12-02"));
        assert_eq!(later.advanced, None);
        assert_eq!(
            later.missing,
            vec!["cell_area_um2", "density_gb_per_mm2", "tsv_per_die"]
        );
        let f = Facility {
            makes: Some(Makes::Dram),
            density_gb_per_mm2: Some(0.21),
            ..Default::default()
        };
        assert_eq!(classify_facility(&f, d("2025-01-01")).advanced, Some(true));
        let f = Facility {
            makes: Some(Makes::Dram),
            cell_area_um2: Some(0.003),
            density_gb_per_mm2: Some(0.1),
            tsv_per_die: Some(100),
            ..Default::default()
        };
        assert_eq!(classify_facility(&f, d("2025-01-01")).advanced, Some(false));
    }

    #[test]
    fn logic_and_nand() {
        let f = Facility {
            makes: Some(Makes::Logic),
            node_nm: Some(28.0),
            non_planar: Some(false),
            ..Default::default()
        };
        assert_eq!(classify_facility(&f, d("2023-01-01")).advanced, Some(false));
        let f = Facility {
            makes: Some(Makes::Logic),
            node_nm: Some(14.0),
            ..Default::default()
        };
        assert_eq!(classify_facility(&f, d("2023-01-01")).advanced, Some(true));
        let f = Facility {
            makes: Some(Makes::Logic),
            node_nm: Some(28.0),
            ..Default::default()
        };
        assert_eq!(
            classify_facility(&f, d("2023-01-01")).missing,
            vec!["non_planar"]
        );
        let f = Facility {
            makes: Some(Makes::Nand),
            layers: Some(128),
            ..Default::default()
        };
        assert_eq!(classify_facility(&f, d("2023-01-01")).advanced, Some(true));
        let f = Facility {
            makes: Some(Makes::Nand),
            layers: Some(96),
            ..Default::default()
        };
        assert_eq!(classify_facility(&f, d("2023-01-01")).advanced, Some(false));
        let f = Facility {
            makes: Some(Makes::BackEnd),
            ..Default::default()
        };
        assert_eq!(classify_facility(&f, d("2023-01-01")).advanced, Some(false));
    }
}
