//! The `chokepoint` binary: parses the command line, runs one command, reports errors.
//!
//! Glue only: each subcommand lives in `commands/<name>.rs`; the work is done by
//! `chokepoint-engine` and the pure crates beneath it.

mod args;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the server answers each request with many small,
/// short-lived allocations (JSON values, hit records), where glibc's malloc spent about a fifth
/// of the CPU under load (`perf record` on the loadgen run, see ARCHITECTURE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // A closed pipe (`chokepoint screen ... | head`) is not an error.
            if error.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
