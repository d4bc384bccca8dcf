//! How alike two names are, as a score in [0, 1] that explains itself.
//!
//! The score is the best of four readings of the pair, each of which an analyst can check:
//!
//! - **tokens**: the tokens of both names are aligned one to one, best pairs first (exact,
//!   fuzzy within an edit budget that grows with length, same sound, same consonant skeleton
//!   for Arabic and Hebrew romanisations, initial against name). Each side's coverage is the
//!   weighted share of its tokens that found a partner, weights being 1 for a distinctive word or
//!   number, 0.5 for a generic business word, ~0.1 for a legal form or stop word. The token score
//!   is the harmonic mean of the two coverages, so extra or missing distinctive words cost, and
//!   a legal form alone never makes a match ("11420 CORP." vs "ACME CORP").
//! - **compact**: both names with spaces, legal forms and stop words removed, compared by edit
//!   distance ("Micro Electronics" vs "Microelectronics"; "Zhongxin Guoji" vs 中芯国际's pinyin).
//! - **native**: both names' Chinese (simplified), kana or hangul characters compared character
//!   by character; for two names written wholly in those scripts this is the only reading.
//! - **acronym**: a one-word name against the initials of a name of three words or more
//!   ("SMIC" vs "Semiconductor Manufacturing International Corporation").
//!
//! A name that shares no distinctive word or number with the other can score at most 0.5 by the
//! token reading. Scores of the other readings are discounted slightly, so an exact token match
//! always ranks first.

use crate::distance::{char_distance, osa_distance};
use chokepoint_names::{NormalizedName, Origin, Token, TokenClass, consonant_skeleton};
use serde::Serialize;

/// The default score at or above which a pair is reported as a match.
pub const DEFAULT_THRESHOLD: f32 = 0.74;

/// Which reading of the pair gave the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Token alignment.
    Tokens,
    /// Names compared with spaces removed.
    Compact,
    /// Chinese, Japanese or Korean characters compared.
    Native,
    /// One name is the acronym of the other.
    Acronym,
    /// Nothing comparable.
    None,
}

/// How two tokens were found alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenHow {
    /// Same text.
    Exact,
    /// Within the edit budget.
    Fuzzy,
    /// Same Double Metaphone key.
    Phonetic,
    /// Same consonant skeleton (a romanisation of Arabic or Hebrew).
    Skeleton,
    /// A single initial against a word starting with it.
    Initial,
    /// One is a prefix of the other (an abbreviation not in the lexicon).
    Prefix,
}

/// One aligned pair of tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenMatch {
    /// The query-side token.
    pub query: String,
    /// The candidate-side token.
    pub candidate: String,
    /// Similarity in [0, 1].
    pub similarity: f32,
    /// How they were found alike.
    pub how: TokenHow,
    /// The weight this pair carries (mean of both tokens' weights).
    pub weight: f32,
}

/// The full result of comparing two names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Score in [0, 1].
    pub score: f32,
    /// The reading that gave the score.
    pub method: Method,
    /// Aligned tokens (token reading).
    pub matches: Vec<TokenMatch>,
    /// Query tokens with no partner.
    pub unmatched_query: Vec<String>,
    /// Candidate tokens with no partner.
    pub unmatched_candidate: Vec<String>,
    /// Weighted share of the query covered by the alignment.
    pub query_coverage: f32,
    /// Weighted share of the candidate covered by the alignment.
    pub candidate_coverage: f32,
}

impl Comparison {
    /// The empty comparison (nothing in common).
    pub fn none() -> Comparison {
        Comparison {
            score: 0.0,
            method: Method::None,
            matches: Vec::new(),
            unmatched_query: Vec::new(),
            unmatched_candidate: Vec::new(),
            query_coverage: 0.0,
            candidate_coverage: 0.0,
        }
    }

