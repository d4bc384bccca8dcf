//! Precision, recall and F1 of chokepoint's name matcher on labelled pair files
//! (`../shared/data/name-pairs/*.tsv` by default). `--errors` lists every wrong answer.

use chokepoint_bench::{Quality, read_pairs, shared_data_dir};
use chokepoint_names::normalize;
use chokepoint_screening::{DEFAULT_THRESHOLD, compare};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_errors = args.iter().any(|a| a == "--errors");
    let threshold: f32 = match args.iter().position(|a| a == "--threshold") {
        Some(i) => args
            .get(i + 1)
            .ok_or_else(|| anyhow::anyhow!("--threshold needs a value"))?
            .parse()?,
        None => DEFAULT_THRESHOLD,
    };
    let mut files: Vec<std::path::PathBuf> = args
        .iter()
        .filter(|a| a.ends_with(".tsv"))
        .map(Into::into)
        .collect();
    if files.is_empty() {
        let dir = shared_data_dir()
            .ok_or_else(|| anyhow::anyhow!("../shared/data not found; pass TSV files"))?
            .join("name-pairs");
        for name in [
            "name_pairs_nomenklatura.tsv",
            "name_pairs_watchman.tsv",
            "name_pairs_yente.tsv",
        ] {
            files.push(dir.join(name));
        }
    }
    println!("threshold {threshold}");
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let pairs = read_pairs(&text)?;
        let mut quality = Quality::default();
        for pair in &pairs {
            let c = compare(&normalize(&pair.query), &normalize(&pair.candidate));
            let predicted = c.score >= threshold;
            quality.add(pair.expected, predicted);
            if show_errors && predicted != pair.expected {
                println!(
                    "  {} {:.3} {:?} | {} | {} | {}",
                    if pair.expected { "FN" } else { "FP" },
                    c.score,
                    c.method,
                    pair.query,
                    pair.candidate,
                    c.explain()
                );
            }
        }
        println!(
            "{}: pairs {} precision {:.3} recall {:.3} F1 {:.3} (tp {} fp {} tn {} fn {})",
            file.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            pairs.len(),
            quality.precision(),
            quality.recall(),
            quality.f1(),
            quality.tp,
            quality.fp,
            quality.tn,
            quality.fn_
        );
    }
    Ok(())
}
