//! Scoring many name pairs at once (`chokepoint match --pairs`): each distinct name is
//! normalised once, then the pairs are scored in parallel, in input order.

use chokepoint_names::{NormalizedName, normalize};
use chokepoint_screening::score;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// The score of every `(query, candidate)` pair, in input order.
pub fn score_pairs<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<f32> {
    // Names are indexed with `u32`: a part of at most 2^30 pairs has at most 2^31 distinct
    // names, so however long the input, the indices cannot overflow.
    const MOST_PAIRS: usize = 1 << 30;
    if pairs.len() > MOST_PAIRS {
        return pairs.chunks(MOST_PAIRS).flat_map(score_pairs).collect();
    }
    // Pair files repeat names (one query against many candidates, a list against itself):
    // normalise each distinct name once.
    let (distinct, indexed) = distinct_names(pairs);
    let normalized: Vec<NormalizedName> = distinct.par_iter().map(|n| normalize(n)).collect();
    let scores = indexed
        .par_iter()
        .map(|&(q, c)| score(&normalized[q as usize], &normalized[c as usize]))
        .collect();
    // Freeing a million tokens takes a while: on the pool, not on this thread alone.
    normalized.into_par_iter().for_each(drop);
    scores
}

/// Names and pairs as one chunk of the input sees them: the chunk's distinct names in
/// first-seen order, the map from name to its index there, and each pair as two indices.
struct ChunkNames<'a> {
    ids: FxHashMap<&'a str, u32>,
    names: Vec<&'a str>,
    pairs: Vec<(u32, u32)>,
}

impl<'a> ChunkNames<'a> {
    fn of(pairs: &[(&'a str, &'a str)]) -> ChunkNames<'a> {
        let mut chunk = ChunkNames {
            // Sized for names repeated a few times over (a list against itself, one query
            // against many candidates), so the map seldom grows.
            ids: FxHashMap::with_capacity_and_hasher(pairs.len() / 4, Default::default()),
            names: Vec::new(),
            pairs: Vec::with_capacity(pairs.len()),
        };
        for &(q, c) in pairs {
            let pair = (chunk.id(q), chunk.id(c));
            chunk.pairs.push(pair);
        }
        chunk
    }

    fn id(&mut self, name: &'a str) -> u32 {
        *self.ids.entry(name).or_insert_with(|| {
            self.names.push(name);
            u32::try_from(self.names.len() - 1).expect("score_pairs passes at most 2^30 pairs")
        })
    }
}

/// Each distinct name once (in first-seen order), and each pair as the indices of its names.
/// A million pairs name a few hundred thousand distinct names: looking each name up is a
/// tenth of the whole job, so each thread takes a chunk of the pairs, and only the chunks'
/// distinct names are merged on one thread.
fn distinct_names<'a>(pairs: &[(&'a str, &'a str)]) -> (Vec<&'a str>, Vec<(u32, u32)>) {
    let chunk_len = pairs
        .len()
        .div_ceil(rayon::current_num_threads())
        .max(1 << 14);
    let chunks: Vec<ChunkNames<'a>> = pairs.par_chunks(chunk_len).map(ChunkNames::of).collect();
    let mut chunks = chunks.into_iter();
    // The first chunk's names and ids stand; the others' are looked up among them.
    let Some(mut merged) = chunks.next() else {
        return (Vec::new(), Vec::new());
    };
    let mut indexed = std::mem::take(&mut merged.pairs);
    indexed.reserve(pairs.len() - indexed.len());
    for chunk in chunks {
        let global: Vec<u32> = chunk.names.iter().map(|&name| merged.id(name)).collect();
        indexed.extend(
            chunk
                .pairs
                .iter()
                .map(|&(q, c)| (global[q as usize], global[c as usize])),
        );
    }
    (merged.names, indexed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_screening::compare;

    #[test]
    fn names_are_shared_across_chunks() {
        let names: Vec<String> = (0..40_000).map(|i| format!("name {}", i % 1000)).collect();
        let pairs: Vec<(&str, &str)> = names
            .iter()
            .zip(names.iter().rev())
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (distinct, indexed) = distinct_names(&pairs);
        assert_eq!(distinct.len(), 1000);
        assert_eq!(indexed.len(), pairs.len());
        for (&(q, c), &(iq, ic)) in pairs.iter().zip(&indexed) {
            assert_eq!((distinct[iq as usize], distinct[ic as usize]), (q, c));
        }
        assert_eq!(distinct_names(&[]), (Vec::new(), Vec::new()));
    }

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