    /// A one-line explanation an analyst can read.
    pub fn explain(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match self.method {
            Method::Compact => parts.push("names equal with spaces and legal forms removed".into()),
            Method::Native => parts
                .push("native characters compared (Chinese simplified/traditional folded)".into()),
            Method::Acronym => parts.push("one name is the acronym of the other".into()),
            Method::None => parts.push("nothing in common".into()),
            Method::Tokens => {}
        }
        for m in &self.matches {
            let how = match m.how {
                TokenHow::Exact => "exact",
                TokenHow::Fuzzy => "spelling variant",
                TokenHow::Phonetic => "sounds alike",
                TokenHow::Skeleton => "same consonants (romanisation)",
                TokenHow::Initial => "initial",
                TokenHow::Prefix => "abbreviation",
            };
            if m.query == m.candidate {
                parts.push(format!("`{}` {how}", m.query));
            } else {
                parts.push(format!(
                    "`{}`≈`{}` {how} {:.2}",
                    m.query, m.candidate, m.similarity
                ));
            }
        }
        if !self.unmatched_query.is_empty() {
            parts.push(format!("query only: {}", self.unmatched_query.join(" ")));
        }
        if !self.unmatched_candidate.is_empty() {
            parts.push(format!(
                "listed name only: {}",
                self.unmatched_candidate.join(" ")
            ));
        }
        parts.join("; ")
    }
}

/// Compares two normalised names and explains the score.
pub fn compare(query: &NormalizedName, candidate: &NormalizedName) -> Comparison {
    let mut pairs = Vec::new();
    let (score, method, alignment) = evaluate(query, candidate, Some(&mut pairs));
    let Some(alignment) = alignment else {
        let mut only = Comparison::none();
        only.score = score;
        only.method = method;
        return only;
    };
    let (q, c) = (&query.tokens, &candidate.tokens);
    let matches = pairs
        .iter()
        .map(|&(i, j, sim, how)| TokenMatch {
            query: q[i as usize].text.clone(),
            candidate: c[j as usize].text.clone(),
            similarity: sim,
            how,
            weight: (q[i as usize].weight() + c[j as usize].weight()) / 2.0,
        })
        .collect();
    let unmatched = |tokens: &[Token], used: u64| {
        tokens
            .iter()
            .enumerate()
            .filter(|(k, _)| *k >= 64 || used & (1 << k) == 0)
            .map(|(_, t)| t.text.clone())
            .collect()
    };
    Comparison {
        score,
        method,
        matches,
        unmatched_query: unmatched(q, alignment.q_used),
        unmatched_candidate: unmatched(c, alignment.c_used),
        query_coverage: alignment.query_coverage,
        candidate_coverage: alignment.candidate_coverage,
    }
}

/// The score alone, without the explanation: what screening computes for every candidate.
/// Allocates nothing.
pub fn score(query: &NormalizedName, candidate: &NormalizedName) -> f32 {
    evaluate(query, candidate, None).0
}

/// One aligned pair of tokens: query index, candidate index, similarity, how.
type AlignedPair = (u8, u8, f32, TokenHow);

/// The best reading's score and method, and the token alignment when the names have tokens;
/// the aligned pairs go to `pairs` when given (to explain the score).
fn evaluate(
    query: &NormalizedName,
    candidate: &NormalizedName,
    pairs: Option<&mut Vec<AlignedPair>>,
) -> (f32, Method, Option<Alignment>) {
    if query.is_empty() || candidate.is_empty() {
        return (0.0, Method::None, None);
    }
    // Two names written wholly in Chinese, Japanese or Korean characters are judged on those
    // characters: romanisation merges homophones (习近平 / 习近朋 are both "xi jin p*ng").
    if query.native_only && candidate.native_only {
        return match native_reading(query, candidate) {
            Some(s) => (s, Method::Native, None),
            None => (0.0, Method::None, None),
        };
    }
    let alignment = align(query, candidate, pairs);
    let (mut best, mut method) = if alignment.len == 0 {
        (0.0, Method::None)
    } else {
        (alignment.score, Method::Tokens)
    };
    let mut consider = |reading: Option<f32>, m: Method, best: &mut f32| {
        if let Some(score) = reading
            && score > *best
        {
            *best = score;
            method = m;
        }
    };
    consider(native_reading(query, candidate), Method::Native, &mut best);
    // The compact reading gives at most 0.97 and the acronym reading 0.9: past that, skip them.
    if best < 0.97 {
        consider(
            compact_reading(query, candidate),
            Method::Compact,
            &mut best,
        );
        let acronym =
            acronym_reading(query, candidate).or_else(|| acronym_reading(candidate, query));
        consider(acronym, Method::Acronym, &mut best);
    }
    (best.clamp(0.0, 1.0), method, Some(alignment))
}

