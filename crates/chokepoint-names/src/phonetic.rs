//! Sound-alike keys: Double Metaphone for Latin words, and consonant skeletons for comparing a
//! word romanised from an abjad (Arabic, Hebrew: vowels unwritten) with its Latin spelling.

use rphonetic::DoubleMetaphone;

/// The primary Double Metaphone key of a lowercase ASCII word, at most 6 characters; empty for a
/// word with no letters.
pub fn phonetic_key(word: &str) -> String {
    PhoneticKey::of(word).as_str().to_string()
}

/// A Double Metaphone key held inline. rphonetic writes keys from ASCII literals only and stops
/// at the length asked for (6), so a key fits in 7 bytes: caching one per token allocates nothing,
/// and two keys compare as one integer (token comparison asks for them millions of times).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PhoneticKey {
    bytes: [u8; 7],
    len: u8,
}

impl std::fmt::Debug for PhoneticKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl PhoneticKey {
    /// The longest key rphonetic is asked for.
    const MAX_LEN: usize = 6;

    /// The key of a lowercase ASCII word (empty for a word with no letters).
    pub(crate) fn of(word: &str) -> PhoneticKey {
        if !word.bytes().any(|b| b.is_ascii_alphabetic()) {
            return PhoneticKey::default();
        }
        // Double Metaphone allocates a lot; the same words come back all the time (a list has a
        // vocabulary of tens of thousands), so each thread remembers the keys it computed.
        const CACHE_LIMIT: usize = 1 << 18;
        thread_local! {
            static CACHE: std::cell::RefCell<rustc_hash::FxHashMap<String, PhoneticKey>> =
                std::cell::RefCell::new(rustc_hash::FxHashMap::default());
        }
        CACHE.with(|cache| {
            if let Some(key) = cache.borrow().get(word) {
                return *key;
            }
            let key = PhoneticKey::shared(word);
            let mut cache = cache.borrow_mut();
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(word.to_string(), key);
            key
        })
    }

    /// The key from the cache all threads share, computed there when missing: threads scoring one
    /// batch meet the same words, and a key costs thousands of instructions to compute. Asked
    /// only when the thread's own cache misses, so the lock is seldom taken.
    fn shared(word: &str) -> PhoneticKey {
        use std::sync::{PoisonError, RwLock};
        const SHARED_LIMIT: usize = 1 << 20;
        static SHARED: RwLock<Option<rustc_hash::FxHashMap<String, PhoneticKey>>> =
            RwLock::new(None);
        let known = SHARED
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|keys| keys.get(word).copied());
        if let Some(key) = known {
            return key;
        }
        let primary = DoubleMetaphone::new(Some(Self::MAX_LEN))
            .double_metaphone(word)
            .primary();
        let key = PhoneticKey::from_ascii(&primary);
        let mut shared = SHARED.write().unwrap_or_else(PoisonError::into_inner);
        let keys = shared.get_or_insert_with(Default::default);
        if keys.len() >= SHARED_LIMIT {
            keys.clear();
        }
        keys.insert(word.to_string(), key);
        key
    }

    fn from_ascii(primary: &str) -> PhoneticKey {
        let mut key = PhoneticKey::default();
        // Never longer than `MAX_LEN` ASCII bytes (see the type's doc); cut at a character
        // boundary all the same, so a longer key could never make an invalid string.
        let mut len = primary.len().min(key.bytes.len());
        while !primary.is_char_boundary(len) {
            len -= 1;
        }
        key.bytes[..len].copy_from_slice(&primary.as_bytes()[..len]);
        key.len = len as u8;
        key
    }

    /// The key as text.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// Whether the word had no key (no letters, or not a word that gets one).
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
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
    fn keys_fit_inline() {
        for word in [
            "mohammed",
            "schwarzenegger",
            "xiaomingzhuang",
            "aaaaaaaaaaaa",
            "thth",
        ] {
            let primary = DoubleMetaphone::new(Some(6))
                .double_metaphone(word)
                .primary();
            assert!(
                primary.is_ascii() && primary.len() <= 6,
                "{word}: {primary}"
            );
            assert_eq!(phonetic_key(word), primary);
        }
    }

    #[test]
    fn skeletons_meet_across_romanisations() {
        assert_eq!(consonant_skeleton("muhammad"), consonant_skeleton("mhmd"));
        assert_eq!(consonant_skeleton("qasim"), consonant_skeleton("kasem"));
    }
}
