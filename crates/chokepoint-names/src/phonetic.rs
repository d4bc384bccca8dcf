//! Sound-alike keys: Double Metaphone for Latin words, and consonant skeletons for comparing a
//! word romanised from an abjad (Arabic, Hebrew: vowels unwritten) with its Latin spelling.

use rphonetic::DoubleMetaphone;

/// The primary Double Metaphone key of a lowercase ASCII word, at most 6 characters; empty for a
/// word with no letters.
pub fn phonetic_key(word: &str) -> String {
    if !word.bytes().any(|b| b.is_ascii_alphabetic()) {
        return String::new();
    }
    // Double Metaphone allocates a lot; the same words come back all the time (a list has a
    // vocabulary of tens of thousands), so each thread remembers the keys it computed.
    const CACHE_LIMIT: usize = 1 << 18;
    thread_local! {
        static CACHE: std::cell::RefCell<rustc_hash::FxHashMap<String, String>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    CACHE.with(|cache| {
        if let Some(key) = cache.borrow().get(word) {
            return key.clone();
        }
        let key = DoubleMetaphone::new(Some(6))
            .double_metaphone(word)
            .primary();
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.to_string(), key.clone());
        key
    })
}

/// The consonants of a lowercase ASCII word, with doubled letters collapsed and the letters
/// romanisations of Arabic and Hebrew disagree on folded together (`q`/`k`, `w`/`v`, `z`/`s`,
/// `y` and `h` dropped between consonants): "muhammad" and "mhmd" both give `mmd`.
pub fn consonant_skeleton(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let mapped = match c {
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h' | 'w' => continue,
            'q' | 'c' => 'k',
            'v' => 'f',
            'z' => 's',
            'p' => 'b',
            c if c.is_ascii_alphabetic() => c,
            _ => continue,
        };
        if !out.ends_with(mapped) {
            out.push(mapped);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sound_alikes_share_keys() {
        assert_eq!(phonetic_key("mohammed"), phonetic_key("muhammad"));
        assert_eq!(phonetic_key("smith"), phonetic_key("smyth"));
        assert_eq!(phonetic_key("1234"), "");
    }

    #[test]
    fn skeletons_meet_across_romanisations() {
        assert_eq!(consonant_skeleton("muhammad"), consonant_skeleton("mhmd"));
        assert_eq!(consonant_skeleton("qasim"), consonant_skeleton("kasem"));
    }
}
