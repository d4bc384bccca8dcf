//! Fuzz target: the METI End User List table reader never panics on arbitrary bytes.

#![no_main]

use chokepoint_ingest::parse;
use chokepoint_model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = parse("end_user_list.csv", bytes, SourceFormat::MetiEulCsv);
});
