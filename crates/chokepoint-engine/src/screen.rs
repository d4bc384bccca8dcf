//! Screening as the CLI and the HTTP API answer it: the wire shape of a hit, one query, and a
//! batch of thousands run in parallel in input order.

use crate::EngineError;
use chokepoint_model::{Date, ListSet, PartyKind};
use chokepoint_screening::{DEFAULT_THRESHOLD, Filters, Index, Method, Scratch, TokenMatch};
use rayon::prelude::*;
use serde::Serialize;

/// A hit as answered by `chokepoint screen` (JSON) and `POST /v1/screen`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitRecord {
    /// The entry's own id in its source file (CSL `_id`, SDN `ent_num`, UN `DATAID`...).
    pub source_id: String,
    /// List code (`EL`, `SDN`...).
    pub list: String,
    /// The list's full name.
    pub list_name: String,
    /// The entry's primary name.
    pub name: String,
    /// The entry's name that matched.
    pub matched_name: String,
    /// Score in [0, 1].
    pub score: f32,
    /// Whether the score reaches the threshold.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// The reading that gave the score.
    pub method: Method,
    /// Why, in words.
    pub explanation: String,
    /// The aligned tokens.
    pub matched_tokens: Vec<TokenMatch>,
    /// Entity, individual, vessel, aircraft or unknown.
    pub kind: PartyKind,
    /// ISO-2 countries of the entry.
    pub countries: Vec<String>,
    /// Programs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// The license requirement the list states.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_requirement: Option<String>,
    /// The license review policy the list states.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_policy: Option<String>,
    /// Federal Register citations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub federal_register: Vec<String>,
    /// Listing start date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Date>,
    /// Listing end date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Date>,
    /// The list's official page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

/// One screening question.
#[derive(Debug, Clone, Default)]
pub struct ScreenQuery {
    /// The name to screen.
    pub name: String,
    /// Narrowing filters.
    pub filters: Filters,
}

/// How many hits to return and which count as matches.
#[derive(Debug, Clone, Copy)]
pub struct ScreenOptions {
    /// Score at or above which a hit is a match.
    pub threshold: f32,
    /// Hits below this score are not returned.
    pub min_score: f32,
    /// At most this many hits.
    pub limit: usize,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            threshold: DEFAULT_THRESHOLD,
            min_score: 0.6,
            limit: 10,
        }
    }
}

/// An index over a list snapshot, ready to answer.
#[derive(Debug)]
pub struct Screener {
    index: Index,
    /// What was loaded.
    pub lists: Vec<chokepoint_model::ListMeta>,
    /// The id of the list snapshot (see [`snapshot_id`](crate::snapshot_id)), when known.
    pub snapshot_id: Option<String>,
}

impl Screener {
    /// Indexes `set`.
    pub fn new(set: ListSet) -> Screener {
        Screener {
            lists: set.lists,
            index: Index::build(set.entries),
            snapshot_id: None,
        }
    }

    /// Records the id of the snapshot this index was built from.
    pub fn with_snapshot_id(mut self, id: String) -> Screener {
        self.snapshot_id = Some(id);
        self
    }

    /// The index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Whether no entry is loaded.
    pub fn is_empty(&self) -> bool {
        self.index.entries().is_empty()
    }

