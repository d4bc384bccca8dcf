//! chokepoint's own list format, for internal watch lists and native-script aliases, in YAML or
//! CSV. The format is specified in `FORMAT.md` at the crate root; this module follows it.
//!
//! Both encodings go through one validation (`Draft` → [`ListEntry`]): duplicate ids, missing
//! ids or names skip the entry with an error; a bad date, an unknown kind or an unknown country
//! is a warning and the value is left out. Diagnostics carry the entry's line: CSV rows know it;
//! for YAML the line of each `- ` item under `entries:` is found in the text (block style), and
//! entries written in flow style get no line.

use crate::error::IngestError;
use crate::text;
use chokepoint_model::{
    Date, Diagnostic, ListCode, ListEntry, ListSet, NameKind, PartyKind, SourceFormat, country,
};
use serde_yaml::Value;
use std::collections::HashSet;

/// The only version of the format so far.
const VERSION: u64 = 1;

/// Keys (YAML) and columns (CSV) an entry may have.
const ENTRY_KEYS: &[&str] = &[
    "id",
    "name",
    "kind",
    "aliases",
    "weak_aliases",
    "former_names",
    "native_names",
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
    "list",
];

/// Top-level keys of a YAML list.
const LIST_KEYS: &[&str] = &["chokepoint_list", "name", "code", "description", "entries"];

/// One entry as written, before validation.
#[derive(Debug, Default)]
struct Draft {
    line: Option<u64>,
    /// 1-based position in the list, used when there is no line.
    position: usize,
    id: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    list: Option<String>,
    aliases: Vec<String>,
    weak_aliases: Vec<String>,
    former_names: Vec<String>,
    native_names: Vec<String>,
    countries: Vec<String>,
    programs: Vec<String>,
    license_requirement: Option<String>,
    license_policy: Option<String>,
    federal_register: Vec<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    title: Option<String>,
    dates_of_birth: Vec<String>,
    ids: Vec<String>,
    remarks: Option<String>,
    source_url: Option<String>,
}

impl Draft {
    /// Stores one key's value; `Err` names what is wrong with it.
    fn set(&mut self, key: &str, value: Field) -> Result<(), String> {
        let one = |value: Field| -> Result<Option<String>, String> {
            match value {
                Field::One(text) => Ok(text),
                Field::Many(_) => Err(format!("`{key}` takes one value, not a list")),
            }
        };
        let many = |value: Field| -> Vec<String> {
            match value {
                Field::One(text) => text
                    .map(|t| text::split_multi(&t).map(str::to_string).collect())
                    .unwrap_or_default(),
                Field::Many(items) => items,
            }
        };
        match key {
            "id" => self.id = one(value)?,
            "name" => self.name = one(value)?,
            "kind" => self.kind = one(value)?,
            "list" => self.list = one(value)?,
            "aliases" => self.aliases = many(value),
            "weak_aliases" => self.weak_aliases = many(value),
            "former_names" => self.former_names = many(value),
            "native_names" => self.native_names = many(value),
            "countries" => self.countries = many(value),
            "programs" => self.programs = many(value),
            "license_requirement" => self.license_requirement = one(value)?,
            "license_policy" => self.license_policy = one(value)?,
            "federal_register" => self.federal_register = many(value),
            "start_date" => self.start_date = one(value)?,
            "end_date" => self.end_date = one(value)?,
            "title" => self.title = one(value)?,
            "dates_of_birth" => self.dates_of_birth = many(value),
            "ids" => self.ids = many(value),
            "remarks" => self.remarks = one(value)?,
            "source_url" => self.source_url = one(value)?,
            other => return Err(format!("unknown key `{other}`; ignored")),
        }
        Ok(())
    }
}

/// A value as written: one scalar (possibly empty) or a list.
enum Field {
    One(Option<String>),
    Many(Vec<String>),
}

/// Validates drafts into entries.
struct Validator<'l> {
    label: &'l str,
    code: ListCode,
    seen: HashSet<String>,
    entries: Vec<ListEntry>,
    diagnostics: Vec<Diagnostic>,
}

