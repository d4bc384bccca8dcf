//! Helpers shared by every format: byte decoding, null markers, multi-value splitting, dates,
//! countries and building the [`ListSet`] of one file.
//!
//! Official files are mostly UTF-8 but carry Windows-1252 leftovers (CSL) or are Latin-1 (OFAC
//! legacy CSV). Decoding is done per field: valid UTF-8 is borrowed as is, anything else is read
//! as Windows-1252 (a superset of the printable Latin-1 range) and the caller warns.

use crate::error::IngestError;
use chokepoint_model::{
    Date, Diagnostic, ListEntry, ListMeta, ListSet, SourceFormat, count_by_list, country,
};
use encoding_rs::WINDOWS_1252;
use std::borrow::Cow;

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading UTF-8 byte order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Text decoded from bytes, and whether the Windows-1252 fallback was needed.
pub(crate) struct Decoded<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) fell_back: bool,
}

/// Decodes `bytes` as UTF-8, or as Windows-1252 when they are not valid UTF-8.
pub(crate) fn decode(bytes: &[u8]) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: Cow::Borrowed(text),
            fell_back: false,
        },
        Err(_) => Decoded {
            text: WINDOWS_1252.decode_without_bom_handling(bytes).0,
            fell_back: true,
        },
    }
}

/// The trimmed text, or `None` when it is blank or OFAC's null marker `-0-`.
pub(crate) fn value(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty() && text != "-0-").then_some(text)
}

/// [`value`] as an owned string.
pub(crate) fn owned_value(text: &str) -> Option<String> {
    value(text).map(str::to_string)
}

/// The non-blank parts of a `;`-joined multi-value field, trimmed.
pub(crate) fn split_multi(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').filter_map(value)
}

/// Parses an ISO date `YYYY-MM-DD`; a time part (`T...`, ` ...`) or a zone (`Z`, `-04:00`)
/// after it is ignored, as UN writes `2015-03-27-04:00`.
pub(crate) fn parse_iso_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let day = text.get(..10).unwrap_or(text);
    let rest = text.get(10..).unwrap_or("");
    if !(rest.is_empty() || rest.starts_with(['T', ' ', 'Z', '+', '-'])) {
        return None;
    }
    Date::parse_from_str(day, "%Y-%m-%d").ok()
}

/// Parses a US date `MM/DD/YYYY`.
pub(crate) fn parse_us_date(text: &str) -> Option<Date> {
    Date::parse_from_str(text.trim(), "%m/%d/%Y").ok()
}

/// Whether a date's year is plausible for list data (1900 to 2199); typos such as `3017` are not.
pub(crate) fn plausible_year(date: Date) -> bool {
    use chrono::Datelike;
    (1900..2200).contains(&date.year())
}

/// The ISO-2 code for a country name or code as an official list writes it.
pub(crate) fn country_code(text: &str) -> Option<&'static str> {
    country::code_for_name(text)
}

/// The ISO-2 code at the end of a one-line address (`"..., Yerevan, Armenia, AM"`), or of a bare
/// code (`"CN"`): the last comma-separated part as a code or a country name, else the last two
/// parts together (OFAC's inverted `"MAN, ISLE OF"`).
pub(crate) fn address_country(full: &str) -> Option<&'static str> {
    let mut parts = full.rsplitn(3, ',');
    let last = parts.next().unwrap_or(full);
    country_code(last).or_else(|| {
        let before = parts.next()?;
        country_code(&format!("{before},{last}"))
    })
}

/// Collects the country texts that could not be mapped, to report them once per file instead of
/// once per record.
#[derive(Debug, Default)]
pub(crate) struct UnknownCountries {
    count: usize,
    examples: Vec<String>,
}

impl UnknownCountries {
    /// Records one unmapped country text.
    pub(crate) fn note(&mut self, text: &str) {
        self.count += 1;
        if self.examples.len() < 5 && !self.examples.iter().any(|e| e == text) {
            self.examples.push(text.to_string());
        }
    }

    /// One summary warning about `field`, when anything was noted.
    pub(crate) fn into_diagnostic(self, label: &str, field: &str) -> Option<Diagnostic> {
        (self.count > 0).then(|| {
            let examples = self
                .examples
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ");
            Diagnostic::warning(
                label,
                format!(
                    "{} value(s) name no recognised country (e.g. {examples}); kept as text without a country code",
                    self.count
                ),
            )
            .in_field(field)
        })
    }
}

/// The newest start date among `entries`, ignoring implausible years: the vintage of lists that
/// carry no generation date.
pub(crate) fn newest_start_date(entries: &[ListEntry]) -> Option<Date> {
    entries
        .iter()
        .filter_map(|e| e.start_date)
        .filter(|d| plausible_year(*d))
        .max()
}

/// One file's [`ListSet`]: its entries, its [`ListMeta`] and its diagnostics.
pub(crate) fn list_set(
    label: &str,
    format: SourceFormat,
    vintage: Option<Date>,
    entries: Vec<ListEntry>,
    diagnostics: Vec<Diagnostic>,
) -> ListSet {
    let meta = ListMeta {
        label: label.to_string(),
        format,
        vintage,
        entries: entries.len(),
        counts: count_by_list(&entries),
        sha256: None,
    };
    ListSet {
        lists: vec![meta],
        entries,
        diagnostics,
    }
}

