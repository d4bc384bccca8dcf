//! `chokepoint lists`: import files, show what is loaded, download the official files.

use crate::args::{Format, ListsCommand};
use crate::commands::report_problems;
use crate::output::stderr_is_terminal;
use chokepoint_engine::{DataDir, ImportReport, Progress, UpdateSource};
use std::process::ExitCode;

pub fn run(data_dir: &DataDir, command: ListsCommand) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match command {
        ListsCommand::Import { paths } => {
            let report = data_dir.import_paths(&paths, &now)?;
            print_report(data_dir, &report);
            Ok(ExitCode::SUCCESS)
        }
        ListsCommand::Status { format } => status(data_dir, format),
        ListsCommand::Update { mirror, only } => {
            let source = UpdateSource { mirror, only };
            let mut progress = Bar::default();
            let report = chokepoint_engine::update(data_dir, &source, &mut progress, &now)?;
            print_report(data_dir, &report);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_report(data_dir: &DataDir, report: &ImportReport) {
    for file in &report.imported {
        println!("imported {} (sha256 {})", file.label, &file.sha256[..12]);
    }
    for label in &report.unchanged {
        println!("unchanged {label} (same content as the current version)");
    }
    report_problems(&report.loaded);
    println!(
        "{} entries in {} list file(s) now current in `{}`",
        report.loaded.set.entries.len(),
        report.loaded.set.lists.len(),
        data_dir.root().display()
    );
}

fn status(data_dir: &DataDir, format: Format) -> anyhow::Result<ExitCode> {
    let manifest = data_dir.manifest()?;
    if format != Format::Text {
        println!("{}", serde_json::to_string_pretty(&manifest)?);
        return Ok(ExitCode::SUCCESS);
    }
    if manifest.files.is_empty() {
        println!(
            "no list is imported in `{}`. Run `chokepoint lists update` to download the official \
             lists, or `chokepoint lists import PATH` to import files you have.",
            data_dir.root().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("lists in `{}`:", data_dir.root().display());
    for meta in &manifest.lists {
        let vintage = meta
            .vintage
            .map(|d| d.to_string())
            .unwrap_or_else(|| "unknown".into());
        let counts: Vec<String> = meta
            .counts
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        println!(
            "  {:<36} {:<14} vintage {:<10} {:>7} entries  ({})",
            meta.label,
            meta.format.as_str(),
            vintage,
            meta.entries,
            counts.join(", ")
        );
    }
    for file in &manifest.files {
        println!(
            "  file {:<31} sha256 {}  imported {} from {}",
            file.label,
            &file.sha256[..16],
            file.imported_at,
            file.imported_from
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar per download, drawn on standard error when it is a terminal.
#[derive(Default)]
struct Bar {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress for Bar {
    fn start(&mut self, name: &str, total: Option<u64>) {
        let bar = if !stderr_is_terminal() {
            indicatif::ProgressBar::hidden()
        } else if let Some(total) = total {
            indicatif::ProgressBar::new(total)
        } else {
            indicatif::ProgressBar::new_spinner()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:20} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(name.to_string());
        self.bar = Some(bar);
    }

    fn advance(&mut self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn finish(&mut self, name: &str) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!("downloaded {name}");
    }
}
