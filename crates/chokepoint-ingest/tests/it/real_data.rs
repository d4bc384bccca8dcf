//! Loads the real official files and checks counts, joins and vintages against PROVENANCE.md.

use crate::{read, shared_data};
use chokepoint_ingest::{InputFile, parse, parse_files};
use chokepoint_model::{ListSet, NameKind, Severity, SourceFormat};

fn counts(set: &ListSet) -> Vec<(String, usize)> {
    set.lists[0]
        .counts
        .iter()
        .map(|(code, n)| (code.to_string(), *n))
        .collect()
}

fn date(text: &str) -> Option<chokepoint_model::Date> {
    text.parse().ok()
}

#[test]
fn csl_2026_has_every_list() {
    let Some(dir) = shared_data() else { return };
    let bytes = read(&dir, "us-csl/consolidated_2026-07-31.csv");
    let set = parse("consolidated_2026-07-31.csv", &bytes, SourceFormat::CslCsv).expect("readable");
    assert_eq!(set.entries.len(), 25_921);
    let mut expected: Vec<(String, usize)> = [
        ("SDN", 19_181),
        ("EL", 3_420),
        ("DPL", 1_596),
        ("DTC", 787),
        ("SSI", 286),
        ("UVL", 222),
        ("ISN", 161),
        ("PLC", 78),
        ("MEU", 70),
        ("CMIC", 68),
        ("NS-MBS", 51),
        ("CAP", 1),
    ]
    .into_iter()
    .map(|(c, n)| (c.to_string(), n))
    .collect();
    expected.sort();
    assert_eq!(counts(&set), expected);
    let errors: Vec<_> = set
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // Addresses are bare codes here ("CN; KY"): every one maps.
    let smic = set
        .entries
        .iter()
        .find(|e| {
            e.list.as_str() == "EL"
                && e.primary_name()
                    == "Semiconductor Manufacturing International Corporation (SMIC)"
        })
        .expect("SMIC is on the Entity List");
    assert!(smic.countries.contains(&"CN".to_string()));
    assert!(smic.license_requirement.is_some());
}

#[test]
fn csl_2023_partial_reports_its_defects() {
    let Some(dir) = shared_data() else { return };
    let bytes = read(&dir, "us-csl/consolidated_partial_2023-11-30.csv");
    let set = parse(
        "consolidated_partial_2023-11-30.csv",
        &bytes,
        SourceFormat::CslCsv,
    )
    .expect("readable");
    // 4,226 complete rows plus the truncated last row, kept from its complete fields.
    assert_eq!(set.entries.len(), 4_227);
    let repeated: Vec<_> = set
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("header line is repeated"))
        .collect();
    assert_eq!(repeated.len(), 1);
    assert_eq!(repeated[0].line, Some(2));
    let truncated: Vec<_> = set
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("fields where the header has 29"))
        .collect();
    assert_eq!(truncated.len(), 1, "{truncated:?}");
    assert_eq!(truncated[0].record.as_deref(), Some("11476"));
    assert_eq!(set.lists[0].vintage, date("2023-11-16"));
    let sdn = counts(&set)
        .into_iter()
        .find(|(c, _)| c == "SDN")
        .map(|(_, n)| n);
    assert_eq!(sdn, Some(1_738));
    // Real street addresses end with an ISO-2 code.
    let with_street = set
        .entries
        .iter()
        .flat_map(|e| &e.addresses)
        .filter(|a| a.country.is_some())
        .count();
    assert!(with_street > 3_000, "{with_street}");
}

#[test]
fn csl_schema_sample_and_casslab_layout_load() {
    let Some(dir) = shared_data() else { return };
    let sample = parse(
        "consolidated_schema_sample_2025-06-25.csv",
        &read(&dir, "us-csl/consolidated_schema_sample_2025-06-25.csv"),
        SourceFormat::CslCsv,
    )
    .expect("readable");
    assert_eq!(sample.entries.len(), 13);
    let layout = parse(
        "csl_layout.csv",
        &read(&dir, "multi-list-casslab/csl_layout.csv"),
        SourceFormat::CslCsv,
    )
    .expect("readable");
    assert_eq!(layout.entries.len(), 4_311);
}

