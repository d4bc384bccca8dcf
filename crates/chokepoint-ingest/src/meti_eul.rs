//! Japan's METI End User List, as a CSV or tab-separated table.
//!
//! METI publishes the list only as a PDF table (Japanese and English editions) with the columns
//! `No.`, `Country or Region`, `Company or Organization`, `Also Known As` and `Type of WMD`.
//! Users turn it into a table with any PDF-table tool and import that file; this reader takes
//! the English or the Japanese header (`番号`, `国名・地域名`, `企業名・組織名`, `別名`,
//! `懸念区分`), comma- or tab-separated, in any column order.
//!
//! Quirks handled:
//! - the company cell holds the romanised name with the native-script name in parentheses
//!   (`Beijing Institute of Technology (北京理工大学)`): the native name becomes a `Native` name;
//! - aliases are separated by `・`, `;` or line breaks inside the cell;
//! - rows broken across PDF pages come out with an empty `No.` and the rest of a cell: such a
//!   continuation row is appended to the row above and reported as a warning;
//! - `No.` must rise by one from row to row: a gap or repeat is reported (a row lost in the
//!   conversion), never silently accepted;
//! - countries are names in English or Japanese (`China`, `中国`, `Hong Kong`): unknown ones are
//!   reported and the entry is kept without a country.
//!
//! Entries are list `METI_EUL` (reaching the rules as `meti_eul`, see `rulesets/README.md`),
//! kind entity, id `eul-<No.>`; the type of WMD concern goes to the programs.

use crate::error::IngestError;
use crate::text::{self, UnknownCountries};
use chokepoint_model::{
    Diagnostic, ListCode, ListEntry, ListSet, NameKind, PartyKind, SourceFormat,
};

const FORMAT: SourceFormat = SourceFormat::MetiEulCsv;

/// The header names of each column, English and Japanese, lowercased.
const NUMBER: &[&str] = &["no.", "no", "番号"];
const COUNTRY: &[&str] = &["country or region", "country", "国名・地域名", "国名"];
const COMPANY: &[&str] = &[
    "company or organization",
    "company or organisation",
    "company",
    "企業名・組織名",
    "企業名",
];
const AKA: &[&str] = &["also known as", "aka", "別名"];
const CONCERN: &[&str] = &["type of wmd", "type of concern", "懸念区分"];

/// Whether a header (lowercased cells) is the End User List's.
pub(crate) fn is_header(cells: &[String]) -> bool {
    let has = |names: &[&str]| cells.iter().any(|c| names.contains(&c.as_str()));
    has(COMPANY) && has(COUNTRY) && has(NUMBER)
}

