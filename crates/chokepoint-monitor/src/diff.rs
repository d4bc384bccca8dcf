//! What changed between two versions of a list: entries added, removed and changed (with the
//! fields that changed, before and after).
//!
//! Entries are matched by their source's own id (`source_id`) within their list; an entry
//! without an id is matched by its list and primary name (case and spacing folded). When a key
//! is repeated in one version (a source that reuses an id), the entries with that key are paired
//! in file order and the rest count as added or removed.
//!
//! Fields are compared on the entry's JSON form (`ListEntry` derives `serde`), so every field the
//! model carries is compared and named as it is written in JSON.

use chokepoint_model::ListEntry;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// An entry named in a diff: its id, list and primary name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRef {
    /// The entry's own id in its source (empty when the source gives none).
    pub id: String,
    /// List code (`EL`, `SDN`...).
    pub list: String,
    /// Primary name.
    pub name: String,
    /// Position of the entry in the slice it comes from (`after` for added, `before` for
    /// removed); not part of the JSON.
    #[serde(skip)]
    pub index: usize,
}

/// One field that changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field, as named in the entry's JSON (`names`, `license_policy`...).
    pub field: String,
    /// Its value before (`null` when absent).
    pub before: Value,
    /// Its value after (`null` when absent).
    pub after: Value,
}

/// An entry present in both versions with different content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryChange {
    /// The entry's own id.
    pub id: String,
    /// List code.
    pub list: String,
    /// Primary name (after the change).
    pub name: String,
    /// The names of the fields that changed, in field order.
    pub fields: Vec<String>,
    /// Each changed field, before and after.
    pub changes: Vec<FieldChange>,
    /// Position of the new version in `after`; not part of the JSON.
    #[serde(skip)]
    pub index: usize,
    /// Position of the old version in `before`; not part of the JSON.
    #[serde(skip)]
    pub before_index: usize,
}

/// The difference between two versions of a set of entries.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ListDiff {
    /// Entries only in the newer version.
    pub added: Vec<EntryRef>,
    /// Entries only in the older version.
    pub removed: Vec<EntryRef>,
    /// Entries in both, changed.
    pub changed: Vec<EntryChange>,
}

impl ListDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The key an entry is matched by across versions: `(list, id)`, or `(list, "name:" + folded
/// primary name)` when the entry has no id.
pub fn entry_key(entry: &ListEntry) -> (String, String) {
    let list = entry.list.as_str().to_string();
    let id = entry.source_id.trim();
    if id.is_empty() {
        let folded: Vec<String> = entry
            .primary_name()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        (list, format!("name:{}", folded.join(" ")))
    } else {
        (list, id.to_string())
    }
}

fn reference(entry: &ListEntry, index: usize) -> EntryRef {
    EntryRef {
        id: entry.source_id.clone(),
        list: entry.list.as_str().to_string(),
        name: entry.primary_name().to_string(),
        index,
    }
}

fn fields_of(entry: &ListEntry) -> BTreeMap<String, Value> {
    match serde_json::to_value(entry) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        // A `ListEntry` always serialises to an object; nothing to compare otherwise.
        _ => BTreeMap::new(),
    }
}

/// Field order for the report: the order `ListEntry` declares them in.
const FIELD_ORDER: &[&str] = &[
    "list",
    "source_id",
    "kind",
    "names",
    "addresses",
    "countries",
    "programs",
    "license_requirement",
    "license_policy",
    "federal_register",
    "start_date",
    "end_date",
    "title",
    "dates_of_birth",
    "ids",
    "remarks",
    "source_url",
];

fn field_rank(field: &str) -> usize {
    FIELD_ORDER
        .iter()
        .position(|f| *f == field)
        .unwrap_or(FIELD_ORDER.len())
}

fn compare(before: &ListEntry, after: &ListEntry) -> Vec<FieldChange> {
    if before == after {
        return Vec::new();
    }
    let old = fields_of(before);
    let new = fields_of(after);
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort_by(|a, b| field_rank(a).cmp(&field_rank(b)).then_with(|| a.cmp(b)));
    names.dedup();
    names
        .into_iter()
        .filter_map(|field| {
            let b = old.get(field).cloned().unwrap_or(Value::Null);
            let a = new.get(field).cloned().unwrap_or(Value::Null);
            (b != a).then(|| FieldChange {
                field: field.clone(),
                before: b,
                after: a,
            })
        })
        .collect()
}