/// Similarity of two tokens and how it was found, or `None` below any useful level.
#[inline]
pub fn token_similarity(a: &Token, b: &Token) -> Option<(f32, TokenHow)> {
    if a.hash == b.hash && a.text == b.text {
        return Some((1.0, TokenHow::Exact));
    }
    let exact_only = |t: &Token| {
        matches!(
            t.class,
            TokenClass::Number | TokenClass::Legal | TokenClass::Stop
        )
    };
    if exact_only(a) || exact_only(b) {
        return None;
    }
    inexact_similarity(a, b)
}

/// [`token_similarity`] of two different words. Kept out of line: many token pairs are settled
/// above, inside the alignment loop, without paying for the registers this part needs.
#[inline(never)]
fn inexact_similarity(a: &Token, b: &Token) -> Option<(f32, TokenHow)> {
    let (x, y) = (a.text.as_bytes(), b.text.as_bytes());
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    if short.len() == 1 {
        let initial = long.first() == short.first()
            && a.class == TokenClass::Word
            && b.class == TokenClass::Word;
        return initial.then_some((0.8, TokenHow::Initial));
    }
    let max_len = long.len();
    let budget = match max_len {
        0..=2 => 0,
        3 if short.len() == 3 => 0,
        3 => 1,
        4..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    // Each edit changes at most two letters of the set: a cheap bound before the table. Only the
    // spelling test (lengths within the budget) and the sound test (5 letters or more) use it.
    let length_gap = long.len() - short.len();
    let set_difference = if length_gap <= budget || short.len() >= 5 {
        (a.letters ^ b.letters).count_ones() as usize
    } else {
        usize::MAX
    };
    let mut best: Option<(f32, TokenHow)> = None;
    // Likewise each edit changes the length by one at most.
    if set_difference <= 2 * budget
        && length_gap <= budget
        && let Some(d) = osa_distance(x, y, budget)
    {
        let sim = 1.0 - d as f32 / max_len as f32;
        // Edits in the first letter are rarer in real variants than later ones.
        let sim = if x[0] != y[0] { sim - 0.05 } else { sim };
        best = Some((sim, TokenHow::Fuzzy));
    }
    // Sound-alikes differ in a few letters at most; skip the key for pairs far apart.
    // A spelling variant already as close as a sound-alike needs no key either.
    if short.len() >= 5
        && set_difference <= 2 * (budget + 2)
        && best.is_none_or(|(s, _)| s < 0.82)
        && a.sounds_like(b)
    {
        let near = osa_distance(x, y, budget + 2).is_some();
        let sim = if near { 0.82 } else { 0.7 };
        if best.is_none_or(|(s, _)| s < sim) {
            best = Some((sim, TokenHow::Phonetic));
        }
    }
    if (a.is_abjad() || b.is_abjad()) && short.len() >= 2 {
        let (sa, sb) = (consonant_skeleton(&a.text), consonant_skeleton(&b.text));
        if sa.len() >= 2 && sa == sb && best.is_none_or(|(s, _)| s < 0.85) {
            best = Some((0.85, TokenHow::Skeleton));
        }
    }
    if best.is_none()
        && short.len() >= 4
        && long.starts_with(short)
        && a.origin != Origin::Pinyin
        && b.origin != Origin::Pinyin
    {
        best = Some((0.65, TokenHow::Prefix));
    }
    best.filter(|(s, _)| *s >= 0.5)
}

/// Tokens beyond this many per name take part in the weights but not in the alignment.
const MAX_ALIGNED: usize = 32;

/// The one-to-one alignment of two names' tokens (its pairs go to the caller as they are made).
#[derive(Debug, Clone, Copy)]
struct Alignment {
    len: usize,
    q_used: u64,
    c_used: u64,
    query_coverage: f32,
    candidate_coverage: f32,
    score: f32,
}

fn align(
    query: &NormalizedName,
    candidate: &NormalizedName,
    mut pairs: Option<&mut Vec<AlignedPair>>,
) -> Alignment {
    let q = &query.tokens[..query.tokens.len().min(MAX_ALIGNED)];
    let c = &candidate.tokens[..candidate.tokens.len().min(MAX_ALIGNED)];
    // Similar pairs are few (most token pairs share nothing); past this many, later ones are
    // dropped rather than allocating. Kept as arrays of plain numbers, which are zeroed with one
    // memset each: an array of (padded) tuples is zeroed element by element, hundreds of
    // instructions on every comparison.
    const MAX_FOUND: usize = 128;
    let mut sims = [0f32; MAX_FOUND];
    let mut cells = [[0u8; 2]; MAX_FOUND];
    let mut hows = [TokenHow::Exact; MAX_FOUND];
    let mut n = 0;
    'outer: for (i, a) in q.iter().enumerate() {
        for (j, b) in c.iter().enumerate() {
            if let Some((sim, how)) = token_similarity(a, b) {
                if n == MAX_FOUND {
                    break 'outer;
                }
                (sims[n], cells[n], hows[n]) = (sim, [i as u8, j as u8], how);
                n += 1;
            }
        }
    }
    let mut alignment = Alignment {
        len: 0,
        q_used: 0,
        c_used: 0,
        query_coverage: 0.0,
        candidate_coverage: 0.0,
        score: 0.0,
    };
    if n == 0 {
        // Many pairs share no token. Then both coverages are 0, so is the score, and every rule
        // below only lowers it or leaves it alone: the empty alignment is the answer.
        return alignment;
    }
    // Best pairs first; on ties prefer heavier tokens, then written order. Each found pair gets
    // one integer key in that order (similarity and weight as `f32::total_cmp` orders them, both
    // descending, then the pair's index: pairs were found in written order), so the sort, run on
    // every comparison, compares integers instead of calling back into the tokens. No two keys
    // are equal, so the order is the same whatever the sort. A comparison seldom finds more than
    // a few similar pairs: a small array for those spares zeroing the full one every time.
    const FEW: usize = 16;
    let (mut few_keys, mut all_keys);
    let keys: &mut [u128] = if n <= FEW {
        few_keys = [0u128; FEW];
        &mut few_keys[..n]
    } else {
        all_keys = [0u128; MAX_FOUND];
        &mut all_keys[..n]
    };
    for (k, key) in keys.iter_mut().enumerate() {
        let [i, j] = cells[k];
        let weight = q[usize::from(i)].weight() + c[usize::from(j)].weight();
        let descending = |x: f32| u128::from(!total_order(x));
        *key = descending(sims[k]) << 96 | descending(weight) << 64 | k as u128;
    }
    keys.sort_unstable();
    let (mut covered_q, mut covered_c) = (0.0f32, 0.0f32);
    let mut distinctive_hit = false;
    let mut strong_pairs = 0;
    for &key in keys.iter() {
        let k = (key & 0xFF) as usize;
        let (sim, [i, j], how) = (sims[k], cells[k], hows[k]);
        let (qi, cj) = (1u64 << i, 1u64 << j);
        if alignment.q_used & qi != 0 || alignment.c_used & cj != 0 {
            continue;
        }
        alignment.q_used |= qi;
        alignment.c_used |= cj;
        let (a, b) = (&q[i as usize], &c[j as usize]);
        let credit = credit(sim);
        covered_q += credit * a.weight();
        covered_c += credit * b.weight();
        if sim >= 0.75 && (a.class.is_distinctive() || b.class.is_distinctive()) {
            distinctive_hit = true;
        }
        if sim >= 0.8 {
            strong_pairs += 1;
        }
        if let Some(pairs) = pairs.as_deref_mut() {
            pairs.push((i, j, sim, how));
        }
        alignment.len += 1;
    }
    let (side_q, side_c) = (
        SideSummary::of(&query.tokens, alignment.q_used),
        SideSummary::of(&candidate.tokens, alignment.c_used),
    );
    let (total_q, total_c) = (side_q.total_weight, side_c.total_weight);
    let cov_q = if total_q > 0.0 {
        covered_q / total_q
    } else {
        0.0
    };
    let cov_c = if total_c > 0.0 {
        covered_c / total_c
    } else {
        0.0
    };
    let mut score = if cov_q + cov_c > 0.0 {
        2.0 * cov_q * cov_c / (cov_q + cov_c)
    } else {
        0.0
    };
    // People are often listed or screened under fewer of their names ("JANAN AGHA" for
    // "JANAN MOHAMMAD AHMED AGHA"). When both sides look like people (no legal form, no business
    // word) and two or more names of one side all found close partners, count the pair by the
    // mean of the coverages instead of their harmonic mean.
    let strong = strong_pairs >= 2;
    if side_q.person_like
        && side_c.person_like
        && strong
        && (side_q.fully_matched || side_c.fully_matched)
    {
        score = score.max((cov_q + cov_c) / 2.0);
    }
    // Names made only of generic words ("General Trading Company") may match on those; names
    // with a distinctive word must share one.
    if !distinctive_hit && (side_q.has_distinctive || side_c.has_distinctive) {
        score = score.min(0.5);
    }
    // A word on each side with no partner is a substitution ("... AL-DULAIMI" vs
    // "... AL-TIKRITI"; "Bank of Chad" vs "Bank of China"): strong evidence of another party.
    for (class, factor) in [
        (TokenClass::Word, 0.88f32),
        (TokenClass::Number, 0.7),
        (TokenClass::Generic, 0.95),
    ] {
        let substitutions = side_q.left_over(class).min(side_c.left_over(class));
        score *= factor.powi(substitutions as i32);
    }
    alignment.query_coverage = cov_q;
    alignment.candidate_coverage = cov_c;
    alignment.score = score;
    alignment
}