/// Reads an End User List table.
pub(crate) fn parse(label: &str, bytes: &[u8]) -> Result<ListSet, IngestError> {
    let body = text::strip_bom(bytes);
    let first_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b'\t') {
        b'\t'
    } else {
        b','
    };
    let mut records = text::csv_records(body, delimiter);
    let Some(header) = text::csv_header(records.next(), label, FORMAT)? else {
        return Err(IngestError::Empty {
            label: label.to_string(),
        });
    };
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let (Some(number), Some(country), Some(company)) = (find(NUMBER), find(COUNTRY), find(COMPANY))
    else {
        return Err(IngestError::malformed(
            label,
            FORMAT,
            "the header needs `No.`, `Country or Region` and `Company or Organization` \
             (or 番号, 国名・地域名, 企業名・組織名); see crates/chokepoint-ingest/FORMAT.md",
        ));
    };
    let aka = find(AKA);
    let concern = find(CONCERN);

    let mut entries: Vec<ListEntry> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut unknown_countries = UnknownCountries::default();
    let mut last_number: Option<u64> = None;
    for item in records {
        let (line, record) = match item {
            Ok(item) => item,
            Err(error) => {
                diagnostics.push(text::unreadable_rest(label, &error));
                break;
            }
        };
        let (fields, _) = text::decode_record(&record);
        let field =
            |column: Option<usize>| column.and_then(|i| fields.get(i)).map_or("", |f| f.trim());
        let number_text = field(Some(number));
        if number_text.is_empty() {
            // A row broken across PDF pages: the rest of the previous row's cells.
            let Some(previous) = entries.last_mut() else {
                diagnostics.push(
                    Diagnostic::error(label, "the first row has no `No.`; skipped")
                        .at_line(line)
                        .in_field("No."),
                );
                continue;
            };
            let more_company = field(Some(company));
            let more_aka = field(aka);
            if more_company.is_empty() && more_aka.is_empty() {
                continue;
            }
            if !more_company.is_empty()
                && let Some(primary) = previous.names.first_mut()
            {
                primary.text = format!("{} {more_company}", primary.text);
            }
            for alias in split_aliases(more_aka) {
                previous.push_name(alias, NameKind::Alias);
            }
            diagnostics.push(
                Diagnostic::warning(
                    label,
                    "a row without `No.` was read as the continuation of the row above (a row \
                     broken across PDF pages); check the entry",
                )
                .at_line(line)
                .in_record(previous.source_id.clone()),
            );
            continue;
        }
        let Ok(n) = number_text.trim_end_matches('.').parse::<u64>() else {
            diagnostics.push(
                Diagnostic::error(
                    label,
                    format!("`No.` `{number_text}` is not a number; the row is skipped"),
                )
                .at_line(line)
                .in_field("No."),
            );
            continue;
        };
        if let Some(previous) = last_number
            && n != previous + 1
        {
            diagnostics.push(
                Diagnostic::warning(
                    label,
                    format!(
                        "`No.` jumps from {previous} to {n}: a row may have been lost or repeated \
                         when the PDF table was converted"
                    ),
                )
                .at_line(line)
                .in_field("No."),
            );
        }
        last_number = Some(n);
        let (name, native) = split_native(field(Some(company)));
        let Some(name) = name.or(native.clone()) else {
            diagnostics.push(
                Diagnostic::error(label, format!("row No. {n} has no company name; skipped"))
                    .at_line(line)
                    .in_field("Company or Organization"),
            );
            continue;
        };
        let mut entry = ListEntry::new(ListCode::new("METI_EUL"), format!("eul-{n}"), name);
        entry.kind = PartyKind::Entity;
        if let Some(native) = native.filter(|native| *native != entry.names[0].text) {
            entry.push_name(&native, NameKind::Native);
        }
        for alias in split_aliases(field(aka)) {
            let (alias, alias_native) = split_native(alias);
            if let Some(alias) = alias {
                entry.push_name(&alias, NameKind::Alias);
            }
            if let Some(native) = alias_native {
                entry.push_name(&native, NameKind::Native);
            }
        }
        let country_text = field(Some(country));
        match country_code(country_text) {
            Some(code) => entry.push_country(code),
            None if country_text.is_empty() => {}
            None => unknown_countries.note(country_text),
        }
        if let Some(concern) = text::value(field(concern)) {
            entry.programs.push(format!("METI EUL: {concern}"));
        }
        entries.push(entry);
    }
    diagnostics.extend(unknown_countries.into_diagnostic(label, "Country or Region"));
    Ok(text::list_set(label, FORMAT, None, entries, diagnostics))
}

/// `Name (漢字名)` → (`Name`, `漢字名`); a name without parentheses is returned as is.
fn split_native(cell: &str) -> (Option<String>, Option<String>) {
    let cell = cell.trim();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let (Some(start), true) = (cell.rfind(open), cell.ends_with(close)) {
            let inner = cell[start + open.len_utf8()..cell.len() - close.len_utf8()].trim();
            let outer = cell[..start].trim();
            if !inner.is_ascii() {
                return (text::owned_value(outer), text::owned_value(inner));
            }
        }
    }
    (text::owned_value(cell), None)
}

fn split_aliases(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(['・', ';', '\n', '／'])
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "-" && *a != "－")
}

