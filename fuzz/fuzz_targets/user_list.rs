//! Fuzz target: the chokepoint user-list readers (YAML and CSV) never panics on arbitrary bytes.

#![no_main]

use chokepoint_ingest::parse;
use chokepoint_model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = parse("fuzz.yaml", bytes, SourceFormat::UserYaml);
    let _ = parse("fuzz.csv", bytes, SourceFormat::UserCsv);
});
