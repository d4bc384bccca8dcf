//! Speed of change monitoring: after a list update, re-screening 1,000,000 watched parties
//! against the full lists (issue 8: under 60 s on the reference machine). Prints the figures;
//! asserts nothing.
//!
//! The lists are the real files in `../shared/data` (trade.gov CSL, OFAC SDN and non-SDN, BIS
//! DPL, UN). The update is made from them: the "before" version lacks `--added` entries and has
//! `--changed` others with a name less and another license policy, as a Federal Register notice
//! would. The parties are the benchmark generator's: a third are variants of listed names.
//!
//! ```sh
//! cargo run --release -p chokepoint-bench --bin monitor-bench [-- --parties 1000000 --added 60 --changed 40 --store sqlite:/tmp/bench.db]
//! ```
//!
//! With `--csv FILE` it writes the parties as a customer master instead, to time the CLI end to
//! end. With `--store URL` (`sqlite:PATH` or `postgres://...`, an empty store) it also times
//! what the first `watch run` writes: the parties imported, then their hits and alerts saved a
//! page of 20,000 at a time, each page one transaction (`MonitorStore::save_watch`).
//!
//! Measured: the full screen of every party against the full lists (the first run, and what a
//! run costs when the previous revision is unknown), then the path a list update takes (diff,
//! delta index, re-screen against the added and changed entries, compare, alerts).

use chokepoint_bench::{Rng, name_variant, peak_rss_bytes, shared_data_dir, synthetic_name};
use chokepoint_engine::{
    DeltaIndex, SHIPPED_CROSSWALK, Screener, WatchScreen, apply_crosswalk, load_paths,
};
use chokepoint_model::ListSet;
use chokepoint_monitor::{WatchedParty, compare_hits, diff_entries, hit_alerts};
use rayon::prelude::*;
use std::time::Instant;

fn arg(name: &str, default: usize) -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(args
            .get(i + 1)
            .ok_or_else(|| anyhow::anyhow!("{name} needs a number"))?
            .parse()?),
        None => Ok(default),
    }
}

fn text_arg(name: &str) -> anyhow::Result<Option<String>> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(Some(
            args.get(i + 1)
                .ok_or_else(|| anyhow::anyhow!("{name} needs a value"))?
                .clone(),
        )),
        None => Ok(None),
    }
}

/// Parties saved per `save_watch` call, as `chokepoint_server::monitor::run_watch` pages them.
const PAGE: usize = 20_000;

/// Times the first run's writes into the store at `url`: the import, then the hits and alerts.
fn save_first_run(
    url: &str,
    parties: &[WatchedParty],
    hits: &[Vec<chokepoint_monitor::PartyHit>],
) -> anyhow::Result<()> {
    use chokepoint_store::{NewAlert, NewParty, WatchResults};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = chokepoint_store::connect(url).await?;
        anyhow::ensure!(
            store.party_count().await? == 0,
            "--store needs an empty store: `{url}` already watches parties"
        );
        let t = Instant::now();
        for page in parties.chunks(PAGE) {
            let rows = page
                .iter()
                .map(|p| NewParty {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    country: p.country.clone(),
                    kind: None,
                    extra: serde_json::json!({}),
                })
                .collect();
            store.upsert_parties(rows).await?;
        }
        let imported = t.elapsed();
        let t = Instant::now();
        let mut alerts = 0usize;
        let mut in_store = std::time::Duration::ZERO;
        for (page, page_hits) in parties.chunks(PAGE).zip(hits.chunks(PAGE)) {
            let mut results = WatchResults::default();
            for (party, hits) in page.iter().zip(page_hits) {
                let changes = compare_hits(&[], hits);
                results.alerts.extend(
                    hit_alerts(&party.id, &party.name, &changes, "bench", &serde_json::Value::Null)
                        .into_iter()
                        .map(|d| NewAlert {
                            id: d.id,
                            kind: d.kind.as_str().to_string(),
                            subject_kind: d.subject_kind.as_str().to_string(),
                            subject_id: d.subject_id,
                            subject_name: d.subject_name,
                            title: d.title,
                            details: d.details,
                        }),
                );
                results
                    .parties
                    .push((party.id.clone(), serde_json::to_value(hits)?));
            }
            let saving = Instant::now();
            alerts += store.save_watch(results).await?.len();
            in_store += saving.elapsed();
        }
        let saved = t.elapsed();
        println!(
            "store ({}): import {} parties {:.1} s; first run's save (hits of every party, {alerts} alerts) {:.1} s ({:.0} parties/s), of which in `save_watch` {:.1} s",
            url.split(':').next().unwrap_or(url),
            parties.len(),
            imported.as_secs_f64(),
            saved.as_secs_f64(),
            parties.len() as f64 / saved.as_secs_f64(),
            in_store.as_secs_f64()
        );
        Ok(())
    })
}

