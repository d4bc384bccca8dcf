//! trade.gov Consolidated Screening List, CSV export (29 columns, `_id,source,entity_number,...`).
//!
//! Quirks handled:
//! - columns are located by header name, never by position;
//! - a UTF-8 byte order mark may open the file;
//! - the header line can repeat inside the data (skipped with a warning);
//! - a row can have the wrong field count: a row that is only *short* (truncated) and whose
//!   `_id`, `source` and `name` columns lie before its last field (so they are complete) is kept
//!   from its complete fields with a warning; any other such row is skipped with an error;
//! - fields that are not valid UTF-8 (Windows-1252 leftovers) are read as Windows-1252, with a
//!   warning; the file is never dropped for it;
//! - multi-valued fields are `; `-joined; each address ends with an ISO-2 code
//!   (`"..., Yerevan, Armenia, AM"`), and the 2026 re-encoding holds only the codes (`"CN; KY"`).
//!
//! The list code comes from the `source` column (`Entity List (EL) - ...` → `EL`). The vintage is
//! the newest `start_date`.

use crate::error::IngestError;
use crate::text::{self, UnknownCountries};
use chokepoint_model::{
    Address, Date, Diagnostic, ListCode, ListEntry, ListSet, NameKind, PartyKind, SourceFormat,
};
use std::collections::HashMap;

const FORMAT: SourceFormat = SourceFormat::CslCsv;

/// Where each known column is in this file's header.
#[derive(Debug, Default)]
struct Columns {
    id: Option<usize>,
    source: Option<usize>,
    entity_number: Option<usize>,
    kind: Option<usize>,
    programs: Option<usize>,
    name: Option<usize>,
    title: Option<usize>,
    addresses: Option<usize>,
    federal_register: Option<usize>,
    start_date: Option<usize>,
    end_date: Option<usize>,
    license_requirement: Option<usize>,
    license_policy: Option<usize>,
    call_sign: Option<usize>,
    remarks: Option<usize>,
    source_url: Option<usize>,
    alt_names: Option<usize>,
    citizenships: Option<usize>,
    dates_of_birth: Option<usize>,
    nationalities: Option<usize>,
    ids: Option<usize>,
}

impl Columns {
    fn from_header(header: &[String]) -> Columns {
        let find = |name: &str| header.iter().position(|h| h == name);
        Columns {
            id: find("_id"),
            source: find("source"),
            entity_number: find("entity_number"),
            kind: find("type"),
            programs: find("programs"),
            name: find("name"),
            title: find("title"),
            addresses: find("addresses"),
            federal_register: find("federal_register_notice"),
            start_date: find("start_date"),
            end_date: find("end_date"),
            license_requirement: find("license_requirement"),
            license_policy: find("license_policy"),
            call_sign: find("call_sign"),
            remarks: find("remarks"),
            source_url: find("source_list_url"),
            alt_names: find("alt_names"),
            citizenships: find("citizenships"),
            dates_of_birth: find("dates_of_birth"),
            nationalities: find("nationalities"),
            ids: find("ids"),
        }
    }
}

/// One row's fields, decoded.
struct Row<'r> {
    fields: Vec<std::borrow::Cow<'r, str>>,
}

impl Row<'_> {
    fn get(&self, column: Option<usize>) -> &str {
        column
            .and_then(|i| self.fields.get(i))
            .map_or("", |f| f.as_ref())
    }
}

