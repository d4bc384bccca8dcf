//! BIS Denied Persons List, tab-delimited `dpl.txt`.
//!
//! Header: `Name, Street_Address, City, State, Country, Postal_Code, Effective_Date,
//! Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation`, every field quoted.
//! Columns are located by header name.
//!
//! Quirks handled:
//! - `Effective_Date` and `Expiration_Date` are `MM/DD/YYYY` (start and end of the denial);
//!   `Last_Update` is `YYYY-MM-DD` and holds typos such as `3017-08-22` or `0222-05-18`: a date
//!   with an implausible year is kept as written (`Last_Update` is only quoted in the remarks)
//!   and reported as a warning; an unreadable date is a warning and the field is left empty;
//! - `Country` is usually an ISO-2 code, sometimes blank or a name (`PRC`);
//! - `FR_Citation` packs several citations in one string (`68 F.R. 38290 6/27/03 71 F.R. 38843
//!   7/10/06`); it is split at each `<volume> F.R.` (or `FR`);
//! - there is no id column: `source_id` is `dpl-` plus a 64-bit FNV-1a digest (16 hex digits) of
//!   name, effective date, FR citation, street, city and country, so it is stable across
//!   downloads while the listing is unchanged (one person denied at several addresses has one row
//!   per address, hence the address in the digest). A row repeating all of these gets `-2`,
//!   `-3`... appended, with a warning.
//!
//! Entries are list `DPL`, kind unknown (the file does not say). `Standard_Order`, `Action` and
//! `Last_Update` go to the remarks. The vintage is the newest effective date.

use crate::error::IngestError;
use crate::text::{self, UnknownCountries};
use chokepoint_model::{Address, Date, Diagnostic, ListCode, ListEntry, ListSet, SourceFormat};
use std::collections::HashMap;

const FORMAT: SourceFormat = SourceFormat::BisDplTxt;

/// Reads a DPL file.
pub(crate) fn parse(label: &str, bytes: &[u8]) -> Result<ListSet, IngestError> {
    let mut records = text::csv_records(bytes, b'\t');
    let Some(header) = text::csv_header(records.next(), label, FORMAT)? else {
        return Err(IngestError::Empty {
            label: label.to_string(),
        });
    };
    let find = |name: &str| header.iter().position(|h| h == name);
    let Some(name_column) = find("name") else {
        return Err(IngestError::malformed(
            label,
            FORMAT,
            "the header has no `Name` column; expected the tab-delimited BIS dpl.txt",
        ));
    };
    let columns = [
        "street_address",
        "city",
        "state",
        "country",
        "postal_code",
        "effective_date",
        "expiration_date",
        "standard_order",
        "last_update",
        "action",
        "fr_citation",
    ]
    .map(find);
    let [
        street,
        city,
        state,
        country,
        postal,
        effective,
        expiration,
        standard,
        updated,
        action,
        citation,
    ] = columns;

    let mut entries: Vec<ListEntry> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut unknown_countries = UnknownCountries::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in records {
        let (line, record) = match item {
            Ok(item) => item,
            Err(error) => {
                diagnostics.push(text::unreadable_rest(label, &error));
                break;
            }
        };
        let (fields, fell_back) = text::decode_record(&record);
        let field =
            |column: Option<usize>| column.and_then(|i| fields.get(i)).map_or("", |f| f.trim());
        if fields.len() != header.len() {
            diagnostics.push(
                Diagnostic::error(
                    label,
                    format!(
                        "the row has {} fields where the header has {}; skipped",
                        fields.len(),
                        header.len()
                    ),
                )
                .at_line(line),
            );
            continue;
        }
        let Some(name) = text::value(field(Some(name_column))) else {
            diagnostics.push(
                Diagnostic::error(label, "the row has no name; skipped")
                    .at_line(line)
                    .in_field("Name"),
            );
            continue;
        };
        let digest = text::stable_digest(&[
            name,
            field(effective),
            field(citation),
            field(street),
            field(city),
            field(country),
        ]);
        let occurrence = seen.entry(digest.clone()).or_default();
        *occurrence += 1;
        let source_id = match *occurrence {
            1 => format!("dpl-{digest}"),
            n => format!("dpl-{digest}-{n}"),
        };
        let mut entry = ListEntry::new(ListCode::new("DPL"), source_id, name);
        let record = entry.source_id.clone();
        let mut warn = |field_name: &str, message: String| {
            diagnostics.push(
                Diagnostic::warning(label, message)
                    .at_line(line)
                    .in_record(record.clone())
                    .in_field(field_name),
            );
        };
        if *occurrence > 1 {
            warn("Name", "the row repeats an earlier row (same name, date, citation and address); kept with a numbered id".into());
        }
        if fell_back {
            warn(
                "Name",
                "the row is not valid UTF-8; read as Windows-1252".into(),
            );
        }

        let country_text = text::owned_value(field(country));
        let country_code = country_text.as_deref().and_then(text::country_code);
        if let (Some(written), None) = (&country_text, country_code) {
            unknown_countries.note(written);
        }
        let address = Address {
            street: text::owned_value(field(street)),
            city: text::owned_value(field(city)),
            state: text::owned_value(field(state)),
            postal_code: text::owned_value(field(postal)),
            country: country_code.map(str::to_string),
            full: None,
        };
        if let Some(code) = country_code {
            entry.push_country(code);
        }
        if address != Address::default() {
            entry.addresses.push(address);
        }
        entry.start_date = us_date(field(effective), "Effective_Date", &mut warn);
        entry.end_date = us_date(field(expiration), "Expiration_Date", &mut warn);
        if let Some(updated) = text::value(field(updated)) {
            match text::parse_iso_date(updated) {
                Some(date) if !text::plausible_year(date) => warn(
                    "Last_Update",
                    format!(
                        "`{updated}` has an implausible year (a typo in the source); kept as written"
                    ),
                ),
                Some(_) => {}
                None => warn(
                    "Last_Update",
                    format!("`{updated}` is not a date (expected YYYY-MM-DD); kept as written"),
                ),
            }
        }
        entry.federal_register = split_citations(field(citation));
        let remarks: Vec<String> = [
            ("Standard order", field(standard)),
            ("Action", field(action)),
            ("Last update", field(updated)),
        ]
        .into_iter()
        .filter_map(|(key, value)| text::value(value).map(|v| format!("{key}: {v}")))
        .collect();
        entry.remarks = (!remarks.is_empty()).then(|| remarks.join("; "));
        entries.push(entry);
    }
    diagnostics.extend(unknown_countries.into_diagnostic(label, "Country"));
    if entries.is_empty() && diagnostics.is_empty() {
        diagnostics.push(Diagnostic::warning(
            label,
            "the file has a header but no rows",
        ));
    }
    let vintage = text::newest_start_date(&entries);
    Ok(text::list_set(label, FORMAT, vintage, entries, diagnostics))
}

