//! From a name as written to the tokens a comparison works on.
//!
//! The pipeline: Unicode NFKC; Han characters converted to simplified form, legal forms in Han
//! (有限公司, 集团, 株式会社) taken out, the rest romanised to Hanyu Pinyin one syllable per
//! character; every other non-Latin character transliterated to Latin (Cyrillic, Greek, Arabic,
//! Hebrew, Kana, Hangul...); case and diacritics folded; punctuation split; runs of single
//! letters merged ("S.M.I.C." → `smic`); legal forms glued to a word split off ("JSCARGUMENT");
//! then each token classified (word, generic business word, legal form, stop word, number) and
//! canonicalised ("Corp" → `corporation`, "Intl" → `international`). Nothing is thrown away:
//! low-value tokens stay, with a low weight, so a comparison can still explain itself.
//!
//! ASCII input skips NFKC and transliteration: most names in the official lists are ASCII, and
//! screening normalises every listed name once at load and every query once.

use crate::lexicon::{CJK_LEGAL_FORMS, GLUED_LEGAL_PREFIXES, TokenClass, lexicon};
use crate::phonetic::PhoneticKey;
use crate::script::Script;
use unicode_normalization::UnicodeNormalization;

/// Where a token's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Written in Latin letters in the input.
    Latin,
    /// Transliterated to Latin from another script.
    Transliterated(Script),
    /// Hanyu Pinyin of one Chinese character.
    Pinyin,
    /// Canonical form of an abbreviation or variant ("Intl" → `international`).
    Canonicalised,
    /// Split off a glued legal form ("JSCARGUMENT" → `jsc` + `argument`).
    Split,
}

/// One token of a normalised name.
#[derive(Debug, Clone)]
pub struct Token {
    /// Lowercase ASCII text, canonicalised.
    pub text: String,
    /// The text as it stood before canonicalisation, when different (for explanations).
    pub surface: Option<String>,
    /// How the token counts.
    pub class: TokenClass,
    /// Where it came from.
    pub origin: Origin,
    /// A hash of `text`: tokens with different hashes differ, without comparing bytes.
    pub hash: u64,
    /// Which of `a`–`z` and `0`–`9` (folded to one bit) occur in `text`: a cheap lower bound
    /// on the edit distance between two tokens (each edit changes at most two bits).
    pub letters: u32,
    /// Double Metaphone key, computed on first use (it is needed only for the few pairs that
    /// differ in spelling).
    phonetic: std::sync::OnceLock<PhoneticKey>,
}

impl PartialEq for Token {
    /// Tokens are equal when their text, surface, class and origin are (the cached phonetic key
    /// follows from the text).
    fn eq(&self, other: &Token) -> bool {
        self.text == other.text
            && self.surface == other.surface
            && self.class == other.class
            && self.origin == other.origin
    }
}

impl Eq for Token {}

impl Token {
    /// The Double Metaphone key (empty for numbers, legal forms and stop words).
    pub fn phonetic(&self) -> &str {
        self.phonetic_key().as_str()
    }

    /// Whether both tokens have a Double Metaphone key and it is the same (what
    /// `!a.phonetic().is_empty() && a.phonetic() == b.phonetic()` says, without comparing strings).
    pub fn sounds_like(&self, other: &Token) -> bool {
        let key = self.phonetic_key();
        !key.is_empty() && key == other.phonetic_key()
    }

    fn phonetic_key(&self) -> &PhoneticKey {
        self.phonetic.get_or_init(|| match self.class {
            TokenClass::Word | TokenClass::Generic => PhoneticKey::of(&self.text),
            _ => PhoneticKey::default(),
        })
    }

    /// The weight of this token in a comparison.
    pub fn weight(&self) -> f32 {
        // A lone initial ("V." in "V. Putin") says little on its own.
        if self.class == TokenClass::Word && self.text.len() == 1 {
            0.3
        } else {
            self.class.weight()
        }
    }

    /// Whether the token was romanised from an abjad (Arabic, Hebrew), so it may lack vowels.
    pub fn is_abjad(&self) -> bool {
        matches!(self.origin, Origin::Transliterated(s) if s.is_abjad())
    }
}