/// Reads a CSL CSV file.
pub(crate) fn parse(label: &str, bytes: &[u8]) -> Result<ListSet, IngestError> {
    let mut records = text::csv_records(bytes, b',');
    let Some(header) = text::csv_header(records.next(), label, FORMAT)? else {
        return Err(IngestError::Empty {
            label: label.to_string(),
        });
    };
    let columns = Columns::from_header(&header);
    for (required, index) in [("source", columns.source), ("name", columns.name)] {
        if index.is_none() {
            return Err(IngestError::malformed(
                label,
                FORMAT,
                format!("the header has no `{required}` column; export the CSL CSV again"),
            ));
        }
    }
    // The last column any kept entry needs must be complete for a short row to be salvaged.
    let identifying = [columns.id, columns.source, columns.name]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);

    let mut entries = CslEntries::new(label);
    for item in records {
        let (line, record) = match item {
            Ok(item) => item,
            Err(error) => {
                entries
                    .diagnostics
                    .push(text::unreadable_rest(label, &error));
                break;
            }
        };
        let (fields, fell_back) = text::decode_record(&record);
        let mut row = Row { fields };
        let record_id = text::owned_value(row.get(columns.id));
        let located = |d: Diagnostic| {
            let d = d.at_line(line);
            match &record_id {
                Some(id) => d.in_record(id.clone()),
                None => d,
            }
        };
        let repeats_header = row.fields.len() == header.len()
            && row
                .fields
                .iter()
                .zip(&header)
                .all(|(field, name)| field.trim().eq_ignore_ascii_case(name));
        if repeats_header {
            entries.diagnostics.push(
                Diagnostic::warning(
                    label,
                    "the header line is repeated inside the data; skipped",
                )
                .at_line(line),
            );
            continue;
        }
        if row.fields.len() != header.len() {
            let count = row.fields.len();
            if count < header.len() && identifying + 1 < count {
                row.fields.truncate(count - 1);
                entries.diagnostics.push(located(Diagnostic::warning(
                    label,
                    format!(
                        "the row has {count} fields where the header has {}: it looks truncated; kept from its {} complete fields, the rest left empty",
                        header.len(),
                        count - 1
                    ),
                )));
            } else {
                entries.diagnostics.push(located(Diagnostic::error(
                    label,
                    format!(
                        "the row has {count} fields where the header has {}; skipped (check for a stray quote or comma)",
                        header.len()
                    ),
                )));
                continue;
            }
        }
        if fell_back {
            entries.diagnostics.push(located(Diagnostic::warning(
                label,
                "the row is not valid UTF-8; read as Windows-1252",
            )));
        }
        let c = &columns;
        let many = |column: Option<usize>| -> Vec<String> {
            text::split_multi(row.get(column))
                .map(str::to_string)
                .collect()
        };
        let record = CslRecord {
            id: record_id.clone(),
            source: text::owned_value(row.get(c.source)),
            entity_number: text::owned_value(row.get(c.entity_number)),
            kind: row.get(c.kind).to_string(),
            name: text::owned_value(row.get(c.name)),
            title: text::owned_value(row.get(c.title)),
            programs: many(c.programs),
            addresses: text::split_multi(row.get(c.addresses))
                .map(|full| Address {
                    full: Some(full.to_string()),
                    country: text::address_country(full).map(str::to_string),
                    ..Address::default()
                })
                .collect(),
            federal_register: many(c.federal_register),
            start_date: text::owned_value(row.get(c.start_date)),
            end_date: text::owned_value(row.get(c.end_date)),
            license_requirement: text::owned_value(row.get(c.license_requirement)),
            license_policy: text::owned_value(row.get(c.license_policy)),
            remarks: text::owned_value(row.get(c.remarks)),
            source_url: text::owned_value(row.get(c.source_url)),
            alt_names: many(c.alt_names),
            citizenships: many(c.citizenships),
            nationalities: many(c.nationalities),
            dates_of_birth: many(c.dates_of_birth),
            ids: many(c.ids),
            call_sign: text::owned_value(row.get(c.call_sign)),
        };
        entries.push(Some(line), record);
    }
    let (entries, mut diagnostics) = entries.finish();
    if entries.is_empty() && diagnostics.is_empty() {
        diagnostics.push(Diagnostic::warning(
            label,
            "the file has a header but no rows",
        ));
    }
    let vintage = text::newest_start_date(&entries);
    Ok(text::list_set(label, FORMAT, vintage, entries, diagnostics))
}

/// One CSL record, whatever its encoding (CSV row or JSON object), before validation.
#[derive(Debug, Default)]
pub(crate) struct CslRecord {
    pub(crate) id: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) entity_number: Option<String>,
    pub(crate) kind: String,
    pub(crate) name: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) programs: Vec<String>,
    /// Addresses with `country` already resolved when the source allows it.
    pub(crate) addresses: Vec<Address>,
    pub(crate) federal_register: Vec<String>,
    pub(crate) start_date: Option<String>,
    pub(crate) end_date: Option<String>,
    pub(crate) license_requirement: Option<String>,
    pub(crate) license_policy: Option<String>,
    pub(crate) remarks: Option<String>,
    pub(crate) source_url: Option<String>,
    pub(crate) alt_names: Vec<String>,
    pub(crate) citizenships: Vec<String>,
    pub(crate) nationalities: Vec<String>,
    pub(crate) dates_of_birth: Vec<String>,
    pub(crate) ids: Vec<String>,
    pub(crate) call_sign: Option<String>,
}

