//! The screening index: every name of every entry, normalised once, with keys that find the
//! names a query may be without comparing it to all of them.
//!
//! Candidate generation looks each query token up by several keys, so typos, sound-alikes,
//! glued or split words, acronyms and native scripts all reach the right names:
//!
//! - the token itself, and every form of it with one letter deleted (SymSpell): any vocabulary
//!   word within one edit, and most transpositions;
//! - its Double Metaphone key;
//! - adjacent query tokens glued together, and each listed name's glued neighbours;
//! - acronyms, both ways;
//! - pairs of native (Han, kana, hangul) characters.
//!
//! Each key hit adds the token's inverse document frequency to the name's tally; the best
//! `MAX_CANDIDATES` names by tally are then scored in full by [`compare`](crate::compare).

use crate::score::{Comparison, compare, score};
use chokepoint_model::{Date, ListEntry, PartyKind};
use chokepoint_names::{NormalizedName, TokenClass, name_variants, normalize};
use rustc_hash::FxHashMap as HashMap;

/// How many names, at most, are scored in full per query.
const MAX_CANDIDATES: usize = 32;
/// How many names, at most, when more than `MAX_CANDIDATES` are tied for the best tally.
const MAX_TIED_CANDIDATES: usize = 512;
/// Tokens on more names than this are looked up only when the query has nothing rarer.
const COMMON_TOKEN_NAMES: usize = 3000;

/// One name of one entry, normalised.
#[derive(Debug, Clone)]
struct IndexedName {
    entry: u32,
    name: u16,
    normalized: NormalizedName,
}

/// What a query asks for, besides the name.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Keep entries tied to this ISO-2 country, or tied to no country at all.
    pub country: Option<String>,
    /// Keep entries of this kind, or of unknown kind.
    pub kind: Option<PartyKind>,
    /// Keep entries on these lists (codes, case-insensitive); empty keeps all.
    pub lists: Vec<String>,
    /// Keep entries in force on this date (when the list gives dates).
    pub as_of: Option<Date>,
}

impl Filters {
    fn admits(&self, entry: &ListEntry) -> bool {
        let country_ok = self.country.as_ref().is_none_or(|country| {
            entry.countries.is_empty()
                || entry
                    .countries
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(country))
        });
        let kind_ok = self
            .kind
            .is_none_or(|kind| entry.kind == PartyKind::Unknown || entry.kind == kind);
        let list_ok = self.lists.is_empty()
            || self
                .lists
                .iter()
                .any(|l| l.eq_ignore_ascii_case(entry.list.as_str()));
        let date_ok = self.as_of.is_none_or(|date| entry.in_force_on(date));
        country_ok && kind_ok && list_ok && date_ok
    }
}

/// One list entry a query may be.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    /// The entry.
    pub entry: &'a ListEntry,
    /// Position of the entry in the index.
    pub entry_index: usize,
    /// Which of the entry's names matched best.
    pub matched_name: &'a str,
    /// Score in [0, 1] and its explanation.
    pub comparison: Comparison,
    /// Whether the score reaches the threshold.
    pub is_match: bool,
}

/// Per-thread working memory for searches, reused between queries.
#[derive(Debug, Default)]
pub struct Scratch {
    tally: Vec<f32>,
    touched: Vec<u32>,
}

/// The screening index. Build it once per list snapshot; it is immutable and `Sync`, so any
/// number of threads may search it at once.
#[derive(Debug)]
pub struct Index {
    entries: Vec<ListEntry>,
    names: Vec<IndexedName>,
    /// Token text → vocabulary id.
    vocabulary: HashMap<String, u32>,
    /// Vocabulary id → names holding the token (sorted, deduplicated).
    postings: Vec<Vec<u32>>,
    /// Vocabulary id → inverse document frequency.
    idf: Vec<f32>,
    /// One-deletion forms and phonetic keys → vocabulary ids.
    fuzzy_keys: HashMap<String, Vec<u32>>,
    /// Glued neighbours, whole compact forms and acronyms → names.
    name_keys: HashMap<String, Vec<u32>>,
    /// Whole compact forms (words glued, legal forms left out) → names. Equal compact forms are
    /// near-certain matches, whatever the word breaks ("Zhongxin Guoji" and 中芯国际).
    compact_keys: HashMap<String, Vec<u32>>,
    /// Native character pairs (or a lone character) → names.
    native_keys: HashMap<String, Vec<u32>>,
}