/// What the rules after the alignment ask of one side, gathered in one pass over its tokens
/// (they ran a pass each, several per comparison).
struct SideSummary {
    /// Sum of token weights, added in written order as [`NormalizedName::total_weight`] does.
    total_weight: f32,
    /// Only words and stop words: no legal form, business word or number.
    person_like: bool,
    /// A word or a number.
    has_distinctive: bool,
    /// Two or more words and numbers, all aligned.
    fully_matched: bool,
    /// Words, numbers and generic words left without a partner.
    left_over: [usize; 3],
}

impl SideSummary {
    fn of(tokens: &[Token], used: u64) -> SideSummary {
        let mut summary = SideSummary {
            total_weight: 0.0,
            person_like: true,
            has_distinctive: false,
            fully_matched: false,
            left_over: [0; 3],
        };
        let (mut distinctive, mut distinctive_used) = (0usize, 0usize);
        for (k, token) in tokens.iter().enumerate() {
            summary.total_weight += token.weight();
            summary.person_like &= matches!(token.class, TokenClass::Word | TokenClass::Stop);
            let aligned = k < 64 && used & (1 << k) != 0;
            if token.class.is_distinctive() {
                distinctive += 1;
                distinctive_used += usize::from(aligned);
            }
            if !aligned && let Some(slot) = Self::slot(token.class) {
                summary.left_over[slot] += 1;
            }
        }
        summary.has_distinctive = distinctive > 0;
        summary.fully_matched = distinctive >= 2 && distinctive_used == distinctive;
        summary
    }

