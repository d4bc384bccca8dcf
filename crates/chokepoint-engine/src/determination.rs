//! License determinations with screening: parties given by name only are screened against the
//! loaded lists as of the record's date, and the matches become their list status.

use crate::screen::{ScreenOptions, ScreenQuery, Screener};
use crate::{SHIPPED_CROSSWALK, sha256_hex};
use chokepoint_model::Date;
use chokepoint_rules::{ListHit, ListStatus, PartyLookup, parse_entity_list_terms};
use chokepoint_screening::Filters;

/// Screening as the determination engine's party lookup: only matches (score at or above the
/// threshold) count as listings.
#[derive(Debug)]
pub struct ScreenerLookup<'a> {
    screener: &'a Screener,
    options: ScreenOptions,
}

impl<'a> ScreenerLookup<'a> {
    /// A lookup over `screener` with the default threshold.
    pub fn new(screener: &'a Screener) -> Self {
        ScreenerLookup {
            screener,
            options: ScreenOptions::default(),
        }
    }
}

impl PartyLookup for ScreenerLookup<'_> {
    fn lookup(&self, name: &str, country: Option<&str>, as_of: Date) -> Vec<ListHit> {
        let query = ScreenQuery {
            name: name.to_string(),
            filters: Filters {
                country: country.map(str::to_string),
                as_of: Some(as_of),
                ..Filters::default()
            },
        };
        self.screener
            .screen(&query, &self.options)
            .into_iter()
            .filter(|hit| hit.is_match)
            .map(|hit| ListHit {
                list: rules_list_name(&hit.list),
                entry_name: hit.name,
                score: f64::from(hit.score),
                license_requirement: hit.license_requirement,
                license_policy: hit.license_policy,
                fr: hit.federal_register,
                footnotes: Vec::new(),
            })
            .collect()
    }
}

/// The list status of a party given by name, for engines that take one (the BOM's end user):
/// its matches on the loaded lists as of `as_of`, in the rules' terms, with the Entity List
/// footnotes read from the entry's license requirement. Empty: screened and not listed.
pub fn list_status(
    screener: &Screener,
    name: &str,
    country: Option<&str>,
    as_of: Date,
) -> Vec<ListStatus> {
    ScreenerLookup::new(screener)
        .lookup(name, country, as_of)
        .into_iter()
        .map(|hit| {
            let terms = parse_entity_list_terms(
                hit.license_requirement.as_deref().unwrap_or(""),
                hit.license_policy.as_deref().unwrap_or(""),
            );
            ListStatus {
                list: hit.list,
                footnotes: terms.footnotes.clone(),
                fr: (!hit.fr.is_empty()).then(|| hit.fr.join("; ")),
                entry_review_policy: None,
                license_requirement: hit.license_requirement,
                license_policy: hit.license_policy,
            }
        })
        .collect()
}

/// The rule engine's name for a screening list code.
fn rules_list_name(code: &str) -> String {
    match code {
        "EL" => "entity_list".into(),
        "MEU" => "meu_list".into(),
        "UVL" => "unverified_list".into(),
        "DPL" => "denied_persons_list".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// The id of a list snapshot: SHA-256 over the `(label, sha256)` of every list file read
/// (sorted, so order does not matter) and the shipped native-name crosswalk, which also shapes
/// the answers. The same files always give the same id; an answer that records it can be
/// replayed from the files the data directory keeps.
pub fn snapshot_id(files: &[(String, String)]) -> String {
    let mut files = files.to_vec();
    files.sort();
    files.dedup();
    let mut parts: Vec<String> = files
        .iter()
        .map(|(label, sha256)| format!("{label}\t{sha256}"))
        .collect();
    parts.push(format!(
        "crosswalk\t{}",
        sha256_hex(SHIPPED_CROSSWALK.as_bytes())
    ));
    sha256_hex(parts.join("\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_model::{ListCode, ListEntry, ListSet};

    #[test]
    fn lookup_reports_matches_with_the_rule_engine_list_names() {
        let mut entry = ListEntry::new(ListCode::new("EL"), "1", "Huawei Technologies Co., Ltd.");
        entry.license_policy = Some("Presumption of denial".into());
        entry.start_date = "2019-05-16".parse().ok();
        let screener = Screener::new(ListSet {
            entries: vec![entry],
            ..ListSet::default()
        });
        let lookup = ScreenerLookup::new(&screener);
        let date = |s: &str| s.parse::<Date>().expect("date");
        let hits = lookup.lookup("Huawei Technologies", None, date("2020-01-01"));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].list, "entity_list");
        assert_eq!(
            hits[0].license_policy.as_deref(),
            Some("Presumption of denial")
        );
        assert!(
            lookup
                .lookup("Huawei Technologies", None, date("2019-05-15"))
                .is_empty()
        );
        assert!(
            lookup
                .lookup("Unrelated Bakery", None, date("2020-01-01"))
                .is_empty()
        );
    }

    #[test]
    fn snapshot_id_is_stable_and_order_free() {
        let file = |label: &str, sha: &str| (label.to_string(), sha.to_string());
        let a = snapshot_id(&[file("a.csv", "11"), file("b.csv", "22")]);
        let b = snapshot_id(&[file("b.csv", "22"), file("a.csv", "11")]);
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(a, snapshot_id(&[file("a.csv", "12"), file("b.csv", "22")]));
    }
}
