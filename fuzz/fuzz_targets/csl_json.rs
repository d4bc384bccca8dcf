//! Fuzz target: the trade.gov CSL JSON reader (bulk and compact) never panics on arbitrary bytes.

#![no_main]

use chokepoint_ingest::parse;
use chokepoint_model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = parse("fuzz.json", bytes, SourceFormat::CslJson);
});