/// A name ready to be compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalizedName {
    /// Tokens in written order.
    pub tokens: Vec<Token>,
    /// The words and numbers joined without spaces (legal forms and stop words left out):
    /// "Micro Electronics" and "Microelectronics" meet here.
    pub compact: String,
    /// The letters of `compact` as a set (see [`Token::letters`]).
    pub compact_letters: u32,
    /// A hash of `compact`: names with different hashes have different compact forms.
    pub compact_hash: u64,
    /// The name's Chinese (simplified), Japanese kana and Korean hangul characters, legal forms
    /// left out; empty when it has none. Two names written in these scripts are compared on
    /// their characters, not only on romanisations that merge homophones.
    pub native: String,
    /// Whether everything in the name is in `native` (nothing was written in another script).
    pub native_only: bool,
    /// Non-Latin scripts the name was written in, in first-seen order.
    pub scripts: Vec<Script>,
}

impl NormalizedName {
    /// Whether the name has no token at all.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty() && self.native.is_empty()
    }

    /// Sum of token weights.
    pub fn total_weight(&self) -> f32 {
        self.tokens.iter().map(Token::weight).sum()
    }

    /// The initials of the name's words and generic words ("Semiconductor Manufacturing
    /// International Corporation" → `smi`), and the same with legal forms (`smic`); `None` when
    /// the name has fewer than two such words.
    pub fn acronyms(&self) -> Option<(String, String)> {
        let core: String = self
            .tokens
            .iter()
            .filter(|t| matches!(t.class, TokenClass::Word | TokenClass::Generic))
            .filter(|t| t.origin != Origin::Pinyin)
            .filter_map(|t| t.surface.as_deref().unwrap_or(&t.text).chars().next())
            .collect();
        if core.chars().count() < 2 {
            return None;
        }
        let full: String = self
            .tokens
            .iter()
            .filter(|t| t.class != TokenClass::Stop && t.origin != Origin::Pinyin)
            .filter_map(|t| t.surface.as_deref().unwrap_or(&t.text).chars().next())
            .collect();
        Some((core, full))
    }
}

/// Normalises a name. Never fails: an input with nothing usable gives an empty name.
pub fn normalize(name: &str) -> NormalizedName {
    // Sized once: a word is seldom longer than the whole name, a name seldom has more than eight.
    let mut raw = RawWords {
        words: Vec::with_capacity(8),
        current: String::with_capacity(name.len()),
        ..RawWords::default()
    };
    if name.is_ascii() {
        raw.other_script = true;
        raw.push_ascii(name);
    } else {
        for c in name.nfkc() {
            let script = Script::of(c);
            if script == Script::Han || (!raw.han_run.is_empty() && is_han_glue(c)) {
                raw.han_run.push(c);
                continue;
            }
            raw.flush_han();
            if c.is_ascii() {
                raw.other_script |= c.is_ascii_alphanumeric();
                raw.push_char(c, Origin::Latin);
                continue;
            }
            let origin = if script == Script::Latin {
                Origin::Latin
            } else {
                raw.note_script(script);
                Origin::Transliterated(script)
            };
            if matches!(script, Script::Hangul | Script::Kana) {
                raw.native.push(c);
            } else if c.is_alphanumeric() {
                raw.other_script = true;
            }
            if c.is_alphanumeric() {
                for t in any_ascii::any_ascii_char(c).chars() {
                    raw.push_char(t, origin);
                }
            } else {
                raw.push_char(' ', origin);
            }
        }
        raw.flush_han();
    }
    raw.end_word();
    finish(raw)
}

/// Iteration marks and the middle dot stay inside a Han run.
fn is_han_glue(c: char) -> bool {
    matches!(c, '々' | '〇' | '・')
}

#[derive(Default)]
struct RawWords {
    /// Words with their origin and whether they came as one Han legal form (already canonical).
    words: Vec<RawWord>,
    current: String,
    current_origin: Option<Origin>,
    han_run: String,
    native: String,
    /// Whether anything outside `native` (Latin, Cyrillic...) was written.
    other_script: bool,
    scripts: Vec<Script>,
}

struct RawWord {
    text: String,
    origin: Origin,
    /// Set for tokens that are already final (pinyin syllables, Han legal forms).
    fixed_class: Option<TokenClass>,
    /// The word was ended by a full stop ("S." in "S.A.").
    dotted: bool,
}