impl Index {
    /// Builds an index over `entries`. Never fails; entries without a usable name are kept
    /// (they can be listed) but cannot be found by name.
    pub fn build(entries: Vec<ListEntry>) -> Index {
        let mut names = Vec::new();
        for (e, entry) in entries.iter().enumerate() {
            for (n, name) in entry.names.iter().enumerate().take(u16::MAX as usize) {
                let forms = std::iter::once(name.text.clone()).chain(name_variants(&name.text));
                for form in forms {
                    let normalized = normalize(&form);
                    if !normalized.is_empty() {
                        names.push(IndexedName {
                            entry: e as u32,
                            name: n as u16,
                            normalized,
                        });
                    }
                }
            }
        }
        let mut vocabulary: HashMap<String, u32> = HashMap::default();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut name_keys: HashMap<String, Vec<u32>> = HashMap::default();
        let mut compact_keys: HashMap<String, Vec<u32>> = HashMap::default();
        let mut native_keys: HashMap<String, Vec<u32>> = HashMap::default();
        for (id, name) in names.iter().enumerate() {
            let id = id as u32;
            for token in &name.normalized.tokens {
                let next = vocabulary.len() as u32;
                let v = *vocabulary.entry(token.text.clone()).or_insert(next);
                if v == next {
                    postings.push(Vec::new());
                }
                let list = &mut postings[v as usize];
                if list.last() != Some(&id) {
                    list.push(id);
                }
            }
            if name.normalized.compact.len() >= 4 {
                push_unique(
                    compact_keys
                        .entry(name.normalized.compact.clone())
                        .or_default(),
                    id,
                );
            }
            for key in glued_keys(&name.normalized) {
                push_unique(name_keys.entry(key).or_default(), id);
            }
            if let Some((core, full)) = name.normalized.acronyms() {
                for key in [core, full] {
                    if key.len() >= 3 {
                        push_unique(name_keys.entry(key).or_default(), id);
                    }
                }
            }
            for key in native_pairs(&name.normalized.native) {
                push_unique(native_keys.entry(key).or_default(), id);
            }
        }
        let total = names.len().max(1) as f32;
        let idf = postings
            .iter()
            .map(|p| (1.0 + total / p.len() as f32).ln())
            .collect();
        let mut fuzzy_keys: HashMap<String, Vec<u32>> = HashMap::default();
        for (text, &v) in &vocabulary {
            for key in deletion_keys(text) {
                fuzzy_keys.entry(key).or_default().push(v);
            }
            let phonetic = chokepoint_names::phonetic_key(text);
            if phonetic.len() >= 2 {
                let key = format!("#{phonetic}");
                fuzzy_keys.entry(key).or_default().push(v);
            }
        }
        for ids in fuzzy_keys.values_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        Index {
            entries,
            names,
            vocabulary,
            postings,
            idf,
            fuzzy_keys,
            name_keys,
            compact_keys,
            native_keys,
        }
    }

    /// The entries, in the order they were given.
    pub fn entries(&self) -> &[ListEntry] {
        &self.entries
    }

