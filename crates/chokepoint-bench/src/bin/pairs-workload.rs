//! A fixed pair-scoring workload, for instruction counts (callgrind) and for checking that an
//! optimisation changes nothing: `generate` writes pairs built like screening-bench's from the
//! full 2026 list to a TSV; `score` runs a pairs TSV (a header naming `query` and `candidate`)
//! through `score_pairs` (the code path of `chokepoint match --pairs`) and prints a fingerprint
//! of every score's exact bits; `explain` prints every name's normalised form and every pair's
//! full comparison, to compare two builds line by line.
//!
//! ```sh
//! W=target/release/pairs-workload
//! cargo build --release -p chokepoint-bench --bin pairs-workload
//! $W generate /tmp/pairs.tsv --pairs 1000000
//! valgrind --tool=callgrind $W score /tmp/pairs.tsv
//! $W score /tmp/pairs.tsv --scores /tmp/scores.txt
//! ```

use anyhow::{Context, bail};
use chokepoint_bench::{Rng, name_variant, shared_data_dir};
use chokepoint_engine::{load_paths, score_pairs};
use chokepoint_names::normalize;
use chokepoint_screening::compare;
use std::fmt::Write as _;
use std::io::Write as _;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("generate"), Some(out)) => {
            let n_pairs: usize = flag("--pairs").map_or(Ok(200_000), |n| n.parse())?;
            generate(out, n_pairs)
        }
        (Some("score"), Some(input)) => score(input, flag("--scores")),
        (Some("explain"), Some(input)) => explain(input),
        _ => bail!(
            "usage: pairs-workload generate OUT.tsv [--pairs N] \
             | score IN.tsv [--scores OUT] | explain IN.tsv"
        ),
    }
}

/// Listed names against variants of the same or another listed name, as screening-bench makes
/// them.
fn generate(out: &str, n_pairs: usize) -> anyhow::Result<()> {
    let csl = shared_data_dir()
        .context("../shared/data not found beside the checkout")?
        .join("us-csl/consolidated_2026-07-31.csv");
    let loaded = load_paths(std::slice::from_ref(&csl))?;
    let listed: Vec<&str> = loaded
        .set
        .entries
        .iter()
        .map(|e| e.primary_name())
        .collect();
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut rng = Rng::new(2026);
    let mut text = String::from("query\tcandidate\n");
    for _ in 0..n_pairs {
        let a = listed[rng.below(listed.len())];
        let b = if rng.below(2) == 0 {
            a
        } else {
            listed[rng.below(listed.len())]
        };
        let variant = name_variant(a, &mut rng);
        writeln!(text, "{}\t{}", clean(&variant), clean(b))?;
    }
    std::fs::write(out, text).with_context(|| format!("writing `{out}`"))?;
    println!("{n_pairs} pairs written to {out}");
    Ok(())
}

/// The pairs of a TSV whose header names `query` and `candidate`.
fn read_pairs<'t>(text: &'t str, input: &str) -> anyhow::Result<Vec<(&'t str, &'t str)>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("`{input}` has no `{name}` column"))
    };
    let (qi, ci) = (column("query")?, column("candidate")?);
    let pairs: Vec<(&str, &str)> = lines
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            Some((*fields.get(qi)?, *fields.get(ci)?))
        })
        .collect();
    Ok(pairs)
}

fn score(input: &str, scores_out: Option<&String>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(input).with_context(|| format!("reading `{input}`"))?;
    let pairs = read_pairs(&text, input)?;
    let started = std::time::Instant::now();
    let scores = score_pairs(&pairs);
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!(
        "score_pairs: {} pairs in {elapsed:.3} s = {:.0} pairs/s",
        pairs.len(),
        pairs.len() as f64 / elapsed
    );
    // FNV-1a over the scores' bits: any change in any score, however small, changes it.
    let fingerprint = scores.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, s| {
        (h ^ u64::from(s.to_bits())).wrapping_mul(0x0100_0000_01b3)
    });
    let matches = scores.iter().filter(|s| **s >= 0.74).count();
    println!(
        "{} pairs, {matches} matches, score fingerprint {fingerprint:016x}",
        scores.len()
    );
    if let Some(out) = scores_out {
        let mut text = String::with_capacity(scores.len() * 12);
        for s in &scores {
            writeln!(text, "{s:?}")?;
        }
        std::fs::write(out, text).with_context(|| format!("writing `{out}`"))?;
    }
    Ok(())
}

/// Prints every name's normalised form and every pair's full comparison (`Debug`), to compare
/// two builds line by line.
fn explain(input: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(input).with_context(|| format!("reading `{input}`"))?;
    let pairs = read_pairs(&text, input)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (query, candidate) in pairs {
        let (q, c) = (normalize(query), normalize(candidate));
        writeln!(out, "{q:?}\n{c:?}\n{:?}", compare(&q, &c))?;
    }
    Ok(())
}