impl RawWords {
    fn note_script(&mut self, script: Script) {
        if !self.scripts.contains(&script) {
            self.scripts.push(script);
        }
    }

    /// `push_char` for each character of an ASCII name, a run of letters and digits at a time
    /// (most listed names are ASCII, and each character cost a call).
    fn push_ascii(&mut self, name: &str) {
        let bytes = name.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphanumeric() {
                self.push_char(char::from(bytes[i]), Origin::Latin);
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if self.current.is_empty() {
                self.current_origin = Some(Origin::Latin);
            }
            let from = self.current.len();
            self.current.push_str(&name[start..i]);
            self.current[from..].make_ascii_lowercase();
        }
    }

    fn push_char(&mut self, c: char, origin: Origin) {
        if c.is_ascii_alphanumeric() {
            // A word's origin is its first character's, unless a later one was transliterated.
            if self.current.is_empty() || origin != Origin::Latin {
                self.current_origin = Some(origin);
            }
            self.current.push(c.to_ascii_lowercase());
        } else if matches!(c, '\'' | '`') {
            // Apostrophes join: "Int'l" → `intl`, "O'Brien" → `obrien`.
        } else if c == '&' {
            self.end_word();
            self.words.push(RawWord {
                text: "and".into(),
                origin,
                fixed_class: None,
                dotted: false,
            });
        } else {
            self.end_word();
            if let (true, Some(last)) = (c == '.', self.words.last_mut()) {
                last.dotted = true;
            }
        }
    }

    fn end_word(&mut self) {
        if !self.current.is_empty() {
            let origin = self.current_origin.take().unwrap_or(Origin::Latin);
            // A copy of exactly the word's length, keeping `current`'s buffer for the next word:
            // one allocation per word instead of a string grown from empty letter by letter.
            let text = self.current.clone();
            self.current.clear();
            self.words.push(RawWord {
                text,
                origin,
                fixed_class: None,
                dotted: false,
            });
        }
        self.current_origin = None;
    }

    fn flush_han(&mut self) {
        if self.han_run.is_empty() {
            return;
        }
        self.end_word();
        self.note_script(Script::Han);
        let run = hanconv::t2s(std::mem::take(&mut self.han_run));
        let mut rest = run.as_str();
        'outer: while let Some(c) = rest.chars().next() {
            for &(form, canonical) in CJK_LEGAL_FORMS {
                if let Some(after) = rest.strip_prefix(form) {
                    for part in canonical.split(' ') {
                        self.words.push(RawWord {
                            text: part.into(),
                            origin: Origin::Canonicalised,
                            fixed_class: Some(TokenClass::Legal),
                            dotted: false,
                        });
                    }
                    rest = after;
                    continue 'outer;
                }
            }
            rest = &rest[c.len_utf8()..];
            if is_han_glue(c) {
                continue;
            }
            self.native.push(c);
            let syllable = han_syllable(c);
            if !syllable.is_empty() {
                self.words.push(RawWord {
                    text: syllable,
                    origin: Origin::Pinyin,
                    fixed_class: Some(TokenClass::Word),
                    dotted: false,
                });
            }
        }
    }
}

