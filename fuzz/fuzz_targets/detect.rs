//! Fuzz target: format detection, and parsing in the detected format, never panic.

#![no_main]

use chokepoint_ingest::{detect_format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(format) = detect_format("fuzz.bin", bytes) {
        let _ = parse("fuzz.bin", bytes, format);
    }
});
