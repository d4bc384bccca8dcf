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

/// A small deterministic pseudo-random generator (xorshift64*), so generated data is the same on
/// every run without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed odd constant).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// A variant of a real name as a customer file might write it: case changed, a typo, the
/// legal form rewritten or dropped, words swapped, an abbreviation.
pub fn name_variant(name: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = name.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        return name.to_string();
    }
    match rng.below(6) {
        0 => words
            .iter()
            .map(|w| w.to_uppercase())
            .collect::<Vec<_>>()
            .join(" "),
        1 => {
            // One typo in the longest word: swap two neighbouring letters.
            let i = (0..words.len())
                .max_by_key(|&i| words[i].len())
                .unwrap_or(0);
            let mut chars: Vec<char> = words[i].chars().collect();
            if chars.len() > 3 {
                let j = 1 + rng.below(chars.len() - 2);
                chars.swap(j, j - 1);
            }
            words[i] = chars.into_iter().collect();
            words.join(" ")
        }
        2 => {
            let legal = ["Co., Ltd.", "Ltd.", "LLC", "Corporation", "Inc.", "GmbH"];
            while words.len() > 1
                && legal.iter().any(|l| {
                    words.last().is_some_and(|w| {
                        w.eq_ignore_ascii_case(l) || w.trim_end_matches(',') == "Co."
                    })
                })
            {
                words.pop();
            }
            format!("{} Company Limited", words.join(" "))
        }
        3 if words.len() > 1 => {
            words.swap(0, 1);
            words.join(" ")
        }
        4 => words
            .iter()
            .map(|w| match w.to_lowercase().trim_end_matches(',') {
                "international" => "Intl".to_string(),
                "technology" | "technologies" => "Tech".to_string(),
                "manufacturing" => "Mfg".to_string(),
                "group" => "Grp".to_string(),
                _ => w.clone(),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => words.join(" ").to_lowercase(),
    }
}

/// A made-up company or person name that is on no list.
pub fn synthetic_name(rng: &mut Rng) -> String {
    const SYLLABLES: &[&str] = &[
        "ka", "lo", "mi", "ren", "tor", "vel", "san", "dri", "po", "lux", "ter", "qua", "nor",
        "bel", "fin", "gra", "hel", "jo", "kel", "mar", "nex", "ori", "pra", "ros", "sil", "tu",
    ];
    const TAILS: &[&str] = &[
        "Trading",
        "Holdings",
        "Logistics",
        "Foods",
        "Textiles",
        "Consulting",
        "Bakery",
        "Motors",
    ];
    let word = |rng: &mut Rng| {
        let n = 2 + rng.below(2);
        let mut w: String = (0..n)
            .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
            .collect();
        if let Some(first) = w.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        w
    };
    if rng.below(3) == 0 {
        format!("{} {}", word(rng), word(rng))
    } else {
        format!("{} {} Co., Ltd.", word(rng), TAILS[rng.below(TAILS.len())])
    }
}

/// Resident-set high-water mark of this process, in bytes (Linux), if readable.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