/// The toneless pinyin of one Han character, ASCII lowercase (`ü` becomes `v`); for a character
/// the pinyin table lacks, its generic transliteration.
fn han_syllable(c: char) -> String {
    use pinyin::ToPinyin;
    let text = match c.to_pinyin() {
        Some(p) => p.plain(),
        None => any_ascii::any_ascii_char(c),
    };
    text.chars()
        .filter_map(|ch| match ch {
            'ü' => Some('v'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn finish(raw: RawWords) -> NormalizedName {
    let words = merge_single_letters(raw.words);
    let mut words = split_glued_legal_forms(words);
    let lex = lexicon();
    let mut tokens: Vec<Token> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let (fixed_class, origin) = (words[i].fixed_class, words[i].origin);
        if let Some(class) = fixed_class {
            tokens.push(make_token(
                std::mem::take(&mut words[i].text),
                None,
                class,
                origin,
            ));
            i += 1;
            continue;
        }
        // Legal forms may span several words ("co ltd", "joint stock company").
        let mut window = [""; 5];
        let mut len = 0;
        for w in words[i..]
            .iter()
            .take(5)
            .take_while(|w| w.fixed_class.is_none())
        {
            window[len] = w.text.as_str();
            len += 1;
        }
        let window = &window[..len];
        if let Some((span, canonical)) = lex.legal_form_at(window) {
            let surface = window[..span].join(" ");
            for part in canonical.split(' ') {
                let surface = (surface != part).then(|| surface.clone());
                tokens.push(make_token(part.into(), surface, TokenClass::Legal, origin));
            }
            i += span;
            continue;
        }
        let text = std::mem::take(&mut words[i].text);
        let token = if text.bytes().all(|b| b.is_ascii_digit()) {
            make_token(text, None, TokenClass::Number, origin)
        } else if lex.is_stop(&text) {
            make_token(text, None, TokenClass::Stop, origin)
        } else if let Some(canonical) = lex.generic(&text) {
            if canonical == text {
                make_token(text, None, TokenClass::Generic, origin)
            } else {
                make_token(
                    canonical.into(),
                    Some(text),
                    TokenClass::Generic,
                    Origin::Canonicalised,
                )
            }
        } else {
            make_token(text, None, TokenClass::Word, origin)
        };
        tokens.push(token);
        i += 1;
    }
    let compact_parts = || {
        tokens
            .iter()
            .filter(|t| {
                matches!(
                    t.class,
                    TokenClass::Word | TokenClass::Number | TokenClass::Generic
                )
            })
            .map(|t| t.surface.as_deref().unwrap_or(&t.text))
    };
    // Sized once rather than grown part by part.
    let mut compact = String::with_capacity(compact_parts().map(str::len).sum());
    compact.extend(compact_parts());
    NormalizedName {
        tokens,
        compact_letters: letter_mask(&compact),
        compact_hash: text_hash(&compact),
        compact,
        native_only: !raw.native.is_empty() && !raw.other_script,
        native: raw.native,
        scripts: raw.scripts,
    }
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

fn letter_mask(text: &str) -> u32 {
    text.bytes().fold(0u32, |mask, b| match b {
        b'a'..=b'z' => mask | 1 << (b - b'a'),
        b'0'..=b'9' => mask | 1 << 26,
        _ => mask,
    })
}

fn make_token(text: String, surface: Option<String>, class: TokenClass, origin: Origin) -> Token {
    Token {
        hash: text_hash(&text),
        letters: letter_mask(&text),
        text,
        surface,
        class,
        origin,
        phonetic: std::sync::OnceLock::new(),
    }
}

/// "S.M.I.C." and "L.L.C." arrive as single letters ended by full stops: join each such run
/// ("V L.P." stays `v` `lp`: the space ends the run).
fn merge_single_letters(words: Vec<RawWord>) -> Vec<RawWord> {
    let single = |w: &RawWord| {
        w.fixed_class.is_none() && w.text.len() == 1 && w.text.as_bytes()[0].is_ascii_alphabetic()
    };
    // Most names have no such run: keep their words as they are.
    if !words.iter().any(|w| single(w) && w.dotted) {
        return words;
    }
    let mut out: Vec<RawWord> = Vec::with_capacity(words.len());
    let mut iter = words.into_iter().peekable();
    while let Some(word) = iter.next() {
        if !(single(&word) && word.dotted && iter.peek().is_some_and(single)) {
            out.push(word);
            continue;
        }
        let mut merged = word;
        while merged.dotted {
            match iter.next_if(single) {
                Some(next) => {
                    merged.text.push_str(&next.text);
                    merged.dotted = next.dotted;
                }
                None => break,
            }
        }
        out.push(merged);
    }
    out
}

/// "JSCARGUMENT" → `jsc` `argument`: Russian legal forms often arrive glued to the name.
fn split_glued_legal_forms(words: Vec<RawWord>) -> Vec<RawWord> {
    let lex = lexicon();
    // The prefix test first: it is cheaper than the lexicon look-up and rarely passes.
    let glued_prefix = |word: &RawWord| {
        GLUED_LEGAL_PREFIXES
            .iter()
            .find(|p| word.text.len() >= p.len() + 4 && word.text.starts_with(**p))
            .filter(|_| word.fixed_class.is_none() && !lex.is_legal_word(&word.text))
    };
    // Most names have no glued legal form: keep their words as they are.
    let Some(first) = words.iter().position(|w| glued_prefix(w).is_some()) else {
        return words;
    };
    let mut out = Vec::with_capacity(words.len() + 1);
    let mut words = words.into_iter();
    out.extend(words.by_ref().take(first));
    for word in words {
        if let Some(prefix) = glued_prefix(&word) {
            for text in [prefix.to_string(), word.text[prefix.len()..].to_string()] {
                out.push(RawWord {
                    text,
                    origin: Origin::Split,
                    fixed_class: None,
                    dotted: false,
                });
            }
            continue;
        }
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str) -> Vec<String> {
        normalize(name).tokens.into_iter().map(|t| t.text).collect()
    }

    fn classes(name: &str) -> Vec<TokenClass> {
        normalize(name)
            .tokens
            .into_iter()
            .map(|t| t.class)
            .collect()
    }

    #[test]
    fn legal_forms_are_canonical_and_low_weight() {
        assert_eq!(
            texts("Huawei Technologies Co., Ltd."),
            ["huawei", "technology", "company", "limited"]
        );
        assert_eq!(texts("ACME CORP"), texts("Acme Corporation"));
        assert_eq!(
            classes("11420 CORP."),
            [TokenClass::Number, TokenClass::Legal]
        );
    }

    #[test]
    fn abbreviations_expand() {
        assert_eq!(
            texts("GUANGZHOU HAIGE COMM GRP"),
            ["guangzhou", "haige", "communication", "group"]
        );
        assert_eq!(
            texts("Semiconductor Mfg Intl Corp."),
            texts("Semiconductor Manufacturing International Corporation")
        );
    }

    #[test]
    fn dotted_acronyms_merge() {
        assert_eq!(texts("S.M.I.C."), ["smic"]);
        assert_eq!(texts("Partners V L.P."), ["partners", "v", "lp"]);
        assert_eq!(texts("J.-C. Juncker"), ["jc", "juncker"]);
        assert_eq!(
            classes("Vektor L.L.C."),
            [TokenClass::Word, TokenClass::Legal]
        );
    }

    #[test]
    fn glued_legal_prefix_splits() {
        assert_eq!(texts("JSCARGUMENT"), ["jsc", "argument"]);
        assert_eq!(texts("JSC ARGUMENT"), ["jsc", "argument"]);
    }

    #[test]
    fn diacritics_fold() {
        assert_eq!(texts("Société Générale"), ["societe", "generale"]);
        assert_eq!(texts("Müller"), ["muller"]);
    }

    #[test]
    fn han_simplified_traditional_and_pinyin() {
        let simplified = normalize("中芯国际集成电路制造有限公司");
        let traditional = normalize("中芯國際集成電路製造有限公司");
        assert_eq!(simplified.native, "中芯国际集成电路制造");
        assert_eq!(simplified.native, traditional.native);
        assert!(simplified.native_only);
        assert!(!normalize("SMIC 中芯国际").native_only);
        assert_eq!(simplified.compact, "zhongxinguojijichengdianluzhizao");
        assert_eq!(
            simplified.tokens.last().map(|t| t.class),
            Some(TokenClass::Legal)
        );
        assert_eq!(
            normalize("Zhongxin Guoji").compact,
            normalize("中芯国际").compact
        );
    }

    #[test]
    fn other_scripts_transliterate() {
        assert_eq!(texts("Сбербанк России"), ["sberbank", "rossii"]);
        assert_eq!(texts("Ελληνική"), ["elliniki"]);
        let arabic = normalize("محمد");
        assert!(arabic.tokens[0].is_abjad());
    }

    #[test]
    fn acronyms_of_multiword_names() {
        let n = normalize("Semiconductor Manufacturing International Corporation");
        assert_eq!(n.acronyms(), Some(("smi".into(), "smic".into())));
        assert_eq!(normalize("Huawei").acronyms(), None);
    }

    #[test]
    fn nothing_usable_is_empty() {
        assert!(normalize("").is_empty());
        assert!(normalize(" .,;- ").is_empty());
    }
}
