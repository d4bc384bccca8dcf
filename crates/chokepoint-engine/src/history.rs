//! List versions: every import that changes a file adds a *revision* of the data directory,
//! recording every current file and, for each source, its content hash, vintage and counts.
//! Importing the same content again adds nothing.
//!
//! Revisions live in the manifest (`history`), written in the same atomic replace as the
//! current files, so the two never disagree. The files of every revision stay in
//! `lists/files/` (they are never rewritten), so any revision can be loaded again and two
//! revisions compared entry by entry ([`DataDir::diff`]).
//!
//! A source is one list as the manifest's `lists` names it (a file, or an OFAC primary file
//! with its companions); its content hash is SHA-256 over its parsed entries, so a change in a
//! companion file is a change of its source, and a file re-saved with other line endings is
//! not.

use crate::EngineError;
use crate::datadir::DataDir;
use crate::source::{LoadedLists, sha256_hex};
use chokepoint_model::{Date, ListCode, ListEntry, ListMeta, ListSet, SourceFormat};
use chokepoint_monitor::{ListDiff, diff_entries};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// One revision of the data directory's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// 1, 2, 3...: one more for every import that changed something.
    pub revision: u64,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// The list snapshot id of its files (see [`snapshot_id`](crate::snapshot_id)), the id the
    /// audit trail and determinations record.
    pub snapshot_id: String,
    /// Every file current in this revision.
    pub files: Vec<RevisionFile>,
    /// Every source current in this revision.
    pub sources: Vec<SourceSnapshot>,
}

/// A file of a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionFile {
    /// The file name it was imported under.
    pub label: String,
    /// SHA-256 of its content.
    pub sha256: String,
    /// Path inside `lists/`.
    pub stored_as: String,
}

/// One source as it was in a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSnapshot {
    /// The source's label (its file name, or the user list's name).
    pub source: String,
    /// 1, 2, 3...: one more every time its content changed.
    pub version: u32,
    /// Whether it changed in this revision.
    pub changed: bool,
    /// The format it was read as.
    pub format: SourceFormat,
    /// SHA-256 over its entries as parsed.
    pub content_sha256: String,
    /// SHA-256 of its primary file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    /// The date of the data, when the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vintage: Option<Date>,
    /// Entries kept.
    pub entries: usize,
    /// Entries per list code.
    pub counts: Vec<(ListCode, usize)>,
}

/// Each source of a parsed set with the range of its entries. Parsers append a source's
/// entries together, in the order of `set.lists`; when the counts do not add up (never
/// expected), everything is one source named `all`.
pub fn split_sources(set: &ListSet) -> Vec<(ListMeta, Range<usize>)> {
    let total: usize = set.lists.iter().map(|m| m.entries).sum();
    if total != set.entries.len() {
        let meta = ListMeta {
            label: "all".into(),
            format: set
                .lists
                .first()
                .map_or(SourceFormat::UserYaml, |m| m.format),
            vintage: None,
            entries: set.entries.len(),
            counts: chokepoint_model::count_by_list(&set.entries),
            sha256: None,
        };
        return vec![(meta, 0..set.entries.len())];
    }
    let mut start = 0;
    set.lists
        .iter()
        .map(|meta| {
            let range = start..start + meta.entries;
            start = range.end;
            (meta.clone(), range)
        })
        .collect()
}

fn content_hash(entries: &[ListEntry]) -> String {
    sha256_hex(&serde_json::to_vec(entries).unwrap_or_default())
}

/// The revision that follows `previous` for the files `files` holding `loaded`; `None` when no
/// source changed.
pub(crate) fn next_revision(
    previous: Option<&Revision>,
    files: Vec<RevisionFile>,
    loaded: &LoadedLists,
    imported_at: &str,
) -> Option<Revision> {
    let mut sources = Vec::new();
    let mut any_changed = previous.is_none();
    for (meta, range) in split_sources(&loaded.set) {
        let content_sha256 = content_hash(&loaded.set.entries[range]);
        let before = previous.and_then(|p| p.sources.iter().find(|s| s.source == meta.label));
        let (version, changed) = match before {
            Some(b) if b.content_sha256 == content_sha256 => (b.version, false),
            Some(b) => (b.version + 1, true),
            None => (1, true),
        };
        any_changed |= changed;
        sources.push(SourceSnapshot {
            source: meta.label.clone(),
            version,
            changed,
            format: meta.format,
            content_sha256,
            file_sha256: meta.sha256.clone(),
            vintage: meta.vintage,
            entries: meta.entries,
            counts: meta.counts.clone(),
        });
    }
    if let Some(previous) = previous {
        // A source that is gone is a change too.
        any_changed |= previous
            .sources
            .iter()
            .any(|p| !sources.iter().any(|s| s.source == p.source));
    }
    if !any_changed {
        return None;
    }
    let pairs: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.label.clone(), f.sha256.clone()))
        .collect();
    Some(Revision {
        revision: previous.map_or(1, |p| p.revision + 1),
        imported_at: imported_at.to_string(),
        snapshot_id: crate::snapshot_id(&pairs),
        files,
        sources,
    })
}