/// Parses an `MM/DD/YYYY` date, warning when it is unreadable (left empty) or implausible (kept).
fn us_date(value: &str, field: &str, warn: &mut impl FnMut(&str, String)) -> Option<Date> {
    let value = text::value(value)?;
    match text::parse_us_date(value) {
        Some(date) => {
            if !text::plausible_year(date) {
                warn(
                    field,
                    format!(
                        "`{value}` has an implausible year (a typo in the source); kept as written"
                    ),
                );
            }
            Some(date)
        }
        None => {
            warn(
                field,
                format!("`{value}` is not a date (expected MM/DD/YYYY); left empty"),
            );
            None
        }
    }
}

/// Splits a packed `FR_Citation` at each `<volume> F.R.` / `<volume> FR`.
fn split_citations(field: &str) -> Vec<String> {
    let tokens: Vec<&str> = field.split_whitespace().collect();
    let mut citations: Vec<Vec<&str>> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let starts_citation = token.bytes().all(|b| b.is_ascii_digit())
            && tokens
                .get(i + 1)
                .is_some_and(|next| matches!(*next, "F.R." | "FR" | "F.R" | "FR."));
        match citations.last_mut() {
            Some(current) if !starts_citation => current.push(token),
            _ => citations.push(vec![token]),
        }
    }
    citations.into_iter().map(|c| c.join(" ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../test_data/dpl/dpl.txt");

    #[test]
    fn reads_the_fixture() {
        let set = parse("dpl.txt", FIXTURE).expect("readable");
        insta::assert_yaml_snapshot!(set);
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = parse("dpl.txt", FIXTURE).expect("readable");
        let b = parse("renamed.txt", FIXTURE).expect("readable");
        let ids = |s: &ListSet| {
            s.entries
                .iter()
                .map(|e| e.source_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        let mut unique = ids(&a);
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), a.entries.len());
    }

    #[test]
    fn citations_split() {
        assert_eq!(
            split_citations("68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06"),
            ["68 F.R. 38290 6/27/03", "71 F.R. 38843 7/10/06"]
        );
        assert_eq!(split_citations("87 FR 9030"), ["87 FR 9030"]);
        assert!(split_citations("").is_empty());
    }
}