/// Turns CSL records into entries, collecting diagnostics; shared by the CSV and JSON readers.
pub(crate) struct CslEntries<'l> {
    label: &'l str,
    entries: Vec<ListEntry>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// `source` text → list code, so each distinct source is parsed once.
    list_codes: HashMap<String, ListCode>,
    unknown_countries: UnknownCountries,
}

impl<'l> CslEntries<'l> {
    pub(crate) fn new(label: &'l str) -> Self {
        CslEntries {
            label,
            entries: Vec::new(),
            diagnostics: Vec::new(),
            list_codes: HashMap::new(),
            unknown_countries: UnknownCountries::default(),
        }
    }

    /// The entries and every diagnostic, including the summary of unrecognised countries.
    pub(crate) fn finish(self) -> (Vec<ListEntry>, Vec<Diagnostic>) {
        let mut diagnostics = self.diagnostics;
        diagnostics.extend(
            self.unknown_countries
                .into_diagnostic(self.label, "addresses"),
        );
        (self.entries, diagnostics)
    }

    fn problem(
        &mut self,
        error: bool,
        line: Option<u64>,
        record: Option<&str>,
        field: &str,
        message: String,
    ) {
        let d = if error {
            Diagnostic::error(self.label, message)
        } else {
            Diagnostic::warning(self.label, message)
        };
        let mut d = d.in_field(field);
        if let Some(line) = line {
            d = d.at_line(line);
        }
        self.diagnostics.push(match record {
            Some(id) => d.in_record(id),
            None => d,
        });
    }

    /// Validates one record and keeps it as an entry, or reports why it was skipped.
    pub(crate) fn push(&mut self, line: Option<u64>, record: CslRecord) {
        let id = record.id.as_deref();
        let Some(name) = record.name.as_deref() else {
            self.problem(
                true,
                line,
                id,
                "name",
                "the record has no name; skipped".into(),
            );
            return;
        };
        let Some(source) = record.source.as_deref() else {
            self.problem(
                true,
                line,
                id,
                "source",
                "the record has no source list; skipped".into(),
            );
            return;
        };
        let list = match self.list_codes.get(source) {
            Some(code) => code.clone(),
            None => {
                let parsed = ListCode::from_csl_source(source);
                if parsed.is_none() {
                    self.problem(
                        false,
                        line,
                        id,
                        "source",
                        format!("`{source}` carries no list code in parentheses; used as the code"),
                    );
                }
                let code = parsed.unwrap_or_else(|| ListCode::new(source));
                self.list_codes.insert(source.to_string(), code.clone());
                code
            }
        };
        let source_id = match id {
            Some(id) => id.to_string(),
            None => {
                let fallback = record.entity_number.clone().unwrap_or_else(|| match line {
                    Some(line) => format!("line-{line}"),
                    None => format!("record-{}", self.entries.len() + 1),
                });
                self.problem(
                    false,
                    line,
                    None,
                    "_id",
                    format!("the record has no `_id`; `{fallback}` used instead"),
                );
                fallback
            }
        };
        let mut entry = ListEntry::new(list, source_id, name);
        let id = entry.source_id.clone();
        let id = Some(id.as_str());

        entry.kind = PartyKind::parse(&record.kind).unwrap_or_else(|| {
            self.problem(
                false,
                line,
                id,
                "type",
                format!(
                    "unknown party type `{}`; read as unknown",
                    record.kind.trim()
                ),
            );
            PartyKind::Unknown
        });
        entry.programs = record.programs;
        entry.title = record.title;
        for address in record.addresses {
            match &address.country {
                Some(code) => entry.push_country(code),
                None => {
                    let written = address.full.as_deref().unwrap_or("(no text)");
                    self.unknown_countries.note(written);
                }
            }
            entry.addresses.push(address);
        }
        entry.federal_register = record.federal_register;
        entry.start_date = self.date(line, id, "start_date", record.start_date.as_deref());
        entry.end_date = self.date(line, id, "end_date", record.end_date.as_deref());
        entry.license_requirement = record.license_requirement;
        entry.license_policy = record.license_policy;
        entry.remarks = record.remarks;
        entry.source_url = record.source_url;
        for alias in &record.alt_names {
            entry.push_name(alias, NameKind::Alias);
        }
        for (field, countries) in [
            ("citizenships", &record.citizenships),
            ("nationalities", &record.nationalities),
        ] {
            for country in countries {
                match text::country_code(country) {
                    Some(code) => entry.push_country(code),
                    None => self.problem(
                        false,
                        line,
                        id,
                        field,
                        format!("`{country}` is not a recognised country; left out"),
                    ),
                }
            }
        }
        entry.dates_of_birth = record.dates_of_birth;
        entry.ids = record.ids;
        if let Some(call_sign) = record.call_sign {
            entry.ids.push(format!("Call Sign {call_sign}"));
        }
        self.entries.push(entry);
    }

