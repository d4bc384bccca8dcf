//! Scoring many name pairs at once (`chokepoint match --pairs`): each distinct name is
//! normalised once, then the pairs are scored in parallel, in input order.

use chokepoint_names::{NormalizedName, normalize};
use chokepoint_screening::score;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// The score of every `(query, candidate)` pair, in input order.
pub fn score_pairs<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<f32> {
    // Pair files repeat names (one query against many candidates, a list against itself):
    // normalise each distinct name once.
    let mut ids: FxHashMap<&'a str, usize> = FxHashMap::default();
    let mut distinct: Vec<&'a str> = Vec::new();
    let mut indexed: Vec<(usize, usize)> = Vec::with_capacity(pairs.len());
    for &(q, c) in pairs {
        let mut pair = [0usize; 2];
        for (slot, name) in pair.iter_mut().zip([q, c]) {
            *slot = match ids.get(name) {
                Some(&id) => id,
                None => {
                    distinct.push(name);
                    ids.insert(name, distinct.len() - 1);
                    distinct.len() - 1
                }
            };
        }
        indexed.push((pair[0], pair[1]));
    }
    let normalized: Vec<NormalizedName> = distinct.par_iter().map(|n| normalize(n)).collect();
    indexed
        .par_iter()
        .map(|&(q, c)| score(&normalized[q], &normalized[c]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_screening::compare;

    #[test]
    fn same_scores_as_one_by_one_in_input_order() {
        let pairs = [
            (
                "SMIC",
                "Semiconductor Manufacturing International Corporation",
            ),
            ("emma daniels", "EMMA LLC"),
            ("SMIC", "SMIC Holdings Limited"),
            ("Olaf Scholz", "Olaf Scholze"),
        ];
        let scores = score_pairs(&pairs);
        assert_eq!(scores.len(), pairs.len());
        for ((q, c), s) in pairs.iter().zip(scores) {
            assert_eq!(s, compare(&normalize(q), &normalize(c)).score, "{q} / {c}");
        }
    }
}
