//! Fuzz target: the trade.gov CSL CSV reader never panics on arbitrary bytes.

#![no_main]

use chokepoint_ingest::parse;
use chokepoint_model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = parse("fuzz.csv", bytes, SourceFormat::CslCsv);
});