    /// How many names are indexed.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// Screens `query`: the entries it may be, best first, at most `limit`, each at or above
    /// `min_score`; `threshold` decides which are reported as matches.
    pub fn search<'a>(
        &'a self,
        query: &str,
        filters: &Filters,
        threshold: f32,
        min_score: f32,
        limit: usize,
        scratch: &mut Scratch,
    ) -> Vec<Hit<'a>> {
        let normalized = normalize(query);
        if normalized.is_empty() {
            return Vec::new();
        }
        let candidates = self.candidates(&normalized, filters, scratch);
        // Score every candidate cheaply, keep the best name per entry, explain only those kept.
        let mut best: Vec<(u32, f32, u32)> = Vec::with_capacity(candidates.len());
        for name_id in candidates {
            let name = &self.names[name_id as usize];
            let s = score(&normalized, &name.normalized);
            if s < min_score {
                continue;
            }
            match best.iter_mut().find(|b| b.0 == name.entry) {
                Some(b) if b.1 >= s => {}
                Some(b) => *b = (name.entry, s, name_id),
                None => best.push((name.entry, s, name_id)),
            }
        }
        best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        best.truncate(limit);
        let mut hits: Vec<Hit<'a>> = best
            .into_iter()
            .map(|(entry_index, _, name_id)| {
                let name = &self.names[name_id as usize];
                let comparison = compare(&normalized, &name.normalized);
                let entry = &self.entries[entry_index as usize];
                Hit {
                    entry,
                    entry_index: entry_index as usize,
                    matched_name: entry
                        .names
                        .get(name.name as usize)
                        .map(|n| n.text.as_str())
                        .unwrap_or(""),
                    is_match: comparison.score >= threshold,
                    comparison,
                }
            })
            .collect();
        hits.sort_by(|a, b| {
            b.comparison
                .score
                .total_cmp(&a.comparison.score)
                .then_with(|| a.entry_index.cmp(&b.entry_index))
        });
        hits
    }

    /// The names worth scoring in full, best tally first.
    fn candidates(
        &self,
        query: &NormalizedName,
        filters: &Filters,
        scratch: &mut Scratch,
    ) -> Vec<u32> {
        if scratch.tally.len() != self.names.len() {
            scratch.tally = vec![0.0; self.names.len()];
        }
        scratch.touched.clear();
        let Scratch { tally, touched } = scratch;
        let mut add = |names: &[u32], weight: f32| {
            for &n in names {
                let slot = &mut tally[n as usize];
                if *slot == 0.0 {
                    touched.push(n);
                }
                *slot += weight;
            }
        };

        let has_distinctive = query
            .tokens
            .iter()
            .any(|t| !matches!(t.class, TokenClass::Legal | TokenClass::Stop));
        // Rare tokens first, so common ones can be skipped once something rarer was found.
        let mut vocab_hits: Vec<(u32, f32)> = Vec::new();
        for token in &query.tokens {
            if has_distinctive && matches!(token.class, TokenClass::Legal | TokenClass::Stop) {
                continue;
            }
            let mut found: Vec<(u32, f32)> = Vec::new();
            if let Some(&v) = self.vocabulary.get(&token.text) {
                found.push((v, 1.0));
            }
            // Spelling variants of distinctive words only: a generic word ("trading") is
            // looked up as written, or it would pull in half the list.
            if token.class == TokenClass::Word && token.text.len() >= 3 {
                for key in deletion_keys(&token.text) {
                    if let Some(ids) = self.fuzzy_keys.get(&key) {
                        found.extend(ids.iter().map(|&v| (v, 0.7)));
                    }
                }
                if token.phonetic().len() >= 2
                    && let Some(ids) = self.fuzzy_keys.get(&format!("#{}", token.phonetic()))
                {
                    found.extend(ids.iter().map(|&v| (v, 0.6)));
                }
            }
            found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
            found.dedup_by_key(|f| f.0);
            vocab_hits.extend(found);
        }
        if let Some(names) = self.compact_keys.get(&query.compact) {
            add(names, 20.0);
        }
        // Query words glued together may be one listed word ("Micro Electronics").
        for key in glued_keys(query) {
            if let Some(&v) = self.vocabulary.get(&key) {
                vocab_hits.push((v, 1.0));
            }
            if let Some(names) = self.name_keys.get(&key) {
                add(names, 2.0);
            }
        }
        if let Some((core, full)) = query.acronyms() {
            for key in [core, full] {
                if let Some(&v) = self.vocabulary.get(&key) {
                    vocab_hits.push((v, 1.0));
                }
            }
        }
        for token in &query.tokens {
            if let Some(names) = self.name_keys.get(&token.text) {
                add(names, 2.0);
            }
        }
        for key in native_pairs(&query.native) {
            if let Some(names) = self.native_keys.get(&key) {
                add(names, 1.5);
            }
        }
        vocab_hits.sort_by(|a, b| {
            (self.idf[b.0 as usize] * b.1).total_cmp(&(self.idf[a.0 as usize] * a.1))
        });
        let mut looked_up = 0usize;
        for (v, strength) in vocab_hits {
            let names = &self.postings[v as usize];
            if names.len() > COMMON_TOKEN_NAMES && looked_up > 0 {
                continue;
            }
            looked_up += 1;
            add(names, self.idf[v as usize] * strength);
        }

        let mut ranked: Vec<(f32, u32)> = Vec::with_capacity(touched.len());
        for &n in touched.iter() {
            let weight = std::mem::take(&mut tally[n as usize]);
            let entry = &self.entries[self.names[n as usize].entry as usize];
            if filters.admits(entry) {
                ranked.push((weight, n));
            }
        }
        touched.clear();
        if ranked.len() > MAX_CANDIDATES {
            ranked.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            // Names tied with the best are all kept: one alias can be shared by dozens of
            // entries (every CETC institute is also 中国电子科技集团公司), and all must be found.
            let best = ranked[0].0;
            let tied = ranked
                .iter()
                .take(MAX_TIED_CANDIDATES)
                .take_while(|(w, _)| *w >= best)
                .count();
            ranked.truncate(tied.max(MAX_CANDIDATES));
        }
        ranked.into_iter().map(|(_, n)| n).collect()
    }
}

