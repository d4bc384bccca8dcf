//! UN Security Council consolidated list, XML (`CONSOLIDATED_LIST` with `INDIVIDUALS` and
//! `ENTITIES`; schema `https://www.un.org/sc/resources/sc-sanctions.xsd`), read with a streaming
//! quick-xml reader.
//!
//! Mapping: `DATAID` → source id; `FIRST_NAME` .. `FOURTH_NAME` joined by blanks → primary name
//! (an entity's name is its `FIRST_NAME`); `*_ALIAS` with `QUALITY` `Good`/`a.k.a.`/empty →
//! alias, `Low` → weak alias, `f.k.a.` → former name; `NAME_ORIGINAL_SCRIPT` → native name;
//! `NATIONALITY/VALUE` and every address `COUNTRY` → countries; `*_ADDRESS` → addresses;
//! `INDIVIDUAL_DATE_OF_BIRTH` → dates of birth (`DATE`, `YEAR` or `FROM_YEAR-TO_YEAR`);
//! `INDIVIDUAL_DOCUMENT` and `REFERENCE_NUMBER` → ids; `LISTED_ON` → start date; `UN_LIST_TYPE` →
//! program; `TITLE`/`DESIGNATION` values → title; `COMMENTS1` → remarks. The vintage is the
//! root's `dateGenerated`.
//!
//! Quirks handled: empty alias elements (`<ALIAS_NAME/>`); country `na` (not available) is
//! ignored; a file cut short keeps the records read before the cut, with an error diagnostic.

use crate::error::IngestError;
use crate::text::{self, UnknownCountries};
use chokepoint_model::{
    Address, Date, Diagnostic, ListCode, ListEntry, ListSet, NameKind, PartyKind, SourceFormat,
};
use quick_xml::Reader;
use quick_xml::events::Event;

const FORMAT: SourceFormat = SourceFormat::UnXml;

/// What is being read inside a record.
#[derive(Debug, Default)]
struct Record {
    kind: Option<PartyKind>,
    line: u64,
    data_id: Option<String>,
    name_parts: [Option<String>; 4],
    list_type: Option<String>,
    reference: Option<String>,
    listed_on: Option<String>,
    comments: Option<String>,
    titles: Vec<String>,
    names: Vec<(String, NameKind)>,
    nationalities: Vec<String>,
    addresses: Vec<(Address, Option<String>)>,
    dates_of_birth: Vec<String>,
    documents: Vec<String>,
    /// The repeated group being filled (alias, address, date of birth, document).
    group: Vec<(String, String)>,
}

/// Reads a UN consolidated list file.
pub(crate) fn parse(label: &str, bytes: &[u8]) -> Result<ListSet, IngestError> {
    let body = text::strip_bom(bytes);
    let mut diagnostics = Vec::new();
    let decoded = text::decode(body);
    if decoded.fell_back {
        diagnostics.push(Diagnostic::warning(
            label,
            "the file is not valid UTF-8 although XML says so; read as Windows-1252",
        ));
    }
    let xml = decoded.text.as_ref();
    let mut reader = Reader::from_str(xml);

    let mut entries = Vec::new();
    let mut unknown_countries = UnknownCountries::default();
    let mut vintage = None;
    let mut root_seen = false;
    let mut path: Vec<String> = Vec::new();
    let mut text_buffer = String::new();
    let mut record: Option<Record> = None;
    let line_of = |position: u64| -> u64 {
        let end = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(xml.len());
        let prefix = xml.as_bytes().get(..end).unwrap_or_default();
        1 + prefix.iter().filter(|b| **b == b'\n').count() as u64
    };
    let mut last_line = (0usize, 1u64);

    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                let at = reader.error_position();
                let message = format!(
                    "the XML is malformed or truncated near line {} ({error}); the {} records before it were kept",
                    line_of(at),
                    entries.len()
                );
                if !root_seen {
                    return Err(IngestError::malformed(label, FORMAT, message));
                }
                diagnostics.push(Diagnostic::error(label, message));
                break;
            }
        };
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_string();
                if !root_seen {
                    if name != "CONSOLIDATED_LIST" {
                        return Err(IngestError::malformed(
                            label,
                            FORMAT,
                            format!("the root element is `{name}`, not `CONSOLIDATED_LIST`"),
                        ));
                    }
                    root_seen = true;
                    if let Ok(Some(attribute)) = start.try_get_attribute("dateGenerated") {
                        vintage = text::parse_iso_date(&attribute.value);
                    }
                }
                if matches!(name.as_str(), "INDIVIDUAL" | "ENTITY") && path.len() == 2 {
                    // Counting lines incrementally keeps this linear on big files.
                    let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
                    let (from, line) = last_line;
                    let upto = position.min(xml.len()).max(from);
                    let more = xml.as_bytes().get(from..upto).unwrap_or_default();
                    let line = line + more.iter().filter(|b| **b == b'\n').count() as u64;
                    last_line = (upto, line);
                    record = Some(Record {
                        kind: Some(if name == "INDIVIDUAL" {
                            PartyKind::Individual
                        } else {
                            PartyKind::Entity
                        }),
                        line,
                        ..Record::default()
                    });
                }
                path.push(name);
                text_buffer.clear();
            }
            Event::Empty(_) => {}
            Event::Text(content) => text_buffer.push_str(&content.xml10_content()),
            Event::CData(content) => text_buffer.push_str(&content),
            Event::GeneralRef(reference) => {
                if let Ok(Some(c)) = reference.resolve_char_ref() {
                    text_buffer.push(c);
                } else if let Some(resolved) =
                    quick_xml::escape::resolve_predefined_entity(&reference)
                {
                    text_buffer.push_str(resolved);
                }
            }
            Event::End(_) => {
                let Some(name) = path.pop() else { break };
                let value = std::mem::take(&mut text_buffer);
                let Some(current) = record.as_mut() else {
                    continue;
                };
                if matches!(name.as_str(), "INDIVIDUAL" | "ENTITY") && path.len() == 2 {
                    if let Some(done) = record.take()
                        && let Some(entry) =
                            finish(label, done, &mut diagnostics, &mut unknown_countries)
                    {
                        entries.push(entry);
                    }
                    continue;
                }
                let parent = path.last().map_or("", String::as_str);
                read_element(current, parent, &name, value.trim());
            }
            Event::Eof => {
                if !path.is_empty() {
                    diagnostics.push(Diagnostic::error(
                        label,
                        format!(
                            "the XML ends inside `{}` (the file is truncated); the {} records before it were kept",
                            path.join("/"),
                            entries.len()
                        ),
                    ));
                }
                break;
            }
            _ => {}
        }
    }
    if !root_seen {
        return Err(IngestError::malformed(
            label,
            FORMAT,
            "no `CONSOLIDATED_LIST` element found",
        ));
    }
    diagnostics.extend(unknown_countries.into_diagnostic(label, "COUNTRY"));
    Ok(text::list_set(label, FORMAT, vintage, entries, diagnostics))
}

