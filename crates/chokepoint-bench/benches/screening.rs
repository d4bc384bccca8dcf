//! Criterion micro-benchmarks: normalising a name, scoring a pair (explained, and the bare score
//! that screening and `match --pairs` compute), one search on a small index.

use chokepoint_model::{ListCode, ListEntry};
use chokepoint_names::normalize;
use chokepoint_screening::{Filters, Index, Scratch, compare, score};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    c.bench_function("normalize ascii company", |b| {
        b.iter(|| {
            normalize(black_box(
                "Semiconductor Manufacturing International (Beijing) Corporation",
            ))
        })
    });
    c.bench_function("normalize chinese", |b| {
        b.iter(|| normalize(black_box("中芯国际集成电路制造有限公司")))
    });
    let q = normalize("GUANGZHOU HAIGE COMM GRP");
    let n = normalize("Guangzhou Haige Communication Group Co., Ltd.");
    c.bench_function("compare normalised pair", |b| {
        b.iter(|| compare(black_box(&q), black_box(&n)))
    });
    c.bench_function("score normalised pair", |b| {
        b.iter(|| score(black_box(&q), black_box(&n)))
    });
    let unrelated = normalize("Beijing Naura Microelectronics Equipment Co Ltd");
    c.bench_function("score unrelated pair", |b| {
        b.iter(|| score(black_box(&q), black_box(&unrelated)))
    });
    let mut rng = chokepoint_bench::Rng::new(7);
    let entries: Vec<ListEntry> = (0..5000)
        .map(|i| {
            ListEntry::new(
                ListCode::new("EL"),
                i.to_string(),
                chokepoint_bench::synthetic_name(&mut rng),
            )
        })
        .collect();
    let index = Index::build(entries);
    let mut scratch = Scratch::default();
    c.bench_function("search 5k-entry index", |b| {
        b.iter(|| {
            index.search(
                black_box("Kalomi Trading Co Ltd"),
                &Filters::default(),
                0.74,
                0.6,
                10,
                &mut scratch,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
