//! `chokepoint audit`: `verify` walks the hash chain (exit 0 when intact, 1 naming the first
//! bad record), `replay` screens a past request again against its rebuilt list snapshot, and
//! `export` writes every record as JSON lines for an auditor.

use crate::args::AuditCommand;
use crate::commands::serve::{open_store, runtime};
use crate::output::writer;
use chokepoint_engine::DataDir;
use chokepoint_store::ChainReport;
use std::io::Write;
use std::process::ExitCode;

const PAGE: u32 = 1000;

pub fn run(data_dir: &DataDir, command: AuditCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        match command {
            AuditCommand::Verify { database } => {
                let store = open_store(data_dir, &database).await?;
                match store.verify_audit().await? {
                    ChainReport::Intact { records, head } => {
                        println!("audit chain intact: {records} records, head {head}");
                        Ok(ExitCode::SUCCESS)
                    }
                    ChainReport::Broken { seq, reason } => {
                        println!("audit chain BROKEN at record {seq}: {reason}");
                        Ok(ExitCode::from(1))
                    }
                }
            }
            AuditCommand::Replay { seq, database } => {
                let store = open_store(data_dir, &database).await?;
                let replay = chokepoint_server::replay::replay(store.as_ref(), data_dir, seq).await?;
                let hits = replay.replayed.as_array().map_or(0, Vec::len);
                if replay.same() {
                    println!(
                        "record {seq} replayed against list snapshot {}: the same answer ({hits} hits)",
                        replay.list_snapshot
                    );
                    Ok(ExitCode::SUCCESS)
                } else {
                    println!(
                        "record {seq} replayed against list snapshot {}: a DIFFERENT answer\nrecorded: {}\nreplayed: {}",
                        replay.list_snapshot, replay.recorded, replay.replayed
                    );
                    Ok(ExitCode::from(1))
                }
            }
            AuditCommand::Export {
                output,
                after,
                database,
            } => {
                let store = open_store(data_dir, &database).await?;
                let mut out = writer(output.as_deref())?;
                let mut last = after;
                let mut written = 0u64;
                loop {
                    let records = store.audit_records(last, PAGE).await?;
                    let Some(tail) = records.last() else {
                        break;
                    };
                    last = tail.seq;
                    for record in &records {
                        serde_json::to_writer(&mut out, record)?;
                        writeln!(out)?;
                        written += 1;
                    }
                }
                out.flush()?;
                if output.is_some() {
                    eprintln!("exported {written} audit records");
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