fn main() -> anyhow::Result<()> {
    let n_parties = arg("--parties", 1_000_000)?;
    let n_added = arg("--added", 60)?;
    let n_changed = arg("--changed", 40)?;
    let data = shared_data_dir()
        .ok_or_else(|| anyhow::anyhow!("../shared/data not found beside the checkout"))?;
    println!("threads: {}", rayon::current_num_threads());

    let t = Instant::now();
    let loaded = load_paths(&[
        data.join("us-csl/consolidated_2026-07-31.csv"),
        data.join("ofac-sdn"),
        data.join("ofac-consolidated-nonsdn"),
        data.join("us-bis-dpl/dpl.txt"),
        data.join("un-sc-consolidated/UN_consolidated.xml"),
    ])?;
    let after = loaded.set.entries;
    println!(
        "lists: {} entries loaded in {:.1} s",
        after.len(),
        t.elapsed().as_secs_f64()
    );

    // The previous version: some entries not listed yet, some with another name and policy.
    let mut rng = Rng::new(8);
    let mut before = after.clone();
    for _ in 0..n_changed {
        let i = rng.below(before.len());
        let entry = &mut before[i];
        if entry.names.len() > 1 {
            entry.names.pop();
        }
        entry.license_policy = Some("Case-by-case review".into());
    }
    let mut dropped = std::collections::HashSet::new();
    while dropped.len() < n_added.min(before.len()) {
        dropped.insert(rng.below(before.len()));
    }
    let before: Vec<_> = before
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i))
        .map(|(_, e)| e)
        .collect();

    let index = |entries: &[chokepoint_model::ListEntry]| -> anyhow::Result<Screener> {
        let mut entries = entries.to_vec();
        apply_crosswalk("lists/native-names.yaml", SHIPPED_CROSSWALK, &mut entries)?;
        Ok(Screener::new(ListSet {
            entries,
            ..ListSet::default()
        }))
    };
    let t = Instant::now();
    let before_screener = index(&before)?;
    println!("index (before): {:.1} s", t.elapsed().as_secs_f64());

    let listed: Vec<&str> = after.iter().map(|e| e.primary_name()).collect();
    let parties: Vec<WatchedParty> = (0..n_parties)
        .map(|i| WatchedParty {
            id: format!("C{i:07}"),
            name: if i % 3 == 0 {
                name_variant(listed[rng.below(listed.len())], &mut rng)
            } else {
                synthetic_name(&mut rng)
            },
            country: None,
            kind: None,
            extra: Default::default(),
        })
        .collect();

    // `--csv FILE`: write the parties as a customer master and stop (for timing the CLI end
    // to end: `chokepoint watch import-parties FILE`, `watch run`, `lists import`).
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--csv") {
        let path = args
            .get(i + 1)
            .ok_or_else(|| anyhow::anyhow!("--csv needs a file name"))?;
        let mut writer = csv::Writer::from_path(path)?;
        writer.write_record(["id", "name"])?;
        for party in &parties {
            writer.write_record([party.id.as_str(), party.name.as_str()])?;
        }
        writer.flush()?;
        println!("wrote {} parties to {path}", parties.len());
        return Ok(());
    }

    // The first run: everyone against the full lists.
    let t = Instant::now();
    let watch = WatchScreen::new(&before_screener);
    let old_hits = watch.screen(&parties);
    let full = t.elapsed();
    let matched = old_hits.iter().filter(|h| !h.is_empty()).count();
    println!(
        "full screen: {n_parties} parties against {} entries in {:.1} s ({:.0} parties/s), {matched} with a match; peak RSS {:.0} MB",
        before.len(),
        full.as_secs_f64(),
        n_parties as f64 / full.as_secs_f64(),
        peak_rss_bytes().unwrap_or(0) as f64 / 1e6
    );

    if let Some(url) = text_arg("--store")? {
        save_first_run(&url, &parties, &old_hits)?;
    }

    // After the update: diff, delta index, re-screen against the change, compare, alerts.
    let t = Instant::now();
    let diff = diff_entries(&before, &after);
    let diffed = t.elapsed();
    let delta = DeltaIndex::new(&before, &after, &diff)?;
    let indexed = t.elapsed();
    let new_hits = delta.rescreen(&parties, &old_hits);
    let rescreened = t.elapsed();
    let alerts: usize = parties
        .par_iter()
        .zip(old_hits.par_iter().zip(new_hits.par_iter()))
        .map(|(party, (old, new))| {
            let changes = compare_hits(old, new);
            if changes.is_empty() {
                0
            } else {
                hit_alerts(
                    &party.id,
                    &party.name,
                    &changes,
                    "bench",
                    &serde_json::Value::Null,
                )
                .len()
            }
        })
        .sum();
    let total = t.elapsed();
    println!(
        "list update: {} added, {} removed, {} changed; diff {:.2} s, delta index ({} entries) {:.2} s, re-screen {:.2} s, compare + alerts {:.2} s",
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len(),
        diffed.as_secs_f64(),
        delta.indexed(),
        (indexed - diffed).as_secs_f64(),
        (rescreened - indexed).as_secs_f64(),
        (total - rescreened).as_secs_f64()
    );
    println!(
        "re-screening after the update: {n_parties} parties in {:.2} s ({:.0} parties/s), {alerts} alerts; peak RSS {:.0} MB",
        total.as_secs_f64(),
        n_parties as f64 / total.as_secs_f64(),
        peak_rss_bytes().unwrap_or(0) as f64 / 1e6
    );
    Ok(())
}