impl<'l> Validator<'l> {
    fn new(label: &'l str, code: ListCode, diagnostics: Vec<Diagnostic>) -> Self {
        Validator {
            label,
            code,
            seen: HashSet::new(),
            entries: Vec::new(),
            diagnostics,
        }
    }

    fn locate(draft: &Draft, mut d: Diagnostic) -> Diagnostic {
        if let Some(line) = draft.line {
            d = d.at_line(line);
        }
        match &draft.id {
            Some(id) => d.in_record(id.clone()),
            None => d.in_record(format!("entry #{}", draft.position)),
        }
    }

    fn error(&mut self, draft: &Draft, field: &str, message: impl Into<String>) {
        let d = Diagnostic::error(self.label, message).in_field(field);
        self.diagnostics.push(Self::locate(draft, d));
    }

    fn warning(&mut self, draft: &Draft, field: &str, message: impl Into<String>) {
        let d = Diagnostic::warning(self.label, message).in_field(field);
        self.diagnostics.push(Self::locate(draft, d));
    }

    fn accept(&mut self, draft: Draft) {
        let Some(id) = draft.id.clone() else {
            self.error(
                &draft,
                "id",
                "the entry has no id; skipped (every entry needs a unique `id`)",
            );
            return;
        };
        let Some(name) = draft.name.clone() else {
            self.error(&draft, "name", "the entry has no name; skipped");
            return;
        };
        if !self.seen.insert(id.clone()) {
            self.error(
                &draft,
                "id",
                format!("the id `{id}` is used by an earlier entry; this one was skipped"),
            );
            return;
        }
        let list = draft
            .list
            .as_deref()
            .map_or_else(|| self.code.clone(), ListCode::new);
        let mut entry = ListEntry::new(list, id, name);
        if let Some(kind) = &draft.kind {
            entry.kind = PartyKind::parse(kind).unwrap_or_else(|| {
                self.warning(
                    &draft,
                    "kind",
                    format!("unknown kind `{kind}` (expected entity, individual, vessel or aircraft); read as unknown"),
                );
                PartyKind::Unknown
            });
        }
        for (names, kind) in [
            (&draft.aliases, NameKind::Alias),
            (&draft.weak_aliases, NameKind::WeakAlias),
            (&draft.former_names, NameKind::FormerName),
            (&draft.native_names, NameKind::Native),
        ] {
            for name in names {
                entry.push_name(name, kind);
            }
        }
        for written in &draft.countries {
            let code = if country::is_known_code(written) {
                Some(written.trim().to_ascii_uppercase())
            } else {
                text::country_code(written).map(str::to_string)
            };
            match code {
                Some(code) => entry.push_country(&code),
                None => self.warning(
                    &draft,
                    "countries",
                    format!(
                        "`{written}` is not an ISO 3166-1 alpha-2 code or a known country; left out"
                    ),
                ),
            }
        }
        entry.start_date = self.date(&draft, "start_date", draft.start_date.as_deref());
        entry.end_date = self.date(&draft, "end_date", draft.end_date.as_deref());
        if let (Some(start), Some(end)) = (entry.start_date, entry.end_date)
            && end < start
        {
            self.warning(
                &draft,
                "end_date",
                "the end date is before the start date; both kept",
            );
        }
        entry.programs = draft.programs;
        entry.license_requirement = draft.license_requirement;
        entry.license_policy = draft.license_policy;
        entry.federal_register = draft.federal_register;
        entry.title = draft.title;
        entry.dates_of_birth = draft.dates_of_birth;
        entry.ids = draft.ids;
        entry.remarks = draft.remarks;
        entry.source_url = draft.source_url;
        self.entries.push(entry);
    }

    fn date(&mut self, draft: &Draft, field: &str, value: Option<&str>) -> Option<Date> {
        let value = value?;
        let date = text::parse_iso_date(value)
            .filter(|d| value.trim().len() == 10 && text::plausible_year(*d));
        if date.is_none() {
            self.warning(
                draft,
                field,
                format!("`{value}` is not a date (write YYYY-MM-DD); left empty"),
            );
        }
        date
    }