#[test]
fn csl_compact_json_matches_the_csv() {
    let Some(dir) = shared_data() else { return };
    let bytes = read(&dir, "us-csl/screening-list_2026-07-31.compact.json");
    let set =
        parse("screening-list.compact.json", &bytes, SourceFormat::CslJson).expect("readable");
    assert_eq!(set.entries.len(), 25_921);
    assert_eq!(set.lists[0].vintage, date("2026-07-31"));
    let csv = parse(
        "consolidated_2026-07-31.csv",
        &read(&dir, "us-csl/consolidated_2026-07-31.csv"),
        SourceFormat::CslCsv,
    )
    .expect("readable");
    assert_eq!(counts(&set), counts(&csv));
}

#[test]
fn sdn_group_joins_companions() {
    let Some(dir) = shared_data() else { return };
    let names = ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"];
    let contents: Vec<Vec<u8>> = names
        .iter()
        .map(|n| read(&dir, &format!("ofac-sdn/{n}")))
        .collect();
    let files: Vec<InputFile<'_>> = names
        .iter()
        .zip(&contents)
        .map(|(label, bytes)| InputFile { label, bytes })
        .collect();
    let (set, errors) = parse_files(&files);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.lists.len(), 1);
    assert_eq!(
        set.lists[0].label,
        "sdn.csv + add.csv + alt.csv + sdn_comments.csv"
    );
    assert_eq!(set.entries.len(), 14_965);
    assert_eq!(set.lists[0].format, SourceFormat::OfacSdnCsv);
    let with_address = set
        .entries
        .iter()
        .filter(|e| !e.addresses.is_empty())
        .count();
    let with_alias = set
        .entries
        .iter()
        .filter(|e| e.names.iter().any(|n| n.kind == NameKind::Alias))
        .count();
    // 11,685 of sdn.csv's ent_nums have an add.csv row with at least one non-null part.
    assert_eq!(with_address, 11_685);
    assert!(with_alias > 6_000, "{with_alias}");
    // The companions are 19 months newer than sdn.csv: their extra ent_nums are one warning each.
    let orphans: Vec<_> = set
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("not in `sdn.csv`"))
        .collect();
    assert_eq!(orphans.len(), 3, "{orphans:?}");
    assert!(
        orphans
            .iter()
            .any(|d| d.file == "add.csv" && d.message.contains("for 4253 ent_num(s)")),
        "{orphans:?}"
    );
    let errors: Vec<_> = set
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let bnc = set
        .entries
        .iter()
        .find(|e| e.source_id == "306")
        .expect("ent_num 306");
    assert!(
        bnc.names
            .iter()
            .any(|n| n.text == "BNC" && n.kind == NameKind::WeakAlias)
    );
}

#[test]
fn consolidated_group_gets_list_codes() {
    let Some(dir) = shared_data() else { return };
    let names = [
        "cons_prim.csv",
        "cons_add.csv",
        "cons_alt.csv",
        "cons_comments.csv",
    ];
    let contents: Vec<Vec<u8>> = names
        .iter()
        .map(|n| read(&dir, &format!("ofac-consolidated-nonsdn/{n}")))
        .collect();
    let files: Vec<InputFile<'_>> = names
        .iter()
        .zip(&contents)
        .map(|(label, bytes)| InputFile { label, bytes })
        .collect();
    let (set, errors) = parse_files(&files);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.entries.len(), 442);
    assert_eq!(set.lists[0].format, SourceFormat::OfacConsCsv);
    let codes = counts(&set);
    let count = |code: &str| codes.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n);
    assert_eq!(count("CMIC"), 68);
    assert_eq!(count("PLC"), 78);
    assert_eq!(count("CAP"), 1);
    assert_eq!(
        count("SSI") + count("NS-MBS") + count("CONS"),
        442 - 68 - 78 - 1
    );
}