fn push_unique(list: &mut Vec<u32>, id: u32) {
    if list.last() != Some(&id) {
        list.push(id);
    }
}

/// The token and every form of it with one character deleted (tokens of three or more
/// characters).
fn deletion_keys(token: &str) -> Vec<String> {
    let bytes = token.as_bytes();
    let mut keys = Vec::with_capacity(bytes.len() + 1);
    keys.push(format!("~{token}"));
    if bytes.len() >= 4 && token.is_ascii() {
        for i in 0..bytes.len() {
            let mut key = String::with_capacity(bytes.len());
            key.push('~');
            key.push_str(&token[..i]);
            key.push_str(&token[i + 1..]);
            keys.push(key);
        }
    }
    keys
}

/// Adjacent words glued ("micro electronics" → `microelectronics`) and the whole compact form.
fn glued_keys(name: &NormalizedName) -> Vec<String> {
    let words: Vec<&str> = name
        .tokens
        .iter()
        .filter(|t| {
            matches!(
                t.class,
                TokenClass::Word | TokenClass::Generic | TokenClass::Number
            )
        })
        .map(|t| t.surface.as_deref().unwrap_or(&t.text))
        .collect();
    let mut keys = Vec::new();
    for pair in words.windows(2) {
        keys.push(format!("{}{}", pair[0], pair[1]));
    }
    if words.len() > 2 && !name.compact.is_empty() {
        keys.push(name.compact.clone());
    }
    keys
}

