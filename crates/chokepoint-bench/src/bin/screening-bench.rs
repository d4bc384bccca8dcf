//! Speed figures for screening on the full 2026 list: load and index time, memory, batch
//! throughput, and pair-matching throughput. Prints the figures; asserts nothing.
//!
//! ```sh
//! cargo run --release -p chokepoint-bench --bin screening-bench [-- --names 100000 --pairs 1000000]
//! ```

use chokepoint_bench::{Rng, name_variant, peak_rss_bytes, shared_data_dir, synthetic_name};
use chokepoint_engine::{ScreenOptions, ScreenQuery, Screener, load_paths, score_pairs};
use chokepoint_names::normalize;
use chokepoint_screening::compare;
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

fn main() -> anyhow::Result<()> {
    let n_names = arg("--names", 100_000)?;
    let n_pairs = arg("--pairs", 1_000_000)?;
    let csl = shared_data_dir()
        .ok_or_else(|| anyhow::anyhow!("../shared/data not found beside the checkout"))?
        .join("us-csl/consolidated_2026-07-31.csv");
    println!("threads: {}", rayon::current_num_threads());

    let t = Instant::now();
    let loaded = load_paths(std::slice::from_ref(&csl))?;
    let parse = t.elapsed();
    let entries = loaded.set.entries.len();
    let t = Instant::now();
    let screener = Screener::new(loaded.set);
    let index = t.elapsed();
    println!(
        "load: {entries} entries parsed in {:.0} ms, indexed ({} names) in {:.0} ms, total {:.0} ms; peak RSS {:.0} MB",
        parse.as_secs_f64() * 1e3,
        screener.index().name_count(),
        index.as_secs_f64() * 1e3,
        (parse + index).as_secs_f64() * 1e3,
        peak_rss_bytes().unwrap_or(0) as f64 / 1e6
    );

    // A customer file: a third variants of listed names, the rest names on no list.
    let mut rng = Rng::new(2026);
    let listed: Vec<&str> = screener
        .index()
        .entries()
        .iter()
        .map(|e| e.primary_name())
        .collect();
    let queries: Vec<ScreenQuery> = (0..n_names)
        .map(|i| ScreenQuery {
            name: if i % 3 == 0 {
                name_variant(listed[rng.below(listed.len())], &mut rng)
            } else {
                synthetic_name(&mut rng)
            },
            ..ScreenQuery::default()
        })
        .collect();
    let options = ScreenOptions::default();
    let t = Instant::now();
    let answers = screener.screen_many(&queries, &options, &|_| {});
    let elapsed = t.elapsed();
    let matched = answers
        .iter()
        .filter(|h| h.iter().any(|h| h.is_match))
        .count();
    println!(
        "batch: {n_names} names screened in {:.2} s ({:.0} names/s), {matched} with a match; peak RSS {:.0} MB",
        elapsed.as_secs_f64(),
        n_names as f64 / elapsed.as_secs_f64(),
        peak_rss_bytes().unwrap_or(0) as f64 / 1e6
    );

    let t = Instant::now();
    let single = screener.screen(
        &ScreenQuery {
            name: "SMIC Beijing".into(),
            ..ScreenQuery::default()
        },
        &options,
    );
    println!(
        "one query: {:.2} ms ({} hits)",
        t.elapsed().as_secs_f64() * 1e3,
        single.len()
    );

    // Pairs: each a listed name against a variant of another or the same listed name.
    let pairs: Vec<(String, String)> = (0..n_pairs)
        .map(|_| {
            let a = listed[rng.below(listed.len())];
            let b = if rng.below(2) == 0 {
                a
            } else {
                listed[rng.below(listed.len())]
            };
            (name_variant(a, &mut rng), b.to_string())
        })
        .collect();
    // The code path of `chokepoint match --pairs`: each distinct name normalised once.
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let t = Instant::now();
    let scored = score_pairs(&borrowed)
        .iter()
        .filter(|s| **s >= 0.74)
        .count();
    let elapsed = t.elapsed();
    println!(
        "match: {n_pairs} pairs as `match --pairs` scores them (each distinct name normalised once) in {:.2} s = {:.0} pairs/s ({scored} matches)",
        elapsed.as_secs_f64(),
        n_pairs as f64 / elapsed.as_secs_f64()
    );
    // Worst case: both names normalised again for every pair, and every score explained.
    let t = Instant::now();
    let scored: usize = pairs
        .par_iter()
        .map(|(a, b)| usize::from(compare(&normalize(a), &normalize(b)).score >= 0.74))
        .sum();
    let elapsed = t.elapsed();
    println!(
        "match: {n_pairs} pairs, both names normalised per pair and explained, in {:.2} s = {:.0} pairs/s ({scored} matches)",
        elapsed.as_secs_f64(),
        n_pairs as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