    fn into_list_set(self, format: SourceFormat) -> ListSet {
        text::list_set(self.label, format, None, self.entries, self.diagnostics)
    }
}

/// The list code: `code` as given, else `USER:<name>`, else `USER:<file stem>` with a warning.
fn list_code(
    label: &str,
    name: Option<&str>,
    code: Option<&str>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ListCode {
    if let Some(code) = code.and_then(text::value) {
        return ListCode::new(code);
    }
    if let Some(name) = name.and_then(text::value) {
        return ListCode::new(format!("USER:{name}"));
    }
    let file = label.rsplit(['/', '\\']).next().unwrap_or(label);
    let stem = file
        .split('.')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("list");
    diagnostics.push(
        Diagnostic::warning(
            label,
            format!("the list has no `name`; `USER:{stem}` used as its code"),
        )
        .in_field("name"),
    );
    ListCode::new(format!("USER:{stem}"))
}

/// Checks the `chokepoint_list` version.
fn check_version(
    label: &str,
    format: SourceFormat,
    version: Option<&str>,
) -> Result<(), IngestError> {
    match version.map(str::trim) {
        None => Err(IngestError::malformed(
            label,
            format,
            "the `chokepoint_list: 1` marker is missing; add it so the file is read as a chokepoint list",
        )),
        Some(v) if v.parse::<u64>().ok() == Some(VERSION) => Ok(()),
        Some(v) => Err(IngestError::malformed(
            label,
            format,
            format!(
                "format version `{v}` is not supported; this chokepoint reads version {VERSION}"
            ),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// YAML

/// Reads a YAML user list.
pub(crate) fn parse_yaml(label: &str, bytes: &[u8]) -> Result<ListSet, IngestError> {
    const FORMAT: SourceFormat = SourceFormat::UserYaml;
    let decoded = text::decode(text::strip_bom(bytes));
    let mut diagnostics = Vec::new();
    if decoded.fell_back {
        diagnostics.push(Diagnostic::warning(
            label,
            "the file is not valid UTF-8; read as Windows-1252 (save it as UTF-8)",
        ));
    }
    let source = decoded.text.as_ref();
    let root: Value = serde_yaml::from_str(source).map_err(|error| {
        let at = error
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        IngestError::malformed(label, FORMAT, format!("invalid YAML{at}: {error}"))
    })?;
    let Value::Mapping(root) = root else {
        return Err(IngestError::malformed(
            label,
            FORMAT,
            "expected a mapping with `chokepoint_list`, `name` and `entries`",
        ));
    };
    let top = |key: &str| root.get(key);
    check_version(
        label,
        FORMAT,
        top("chokepoint_list").and_then(scalar).as_deref(),
    )?;
    for key in root.keys() {
        let key = scalar(key).unwrap_or_default();
        if !LIST_KEYS.contains(&key.as_str()) {
            diagnostics.push(
                Diagnostic::warning(label, format!("unknown top-level key `{key}`; ignored"))
                    .in_field(key),
            );
        }
    }
    let name = top("name").and_then(scalar);
    let code = top("code").and_then(scalar);
    let code = list_code(label, name.as_deref(), code.as_deref(), &mut diagnostics);
    let items = match top("entries") {
        Some(Value::Sequence(items)) => items.as_slice(),
        Some(Value::Null) => &[],
        Some(_) => {
            return Err(IngestError::malformed(
                label,
                FORMAT,
                "`entries` must be a list of entries",
            ));
        }
        None => {
            return Err(IngestError::malformed(
                label,
                FORMAT,
                "the list has no `entries`",
            ));
        }
    };
    let lines = entry_lines(source);
    let mut validator = Validator::new(label, code, diagnostics);
    for (i, item) in items.iter().enumerate() {
        let mut draft = Draft {
            line: lines.get(i).copied().filter(|_| lines.len() == items.len()),
            position: i + 1,
            ..Draft::default()
        };
        let Value::Mapping(fields) = item else {
            validator.error(
                &draft,
                "entries",
                "the entry is not a mapping of keys to values; skipped",
            );
            continue;
        };
        draft.id = fields.get("id").and_then(scalar);
        let mut problems = Vec::new();
        for (key, value) in fields {
            let key = scalar(key).unwrap_or_default();
            let field = match value {
                Value::Sequence(items) => Field::Many(items.iter().filter_map(scalar).collect()),
                Value::Mapping(_) | Value::Tagged(_) => {
                    problems.push((
                        key.clone(),
                        format!("`{key}` must be text or a list of text; ignored"),
                    ));
                    continue;
                }
                other => Field::One(scalar(other)),
            };
            if let Err(message) = draft.set(&key, field) {
                problems.push((key, message));
            }
        }
        for (key, message) in problems {
            validator.warning(&draft, &key, message);
        }
        validator.accept(draft);
    }
    Ok(validator.into_list_set(FORMAT))
}

/// A scalar as trimmed text; `None` for null, blanks and collections.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => text::owned_value(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The 1-based line of each block-style item under `entries:`.
fn entry_lines(source: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let mut inside = false;
    let mut indent = None;
    for (number, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        if !inside {
            inside = line.starts_with("entries:");
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let this_indent = line.len() - trimmed.len();
        if this_indent == 0 && !trimmed.starts_with('-') {
            break;
        }
        if trimmed.starts_with("- ") || trimmed == "-" {
            let level = *indent.get_or_insert(this_indent);
            if this_indent == level {
                lines.push(number as u64 + 1);
            }
        }
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Reads a CSV user list.
pub(crate) fn parse_csv(label: &str, bytes: &[u8]) -> Result<ListSet, IngestError> {
    const FORMAT: SourceFormat = SourceFormat::UserCsv;
    let body = text::strip_bom(bytes);
    // Leading `# key: value` comment lines carry the list's metadata.
    let mut offset = 0;
    let mut skipped_lines = 0u64;
    let (mut version, mut name, mut code) = (None, None, None);
    for line in body.split_inclusive(|b| *b == b'\n') {
        let text_line = text::decode(line).text;
        let trimmed = text_line.trim();
        if !(trimmed.is_empty() || trimmed.starts_with('#')) {
            break;
        }
        if let Some((key, value)) = trimmed.trim_start_matches('#').split_once(':') {
            let value = text::owned_value(value);
            match key.trim() {
                "chokepoint_list" => version = value,
                "name" => name = value,
                "code" => code = value,
                _ => {}
            }
        }
        offset += line.len();
        skipped_lines += 1;
    }
    if version.is_some() {
        check_version(label, FORMAT, version.as_deref())?;
    }
    let mut records = text::csv_records(body.get(offset..).unwrap_or_default(), b',');
    let Some(header) = text::csv_header(records.next(), label, FORMAT)? else {
        return Err(IngestError::malformed(
            label,
            FORMAT,
            "there is no header row (`id,name,...`)",
        ));
    };
    if header.first().map(String::as_str) != Some("id") || !header.iter().any(|h| h == "name") {
        return Err(IngestError::malformed(
            label,
            FORMAT,
            "the header must start with `id` and have a `name` column",
        ));
    }
    let mut diagnostics = Vec::new();
    for column in header.iter().filter(|h| !ENTRY_KEYS.contains(&h.as_str())) {
        diagnostics.push(
            Diagnostic::warning(label, format!("unknown column `{column}`; ignored"))
                .in_field(column.clone()),
        );
    }
    let code = list_code(label, name.as_deref(), code.as_deref(), &mut diagnostics);
    let mut validator = Validator::new(label, code, diagnostics);
    for (position, item) in records.enumerate() {
        let (line, record) = match item {
            Ok(item) => item,
            Err(error) => {
                validator
                    .diagnostics
                    .push(text::unreadable_rest(label, &error));
                break;
            }
        };
        let line = line + skipped_lines;
        let mut draft = Draft {
            line: Some(line),
            position: position + 1,
            ..Draft::default()
        };
        let (fields, fell_back) = text::decode_record(&record);
        draft.id = fields.first().and_then(|f| text::owned_value(f));
        if fields.len() != header.len() {
            validator.error(
                &draft,
                "id",
                format!(
                    "the row has {} fields where the header has {}; skipped",
                    fields.len(),
                    header.len()
                ),
            );
            continue;
        }
        if fell_back {
            validator.warning(
                &draft,
                "name",
                "the row is not valid UTF-8; read as Windows-1252 (save the file as UTF-8)",
            );
        }
        for (column, value) in header.iter().zip(&fields) {
            if ENTRY_KEYS.contains(&column.as_str()) {
                // Every column takes one value or a `;`-separated list, so `set` cannot fail here.
                let _ = draft.set(column, Field::One(text::owned_value(value)));
            }
        }
        validator.accept(draft);
    }
    Ok(validator.into_list_set(FORMAT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_model::Severity;

    #[test]
    fn reads_the_yaml_example() {
        let set = parse_yaml("watch.yaml", include_bytes!("../test_data/user/watch.yaml"))
            .expect("readable");
        insta::assert_yaml_snapshot!(set);
    }

    #[test]
    fn reads_the_csv_example() {
        let set = parse_csv("watch.csv", include_bytes!("../test_data/user/watch.csv"))
            .expect("readable");
        insta::assert_yaml_snapshot!(set);
    }

    #[test]
    fn yaml_and_csv_examples_give_the_same_entries() {
        let yaml =
            parse_yaml("watch.yaml", include_bytes!("../test_data/user/watch.yaml")).expect("yaml");
        let csv =
            parse_csv("watch.csv", include_bytes!("../test_data/user/watch.csv")).expect("csv");
        assert_eq!(yaml.entries, csv.entries);
    }

    #[test]
    fn bad_yaml_entries_are_diagnostics_with_lines() {
        let set = parse_yaml(
            "bad.yaml",
            include_bytes!("../test_data/bad/user_bad_entries.yaml"),
        )
        .expect("readable");
        let kept: Vec<_> = set.entries.iter().map(|e| e.source_id.as_str()).collect();
        assert_eq!(kept, ["A-1", "A-3", "A-5"]);
        let found: Vec<_> = set
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.line, d.field.clone().unwrap_or_default()))
            .collect();
        insta::assert_debug_snapshot!(found);
        assert!(
            set.diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
        );
    }

    #[test]
    fn bad_csv_rows_are_diagnostics_with_lines() {
        let set = parse_csv(
            "bad.csv",
            include_bytes!("../test_data/bad/user_bad_rows.csv"),
        )
        .expect("readable");
        let kept: Vec<_> = set.entries.iter().map(|e| e.source_id.as_str()).collect();
        assert_eq!(kept, ["B-1", "B-4"]);
        let found: Vec<_> = set
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.line, d.field.clone().unwrap_or_default()))
            .collect();
        insta::assert_debug_snapshot!(found);
    }

    #[test]
    fn whole_file_errors() {
        let error =
            parse_yaml("x.yaml", b"chokepoint_list: 2\nentries: []\n").expect_err("version");
        assert!(
            error.to_string().contains("version `2` is not supported"),
            "{error}"
        );
        let error = parse_yaml("x.yaml", b"name: x\nentries: []\n").expect_err("marker");
        assert!(error.to_string().contains("marker is missing"), "{error}");
        let error = parse_yaml("x.yaml", b"chokepoint_list: 1\nentries: [\n").expect_err("syntax");
        assert!(error.to_string().contains("line"), "{error}");
        assert!(parse_csv("x.csv", b"# chokepoint_list: 1\n").is_err());
        assert!(parse_csv("x.csv", b"name,id\n").is_err());
    }

    #[test]
    fn entry_lines_follow_block_items() {
        let source = "chokepoint_list: 1\nentries:\n  - id: a\n    aliases:\n      - x\n  - id: b\nother: 1\n";
        assert_eq!(entry_lines(source), [3, 6]);
    }
}