    fn slot(class: TokenClass) -> Option<usize> {
        match class {
            TokenClass::Word => Some(0),
            TokenClass::Number => Some(1),
            TokenClass::Generic => Some(2),
            TokenClass::Legal | TokenClass::Stop => None,
        }
    }

    /// Tokens of `class` (a word, number or generic word) left without a partner.
    fn left_over(&self, class: TokenClass) -> usize {
        Self::slot(class).map_or(0, |slot| self.left_over[slot])
    }
}

/// `x`'s bits as an integer ordered like [`f32::total_cmp`] orders floats (the transformation
/// `total_cmp` itself makes).
fn total_order(x: f32) -> u32 {
    let bits = x.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    }
}

/// How much an aligned pair counts: its similarity when close to exact, falling off twice as fast
/// below 0.9, so two weak partials ("Olga"/"Oleg", "Barynova"/"Baranov") cannot add up to a match.
fn credit(similarity: f32) -> f32 {
    if similarity >= 0.9 {
        similarity
    } else {
        (0.9 - (0.9 - similarity) * 2.0).max(0.0)
    }
}

/// Only for names cut into words differently (glued or split words, pinyin syllables against
/// romanised words): when both have the same number of words, the token reading already judged
/// them, and a one-word substitution inside a long name must not look like a typo here.
fn compact_reading(query: &NormalizedName, candidate: &NormalizedName) -> Option<f32> {
    let words = |n: &NormalizedName| {
        n.tokens
            .iter()
            .filter(|t| {
                matches!(
                    t.class,
                    TokenClass::Word | TokenClass::Number | TokenClass::Generic
                )
            })
            .count()
    };
    let (a, b) = (query.compact.as_bytes(), candidate.compact.as_bytes());
    if query.compact_hash == candidate.compact_hash && a == b && !a.is_empty() {
        return Some(0.97);
    }
    if words(query) == words(candidate) {
        return None;
    }
    // Each edit changes at most two letters of the set: skip the table for names far apart.
    let budget = a.len().max(b.len()) / 8;
    if a.len().abs_diff(b.len()) > budget
        || (query.compact_letters ^ candidate.compact_letters).count_ones() as usize > 2 * budget
    {
        return None;
    }
    let max_len = a.len().max(b.len());
    if a.len().min(b.len()) < 5 {
        return None;
    }
    let budget = max_len / 8;
    let d = osa_distance(a, b, budget)?;
    Some((1.0 - d as f32 / max_len as f32) * 0.97)
}

