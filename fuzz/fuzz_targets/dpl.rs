//! Fuzz target: the BIS Denied Persons List reader never panics on arbitrary bytes.

#![no_main]

use chokepoint_ingest::parse;
use chokepoint_model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = parse("dpl.txt", bytes, SourceFormat::BisDplTxt);
});
