//! Edit distances on short byte strings, written for speed: names are short, and screening
//! computes millions of these.

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions) between two byte
/// strings, or `None` when it exceeds `max`. Short strings are compared a machine word at a
/// time; longer ones row by row, stopping as soon as every cell of a row is above `max`, so a
/// hopeless pair costs little.
pub fn osa_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    // Common ends cost nothing and shorten the table (but keep one character of context on
    // each side, which a transposition may need).
    let prefix = a
        .iter()
        .zip(b)
        .take_while(|(x, y)| x == y)
        .count()
        .saturating_sub(1);
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
        .saturating_sub(1);
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let (a, b) = if a.len() > b.len() { (b, a) } else { (a, b) };
    if b.len() - a.len() > max {
        return None;
    }
    if a.is_empty() {
        return (b.len() <= max).then_some(b.len());
    }
    if a.len() <= BIT_PARALLEL_MAX {
        let d = osa_bit_parallel(a, b);
        return (d <= max).then_some(d);
    }
    const STACK: usize = 48;
    if b.len() < STACK {
        let mut rows = [[0usize; STACK]; 3];
        osa_rows(a, b, max, &mut rows)
    } else {
        let n = b.len() + 1;
        let mut heap = [vec![0usize; n], vec![0usize; n], vec![0usize; n]];
        let [r0, r1, r2] = &mut heap;
        osa_table(a, b, max, r0, r1, r2)
    }
}

/// The longest shorter side [`osa_bit_parallel`] takes. Tokens are short and so is the rest of
/// two tokens once their common ends are cut; longer strings (compact forms) are few, and the
/// table's early exit suits them better.
const BIT_PARALLEL_MAX: usize = 16;

/// The OSA distance computed a column of the table per machine word (Hyyrö, "A bit-vector
/// algorithm for computing Levenshtein and Damerau edit distances", 2003; the restricted
/// variant, as rapidfuzz's `osa_hyrroe2003`). Gives exactly what [`osa_table`] gives, several
/// times faster on short strings: screening compares millions of token pairs. `a` holds 1 to 64
/// bytes.
fn osa_bit_parallel(a: &[u8], b: &[u8]) -> usize {
    debug_assert!(!a.is_empty() && a.len() <= 64);
    let last = 1u64 << (a.len() - 1);
    let (mut vp, mut vn) = (!0u64, 0u64);
    let (mut d0, mut matches_before) = (0u64, 0u64);
    let mut distance = a.len();
    for &byte in b {
        // Which positions of `a` hold this byte (`a` is short: a scan beats building a table).
        let matches = a
            .iter()
            .enumerate()
            .fold(0u64, |mask, (i, &x)| mask | (u64::from(x == byte) << i));
        let transposition = ((!d0 & matches) << 1) & matches_before;
        d0 = (((matches & vp).wrapping_add(vp)) ^ vp) | matches | vn | transposition;
        let hp = vn | !(d0 | vp);
        let hn = d0 & vp;
        distance += usize::from(hp & last != 0);
        distance -= usize::from(hn & last != 0);
        let hp = (hp << 1) | 1;
        let hn = hn << 1;
        vp = hn | !(d0 | hp);
        vn = hp & d0;
        matches_before = matches;
    }
    distance
}

fn osa_rows<const N: usize>(
    a: &[u8],
    b: &[u8],
    max: usize,
    rows: &mut [[usize; N]; 3],
) -> Option<usize> {
    let [r0, r1, r2] = rows;
    osa_table(a, b, max, &mut r0[..], &mut r1[..], &mut r2[..])
}

/// The dynamic-programming table, three rows at a time: two back (for transpositions),
/// previous, current.
fn osa_table<'r>(
    a: &[u8],
    b: &[u8],
    max: usize,
    mut prev2: &'r mut [usize],
    mut prev: &'r mut [usize],
    mut cur: &'r mut [usize],
) -> Option<usize> {
    let n = b.len();
    for (j, cell) in prev.iter_mut().enumerate().take(n + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= max).then_some(d)
}

/// Levenshtein distance between two strings counted in characters (for Han text).
pub fn char_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(a: &str, b: &str) -> Option<usize> {
        osa_distance(a.as_bytes(), b.as_bytes(), 10)
    }

    #[test]
    fn known_distances() {
        assert_eq!(d("", ""), Some(0));
        assert_eq!(d("abc", ""), Some(3));
        assert_eq!(d("scholz", "scholze"), Some(1));
        assert_eq!(d("ca", "ac"), Some(1));
        assert_eq!(d("kitten", "sitting"), Some(3));
        assert_eq!(osa_distance(b"kitten", b"sitting", 2), None);
        assert_eq!(char_distance("中芯国际", "中芯國際"), 2);
    }

    /// The table alone, without trimmed ends, bit-parallel path or cut-off.
    fn table_distance(a: &[u8], b: &[u8]) -> usize {
        let n = b.len() + 1;
        let mut rows = [vec![0usize; n], vec![0usize; n], vec![0usize; n]];
        let [r0, r1, r2] = &mut rows;
        osa_table(a, b, usize::MAX - 1, r0, r1, r2).unwrap_or(usize::MAX)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn bit_parallel_agrees_with_the_table(a in "[a-d]{1,20}", b in "[a-d]{0,24}") {
            prop_assert_eq!(
                osa_bit_parallel(a.as_bytes(), b.as_bytes()),
                table_distance(a.as_bytes(), b.as_bytes())
            );
        }

        #[test]
        fn bit_parallel_agrees_on_long_and_wide_strings(
            a in "[a-z0-9]{1,64}",
            b in "[a-z0-9 ]{0,70}",
        ) {
            prop_assert_eq!(
                osa_bit_parallel(a.as_bytes(), b.as_bytes()),
                table_distance(a.as_bytes(), b.as_bytes())
            );
        }

        #[test]
        fn bit_parallel_agrees_on_transpositions(
            a in "[ab]{1,12}",
            swaps in proptest::collection::vec(0usize..12, 0..4),
        ) {
            let mut b = a.clone().into_bytes();
            for s in swaps {
                if s + 1 < b.len() {
                    b.swap(s, s + 1);
                }
            }
            prop_assert_eq!(
                osa_bit_parallel(a.as_bytes(), &b),
                table_distance(a.as_bytes(), &b)
            );
        }

        #[test]
        fn distance_is_symmetric_and_bounded(a in "[a-z]{0,12}", b in "[a-z]{0,12}") {
            let ab = osa_distance(a.as_bytes(), b.as_bytes(), 20);
            let ba = osa_distance(b.as_bytes(), a.as_bytes(), 20);
            prop_assert_eq!(ab, ba);
            let v = ab.unwrap_or(usize::MAX);
            prop_assert!(v <= a.len().max(b.len()));
            prop_assert_eq!(v == 0, a == b);
        }

        #[test]
        fn cutoff_agrees_with_full_distance(a in "[a-c]{0,8}", b in "[a-c]{0,8}", max in 0usize..5) {
            let full = osa_distance(a.as_bytes(), b.as_bytes(), 100);
            let cut = osa_distance(a.as_bytes(), b.as_bytes(), max);
            prop_assert_eq!(cut, full.filter(|d| *d <= max));
        }
    }
}