    fn date(
        &mut self,
        line: Option<u64>,
        id: Option<&str>,
        field: &str,
        value: Option<&str>,
    ) -> Option<Date> {
        let value = text::value(value?)?;
        let date = text::parse_iso_date(value);
        if date.is_none() {
            self.problem(
                false,
                line,
                id,
                field,
                format!("`{value}` is not a date (expected YYYY-MM-DD); left empty"),
            );
        }
        date
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_model::Severity;

    const FIXTURE: &[u8] = include_bytes!("../test_data/csl_csv/small.csv");

    #[test]
    fn reads_the_fixture() {
        let set = parse("small.csv", FIXTURE).expect("readable");
        insta::assert_yaml_snapshot!(set);
    }

    #[test]
    fn repeated_header_and_bad_rows_are_diagnostics() {
        let bytes = include_bytes!("../test_data/bad/csl_wrong_field_counts.csv");
        let set = parse("bad.csv", bytes).expect("readable");
        let ids: Vec<_> = set.entries.iter().map(|e| e.source_id.as_str()).collect();
        assert_eq!(ids, ["good-1", "good-2", "truncated"]);
        let messages: Vec<_> = set
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.severity,
                    d.line,
                    d.message.split(';').next().unwrap_or("").to_string(),
                )
            })
            .collect();
        insta::assert_debug_snapshot!(messages);
        assert!(
            set.diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
        );
    }

    #[test]
    fn windows_1252_leftovers_are_decoded_not_dropped() {
        let bytes = include_bytes!("../test_data/bad/csl_windows_1252.csv");
        let set = parse("cp1252.csv", bytes).expect("readable");
        assert_eq!(set.entries.len(), 2);
        assert_eq!(set.entries[0].primary_name(), "Société Générale");
        assert_eq!(set.diagnostics.len(), 1, "{:?}", set.diagnostics);
        assert_eq!(set.diagnostics[0].line, Some(2));
    }

    #[test]
    fn header_only_and_missing_columns() {
        let set = parse("h.csv", b"_id,source,name\n").expect("readable");
        assert!(set.is_empty());
        assert_eq!(set.diagnostics.len(), 1);
        assert!(matches!(
            parse("x.csv", b"_id,src,nom\n1,2,3\n"),
            Err(IngestError::Malformed { .. })
        ));
    }

    #[test]
    fn bad_dates_and_types_warn_and_keep_the_entry() {
        let csv = "_id,source,type,name,start_date,citizenships\n\
                   1,Entity List (EL) - Bureau of Industry and Security,robot,X Corp,2020-13-45,Atlantis\n";
        let set = parse("d.csv", csv.as_bytes()).expect("readable");
        assert_eq!(set.entries.len(), 1);
        assert_eq!(set.entries[0].start_date, None);
        let fields: Vec<_> = set
            .diagnostics
            .iter()
            .filter_map(|d| d.field.as_deref())
            .collect();
        assert_eq!(fields, ["type", "start_date", "citizenships"]);
    }
}
