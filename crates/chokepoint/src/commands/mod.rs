//! One module per subcommand, and what they share: finding the data directory and loading the
//! lists to screen against.

mod alerts;
mod audit;
mod bom;
mod check;
mod facility;
mod keys;
mod lists;
mod match_names;
mod owners;
mod report;
mod rules;
mod screen;
mod serve;
mod watch;

use crate::args::{Cli, Command, ListSources};
use anyhow::Context;
use chokepoint_engine::{DataDir, LoadedLists, SHIPPED_CROSSWALK, Screener, apply_crosswalk};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data_dir = DataDir::new(match cli.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    });
    match cli.command {
        Command::Screen(args) => screen::run(&data_dir, args),
        Command::Match(args) => match_names::run(args),
        Command::Lists(command) => lists::run(&data_dir, command),
        Command::Check(args) => check::run(&data_dir, args),
        Command::Bom(args) => bom::run(&data_dir, args),
        Command::Rules(command) => rules::run(command),
        Command::Serve(args) => serve::run(&data_dir, args),
        Command::Keys(command) => keys::run(&data_dir, command),
        Command::Audit(command) => audit::run(&data_dir, command),
        Command::Facility(command) => facility::run(command),
        Command::Owners(args) => owners::run(&data_dir, args),
        Command::Watch(command) => watch::run(&data_dir, command),
        Command::Alerts(command) => alerts::run(&data_dir, command),
        Command::Report(args) => report::run(&data_dir, args),
    }
}

/// `$XDG_DATA_HOME/chokepoint`, else `$HOME/.local/share/chokepoint`.
fn default_data_dir() -> anyhow::Result<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("chokepoint"));
    }
    let home = std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .context("cannot find a data directory: set --data-dir, CHOKEPOINT_DATA_DIR or HOME")?;
    Ok(PathBuf::from(home).join(".local/share/chokepoint"))
}

/// Loads the lists to screen against: the `--lists` paths when given, else the imported lists.
/// Prints a short account of the problems met to standard error.
pub fn load_screener(data_dir: &DataDir, sources: &ListSources) -> anyhow::Result<Screener> {
    let loaded = if sources.paths.is_empty() {
        if !data_dir.has_lists()? {
            anyhow::bail!(
                "no list is loaded. Download the official lists with `chokepoint lists update`, \
                 import files with `chokepoint lists import PATH`, or screen against files directly \
                 with `--lists PATH` (the demo list `lists/demo.yaml` is made up and not for compliance use)"
            );
        }
        data_dir.load()?
    } else {
        chokepoint_engine::load_paths(&sources.paths)?
    };
    report_problems(&loaded);
    if !loaded.unreadable.is_empty() {
        anyhow::bail!(
            "{}",
            loaded
                .unreadable
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let snapshot = chokepoint_engine::snapshot_id(&loaded.files);
    let mut set = loaded.set;
    apply_crosswalk(
        "lists/native-names.yaml",
        SHIPPED_CROSSWALK,
        &mut set.entries,
    )?;
    if set.entries.is_empty() {
        anyhow::bail!("the lists given hold no entry");
    }
    Ok(Screener::new(set).with_snapshot_id(snapshot))
}

/// A short account of data problems on standard error: counts per file and the first few.
pub fn report_problems(loaded: &LoadedLists) {
    for path in &loaded.skipped {
        eprintln!("note: skipped `{}`: not a list file", path.display());
    }
    let diagnostics = &loaded.set.diagnostics;
    if diagnostics.is_empty() {
        return;
    }
    let mut by_file: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in diagnostics {
        *by_file.entry(d.file.as_str()).or_default() += 1;
    }
    for (file, count) in by_file {
        eprintln!("note: {file}: {count} record problem(s); the rest of the list was loaded");
    }
    for d in diagnostics.iter().take(5) {
        eprintln!("  {d}");
    }
    if diagnostics.len() > 5 {
        eprintln!(
            "  ... and {} more (see `chokepoint lists import` output)",
            diagnostics.len() - 5
        );
    }
}