    /// Screens one name. The search's scratch space (a tally slot per indexed name, about
    /// 0.5 MB for the full lists) is kept per thread and reused, rather than allocated and
    /// zeroed for every call: the server screens one name per request.
    pub fn screen(&self, query: &ScreenQuery, options: &ScreenOptions) -> Vec<HitRecord> {
        thread_local! {
            /// The scratch, and whether a search is using it: still set when the next search
            /// starts means the last one unwound half-way, leaving tallies behind.
            static SCRATCH: (std::cell::RefCell<Scratch>, std::cell::Cell<bool>) =
                (std::cell::RefCell::new(Scratch::default()), std::cell::Cell::new(false));
        }
        SCRATCH.with(|(scratch, busy)| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                if busy.replace(true) {
                    *scratch = Scratch::default();
                }
                let hits = self.screen_with(query, options, &mut scratch);
                busy.set(false);
                hits
            }
            // Re-entered on this thread (cannot happen today): use a fresh one.
            Err(_) => self.screen_with(query, options, &mut Scratch::default()),
        })
    }

    fn screen_with(
        &self,
        query: &ScreenQuery,
        options: &ScreenOptions,
        scratch: &mut Scratch,
    ) -> Vec<HitRecord> {
        self.index
            .search(
                &query.name,
                &query.filters,
                options.threshold,
                options.min_score,
                options.limit,
                scratch,
            )
            .into_iter()
            .map(|hit| {
                let e = hit.entry;
                HitRecord {
                    source_id: e.source_id.clone(),
                    list: e.list.as_str().to_string(),
                    list_name: e.list.long_name().to_string(),
                    name: e.primary_name().to_string(),
                    matched_name: hit.matched_name.to_string(),
                    score: (hit.comparison.score * 1000.0).round() / 1000.0,
                    is_match: hit.is_match,
                    method: hit.comparison.method,
                    explanation: hit.comparison.explain(),
                    matched_tokens: hit.comparison.matches,
                    kind: e.kind,
                    countries: e.countries.clone(),
                    programs: e.programs.clone(),
                    license_requirement: e.license_requirement.clone(),
                    license_policy: e.license_policy.clone(),
                    federal_register: e.federal_register.clone(),
                    start_date: e.start_date,
                    end_date: e.end_date,
                    source_url: e.source_url.clone(),
                }
            })
            .collect()
    }

    /// Screens many names in parallel; answers come back in input order. `on_done` is called
    /// with the number of names finished so far, from worker threads.
    pub fn screen_many(
        &self,
        queries: &[ScreenQuery],
        options: &ScreenOptions,
        on_done: &(dyn Fn(usize) + Sync),
    ) -> Vec<Vec<HitRecord>> {
        let done = std::sync::atomic::AtomicUsize::new(0);
        queries
            .par_iter()
            .map_init(Scratch::default, |scratch, query| {
                let hits = self.screen_with(query, options, scratch);
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_multiple_of(1024) || n == queries.len() {
                    on_done(n);
                }
                hits
            })
            .collect()
    }
}

/// One row of a batch input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRow {
    /// The row's `id`.
    pub id: String,
    /// The query.
    pub query: ScreenQueryWire,
}

/// The query as echoed in batch output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenQueryWire {
    /// Name.
    pub name: String,
    /// Country filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Type filter.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<PartyKind>,
}

/// One output line of a batch: `{"id", "query", "hits"}`.
#[derive(Debug, Clone, Serialize)]
pub struct BatchAnswer<'a> {
    /// The row's `id`.
    pub id: &'a str,
    /// The screened name.
    pub query: &'a str,
    /// The hits, best first.
    pub hits: &'a [HitRecord],
}

/// Reads a batch CSV: a header with `id` and `name` columns, optional `country` and `type`;
/// other columns are ignored. Every bad row is an error naming its line; good rows are kept.
pub fn read_batch_csv(
    label: &str,
    bytes: &[u8],
) -> Result<(Vec<BatchRow>, Vec<chokepoint_model::Diagnostic>), EngineError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let headers = reader
        .headers()
        .map_err(|e| EngineError::BadInput {
            label: label.to_string(),
            reason: format!("cannot read the header row: {e}"),
        })?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(id_col), Some(name_col)) = (find("id"), find("name")) else {
        return Err(EngineError::BadInput {
            label: label.to_string(),
            reason: format!(
                "the header must name an `id` and a `name` column (found: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        });
    };
    let country_col = find("country");
    let type_col = find("type");
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                problems.push(
                    chokepoint_model::Diagnostic::error(label, format!("unreadable row: {e}"))
                        .at_line(line),
                );
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        let get = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let Some(name) = get(Some(name_col)) else {
            problems.push(
                chokepoint_model::Diagnostic::error(label, "the name is empty; the row is skipped")
                    .at_line(line)
                    .in_field("name"),
            );
            continue;
        };
        let id = get(Some(id_col)).unwrap_or_default().to_string();
        let country = match get(country_col) {
            Some(c) => match chokepoint_model::country::code_for_name(c) {
                Some(code) => Some(code.to_string()),
                None => {
                    problems.push(
                        chokepoint_model::Diagnostic::warning(
                            label,
                            format!("`{c}` is not a country chokepoint knows; screened without a country filter"),
                        )
                        .at_line(line)
                        .in_field("country"),
                    );
                    None
                }
            },
            None => None,
        };
        let kind = match get(type_col) {
            Some(t) => match PartyKind::parse(t) {
                Some(k) if k != PartyKind::Unknown => Some(k),
                Some(_) => None,
                None => {
                    problems.push(
                        chokepoint_model::Diagnostic::warning(
                            label,
                            format!("type `{t}` is not one of entity, individual, vessel, aircraft; screened without a type filter"),
                        )
                        .at_line(line)
                        .in_field("type"),
                    );
                    None
                }
            },
            None => None,
        };
        rows.push(BatchRow {
            id,
            query: ScreenQueryWire {
                name: name.to_string(),
                country,
                kind,
            },
        });
    }
    Ok((rows, problems))
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
