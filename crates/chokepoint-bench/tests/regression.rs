//! Screening regression suite on real lists: variants of real names from the 2026 CSL must find
//! their entry, and Chinese/Japanese native names from the casslab compilation (evaluation data
//! only, never bundled) must find theirs in simplified, traditional and romanised form.
//!
//! Prints the recall per variant kind (`cargo test -p chokepoint-bench --test regression --
//! --nocapture`) and fails when one falls below its floor.

use chokepoint_bench::{Rng, name_variant, shared_data_dir};
use chokepoint_engine::{ScreenOptions, ScreenQuery, Screener, load_paths};
use chokepoint_model::{NameKind, PartyKind};
use chokepoint_names::{Origin, normalize};

fn screener(relative: &str, test: &str) -> Option<Screener> {
    let Some(dir) = shared_data_dir() else {
        eprintln!("SKIPPED {test}: ../shared/data not found beside the checkout");
        return None;
    };
    let loaded = load_paths(&[dir.join(relative)]).expect("the shared list loads");
    Some(Screener::new(loaded.set))
}

/// Share of `queries` (query, expected source id) whose expected entry is a match.
/// Many entries can share one alias (every CASIC institute carries 中国航天科工集团), so up to
/// `limit` hits are looked at.
fn recall(screener: &Screener, queries: &[(String, String)], limit: usize) -> (f64, Vec<String>) {
    let options = ScreenOptions {
        limit,
        ..ScreenOptions::default()
    };
    let screen: Vec<ScreenQuery> = queries
        .iter()
        .map(|(q, _)| ScreenQuery {
            name: q.clone(),
            ..ScreenQuery::default()
        })
        .collect();
    let answers = screener.screen_many(&screen, &options, &|_| {});
    let mut misses = Vec::new();
    let mut found = 0;
    for ((query, expected), hits) in queries.iter().zip(&answers) {
        if hits.iter().any(|h| h.is_match && &h.source_id == expected) {
            found += 1;
        } else {
            misses.push(format!("{query} → {expected}"));
        }
    }
    (found as f64 / queries.len().max(1) as f64, misses)
}

#[test]
fn variants_of_real_names_find_their_entry() {
    let Some(screener) = screener(
        "us-csl/consolidated_2026-07-31.csv",
        "variants_of_real_names_find_their_entry",
    ) else {
        return;
    };
    let mut rng = Rng::new(31);
    // Every 11th entity with a name of two words or more, on every list.
    let sample: Vec<(String, String)> = screener
        .index()
        .entries()
        .iter()
        .filter(|e| {
            e.kind != PartyKind::Individual && e.primary_name().split_whitespace().count() >= 2
        })
        .step_by(11)
        .map(|e| (e.primary_name().to_string(), e.source_id.clone()))
        .collect();
    assert!(sample.len() > 500, "sample of {}", sample.len());
    let exact = recall(&screener, &sample, 20);
    let variants: Vec<(String, String)> = sample
        .iter()
        .map(|(name, id)| (name_variant(name, &mut rng), id.clone()))
        .collect();
    let varied = recall(&screener, &variants, 20);
    println!(
        "CSL 2026 regression: {} names; exact recall {:.3}; variant recall {:.3}",
        sample.len(),
        exact.0,
        varied.0
    );
    for miss in varied.1.iter().take(15) {
        println!("  missed: {miss}");
    }
    assert!(
        exact.0 >= 0.995,
        "exact names must find themselves: {:?}",
        &exact.1[..exact.1.len().min(10)]
    );
    assert!(
        varied.0 >= 0.95,
        "variant recall {:.3} fell below 0.95",
        varied.0
    );
}

#[test]
fn native_names_find_their_entry_in_every_form() {
    let Some(screener) = screener(
        "multi-list-casslab/csl_layout.csv",
        "native_names_find_their_entry_in_every_form",
    ) else {
        return;
    };
    let mut simplified = Vec::new();
    let mut traditional = Vec::new();
    let mut pinyin = Vec::new();
    for entry in screener.index().entries() {
        for name in &entry.names {
            let normalized = normalize(&name.text);
            if normalized.native.is_empty() || name.kind == NameKind::Primary {
                continue;
            }
            let id = entry.source_id.clone();
            simplified.push((name.text.clone(), id.clone()));
            traditional.push((hanconv::s2t(&name.text), id.clone()));
            let syllables: Vec<&str> = normalized
                .tokens
                .iter()
                .filter(|t| t.origin == Origin::Pinyin)
                .map(|t| t.text.as_str())
                .collect();
            if syllables.len() >= 2 {
                pinyin.push((syllables.join(" "), id));
            }
        }
    }
    let mut figures = Vec::new();
    for (label, queries, floor) in [
        ("simplified", &simplified, 0.99),
        ("traditional", &traditional, 0.97),
        ("pinyin", &pinyin, 0.90),
    ] {
        let (r, misses) = recall(&screener, queries, 200);
        println!(
            "casslab native names, {label}: {} queries, recall {r:.3}",
            queries.len()
        );
        for miss in misses.iter().take(5) {
            println!("  missed: {miss}");
        }
        figures.push((label, r, floor));
    }
    for (label, r, floor) in figures {
        assert!(r >= floor, "{label} recall {r:.3} fell below {floor}");
    }
}
