//! Re-screening watched parties after a list change, without screening everyone against
//! everything: the entries added or changed between two revisions make a small index
//! ([`DeltaIndex`]) that every party is screened against, and a party's remembered hits on
//! entries removed or changed are dropped, so the result equals a full re-screen (screening is
//! per entry: a pair's score does not depend on the rest of the index).
//!
//! Only matches (score at or above the threshold) are remembered; each carries the SHA-256 of
//! the entry as indexed, so an entry that changes gives a changed hit.

use crate::aliases::{SHIPPED_CROSSWALK, apply_crosswalk};
use crate::screen::Screener;
use crate::{EngineError, sha256_hex};
use chokepoint_model::{Date, ListEntry, ListSet};
use chokepoint_monitor::{ListDiff, PartyHit, WatchedParty, entry_key, hit_key};
use chokepoint_screening::{DEFAULT_THRESHOLD, Filters, Index, Scratch};
use rayon::prelude::*;
use std::collections::HashSet;

/// Most matches remembered per party.
const MAX_HITS: usize = 25;

/// The content hash of an entry as indexed.
pub fn entry_hash(entry: &ListEntry) -> String {
    sha256_hex(&serde_json::to_vec(entry).unwrap_or_default())
}

/// A screener ready to screen watched parties: the entries' hashes computed once.
#[derive(Debug)]
pub struct WatchScreen<'a> {
    index: &'a Index,
    hashes: Vec<String>,
}

impl<'a> WatchScreen<'a> {
    /// Over the full lists of `screener`.
    pub fn new(screener: &'a Screener) -> WatchScreen<'a> {
        let index = screener.index();
        WatchScreen {
            hashes: index.entries().par_iter().map(entry_hash).collect(),
            index,
        }
    }

    /// The matches of every party, in input order, in parallel.
    pub fn screen(&self, parties: &[WatchedParty]) -> Vec<Vec<PartyHit>> {
        screen_watched(self.index, &self.hashes, parties)
    }
}

/// Screens `parties` against `index` (whose entries' hashes are `hashes`): the matches of each,
/// in input order.
pub fn screen_watched(
    index: &Index,
    hashes: &[String],
    parties: &[WatchedParty],
) -> Vec<Vec<PartyHit>> {
    parties
        .par_iter()
        .map_init(Scratch::default, |scratch, party| {
            let filters = Filters {
                country: party.country.clone(),
                kind: party.kind,
                ..Filters::default()
            };
            let mut hits: Vec<PartyHit> = index
                .search(
                    &party.name,
                    &filters,
                    DEFAULT_THRESHOLD,
                    DEFAULT_THRESHOLD,
                    MAX_HITS,
                    scratch,
                )
                .into_iter()
                .filter(|hit| hit.is_match)
                .map(|hit| PartyHit {
                    list: hit.entry.list.as_str().to_string(),
                    source_id: hit.entry.source_id.clone(),
                    name: hit.entry.primary_name().to_string(),
                    matched_name: hit.matched_name.to_string(),
                    score: (hit.comparison.score * 1000.0).round() / 1000.0,
                    entry_hash: hashes.get(hit.entry_index).cloned().unwrap_or_default(),
                })
                .collect();
            // One hit per entry key (an entry may appear once per list).
            let mut seen = HashSet::new();
            hits.retain(|h| seen.insert(hit_key(h)));
            hits
        })
        .collect()
}

/// What a list change can affect: the entries added or changed, indexed, and the keys of the
/// entries removed or changed.
#[derive(Debug)]
pub struct DeltaIndex {
    screener: Screener,
    hashes: Vec<String>,
    touched: HashSet<(String, String)>,
}

impl DeltaIndex {
    /// From the entries of the newer revision (`after`, as loaded: the shipped crosswalk is
    /// applied here, as to the full index) and the diff to it.
    pub fn new(
        before: &[ListEntry],
        after: &[ListEntry],
        diff: &ListDiff,
    ) -> Result<DeltaIndex, EngineError> {
        let mut entries: Vec<ListEntry> = diff
            .added
            .iter()
            .map(|e| e.index)
            .chain(diff.changed.iter().map(|c| c.index))
            .filter_map(|i| after.get(i).cloned())
            .collect();
        apply_crosswalk("lists/native-names.yaml", SHIPPED_CROSSWALK, &mut entries)?;
        let mut touched: HashSet<(String, String)> = diff
            .removed
            .iter()
            .filter_map(|e| before.get(e.index))
            .map(entry_key)
            .collect();
        touched.extend(
            diff.changed
                .iter()
                .filter_map(|c| before.get(c.before_index))
                .map(entry_key),
        );
        let screener = Screener::new(ListSet {
            entries,
            ..ListSet::default()
        });
        let hashes = screener.index().entries().iter().map(entry_hash).collect();
        Ok(DeltaIndex {
            screener,
            hashes,
            touched,
        })
    }

    /// The entries of `entries` (one revision, as loaded) whose force changes between two
    /// dates, with no file changed: listed from a `start_date` after the earlier date up to the
    /// later one, or lapsed at an `end_date` from the earlier date to the day before the later
    /// one. Screening as of one date or the other differs only on these entries.
    pub fn in_force_changed(
        entries: &[ListEntry],
        from: Date,
        to: Date,
    ) -> Result<DeltaIndex, EngineError> {
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        let mut changed: Vec<ListEntry> = entries
            .iter()
            .filter(|e| {
                e.start_date.is_some_and(|s| lo < s && s <= hi)
                    || e.end_date.is_some_and(|end| lo <= end && end < hi)
            })
            .cloned()
            .collect();
        let touched = changed.iter().map(entry_key).collect();
        apply_crosswalk("lists/native-names.yaml", SHIPPED_CROSSWALK, &mut changed)?;
        let screener = Screener::new(ListSet {
            entries: changed,
            ..ListSet::default()
        });
        let hashes = screener.index().entries().iter().map(entry_hash).collect();
        Ok(DeltaIndex {
            screener,
            hashes,
            touched,
        })
    }

