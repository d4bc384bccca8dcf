//! Reads screening-list files into the domain model: trade.gov CSL (CSV and JSON), OFAC legacy
//! CSV (SDN and consolidated non-SDN, each with its companion files), the BIS Denied Persons List,
//! the UN Security Council consolidated XML, Japan's METI End User List (as a table converted from
//! METI's PDF), and chokepoint's own user-list format (YAML or CSV, see `FORMAT.md`).
//!
//! **Architecture invariant:** this crate is pure. It never opens files or sockets and reads no
//! clock and no environment: it takes bytes plus a label (the file name) and returns values.
//!
//! A file that cannot be read at all is an [`IngestError`]; a bad record is a
//! [`chokepoint_model::Diagnostic`] and the rest of the list is kept. One module per source format;
//! shared decoding and date helpers live in `text`.

#![warn(missing_docs)]

mod csl_csv;
mod csl_json;
mod detect;
mod dpl;
mod error;
mod meti_eul;
mod ofac;
mod text;
mod un_xml;
mod user;

pub use detect::detect_format;
pub use error::IngestError;

use chokepoint_model::{ListSet, SourceFormat};

/// One file handed to [`parse_files`]: its label (file name) and its content.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    /// The file name, used in diagnostics and to pair OFAC companion files.
    pub label: &'a str,
    /// The file content.
    pub bytes: &'a [u8],
}

/// Parses one file already known to be in `format`.
///
/// OFAC formats read here a primary file alone (`sdn.csv`, `cons_prim.csv`); to join addresses,
/// aliases and remark overflow from the companion files use [`parse_files`].
pub fn parse(label: &str, bytes: &[u8], format: SourceFormat) -> Result<ListSet, IngestError> {
    if text::strip_bom(bytes).iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::Empty {
            label: label.to_string(),
        });
    }
    match format {
        SourceFormat::CslCsv => csl_csv::parse(label, bytes),
        SourceFormat::CslJson => csl_json::parse(label, bytes),
        SourceFormat::OfacSdnCsv | SourceFormat::OfacConsCsv => {
            ofac::parse_single(label, bytes, format)
        }
        SourceFormat::BisDplTxt => dpl::parse(label, bytes),
        SourceFormat::UnXml => un_xml::parse(label, bytes),
        SourceFormat::UserYaml => user::parse_yaml(label, bytes),
        SourceFormat::UserCsv => user::parse_csv(label, bytes),
        SourceFormat::MetiEulCsv => meti_eul::parse(label, bytes),
    }
}

/// Parses a group of files: detects each format, joins OFAC companions (sdn.csv + add.csv +
/// alt.csv + sdn_comments.csv; cons_prim.csv + cons_add.csv + cons_alt.csv + cons_comments.csv)
/// by file name and content, parses the rest one by one.
///
/// Returns what could be read plus one [`IngestError`] per file that could not be read at all
/// (unreadable, unrecognised).
///
/// Lists come in input order, except the OFAC groups, which come after the other files. A
/// companion goes to the primary file holding most of its `ent_num`s, preferring the same list
/// (SDN or consolidated, told by the `cons_` file name); a companion with no primary at all is an
/// [`IngestError::CompanionWithoutPrimary`].
pub fn parse_files(files: &[InputFile<'_>]) -> (ListSet, Vec<IngestError>) {
    let mut set = ListSet::default();
    let mut errors = Vec::new();
    let mut ofac_files = Vec::new();
    for file in files {
        match detect_format(file.label, file.bytes) {
            Ok(format @ (SourceFormat::OfacSdnCsv | SourceFormat::OfacConsCsv)) => {
                ofac_files.push((*file, format));
            }
            Ok(format) => match parse(file.label, file.bytes, format) {
                Ok(parsed) => set.extend(parsed),
                Err(error) => errors.push(error),
            },
            Err(error) => errors.push(error),
        }
    }
    let (parsed, ofac_errors) = ofac::parse_groups(&ofac_files);
    set.extend(parsed);
    errors.extend(ofac_errors);
    (set, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDN: &[u8] = include_bytes!("../test_data/ofac/sdn.csv");
    const ADD: &[u8] = include_bytes!("../test_data/ofac/add.csv");
    const CONS: &[u8] = include_bytes!("../test_data/ofac/cons_prim.csv");
    const CONS_ADD: &[u8] = b"9639,12128,-0- ,\"Gaza\",\"Palestinian\",-0- \r\n";
    const USER: &[u8] = include_bytes!("../test_data/user/watch.yaml");

    fn file<'a>(label: &'a str, bytes: &'a [u8]) -> InputFile<'a> {
        InputFile { label, bytes }
    }

    #[test]
    fn companions_join_their_primary_by_name_and_content() {
        let files = [
            file("renamed-addresses.txt", ADD),
            file("cons_add.csv", CONS_ADD),
            file("watch.yaml", USER),
            file("list-a.csv", SDN),
            file("list-b.csv", CONS),
        ];
        let (set, errors) = parse_files(&files);
        assert!(errors.is_empty(), "{errors:?}");
        let labels: Vec<_> = set.lists.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "watch.yaml",
                "list-a.csv + renamed-addresses.txt",
                "list-b.csv + cons_add.csv"
            ]
        );
        let plc = set
            .entries
            .iter()
            .find(|e| e.source_id == "9639")
            .expect("PLC entry");
        assert_eq!(plc.countries, ["PS"]);
        let cuba = set
            .entries
            .iter()
            .find(|e| e.source_id == "36")
            .expect("SDN entry");
        assert_eq!(cuba.countries, ["CU"]);
    }

    #[test]
    fn unreadable_files_are_errors_and_the_rest_is_kept() {
        let files = [
            file("a.bin", b"\x00\x01"),
            file("b.csv", b""),
            file("add.csv", ADD),
            file("w.yaml", USER),
        ];
        let (set, errors) = parse_files(&files);
        let labels: Vec<_> = errors.iter().map(IngestError::label).collect();
        assert_eq!(labels, ["a.bin", "b.csv", "add.csv"]);
        assert_eq!(set.entries.len(), 2);
    }

    #[test]
    fn parse_rejects_empty_input_for_every_format() {
        for format in [
            SourceFormat::CslCsv,
            SourceFormat::UnXml,
            SourceFormat::UserYaml,
        ] {
            assert!(matches!(
                parse("e", b" \n", format),
                Err(IngestError::Empty { .. })
            ));
        }
    }
}
