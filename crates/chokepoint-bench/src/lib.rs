//! Shared helpers of chokepoint's benchmarks and quality evaluations: locating `../shared/data`,
//! reading labelled name pairs, and computing precision, recall and F1.

use std::path::PathBuf;

/// The `shared/data` folder beside the checkout, if present.
pub fn shared_data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.is_dir().then_some(dir)
}

/// One labelled pair of names.
#[derive(Debug, Clone)]
pub struct LabelledPair {
    /// The screened name.
    pub query: String,
    /// The listed name.
    pub candidate: String,
    /// Whether they are the same party.
    pub expected: bool,
}

/// Reads a labelled-pairs TSV (header with `query`, `candidate`, `expected_match`).
pub fn read_pairs(text: &str) -> anyhow::Result<Vec<LabelledPair>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| anyhow::anyhow!("empty pairs file"))?
        .split('\t')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| anyhow::anyhow!("pairs file has no `{name}` column"))
    };
    let (qi, ci, ei) = (col("query")?, col("candidate")?, col("expected_match")?);
    let mut pairs = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| {
            fields
                .get(i)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("line {}: missing column {i}", n + 2))
        };
        pairs.push(LabelledPair {
            query: get(qi)?.to_string(),
            candidate: get(ci)?.to_string(),
            expected: get(ei)?.trim() == "1",
        });
    }
    Ok(pairs)
}

/// Confusion counts and the figures derived from them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quality {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// True negatives.
    pub tn: usize,
    /// False negatives.
    pub fn_: usize,
}

impl Quality {
    /// Adds one outcome.
    pub fn add(&mut self, expected: bool, predicted: bool) {
        match (expected, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }

    /// Precision (1 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        let p = self.tp + self.fp;
        if p == 0 {
            1.0
        } else {
            self.tp as f64 / p as f64
        }
    }

    /// Recall (1 when nothing was expected).
    pub fn recall(&self) -> f64 {
        let p = self.tp + self.fn_;
        if p == 0 {
            1.0
        } else {
            self.tp as f64 / p as f64
        }
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}