    /// Whether the change touches nothing.
    pub fn is_empty(&self) -> bool {
        self.screener.is_empty() && self.touched.is_empty()
    }

    /// How many entries were added or changed.
    pub fn indexed(&self) -> usize {
        self.screener.index().entries().len()
    }

    /// Whether a remembered hit is on an entry removed or changed.
    pub fn touches(&self, hit: &PartyHit) -> bool {
        self.touched.contains(&hit_key(hit))
    }

    /// The parties' matches after the change, given their matches before (same order): the
    /// old matches on untouched entries, and the matches against the added and changed entries.
    pub fn rescreen(
        &self,
        parties: &[WatchedParty],
        before: &[Vec<PartyHit>],
    ) -> Vec<Vec<PartyHit>> {
        let fresh = if self.screener.is_empty() {
            vec![Vec::new(); parties.len()]
        } else {
            screen_watched(self.screener.index(), &self.hashes, parties)
        };
        fresh
            .into_iter()
            .zip(before)
            .map(|(fresh, old)| {
                let mut hits: Vec<PartyHit> =
                    old.iter().filter(|h| !self.touches(h)).cloned().collect();
                for hit in fresh {
                    let key = hit_key(&hit);
                    hits.retain(|h| hit_key(h) != key);
                    hits.push(hit);
                }
                hits.sort_by(|a, b| {
                    b.score
                        .total_cmp(&a.score)
                        .then_with(|| hit_key(a).cmp(&hit_key(b)))
                });
                hits
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_model::ListCode;
    use chokepoint_monitor::diff_entries;

    fn entry(id: &str, name: &str) -> ListEntry {
        ListEntry::new(ListCode::new("EL"), id, name)
    }

    fn party(id: &str, name: &str) -> WatchedParty {
        WatchedParty {
            id: id.into(),
            name: name.into(),
            country: None,
            kind: None,
            extra: Default::default(),
        }
    }

    fn keys(hits: &[PartyHit]) -> Vec<String> {
        let mut keys: Vec<String> = hits
            .iter()
            .map(|h| format!("{}:{}", h.source_id, &h.entry_hash[..6]))
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_delta_rescreen_equals_a_full_rescreen() {
        let before = vec![
            entry("1", "Alpha Trading Company"),
            entry("2", "Beta Semiconductor Ltd"),
            entry("3", "Gamma Precision Instruments"),
        ];
        let mut after = vec![
            entry("1", "Alpha Trading Company"),
            entry("3", "Gamma Precision Instruments"),
            entry("4", "Delta Optics GmbH"),
        ];
        after[1].license_policy = Some("Presumption of denial".into());
        let parties = vec![
            party("C1", "Alpha Trading Co"),
            party("C2", "Beta Semiconductor Limited"),
            party("C3", "Gamma Precision Instrument"),
            party("C4", "Delta Optics"),
            party("C5", "Nobody In Particular"),
        ];
        let old_screener = Screener::new(ListSet {
            entries: before.clone(),
            ..ListSet::default()
        });
        let old = WatchScreen::new(&old_screener).screen(&parties);
        assert_eq!(
            old.iter().map(Vec::len).collect::<Vec<_>>(),
            [1, 1, 1, 0, 0]
        );
        let new_screener = Screener::new(ListSet {
            entries: after.clone(),
            ..ListSet::default()
        });
        let full = WatchScreen::new(&new_screener).screen(&parties);
        let diff = diff_entries(&before, &after);
        let delta = DeltaIndex::new(&before, &after, &diff).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(delta.indexed(), 2);
        let incremental = delta.rescreen(&parties, &old);
        for (full, incremental) in full.iter().zip(&incremental) {
            assert_eq!(keys(full), keys(incremental));
        }
    }

    #[test]
    fn entries_whose_force_changes_between_two_dates() {
        let d = |s: &str| s.parse::<Date>().unwrap_or_else(|e| panic!("{e}"));
        let mut starts = entry("1", "Alpha Trading Company");
        starts.start_date = Some(d("2026-03-02"));
        let mut ends = entry("2", "Beta Semiconductor Ltd");
        ends.end_date = Some(d("2026-03-01"));
        let mut later = entry("3", "Gamma Precision Instruments");
        later.start_date = Some(d("2026-04-01"));
        let mut earlier = entry("4", "Delta Optics GmbH");
        earlier.end_date = Some(d("2026-02-28"));
        let undated = entry("5", "Epsilon Wafer Corporation");
        let entries = [starts, ends, later, earlier, undated];
        // In force on 2026-03-01 or not: 1 not yet, 2 still (its last day); on 2026-03-02,
        // 1 listed and 2 lapsed. Either order of the dates gives the same entries.
        for (from, to) in [("2026-03-01", "2026-03-02"), ("2026-03-02", "2026-03-01")] {
            let delta = DeltaIndex::in_force_changed(&entries, d(from), d(to))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(delta.indexed(), 2, "{from} → {to}");
            let hits = delta.rescreen(
                &[
                    party("C1", "Alpha Trading Co"),
                    party("C2", "Beta Semiconductor Limited"),
                ],
                &[Vec::new(), Vec::new()],
            );
            assert_eq!(hits.iter().map(Vec::len).collect::<Vec<_>>(), [1, 1]);
        }
        let same = DeltaIndex::in_force_changed(&entries, d("2026-03-01"), d("2026-03-01"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(same.is_empty());
    }
}
