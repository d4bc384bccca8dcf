//! Property tests: arbitrary bytes never make detection or any reader panic.

use chokepoint_ingest::{InputFile, detect_format, parse, parse_files};
use chokepoint_model::SourceFormat;
use proptest::prelude::*;

const FORMATS: [SourceFormat; 9] = [
    SourceFormat::CslCsv,
    SourceFormat::CslJson,
    SourceFormat::OfacSdnCsv,
    SourceFormat::OfacConsCsv,
    SourceFormat::BisDplTxt,
    SourceFormat::UnXml,
    SourceFormat::UserYaml,
    SourceFormat::UserCsv,
    SourceFormat::MetiEulCsv,
];

/// Bytes that look a little like each format, so the readers get past their first checks.
fn list_like() -> impl Strategy<Value = Vec<u8>> {
    let prefixes = prop::sample::select(vec![
        "_id,source,name,addresses,start_date\n",
        "{\"results\": [",
        "36,\"X\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,",
        "\"Name\"\t\"Effective_Date\"\t\"Country\"\n",
        "<CONSOLIDATED_LIST dateGenerated=\"2026-01-01\"><INDIVIDUALS><INDIVIDUAL>",
        "chokepoint_list: 1\nentries:\n  - id: ",
        "# chokepoint_list: 1\nid,name,aliases\n",
        "No.,Country or Region,Company or Organization,Also Known As,Type of WMD\n1,China,",
        "",
    ]);
    (prefixes, prop::collection::vec(any::<u8>(), 0..256)).prop_map(|(prefix, tail)| {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend(tail);
        bytes
    })
}

proptest! {
    #[test]
    fn detection_and_readers_never_panic(bytes in list_like()) {
        let _ = detect_format("fuzz.bin", &bytes);
        for format in FORMATS {
            let _ = parse("fuzz.bin", &bytes, format);
        }
        let _ = parse_files(&[InputFile { label: "a.csv", bytes: &bytes }, InputFile { label: "add.csv", bytes: &bytes }]);
    }

    #[test]
    fn text_readers_never_panic_on_text(text in "[ -~\t\n\"',;:\\-\\[\\]<>/é中]{0,300}") {
        for format in FORMATS {
            let _ = parse("fuzz.txt", text.as_bytes(), format);
        }
    }
}