#[test]
fn dpl_loads_with_its_typos_reported() {
    let Some(dir) = shared_data() else { return };
    let set = parse(
        "dpl.txt",
        &read(&dir, "us-bis-dpl/dpl.txt"),
        SourceFormat::BisDplTxt,
    )
    .expect("readable");
    assert_eq!(set.entries.len(), 581);
    assert_eq!(set.lists[0].vintage, date("2022-09-02"));
    let typos: Vec<_> = set
        .diagnostics
        .iter()
        .filter(|d| d.field.as_deref() == Some("Last_Update"))
        .map(|d| d.message.clone())
        .collect();
    assert!(typos.iter().any(|m| m.contains("3017-08-22")), "{typos:?}");
    assert!(typos.iter().any(|m| m.contains("2922-09-01")), "{typos:?}");
    let mut ids: Vec<_> = set.entries.iter().map(|e| &e.source_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 581);
}

#[test]
fn un_list_loads() {
    let Some(dir) = shared_data() else { return };
    let set = parse(
        "UN_consolidated.xml",
        &read(&dir, "un-sc-consolidated/UN_consolidated.xml"),
        SourceFormat::UnXml,
    )
    .expect("readable");
    let individuals = set
        .entries
        .iter()
        .filter(|e| e.kind == chokepoint_model::PartyKind::Individual)
        .count();
    let entities = set
        .entries
        .iter()
        .filter(|e| e.kind == chokepoint_model::PartyKind::Entity)
        .count();
    assert_eq!((individuals, entities), (730, 273));
    assert_eq!(set.lists[0].vintage, date("2026-02-27"));
    let errors: Vec<_> = set
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        set.entries
            .iter()
            .any(|e| e.names.iter().any(|n| n.kind == NameKind::Native))
    );
}

/// Every country string in the UN XML and OFAC address files maps to a code, except the few
/// that deliberately do not (no single country).
#[test]
fn every_official_country_string_maps() {
    let Some(dir) = shared_data() else { return };
    let deliberately_unmapped = [
        "former Soviet Union",
        "undetermined",
        "Region: Commonwealth of Independent States",
        "Region: Jammu and Kashmir",
        "Region: Kafia Kingi",
    ];
    let mut unmapped = std::collections::BTreeSet::new();
    let un =
        String::from_utf8(read(&dir, "un-sc-consolidated/UN_consolidated.xml")).expect("utf-8");
    let texts_of = |document: &str, tag: &str| -> Vec<String> {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        document
            .split(&open)
            .skip(1)
            .filter_map(|piece| piece.split_once(&close).map(|(inner, _)| inner.to_string()))
            .collect()
    };
    let mut un_countries = Vec::new();
    for tag in ["COUNTRY", "ISSUING_COUNTRY", "COUNTRY_OF_ISSUE"] {
        un_countries.extend(texts_of(&un, tag));
    }
    for nationality in texts_of(&un, "NATIONALITY") {
        un_countries.extend(texts_of(&nationality, "VALUE"));
    }
    for value in un_countries {
        let value = value.trim();
        if !value.is_empty()
            && value != "na"
            && chokepoint_model::country::code_for_name(value).is_none()
        {
            unmapped.insert(value.to_string());
        }
    }
    for file in ["ofac-sdn/add.csv", "ofac-consolidated-nonsdn/cons_add.csv"] {
        let text = String::from_utf8_lossy(&read(&dir, file)).into_owned();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for record in reader.records().filter_map(Result::ok) {
            if let Some(country) = record.get(4).map(str::trim)
                && country != "-0-"
                && chokepoint_model::country::code_for_name(country).is_none()
            {
                unmapped.insert(country.to_string());
            }
        }
    }
    for name in deliberately_unmapped {
        unmapped.remove(name);
    }
    assert!(
        unmapped.is_empty(),
        "unmapped country strings: {unmapped:?}"
    );
}