/// Country names as the Japanese and English editions write them.
fn country_code(text: &str) -> Option<&'static str> {
    match text.trim() {
        "中国" | "中華人民共和国" => Some("CN"),
        "香港" => Some("HK"),
        "イラン" => Some("IR"),
        "北朝鮮" => Some("KP"),
        "パキスタン" => Some("PK"),
        "ロシア" => Some("RU"),
        "シリア" => Some("SY"),
        "アラブ首長国連邦" => Some("AE"),
        "イスラエル" => Some("IL"),
        "インド" => Some("IN"),
        "台湾" => Some("TW"),
        "トルコ" => Some("TR"),
        "アフガニスタン" => Some("AF"),
        "レバノン" => Some("LB"),
        "イエメン" => Some("YE"),
        other => text::country_code(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "No.,Country or Region,Company or Organization,Also Known As,Type of WMD\n\
        1,China,Beijing Institute of Technology (北京理工大学),BIT,Missile\n\
        2,Iran,Example Industries Co.,Example Ind.・EI Group,\"Chemical, Biological\"\n\
        ,,Tehran Branch,EI Tehran,\n\
        4,Atlantis,Nowhere Trading,,Nuclear\n\
        x,China,Bad Number Co.,,Missile\n";

    #[test]
    fn reads_names_native_names_aliases_and_concerns() {
        let set = parse("eul.csv", TABLE.as_bytes()).expect("readable");
        assert_eq!(set.entries.len(), 3);
        let bit = &set.entries[0];
        assert_eq!(bit.source_id, "eul-1");
        assert_eq!(bit.list.as_str(), "METI_EUL");
        assert_eq!(bit.names[0].text, "Beijing Institute of Technology");
        assert!(
            bit.names
                .iter()
                .any(|n| n.text == "北京理工大学" && n.kind == NameKind::Native)
        );
        assert!(
            bit.names
                .iter()
                .any(|n| n.text == "BIT" && n.kind == NameKind::Alias)
        );
        assert_eq!(bit.countries, ["CN"]);
        assert_eq!(bit.programs, ["METI EUL: Missile"]);
        let ei = &set.entries[1];
        assert_eq!(ei.names[0].text, "Example Industries Co. Tehran Branch");
        let aliases: Vec<&str> = ei
            .names
            .iter()
            .filter(|n| n.kind == NameKind::Alias)
            .map(|n| n.text.as_str())
            .collect();
        assert_eq!(aliases, ["Example Ind.", "EI Group", "EI Tehran"]);
    }

    #[test]
    fn every_problem_is_reported_and_nothing_else_dropped() {
        let set = parse("eul.csv", TABLE.as_bytes()).expect("readable");
        let messages: Vec<String> = set.diagnostics.iter().map(ToString::to_string).collect();
        let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
        assert!(has("continuation of the row above"), "{messages:?}");
        assert!(has("jumps from 2 to 4"), "{messages:?}");
        assert!(has("`x` is not a number"), "{messages:?}");
        assert!(has("Atlantis"), "unknown country named: {messages:?}");
        assert_eq!(set.entries[2].source_id, "eul-4", "kept without a country");
        assert!(set.entries[2].countries.is_empty());
    }

    #[test]
    fn japanese_header_and_tabs() {
        let table = "番号\t国名・地域名\t企業名・組織名\t別名\t懸念区分\n1\t中国\t北京航空航天大学\t\tミサイル\n";
        let set = parse("eul.tsv", table.as_bytes()).expect("readable");
        assert_eq!(set.entries.len(), 1);
        assert_eq!(set.entries[0].names[0].text, "北京航空航天大学");
        assert_eq!(set.entries[0].countries, ["CN"]);
    }

    #[test]
    fn a_header_without_the_columns_is_refused_with_the_names_to_use() {
        let err = parse("eul.csv", b"id,name\n1,x\n").expect_err("not an EUL table");
        assert!(err.to_string().contains("Company or Organization"), "{err}");
    }
}