/// Stores the text of one closed element.
fn read_element(record: &mut Record, parent: &str, name: &str, value: &str) {
    let value_owned = || (!value.is_empty()).then(|| value.to_string());
    match (parent, name) {
        (_, "DATAID") => record.data_id = value_owned(),
        (_, "FIRST_NAME") => record.name_parts[0] = value_owned(),
        (_, "SECOND_NAME") => record.name_parts[1] = value_owned(),
        (_, "THIRD_NAME") => record.name_parts[2] = value_owned(),
        (_, "FOURTH_NAME") => record.name_parts[3] = value_owned(),
        (_, "UN_LIST_TYPE") => record.list_type = value_owned(),
        (_, "REFERENCE_NUMBER") => record.reference = value_owned(),
        (_, "LISTED_ON") => record.listed_on = value_owned(),
        (_, "COMMENTS1") => record.comments = value_owned(),
        (_, "NAME_ORIGINAL_SCRIPT") => record
            .names
            .extend(value_owned().map(|v| (v, NameKind::Native))),
        ("TITLE" | "DESIGNATION", "VALUE") => record.titles.extend(value_owned()),
        ("NATIONALITY", "VALUE") => record.nationalities.extend(value_owned()),
        (
            "INDIVIDUAL_ALIAS"
            | "ENTITY_ALIAS"
            | "INDIVIDUAL_ADDRESS"
            | "ENTITY_ADDRESS"
            | "INDIVIDUAL_DATE_OF_BIRTH"
            | "INDIVIDUAL_DOCUMENT",
            _,
        ) => record
            .group
            .extend(value_owned().map(|v| (name.to_string(), v))),
        (_, "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS") => {
            let group = std::mem::take(&mut record.group);
            let get = |key: &str| group_value(&group, key);
            if let Some(alias) = get("ALIAS_NAME") {
                let kind = match get("QUALITY").map(str::to_ascii_lowercase).as_deref() {
                    Some("low") => NameKind::WeakAlias,
                    Some("f.k.a.") => NameKind::FormerName,
                    _ => NameKind::Alias,
                };
                record.names.push((alias.to_string(), kind));
            }
        }
        (_, "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS") => {
            let group = std::mem::take(&mut record.group);
            let get = |key: &str| group_value(&group, key).map(str::to_string);
            let country_text = get("COUNTRY").filter(|c| !is_not_available(c));
            let mut address = Address {
                street: get("STREET"),
                city: get("CITY"),
                state: get("STATE_PROVINCE"),
                postal_code: get("ZIP_CODE"),
                country: country_text
                    .as_deref()
                    .and_then(text::country_code)
                    .map(str::to_string),
                full: None,
            };
            let mut full = [
                &address.street,
                &address.city,
                &address.state,
                &address.postal_code,
                &country_text,
            ]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
            if let Some(note) = get("NOTE") {
                full = if full.is_empty() {
                    format!("({note})")
                } else {
                    format!("{full} ({note})")
                };
            }
            if !full.is_empty() {
                address.full = Some(full);
                record.addresses.push((address, country_text));
            }
        }
        (_, "INDIVIDUAL_DATE_OF_BIRTH") => {
            let group = std::mem::take(&mut record.group);
            let get = |key: &str| group_value(&group, key);
            let date = get("DATE")
                .map(|d| d.get(..10).unwrap_or(d).to_string())
                .or_else(|| match (get("YEAR"), get("FROM_YEAR"), get("TO_YEAR")) {
                    (Some(year), _, _) => Some(year.to_string()),
                    (None, Some(from), Some(to)) => Some(format!("{from}-{to}")),
                    _ => None,
                });
            if let Some(date) = date {
                let date = match get("TYPE_OF_DATE") {
                    Some(t) if t.eq_ignore_ascii_case("approximately") => {
                        format!("approximately {date}")
                    }
                    _ => date,
                };
                if !record.dates_of_birth.contains(&date) {
                    record.dates_of_birth.push(date);
                }
            }
        }
        (_, "INDIVIDUAL_DOCUMENT") => {
            let group = std::mem::take(&mut record.group);
            let get = |key: &str| group_value(&group, key);
            if let Some(number) = get("NUMBER") {
                let kind = get("TYPE_OF_DOCUMENT").unwrap_or("Document");
                let country = get("ISSUING_COUNTRY").or(get("COUNTRY_OF_ISSUE"));
                record.documents.push(match country {
                    Some(country) => format!("{kind} {number} ({country})"),
                    None => format!("{kind} {number}"),
                });
            }
        }
        _ => {}
    }
}

