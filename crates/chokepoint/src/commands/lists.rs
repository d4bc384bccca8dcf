//! `chokepoint lists`: import files, show what is loaded, download the official files.

use crate::args::{DatabaseArg, Format, ListsCommand, TextOrJson};
use crate::commands::report_problems;
use crate::commands::serve::runtime;
use crate::output::{stderr_is_terminal, writer};
use anyhow::Context as _;
use chokepoint_engine::{DataDir, ImportReport, Progress, RevisionSpec, UpdateSource};
use std::io::Write;
use std::process::ExitCode;

pub fn run(data_dir: &DataDir, command: ListsCommand) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match command {
        ListsCommand::Import { paths, database } => {
            let report = data_dir.import_paths(&paths, &now)?;
            print_report(data_dir, &report);
            watch_after_import(data_dir, &database, &report)?;
            Ok(ExitCode::SUCCESS)
        }
        ListsCommand::Status { format } => status(data_dir, format),
        ListsCommand::Update {
            mirror,
            only,
            database,
        } => {
            let source = UpdateSource { mirror, only };
            let mut progress = Bar::default();
            let report = chokepoint_engine::update(data_dir, &source, &mut progress, &now)?;
            print_report(data_dir, &report);
            watch_after_import(data_dir, &database, &report)?;
            Ok(ExitCode::SUCCESS)
        }
        ListsCommand::History { format } => history(data_dir, format),
        ListsCommand::Diff {
            from,
            to,
            source,
            format,
        } => diff(data_dir, from, to, source, format),
    }
}

/// After an import that changed something, re-checks the watched customers and orders, when
/// there is a store to hold them (`--database`, or the data directory's SQLite file).
fn watch_after_import(
    data_dir: &DataDir,
    database: &DatabaseArg,
    report: &ImportReport,
) -> anyhow::Result<()> {
    if report.imported.is_empty()
        || (database.database.is_none() && !data_dir.root().join("chokepoint.db").exists())
    {
        return Ok(());
    }
    let run = runtime()?.block_on(super::watch::run_watch(data_dir, database, None))?;
    if run.parties > 0 || run.orders > 0 {
        super::watch::print_run(&run, TextOrJson::Text)?;
    }
    Ok(())
}

fn history(data_dir: &DataDir, format: TextOrJson) -> anyhow::Result<ExitCode> {
    let mut out = writer(None)?;
    let history = data_dir.history()?;
    if format == TextOrJson::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&history)?)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    if history.is_empty() {
        writeln!(
            out,
            "no list is imported in `{}`",
            data_dir.root().display()
        )?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    for revision in &history {
        writeln!(
            out,
            "revision {}  imported {}  snapshot {}",
            revision.revision,
            revision.imported_at,
            revision
                .snapshot_id
                .get(..16)
                .unwrap_or(&revision.snapshot_id)
        )?;
        for source in &revision.sources {
            let counts: Vec<String> = source
                .counts
                .iter()
                .map(|(code, n)| format!("{code} {n}"))
                .collect();
            writeln!(
                out,
                "  {} {:<32} v{:<3} sha256 {}  vintage {:<10} {:>7} entries  ({})",
                if source.changed { "*" } else { " " },
                source.source,
                source.version,
                source
                    .content_sha256
                    .get(..12)
                    .unwrap_or(&source.content_sha256),
                source
                    .vintage
                    .map_or_else(|| "unknown".to_string(), |d| d.to_string()),
                source.entries,
                counts.join(", ")
            )?;
        }
    }
    writeln!(out, "(* = changed in that revision)")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn diff(
    data_dir: &DataDir,
    from: Option<String>,
    to: Option<String>,
    source: Option<String>,
    format: TextOrJson,
) -> anyhow::Result<ExitCode> {
    let mut out = writer(None)?;
    let history = data_dir.history()?;
    let Some(last) = history.last() else {
        anyhow::bail!(
            "no list is imported in `{}`: `chokepoint lists import PATH` first",
            data_dir.root().display()
        );
    };
    let spec = |text: &str| {
        RevisionSpec::parse(text).with_context(|| {
            format!("`{text}` is neither a revision number (see `chokepoint lists history`) nor a date (YYYY-MM-DD)")
        })
    };
    let to = match to {
        Some(text) => data_dir.resolve(&history, spec(&text)?)?,
        None => match &source {
            // The last revision in which that source changed.
            Some(name) => history
                .iter()
                .rev()
                .find(|r| {
                    r.sources
                        .iter()
                        .any(|s| s.changed && chokepoint_engine::source_matches(&s.source, name))
                })
                .map_or(last.revision, |r| r.revision),
            None => last.revision,
        },
    };
    let from = match from {
        Some(text) => data_dir.resolve(&history, spec(&text)?)?,
        None => to.saturating_sub(1),
    };
    let diff = data_dir.diff(&history, from, to, source.as_deref())?;
    match format {
        TextOrJson::Json => writeln!(out, "{}", serde_json::to_string_pretty(&diff)?)?,
        TextOrJson::Text => {
            writeln!(
                out,
                "revision {from} → {to}{}",
                source.map(|s| format!(", source {s}")).unwrap_or_default()
            )?;
            write!(out, "{}", chokepoint_monitor::render_diff_text(&diff))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
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