/// Whether a source labelled `label` is the one named `name`: the label itself or its name
/// without extension (`consolidated` for `consolidated.csv`), any case.
pub fn source_matches(label: &str, name: &str) -> bool {
    label.eq_ignore_ascii_case(name)
        || label
            .split_once('.')
            .is_some_and(|(stem, _)| stem.eq_ignore_ascii_case(name))
}

/// Which revision a `--from`/`--to` argument names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionSpec {
    /// A revision number; 0 is "before any list".
    Number(u64),
    /// The revision current at the end of this day (UTC).
    Date(Date),
}

impl RevisionSpec {
    /// Reads `7` or `2026-01-31`.
    pub fn parse(text: &str) -> Option<RevisionSpec> {
        let text = text.trim();
        let text = text.strip_prefix('r').unwrap_or(text);
        if let Ok(n) = text.parse() {
            return Some(RevisionSpec::Number(n));
        }
        text.parse().ok().map(RevisionSpec::Date)
    }
}

/// The revision current at the end of `date`: the last one imported on or before it; 0 when
/// none was.
pub fn revision_on(history: &[Revision], date: Date) -> u64 {
    let day = date.to_string();
    history
        .iter()
        .filter(|r| r.imported_at.get(..10).is_some_and(|d| d <= day.as_str()))
        .map(|r| r.revision)
        .max()
        .unwrap_or(0)
}

impl DataDir {
    /// Every revision, oldest first. A data directory imported before revisions were kept has
    /// its current files as revision 1.
    pub fn history(&self) -> Result<Vec<Revision>, EngineError> {
        let manifest = self.manifest()?;
        if !manifest.history.is_empty() || manifest.files.is_empty() {
            return Ok(manifest.history);
        }
        let loaded = self.load()?;
        let files = self.revision_files(&manifest);
        let imported_at = manifest
            .files
            .iter()
            .map(|f| f.imported_at.as_str())
            .max()
            .unwrap_or("")
            .to_string();
        Ok(next_revision(None, files, &loaded, &imported_at)
            .into_iter()
            .collect())
    }

    /// Resolves a revision argument against the history; errors name what exists.
    pub fn resolve(&self, history: &[Revision], spec: RevisionSpec) -> Result<u64, EngineError> {
        match spec {
            RevisionSpec::Number(0) => Ok(0),
            RevisionSpec::Number(n) if history.iter().any(|r| r.revision == n) => Ok(n),
            RevisionSpec::Number(n) => Err(EngineError::BadInput {
                label: format!("revision {n}"),
                reason: format!(
                    "there is no such revision; `chokepoint lists history` shows them (1 to {})",
                    history.last().map_or(0, |r| r.revision)
                ),
            }),
            RevisionSpec::Date(date) => Ok(revision_on(history, date)),
        }
    }

    /// The lists of a revision, loaded again from the files the data directory keeps (revision
    /// 0 is empty).
    pub fn load_revision(
        &self,
        history: &[Revision],
        revision: u64,
    ) -> Result<LoadedLists, EngineError> {
        if revision == 0 {
            return Ok(LoadedLists::default());
        }
        let Some(found) = history.iter().find(|r| r.revision == revision) else {
            return Err(EngineError::BadInput {
                label: format!("revision {revision}"),
                reason: "there is no such revision; `chokepoint lists history` shows them".into(),
            });
        };
        let files: Vec<(String, String, String)> = found
            .files
            .iter()
            .map(|f| (f.label.clone(), f.sha256.clone(), f.stored_as.clone()))
            .collect();
        self.load_files(&files)
    }