/// The entries added, removed and changed from `before` to `after`, each sorted by list, id
/// and name.
pub fn diff_entries(before: &[ListEntry], after: &[ListEntry]) -> ListDiff {
    let mut old: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, entry) in before.iter().enumerate() {
        old.entry(entry_key(entry)).or_default().push(i);
    }
    let mut new: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, entry) in after.iter().enumerate() {
        new.entry(entry_key(entry)).or_default().push(i);
    }
    let mut diff = ListDiff::default();
    for (key, new_positions) in &new {
        let old_positions = old.get(key).map(Vec::as_slice).unwrap_or(&[]);
        for (n, &j) in new_positions.iter().enumerate() {
            match old_positions.get(n) {
                Some(&i) => {
                    let changes = compare(&before[i], &after[j]);
                    if !changes.is_empty() {
                        let entry = &after[j];
                        diff.changed.push(EntryChange {
                            id: entry.source_id.clone(),
                            list: entry.list.as_str().to_string(),
                            name: entry.primary_name().to_string(),
                            fields: changes.iter().map(|c| c.field.clone()).collect(),
                            changes,
                            index: j,
                            before_index: i,
                        });
                    }
                }
                None => diff.added.push(reference(&after[j], j)),
            }
        }
    }
    for (key, old_positions) in &old {
        let matched = new.get(key).map_or(0, Vec::len);
        for &i in old_positions.iter().skip(matched) {
            diff.removed.push(reference(&before[i], i));
        }
    }
    let order = |a: &EntryRef, b: &EntryRef| {
        (a.list.as_str(), a.id.as_str(), a.name.as_str()).cmp(&(
            b.list.as_str(),
            b.id.as_str(),
            b.name.as_str(),
        ))
    };
    diff.added.sort_by(order);
    diff.removed.sort_by(order);
    diff.changed.sort_by(|a, b| {
        (a.list.as_str(), a.id.as_str(), a.name.as_str()).cmp(&(
            b.list.as_str(),
            b.id.as_str(),
            b.name.as_str(),
        ))
    });
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_model::{ListCode, NameKind};

    fn entry(list: &str, id: &str, name: &str) -> ListEntry {
        ListEntry::new(ListCode::new(list), id, name)
    }

    /// Data-driven: each case is (before, after) and the expected JSON diff.
    fn check(before: &[ListEntry], after: &[ListEntry]) -> Value {
        serde_json::to_value(diff_entries(before, after)).unwrap_or(Value::Null)
    }

    #[test]
    fn identical_versions_have_no_diff() {
        let v = vec![entry("EL", "1", "Alpha Co"), entry("SDN", "", "Beta Ltd")];
        assert!(diff_entries(&v, &v).is_empty());
    }

    #[test]
    fn added_removed_and_changed_are_matched_by_id() {
        let mut before = vec![
            entry("EL", "1", "Alpha Co"),
            entry("EL", "2", "Beta Ltd"),
            entry("EL", "3", "Gamma Inc"),
        ];
        before[2].license_policy = Some("Case-by-case".into());
        let mut after = vec![
            entry("EL", "3", "Gamma Inc"),
            entry("EL", "1", "Alpha Co"),
            entry("EL", "4", "Delta GmbH"),
        ];
        after[0].license_policy = Some("Presumption of denial".into());
        after[0].push_name("Gamma Semiconductor", NameKind::Alias);
        insta::assert_json_snapshot!(check(&before, &after), @r#"
        {
          "added": [
            {
              "id": "4",
              "list": "EL",
              "name": "Delta GmbH"
            }
          ],
          "changed": [
            {
              "changes": [
                {
                  "after": [
                    {
                      "kind": "primary",
                      "text": "Gamma Inc"
                    },
                    {
                      "kind": "alias",
                      "text": "Gamma Semiconductor"
                    }
                  ],
                  "before": [
                    {
                      "kind": "primary",
                      "text": "Gamma Inc"
                    }
                  ],
                  "field": "names"
                },
                {
                  "after": "Presumption of denial",
                  "before": "Case-by-case",
                  "field": "license_policy"
                }
              ],
              "fields": [
                "names",
                "license_policy"
              ],
              "id": "3",
              "list": "EL",
              "name": "Gamma Inc"
            }
          ],
          "removed": [
            {
              "id": "2",
              "list": "EL",
              "name": "Beta Ltd"
            }
          ]
        }
        "#);
    }

    #[test]
    fn entries_without_ids_are_matched_by_list_and_name() {
        let before = vec![entry("DPL", "", "Omega  Trading"), entry("DPL", "", "Zeta")];
        let mut after = vec![entry("DPL", "", "omega trading"), entry("UN", "", "Zeta")];
        after[0].countries = vec!["CN".into()];
        let diff = diff_entries(&before, &after);
        assert_eq!(diff.changed.len(), 1, "{diff:?}");
        assert_eq!(diff.changed[0].fields, ["names", "countries"]);
        // The same name on another list is another entry.
        assert_eq!(diff.added.len(), 1);
        assert_eq!(diff.added[0].list, "UN");
        assert_eq!(diff.removed.len(), 1);
        assert_eq!(diff.removed[0].list, "DPL");
    }

    #[test]
    fn a_repeated_id_pairs_in_order_and_the_rest_is_added_or_removed() {
        let before = vec![entry("SDN", "7", "A"), entry("SDN", "7", "B")];
        let after = vec![entry("SDN", "7", "A")];
        let diff = diff_entries(&before, &after);
        assert!(diff.changed.is_empty());
        assert_eq!(diff.removed.len(), 1);
        assert_eq!(diff.removed[0].name, "B");
        assert_eq!(diff.removed[0].index, 1);
        let diff = diff_entries(&after, &before);
        assert_eq!(diff.added.len(), 1);
        assert_eq!(diff.added[0].index, 1);
    }

    #[test]
    fn the_same_id_on_two_lists_is_two_entries() {
        let before = vec![entry("EL", "1", "A")];
        let after = vec![entry("MEU", "1", "A")];
        let diff = diff_entries(&before, &after);
        assert_eq!((diff.added.len(), diff.removed.len()), (1, 1));
    }
}