/// Pairs of adjacent native characters, or the lone character of a one-character name.
fn native_pairs(native: &str) -> Vec<String> {
    let chars: Vec<char> = native.chars().collect();
    if chars.len() == 1 {
        return vec![chars[0].to_string()];
    }
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_THRESHOLD;
    use chokepoint_model::{ListCode, NameKind};

    fn entry(list: &str, id: &str, name: &str, aliases: &[&str], countries: &[&str]) -> ListEntry {
        let mut e = ListEntry::new(ListCode::new(list), id, name);
        e.kind = PartyKind::Entity;
        for a in aliases {
            e.push_name(a, NameKind::Alias);
        }
        for c in countries {
            e.push_country(c);
        }
        e
    }

    fn index() -> Index {
        Index::build(vec![
            entry(
                "EL",
                "1",
                "Semiconductor Manufacturing International Corporation",
                &["SMIC"],
                &["CN"],
            ),
            entry(
                "EL",
                "2",
                "Semiconductor Manufacturing International (Beijing) Corporation",
                &["SMIC Beijing"],
                &["CN"],
            ),
            entry(
                "EL",
                "3",
                "Guangzhou Haige Communication Group Co., Ltd.",
                &[],
                &["CN"],
            ),
            entry(
                "EL",
                "4",
                "Beijing Naura Microelectronics Equipment Co., Ltd.",
                &["NAURA"],
                &["CN"],
            ),
            entry("SDN", "5", "ACME CORP", &[], &["RU"]),
            entry("SDN", "6", "EMMA LLC", &[], &["RU"]),
            entry(
                "EL",
                "7",
                "Yangtze Memory Technologies Co., Ltd.",
                &["YMTC", "长江存储"],
                &["CN"],
            ),
        ])
    }

    fn top(index: &Index, query: &str, filters: &Filters) -> Vec<(String, f32, bool)> {
        let mut scratch = Scratch::default();
        index
            .search(query, filters, DEFAULT_THRESHOLD, 0.3, 5, &mut scratch)
            .into_iter()
            .map(|h| (h.entry.source_id.clone(), h.comparison.score, h.is_match))
            .collect()
    }

    fn first_match(index: &Index, query: &str) -> Option<String> {
        top(index, query, &Filters::default())
            .into_iter()
            .find(|h| h.2)
            .map(|h| h.0)
    }

    #[test]
    fn finds_names_in_their_many_forms() {
        let index = index();
        assert_eq!(first_match(&index, "SMIC").as_deref(), Some("1"));
        assert_eq!(first_match(&index, "SMIC Beijing").as_deref(), Some("2"));
        assert_eq!(
            first_match(&index, "Semiconductor Mfg Intl Corp.").as_deref(),
            Some("1")
        );
        assert_eq!(
            first_match(&index, "GUANGZHOU HAIGE COMM GRP").as_deref(),
            Some("3")
        );
        assert_eq!(
            first_match(&index, "Beijing Naura Micro Electronics Equipment Co Ltd").as_deref(),
            Some("4")
        );
        assert_eq!(
            first_match(&index, "Yangtse Memory Technologies").as_deref(),
            Some("7")
        );
        assert_eq!(first_match(&index, "長江存儲").as_deref(), Some("7"));
        assert_eq!(
            first_match(&index, "Changjiang Cunchu").as_deref(),
            Some("7")
        );
    }

    #[test]
    fn known_false_positives_of_open_peers_do_not_happen() {
        let index = index();
        assert_eq!(first_match(&index, "11420 CORP."), None);
        assert_eq!(first_match(&index, "emma daniels"), None);
    }

    #[test]
    fn filters_narrow_the_hits() {
        let index = index();
        let russia = Filters {
            country: Some("RU".into()),
            ..Filters::default()
        };
        assert!(top(&index, "SMIC", &russia).is_empty());
        let sdn_only = Filters {
            lists: vec!["sdn".into()],
            ..Filters::default()
        };
        assert!(
            top(&index, "ACME Corporation", &sdn_only)
                .iter()
                .all(|h| h.0 == "5")
        );
        let el_only = Filters {
            lists: vec!["EL".into()],
            ..Filters::default()
        };
        assert!(top(&index, "ACME Corporation", &el_only).is_empty());
    }

    #[test]
    fn as_of_hides_entries_not_yet_listed() {
        let mut e = entry("EL", "9", "Future Fab Co", &[], &["CN"]);
        e.start_date = "2025-01-01".parse().ok();
        let index = Index::build(vec![e]);
        let before = Filters {
            as_of: "2024-12-31".parse().ok(),
            ..Filters::default()
        };
        let after = Filters {
            as_of: "2025-01-01".parse().ok(),
            ..Filters::default()
        };
        assert!(top(&index, "Future Fab", &before).is_empty());
        assert_eq!(top(&index, "Future Fab", &after).len(), 1);
    }

    #[test]
    fn hits_are_sorted_and_agree_with_pair_scoring() {
        let index = index();
        let mut scratch = Scratch::default();
        for query in ["SMIC", "Semiconductor Beijing", "Haige", "naura"] {
            let hits = index.search(
                query,
                &Filters::default(),
                DEFAULT_THRESHOLD,
                0.0,
                10,
                &mut scratch,
            );
            for pair in hits.windows(2) {
                assert!(pair[0].comparison.score >= pair[1].comparison.score);
            }
            for hit in &hits {
                let forms = std::iter::once(hit.matched_name.to_string())
                    .chain(name_variants(hit.matched_name));
                let best = forms
                    .map(|f| compare(&normalize(query), &normalize(&f)).score)
                    .fold(0.0f32, f32::max);
                assert_eq!(best, hit.comparison.score, "{query} / {}", hit.matched_name);
            }
        }
    }
}
