//! Throughput of `determine` on records with explicit list statuses (no screening): the worked
//! examples of shared/examples (when present) plus our fixtures, evaluated in a loop on one core.
//!
//! Run: `cargo bench -p chokepoint-rules --bench determine -- --warm-up-time 1 --measurement-time 3`

use chokepoint_rules::{Context, Record, determine, parse_records, shipped_ruleset};
use criterion::{Criterion, Throughput, criterion_group};
use std::hint::black_box;

/// The allocator the `chokepoint` binary ships with (see its `main.rs`), so the figure is the
/// one users get from `chokepoint check`; about a quarter of the time under glibc's malloc was
/// the allocator's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn records(rules: &chokepoint_rules::RuleSet) -> Vec<Record> {
    let mut texts: Vec<(String, String)> = Vec::new();
    let examples = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/examples/determinations.yaml"
    );
    if let Ok(t) = std::fs::read_to_string(examples) {
        texts.push(("determinations.yaml".into(), t));
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data");
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "yaml")
            && let Ok(t) = std::fs::read_to_string(&path)
        {
            texts.push((path.display().to_string(), t));
        }
    }
    texts
        .iter()
        .flat_map(|(label, t)| parse_records(rules, label, t))
        .flatten()
        // Explicit list statuses only: every party (and owner) has `lists` given.
        .filter(|r| {
            r.transaction.parties.iter().all(|p| {
                p.lists.is_some()
                    && p.ownership
                        .iter()
                        .flatten()
                        .all(|o| o.owner_lists.is_some())
            })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (rules, diags) = shipped_ruleset();
    assert!(diags.is_empty(), "{diags:?}");
    let records = records(&rules);
    assert!(!records.is_empty());
    let mut group = c.benchmark_group("determine");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function(format!("{}_records_explicit_lists", records.len()), |b| {
        b.iter(|| {
            for r in &records {
                let d = determine(&rules, r, &Context::default());
                black_box(d.ok());
            }
        })
    });
    group.finish();
}

/// CPU time consumed by this thread so far (Linux: /proc/thread-self/schedstat), so the figure is
/// per core even when other processes compete for the CPU.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn cpu_time_figure() {
    let (rules, _) = shipped_ruleset();
    let records = records(&rules);
    let rounds = 2000;
    let (Some(start), wall) = (thread_cpu_ns(), std::time::Instant::now()) else {
        return;
    };
    for _ in 0..rounds {
        for r in &records {
            black_box(determine(&rules, r, &Context::default()).ok());
        }
    }
    let Some(end) = thread_cpu_ns() else { return };
    let n = (rounds * records.len()) as f64;
    let cpu_s = (end - start) as f64 / 1e9;
    println!(
        "determine: {n} determinations in {cpu_s:.3} s of thread CPU time ({:.3} s wall) = {:.0} determinations per CPU-second",
        wall.elapsed().as_secs_f64(),
        n / cpu_s
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    cpu_time_figure();
}