fn native_reading(query: &NormalizedName, candidate: &NormalizedName) -> Option<f32> {
    if query.native.is_empty() || candidate.native.is_empty() {
        return None;
    }
    let max_len = query
        .native
        .chars()
        .count()
        .max(candidate.native.chars().count());
    let d = char_distance(&query.native, &candidate.native);
    let sim = 1.0 - d as f32 / max_len as f32;
    (sim > 0.0).then_some(sim * 0.99)
}

/// `short` is one distinctive token equal to the acronym of `long`'s three or more words.
fn acronym_reading(short: &NormalizedName, long: &NormalizedName) -> Option<f32> {
    let mut distinctive = short
        .tokens
        .iter()
        .filter(|t| t.class != TokenClass::Legal && t.class != TokenClass::Stop);
    let token = distinctive.next()?;
    if distinctive.next().is_some() || token.text.len() < 3 || token.origin == Origin::Pinyin {
        return None;
    }
    is_acronym_of(&token.text, long).then_some(0.9)
}

/// Whether `text` (3 bytes or more) is one of `long`'s [`acronyms`](NormalizedName::acronyms):
/// the same answer as `(core.len() >= 3 && core == text) || (full.len() >= 3 && full == text)`
/// on them, without building the two strings, as this runs for every pair with a one-word side.
/// (Equal to `text`, an acronym is as long as `text`, hence 3 bytes or more.)
fn is_acronym_of(text: &str, long: &NormalizedName) -> bool {
    let initials = |keep: fn(&Token) -> bool| {
        long.tokens
            .iter()
            .filter(move |t| keep(t) && t.origin != Origin::Pinyin)
            .filter_map(|t| t.surface.as_deref().unwrap_or(&t.text).chars().next())
    };
    let core = || initials(|t| matches!(t.class, TokenClass::Word | TokenClass::Generic));
    let full = || initials(|t| t.class != TokenClass::Stop);
    // `acronyms` gives nothing for a name of fewer than two words.
    if core().nth(1).is_none() {
        return false;
    }
    core().eq(text.chars()) || full().eq(text.chars())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_names::normalize;

    fn score(a: &str, b: &str) -> f32 {
        compare(&normalize(a), &normalize(b)).score
    }

    #[test]
    fn identical_names_score_one() {
        assert_eq!(
            score(
                "Huawei Technologies Co., Ltd.",
                "HUAWEI TECHNOLOGIES CO LTD"
            ),
            1.0
        );
    }

    #[test]
    fn legal_form_alone_is_not_a_match() {
        assert!(score("11420 CORP.", "ACME CORP") < 0.3);
        assert!(score("11420 CORP.", "11421 CORP.") < 0.5);
    }

    #[test]
    fn a_shared_first_name_is_not_a_match() {
        assert!(score("emma daniels", "EMMA LLC") < DEFAULT_THRESHOLD);
    }

    #[test]
    fn abbreviations_and_acronyms_match() {
        assert!(
            score(
                "GUANGZHOU HAIGE COMM GRP",
                "Guangzhou Haige Communication Group Co., Ltd."
            ) >= 0.95
        );
        assert!(
            score(
                "SMIC",
                "Semiconductor Manufacturing International Corporation"
            ) >= DEFAULT_THRESHOLD
        );
        assert!(
            score(
                "Semiconductor Mfg Intl Corp.",
                "Semiconductor Manufacturing International Corporation"
            ) >= 0.99
        );
    }

    #[test]
    fn glued_and_split_words_match() {
        assert!(score("Micro Electronics", "Microelectronics") >= 0.9);
        assert!(score("JSCARGUMENT", "JSC ARGUMENT") >= 0.99);
    }

    #[test]
    fn chinese_in_any_form_matches() {
        assert!(score("中芯國際", "中芯国际") >= 0.95);
        assert!(score("Zhongxin Guoji", "中芯国际") >= 0.9);
        assert!(score("华为", "華為") >= 0.95);
    }

    #[test]
    fn person_name_order_and_typos() {
        assert!(score("SALEK, ABDULHAI", "ABDULHAI SALEK") >= 0.99);
        assert!(score("Olaf Scholze", "Olaf Scholz") >= DEFAULT_THRESHOLD);
        assert!(score("Octavian Scholz", "Olaf Scholz") < DEFAULT_THRESHOLD);
    }

    proptest::proptest! {
        #[test]
        fn total_order_sorts_like_total_cmp(
            a in proptest::num::f32::ANY,
            b in proptest::num::f32::ANY,
        ) {
            proptest::prop_assert_eq!(total_order(a).cmp(&total_order(b)), a.total_cmp(&b));
        }
    }

    #[test]
    fn explanation_names_the_tokens() {
        let c = compare(
            &normalize("Huawei Tech"),
            &normalize("Huawei Technologies Co Ltd"),
        );
        let text = c.explain();
        assert!(text.contains("`huawei` exact"), "{text}");
    }
}