    /// The entries of `revision`, only those of sources whose label is `source` when given.
    pub fn revision_entries(
        &self,
        history: &[Revision],
        revision: u64,
        source: Option<&str>,
    ) -> Result<Vec<ListEntry>, EngineError> {
        let loaded = self.load_revision(history, revision)?;
        let Some(source) = source else {
            return Ok(loaded.set.entries);
        };
        let mut entries = Vec::new();
        for (meta, range) in split_sources(&loaded.set) {
            if source_matches(&meta.label, source) {
                entries.extend_from_slice(&loaded.set.entries[range]);
            }
        }
        Ok(entries)
    }

    /// The entries added, removed and changed from revision `from` to revision `to`, only in
    /// the source labelled `source` when given.
    pub fn diff(
        &self,
        history: &[Revision],
        from: u64,
        to: u64,
        source: Option<&str>,
    ) -> Result<ListDiff, EngineError> {
        if let Some(source) = source
            && !history
                .iter()
                .any(|r| r.sources.iter().any(|s| source_matches(&s.source, source)))
        {
            let mut known: Vec<&str> = history
                .iter()
                .flat_map(|r| r.sources.iter().map(|s| s.source.as_str()))
                .collect();
            known.sort_unstable();
            known.dedup();
            return Err(EngineError::BadInput {
                label: source.to_string(),
                reason: format!("no such source; the sources are: {}", known.join(", ")),
            });
        }
        let before = self.revision_entries(history, from, source)?;
        let after = self.revision_entries(history, to, source)?;
        Ok(diff_entries(&before, &after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "chokepoint_list: 1\nname: watch\nentries:\n  - id: A\n    name: Alpha Co\n  - id: B\n    name: Beta Ltd\n";
    const V2: &str = "chokepoint_list: 1\nname: watch\nentries:\n  - id: A\n    name: Alpha Company\n  - id: C\n    name: Gamma Inc\n";

    fn import(dir: &DataDir, text: &str, at: &str) {
        dir.import(
            vec![("watch.yaml".into(), text.as_bytes().to_vec(), "test".into())],
            at,
        )
        .unwrap_or_else(|e| panic!("import: {e}"));
    }

    #[test]
    fn each_changing_import_adds_a_revision_and_the_same_content_adds_none() {
        let temp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = DataDir::new(temp.path());
        import(&dir, V1, "2026-01-01T00:00:00Z");
        import(&dir, V1, "2026-01-02T00:00:00Z");
        import(&dir, V2, "2026-02-01T00:00:00Z");
        let history = dir.history().unwrap_or_default();
        let summary: Vec<(u64, u32, bool, usize)> = history
            .iter()
            .flat_map(|r| {
                r.sources
                    .iter()
                    .map(move |s| (r.revision, s.version, s.changed, s.entries))
            })
            .collect();
        assert_eq!(summary, [(1, 1, true, 2), (2, 2, true, 2)]);
        assert_eq!(
            revision_on(&history, "2025-12-31".parse().unwrap_or_default()),
            0
        );
        assert_eq!(
            revision_on(&history, "2026-01-15".parse().unwrap_or_default()),
            1
        );
        assert_eq!(
            revision_on(&history, "2026-02-01".parse().unwrap_or_default()),
            2
        );
        let diff = dir.diff(&history, 1, 2, None).unwrap_or_default();
        let names = |refs: &[chokepoint_monitor::EntryRef]| {
            refs.iter().map(|e| e.name.clone()).collect::<Vec<_>>()
        };
        assert_eq!(names(&diff.added), ["Gamma Inc"]);
        assert_eq!(names(&diff.removed), ["Beta Ltd"]);
        assert_eq!(diff.changed.len(), 1);
        assert_eq!(diff.changed[0].fields, ["names"]);
        let everything = dir.diff(&history, 0, 2, Some("WATCH")).unwrap_or_default();
        assert_eq!(everything.added.len(), 2);
        assert!(dir.diff(&history, 1, 2, Some("nope")).is_err());
    }

    #[test]
    fn revision_specs_read_numbers_and_dates() {
        assert_eq!(RevisionSpec::parse("3"), Some(RevisionSpec::Number(3)));
        assert_eq!(RevisionSpec::parse("r3"), Some(RevisionSpec::Number(3)));
        assert!(matches!(
            RevisionSpec::parse("2026-01-31"),
            Some(RevisionSpec::Date(_))
        ));
        assert_eq!(RevisionSpec::parse("yesterday"), None);
    }
}
