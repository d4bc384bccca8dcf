//! `chokepoint report --from DATE --to DATE`: what changed for the watched customers and open
//! orders (alerts raised), in the lists and in the rules, after one date up to another.

use crate::args::{ReportArgs, TextOrJson};
use crate::commands::serve::{open_store, runtime};
use crate::output::writer;
use chokepoint_engine::DataDir;
use std::io::Write;
use std::process::ExitCode;

pub fn run(data_dir: &DataDir, args: ReportArgs) -> anyhow::Result<ExitCode> {
    if args.from > args.to {
        anyhow::bail!("--from {} is after --to {}", args.from, args.to);
    }
    runtime()?.block_on(async {
        let store = open_store(data_dir, &args.database).await?;
        let report =
            chokepoint_server::monitor::report(&store, data_dir, args.from, args.to).await?;
        let mut out = writer(None)?;
        match args.format {
            TextOrJson::Json => {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            }
            TextOrJson::Text => write!(out, "{}", chokepoint_monitor::render_report_text(&report))?,
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })
}
