//! Fuzz target: the OFAC legacy CSV readers never panic on arbitrary bytes, alone or split into
//! a primary file and a companion joined by `parse_files`.

#![no_main]

use chokepoint_ingest::{InputFile, parse, parse_files};
use chokepoint_model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = parse("sdn.csv", bytes, SourceFormat::OfacSdnCsv);
    let _ = parse("cons_prim.csv", bytes, SourceFormat::OfacConsCsv);
    let middle = bytes.len() / 2;
    let (primary, companion) = bytes.split_at(middle);
    let _ = parse_files(&[
        InputFile { label: "sdn.csv", bytes: primary },
        InputFile { label: "add.csv", bytes: companion },
    ]);
});
