//! The bad-input corpus (`test_data/bad/`): each file gives the right whole-file error, or the
//! right diagnostics while the good records of the same file are kept.

use chokepoint_ingest::{IngestError, InputFile, detect_format, parse, parse_files};
use chokepoint_model::{Severity, SourceFormat};

macro_rules! bad {
    ($name:literal) => {
        (
            $name,
            &include_bytes!(concat!("../../test_data/bad/", $name))[..],
        )
    };
}

fn ids(set: &chokepoint_model::ListSet) -> Vec<&str> {
    set.entries.iter().map(|e| e.source_id.as_str()).collect()
}

fn errors_and_warnings(set: &chokepoint_model::ListSet) -> (usize, usize) {
    let errors = set
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, set.diagnostics.len() - errors)
}

#[test]
fn unreadable_files_are_whole_file_errors() {
    for (name, bytes) in [bad!("empty.csv"), bad!("blank.txt")] {
        assert!(
            matches!(detect_format(name, bytes), Err(IngestError::Empty { .. })),
            "{name}"
        );
        assert!(
            matches!(
                parse(name, bytes, SourceFormat::CslCsv),
                Err(IngestError::Empty { .. })
            ),
            "{name}"
        );
    }
    let (name, bytes) = bad!("binary.bin");
    assert!(matches!(
        detect_format(name, bytes),
        Err(IngestError::UnrecognisedFormat { .. })
    ));
    let (name, bytes) = bad!("csl_truncated.json");
    assert_eq!(detect_format(name, bytes), Ok(SourceFormat::CslJson));
    let error = parse(name, bytes, SourceFormat::CslJson).expect_err("truncated JSON");
    assert!(
        error
            .to_string()
            .starts_with("`csl_truncated.json`: cannot be read as csl_json: invalid JSON"),
        "{error}"
    );
}

#[test]
fn parse_files_reports_one_error_per_unreadable_file_and_keeps_the_rest() {
    let files = [
        bad!("empty.csv"),
        bad!("binary.bin"),
        bad!("csl_truncated.json"),
        bad!("csl_wrong_field_counts.csv"),
        bad!("un_truncated.xml"),
    ]
    .map(|(label, bytes)| InputFile { label, bytes });
    let (set, errors) = parse_files(&files);
    let failed: Vec<_> = errors.iter().map(IngestError::label).collect();
    assert_eq!(failed, ["empty.csv", "binary.bin", "csl_truncated.json"]);
    assert_eq!(set.lists.len(), 2);
    assert_eq!(set.entries.len(), 3 + 1);
}

#[test]
fn header_only_csv_is_an_empty_list_with_a_warning() {
    let (name, bytes) = bad!("csl_header_only.csv");
    let set = parse(name, bytes, SourceFormat::CslCsv).expect("readable");
    assert!(set.is_empty());
    assert_eq!(errors_and_warnings(&set), (0, 1));
    assert_eq!(set.lists[0].entries, 0);
}

#[test]
fn csl_wrong_field_counts_keep_good_rows() {
    let (name, bytes) = bad!("csl_wrong_field_counts.csv");
    let set = parse(name, bytes, SourceFormat::CslCsv).expect("readable");
    assert_eq!(ids(&set), ["good-1", "good-2", "truncated"]);
    assert_eq!(errors_and_warnings(&set), (2, 2));
}

#[test]
fn invalid_utf8_is_decoded_not_dropped() {
    let (name, bytes) = bad!("csl_windows_1252.csv");
    assert!(std::str::from_utf8(bytes).is_err());
    let set = parse(name, bytes, SourceFormat::CslCsv).expect("readable");
    assert_eq!(set.entries.len(), 2);
    assert_eq!(errors_and_warnings(&set), (0, 1));
}

#[test]
fn ofac_bad_rows_keep_good_rows() {
    let (name, bytes) = bad!("ofac_bad_rows.csv");
    assert_eq!(detect_format(name, bytes), Ok(SourceFormat::OfacSdnCsv));
    let set = parse(name, bytes, SourceFormat::OfacSdnCsv).expect("readable");
    assert_eq!(ids(&set), ["36", "38"]);
    let lines: Vec<_> = set
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.line))
        .collect();
    assert_eq!(
        lines,
        [
            (Severity::Error, Some(2)),
            (Severity::Error, Some(3)),
            (Severity::Error, Some(5))
        ]
    );
}

#[test]
fn dpl_bad_rows_keep_good_rows() {
    let (name, bytes) = bad!("dpl_bad_rows.txt");
    assert_eq!(detect_format(name, bytes), Ok(SourceFormat::BisDplTxt));
    let set = parse(name, bytes, SourceFormat::BisDplTxt).expect("readable");
    let names: Vec<_> = set.entries.iter().map(|e| e.primary_name()).collect();
    assert_eq!(names, ["GOOD PERSON", "BAD DATE"]);
    assert_eq!(errors_and_warnings(&set), (1, 2));
    assert_eq!(set.entries[1].start_date, None);
}

#[test]
fn truncated_un_xml_keeps_records_before_the_cut() {
    let (name, bytes) = bad!("un_truncated.xml");
    assert_eq!(detect_format(name, bytes), Ok(SourceFormat::UnXml));
    let set = parse(name, bytes, SourceFormat::UnXml).expect("root was read");
    assert_eq!(ids(&set), ["1000001"]);
    assert_eq!(errors_and_warnings(&set), (1, 0));
}

#[test]
fn user_lists_with_bad_entries_keep_good_entries() {
    let (name, bytes) = bad!("user_bad_entries.yaml");
    assert_eq!(detect_format(name, bytes), Ok(SourceFormat::UserYaml));
    let set = parse(name, bytes, SourceFormat::UserYaml).expect("readable");
    assert_eq!(ids(&set), ["A-1", "A-3", "A-5"]);
    let messages: Vec<_> = set.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`A-1` is used by an earlier entry")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("has no name")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`2020-02-30` is not a date")),
        "{messages:?}"
    );

    let (name, bytes) = bad!("user_bad_rows.csv");
    assert_eq!(detect_format(name, bytes), Ok(SourceFormat::UserCsv));
    let set = parse(name, bytes, SourceFormat::UserCsv).expect("readable");
    assert_eq!(ids(&set), ["B-1", "B-4"]);
}