/// The text of the child `key` of a repeated group (alias, address, date of birth, document).
fn group_value<'g>(group: &'g [(String, String)], key: &str) -> Option<&'g str> {
    group
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// UN writes `na` for a country it does not know.
fn is_not_available(country: &str) -> bool {
    matches!(country.trim().to_ascii_lowercase().as_str(), "na" | "n/a")
}

/// Turns a finished record into an entry, or reports why it cannot be one.
fn finish(
    label: &str,
    record: Record,
    diagnostics: &mut Vec<Diagnostic>,
    unknown_countries: &mut UnknownCountries,
) -> Option<ListEntry> {
    let line = record.line;
    let Some(data_id) = record.data_id else {
        diagnostics.push(
            Diagnostic::error(label, "the record has no DATAID; skipped")
                .at_line(line)
                .in_field("DATAID"),
        );
        return None;
    };
    let name = record
        .name_parts
        .iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    if name.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(label, "the record has no name; skipped")
                .at_line(line)
                .in_record(data_id)
                .in_field("FIRST_NAME"),
        );
        return None;
    }
    let mut entry = ListEntry::new(ListCode::new("UN"), data_id, name.trim());
    entry.kind = record.kind.unwrap_or(PartyKind::Unknown);
    for (text, kind) in record.names {
        entry.push_name(&text, kind);
    }
    for nationality in record.nationalities.iter().filter(|n| !is_not_available(n)) {
        match text::country_code(nationality) {
            Some(code) => entry.push_country(code),
            None => unknown_countries.note(nationality),
        }
    }
    for (address, country_text) in record.addresses {
        match (&address.country, country_text) {
            (Some(code), _) => entry.push_country(code),
            (None, Some(text)) => unknown_countries.note(&text),
            (None, None) => {}
        }
        entry.addresses.push(address);
    }
    entry.programs.extend(record.list_type);
    entry
        .ids
        .extend(record.reference.map(|r| format!("UN Reference {r}")));
    entry.ids.extend(record.documents);
    entry.dates_of_birth = record.dates_of_birth;
    entry.remarks = record.comments;
    entry.title = (!record.titles.is_empty()).then(|| record.titles.join("; "));
    if let Some(listed_on) = record.listed_on {
        entry.start_date = text::parse_iso_date(&listed_on).or_else(|| {
            diagnostics.push(
                Diagnostic::warning(
                    label,
                    format!("`{listed_on}` is not a date (expected YYYY-MM-DD); left empty"),
                )
                .at_line(line)
                .in_record(entry.source_id.clone())
                .in_field("LISTED_ON"),
            );
            None::<Date>
        });
    }
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../test_data/un_xml/small.xml");

    #[test]
    fn reads_the_fixture() {
        let set = parse("small.xml", FIXTURE).expect("readable");
        assert_eq!(set.lists[0].vintage, "2026-02-27".parse().ok());
        insta::assert_yaml_snapshot!(set);
    }

    #[test]
    fn truncated_xml_keeps_the_records_before_the_cut() {
        let bytes = include_bytes!("../test_data/bad/un_truncated.xml");
        let set = parse("cut.xml", bytes).expect("root was read");
        assert_eq!(set.entries.len(), 1);
        assert_eq!(set.diagnostics.len(), 1);
        assert!(
            set.diagnostics[0].message.contains("truncated"),
            "{}",
            set.diagnostics[0]
        );
    }

    #[test]
    fn wrong_root_and_garbage_are_errors() {
        assert!(parse("x.xml", b"<html><body/></html>").is_err());
        assert!(parse("x.xml", b"<<<>>>").is_err());
    }
}