/// A short, stable hexadecimal digest (64-bit FNV-1a) of `parts` separated by a tab, for sources
/// that give records no id of their own.
pub(crate) fn stable_digest(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash ^= u64::from(b'\t');
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        for byte in part.trim().bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Reads every record of a CSV (or TSV) body, with the 1-based physical line where each starts
/// (counted from the record's byte offset, so blank lines and quoted line breaks count).
/// Blank records and a trailing DOS end-of-file mark (`0x1A`) are skipped. Reading stops after
/// the first error the reader reports (on a byte slice it reports none in practice).
pub(crate) fn csv_records(bytes: &[u8], delimiter: u8) -> impl Iterator<Item = CsvItem> + '_ {
    let body = strip_bom(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    let mut finished = false;
    // Newlines counted so far, up to this byte offset.
    let (mut counted_to, mut line) = (0usize, 1u64);
    std::iter::from_fn(move || {
        while !finished {
            let mut record = csv::ByteRecord::new();
            match reader.read_byte_record(&mut record) {
                Ok(false) => finished = true,
                Ok(true) => {
                    let blank = record
                        .iter()
                        .all(|f| f.iter().all(|b| b.is_ascii_whitespace() || *b == 0x1A));
                    if !blank {
                        let start = record
                            .position()
                            .and_then(|p| usize::try_from(p.byte()).ok())
                            .unwrap_or(counted_to)
                            .clamp(counted_to, body.len());
                        // The reader's position is where it started looking, before the blank
                        // lines it skipped.
                        let start = body
                            .get(start..)
                            .and_then(|rest| rest.iter().position(|b| !matches!(b, b'\n' | b'\r')))
                            .map_or(start, |skip| start + skip);
                        let skipped = body.get(counted_to..start).unwrap_or_default();
                        line += skipped.iter().filter(|b| **b == b'\n').count() as u64;
                        counted_to = start;
                        return Some(Ok((line, record)));
                    }
                }
                Err(error) => {
                    finished = true;
                    return Some(Err(error));
                }
            }
        }
        None
    })
}

/// One CSV record or a reader error, as [`csv_records`] yields them.
pub(crate) type CsvItem = Result<(u64, csv::ByteRecord), csv::Error>;

/// The column names of a header record, trimmed and lowercased. `Ok(None)` when there is no
/// record at all.
pub(crate) fn csv_header(
    first: Option<CsvItem>,
    label: &str,
    format: SourceFormat,
) -> Result<Option<Vec<String>>, IngestError> {
    match first {
        Some(Ok((_, record))) => Ok(Some(
            record
                .iter()
                .map(|f| decode(f).text.trim().to_ascii_lowercase())
                .collect(),
        )),
        Some(Err(error)) => Err(IngestError::malformed(label, format, error.to_string())),
        None => Ok(None),
    }
}

/// Every field of a record decoded, and whether any needed the Windows-1252 fallback.
pub(crate) fn decode_record(record: &csv::ByteRecord) -> (Vec<Cow<'_, str>>, bool) {
    let mut fell_back = false;
    let fields = record
        .iter()
        .map(|f| {
            let decoded = decode(f);
            fell_back |= decoded.fell_back;
            decoded.text
        })
        .collect();
    (fields, fell_back)
}

/// The error diagnostic for a CSV reader that cannot go on.
pub(crate) fn unreadable_rest(label: &str, error: &csv::Error) -> Diagnostic {
    Diagnostic::error(
        label,
        format!(
            "the file cannot be read past this point ({error}); the records before it were kept"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_falls_back_to_windows_1252() {
        let d = decode(b"Soci\xe9t\xe9 G\x96n");
        assert!(d.fell_back);
        assert_eq!(d.text, "Société G–n");
        let d = decode("Société".as_bytes());
        assert!(!d.fell_back);
    }

    #[test]
    fn null_markers_and_multi_values() {
        assert_eq!(value("-0- "), None);
        assert_eq!(value("  x "), Some("x"));
        let parts: Vec<_> = split_multi("A; B;; -0- ;C").collect();
        assert_eq!(parts, ["A", "B", "C"]);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_iso_date("2020-12-18"), "2020-12-18".parse().ok());
        assert_eq!(
            parse_iso_date("2026-02-27T00:00:09.554Z"),
            "2026-02-27".parse().ok()
        );
        assert_eq!(parse_iso_date("2020-13-01"), None);
        assert_eq!(parse_iso_date("2020-12-180"), None);
        assert_eq!(parse_us_date("06/19/2003"), "2003-06-19".parse().ok());
        assert!(!plausible_year("3017-08-22".parse().expect("date")));
    }

    #[test]
    fn address_countries() {
        assert_eq!(address_country("Yerevan, Armenia, AM"), Some("AM"));
        assert_eq!(address_country("CN"), Some("CN"));
        assert_eq!(address_country("Douglas, MAN, ISLE OF"), Some("IM"));
        assert_eq!(address_country("Somewhere, Atlantis"), None);
    }

    #[test]
    fn digest_is_stable() {
        assert_eq!(stable_digest(&["a", "b"]), stable_digest(&[" a", "b "]));
        assert_ne!(stable_digest(&["a", "b"]), stable_digest(&["ab", ""]));
        assert_eq!(stable_digest(&["x"]).len(), 16);
    }

    #[test]
    fn csv_records_skip_blank_lines_and_eof_mark() {
        let lines: Vec<u64> = csv_records(b"a,b\n\n\"c\",d\r\n\x1a", b',')
            .filter_map(Result::ok)
            .map(|(line, _)| line)
            .collect();
        assert_eq!(lines, [1, 3]);
    }
}
