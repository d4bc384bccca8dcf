//! Detection of every shared official file, under its own name and renamed (content decides).

use crate::{read, shared_data};
use chokepoint_ingest::detect_format;
use chokepoint_model::SourceFormat;

#[test]
fn every_shared_list_file_is_detected_by_content() {
    let Some(dir) = shared_data() else { return };
    let cases = [
        ("us-csl/consolidated_2026-07-31.csv", SourceFormat::CslCsv),
        (
            "us-csl/consolidated_partial_2023-11-30.csv",
            SourceFormat::CslCsv,
        ),
        (
            "us-csl/consolidated_schema_sample_2025-06-25.csv",
            SourceFormat::CslCsv,
        ),
        (
            "us-csl/screening-list_2026-07-31.compact.json",
            SourceFormat::CslJson,
        ),
        ("multi-list-casslab/csl_layout.csv", SourceFormat::CslCsv),
        ("ofac-sdn/sdn.csv", SourceFormat::OfacSdnCsv),
        ("ofac-sdn/add.csv", SourceFormat::OfacSdnCsv),
        ("ofac-sdn/alt.csv", SourceFormat::OfacSdnCsv),
        ("ofac-sdn/sdn_comments.csv", SourceFormat::OfacSdnCsv),
        (
            "ofac-consolidated-nonsdn/cons_prim.csv",
            SourceFormat::OfacConsCsv,
        ),
        (
            "ofac-consolidated-nonsdn/cons_add.csv",
            SourceFormat::OfacConsCsv,
        ),
        (
            "ofac-consolidated-nonsdn/cons_alt.csv",
            SourceFormat::OfacConsCsv,
        ),
        (
            "ofac-consolidated-nonsdn/cons_comments.csv",
            SourceFormat::OfacConsCsv,
        ),
        ("us-bis-dpl/dpl.txt", SourceFormat::BisDplTxt),
        (
            "un-sc-consolidated/UN_consolidated.xml",
            SourceFormat::UnXml,
        ),
    ];
    for (path, format) in cases {
        let bytes = read(&dir, path);
        let name = path.rsplit('/').next().unwrap_or(path);
        assert_eq!(detect_format(name, &bytes), Ok(format), "{path}");
        // Renamed: content still decides. Only the companion files of the consolidated list
        // depend on their `cons_` name (their rows look exactly like the SDN companions').
        let renamed = detect_format("download.bin", &bytes);
        let expected = match (path, format) {
            (p, SourceFormat::OfacConsCsv) if !p.ends_with("cons_prim.csv") => {
                SourceFormat::OfacSdnCsv
            }
            _ => format,
        };
        assert_eq!(renamed, Ok(expected), "{path} renamed");
    }
}

#[test]
fn other_shared_files_are_not_taken_for_lists() {
    let Some(dir) = shared_data() else { return };
    for path in [
        "ecfr-2026-07-23/ccl.json",
        "ecfr-2026-07-23/country-groups.json",
        "cset-eto-supply-chain/inputs.csv",
        "name-pairs/name_pairs_watchman.tsv",
        "PROVENANCE.md",
    ] {
        assert!(detect_format(path, &read(&dir, path)).is_err(), "{path}");
    }
}
