//! The word lists that give tokens their meaning: legal forms, stop words, generic business
//! words and common abbreviations, in one place so they are easy to review and extend.
//!
//! Every list is written in the normalised form the tokenizer produces (lowercase ASCII, no
//! punctuation). Legal forms and generic words map many spellings to one canonical token so that
//! "Corp" meets "Corporation" and "Technologies" meets "Technology" as equals.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// Legal-form token sequences and the canonical tokens they become. Longest sequences are tried
/// first. The canonical form is what both sides of a comparison see.
const LEGAL_FORMS: &[(&str, &str)] = &[
    // English
    ("public limited company", "plc"),
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("limited partnership", "lp"),
    ("company limited", "company limited"),
    ("co limited", "company limited"),
    ("co ltd", "company limited"),
    ("pte ltd", "private limited"),
    ("pvt ltd", "private limited"),
    ("private limited", "private limited"),
    ("sdn bhd", "sdn bhd"),
    ("corporation", "corporation"),
    ("corp", "corporation"),
    ("incorporated", "incorporated"),
    ("inc", "incorporated"),
    ("limited", "limited"),
    ("ltd", "limited"),
    ("ltda", "limited"),
    ("company", "company"),
    ("co", "company"),
    ("cos", "company"),
    ("companies", "company"),
    ("llc", "llc"),
    ("llp", "llp"),
    ("lp", "lp"),
    ("plc", "plc"),
    ("pte", "private"),
    ("pvt", "private"),
    ("bhd", "bhd"),
    ("pty", "pty"),
    ("fze", "fze"),
    ("fzco", "fzco"),
    ("fzc", "fzc"),
    ("fzllc", "llc"),
    ("dmcc", "dmcc"),
    ("wll", "wll"),
    // German, Dutch, Scandinavian, Polish, Romanian
    ("aktiengesellschaft", "ag"),
    ("aktiengeselschaft", "ag"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("gesellschaft mbh", "gmbh"),
    ("kommanditgesellschaft", "kg"),
    ("naamloze vennootschap", "nv"),
    ("besloten vennootschap", "bv"),
    ("aktiebolag", "ab"),
    ("aksjeselskap", "as"),
    ("sp z oo", "spzoo"),
    ("spzoo", "spzoo"),
    ("sp zoo", "spzoo"),
    ("societatea cu raspundere limitata", "srl"),
    ("societa per azioni", "spa"),
    ("societa a responsabilita limitata", "srl"),
    ("gmbh", "gmbh"),
    ("mbh", "gmbh"),
    ("ag", "ag"),
    ("kg", "kg"),
    ("ohg", "ohg"),
    ("ug", "ug"),
    ("bv", "bv"),
    ("nv", "nv"),
    ("ab", "ab"),
    ("as", "as"),
    ("asa", "asa"),
    ("oy", "oy"),
    ("oyj", "oyj"),
    // Romance languages
    ("sociedad anonima", "sa"),
    ("societe anonyme", "sa"),
    ("sa", "sa"),
    ("sas", "sas"),
    ("sarl", "sarl"),
    ("srl", "srl"),
    ("spa", "spa"),
    ("sl", "sl"),
    ("sau", "sa"),
    ("sae", "sa"),
    ("sal", "sal"),
    ("cia", "company"),
    ("ltda", "limited"),
    // Russian and post-Soviet
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("obshchestvo s ogranichennoi otvetstvennostiu", "llc"),
    ("aktsionernoe obshchestvo", "jsc"),
    ("aktsionernoye obshchestvo", "jsc"),
    ("publichnoe aktsionernoe obshchestvo", "pjsc"),
    ("otkrytoe aktsionernoe obshchestvo", "ojsc"),
    ("zakrytoe aktsionernoe obshchestvo", "cjsc"),
    ("tovarystvo z obmezhenoiu vidpovidalnistiu", "llc"),
    ("public joint stock company", "pjsc"),
    ("open joint stock company", "ojsc"),
    ("closed joint stock company", "cjsc"),
    ("joint stock company", "jsc"),
    ("jsc", "jsc"),
    ("ojsc", "ojsc"),
    ("pjsc", "pjsc"),
    ("cjsc", "cjsc"),
    ("ooo", "llc"),
    ("oao", "ojsc"),
    ("zao", "cjsc"),
    ("pao", "pjsc"),
    ("ao", "jsc"),
    ("tov", "llc"),
    ("too", "llc"),
    ("ano", "ano"),
    ("nko", "nko"),
    ("fgup", "fgup"),
    ("gup", "gup"),
    ("nii", "nii"),
    // Asian romanised forms
    ("kabushiki kaisha", "kk"),
    ("kabushiki gaisha", "kk"),
    ("kk", "kk"),
    ("yugen kaisha", "yk"),
    ("tbk", "tbk"),
    ("pt", "pt"),
    ("jsc", "jsc"),
    ("youxian gongsi", "company limited"),
    ("gufen youxian gongsi", "company limited"),
    ("youxian zeren gongsi", "company limited"),
    // Group words behave like legal forms in the lists
    ("group", "group"),
    ("grp", "group"),
    ("holdings", "holding"),
    ("holding", "holding"),
    ("hldgs", "holding"),
];

/// Legal forms written in Han or Kana, removed from the script before romanisation, with the
/// canonical Latin token each becomes. Longest first.
pub(crate) const CJK_LEGAL_FORMS: &[(&str, &str)] = &[
    ("股份有限公司", "company limited"),
    ("有限责任公司", "company limited"),
    ("有限責任公司", "company limited"),
    ("株式会社", "kk"),
    ("有限会社", "yk"),
    ("合同会社", "llc"),
    ("有限公司", "company limited"),
    ("控股", "holding"),
    ("集团", "group"),
    ("集團", "group"),
    ("公司", "company"),
];

/// Words that carry almost no identity: articles, prepositions and their equivalents.
const STOP_WORDS: &[&str] = &[
    "the", "of", "and", "for", "in", "on", "at", "by", "to", "a", "an", "de", "del", "la", "le",
    "les", "des", "du", "di", "da", "do", "dos", "das", "y", "e", "et", "und", "van", "von", "der",
    "den", "al", "el", "ul", "bin", "ibn", "bint", "ben",
];

/// Business words that many unrelated names share. They count, but less than a distinctive
/// word. Each maps its spellings to one canonical form.
const GENERIC_WORDS: &[(&str, &str)] = &[
    ("international", "international"),
    ("internacional", "international"),
    ("intl", "international"),
    ("technology", "technology"),
    ("technologies", "technology"),
    ("tech", "technology"),
    ("techn", "technology"),
    ("technol", "technology"),
    ("trading", "trading"),
    ("trade", "trading"),
    ("industry", "industry"),
    ("industries", "industry"),
    ("industrial", "industry"),
    ("indus", "industry"),
    ("manufacturing", "manufacturing"),
    ("mfg", "manufacturing"),
    ("manufacture", "manufacturing"),
    ("manufacturer", "manufacturing"),
    ("manufacturers", "manufacturing"),
    ("mfr", "manufacturing"),
    ("service", "service"),
    ("services", "service"),
    ("srvces", "service"),
    ("srvcs", "service"),
    ("svcs", "service"),
    ("svc", "service"),
    ("communication", "communication"),
    ("communications", "communication"),
    ("comm", "communication"),
    ("comms", "communication"),
    ("commun", "communication"),
    ("electronic", "electronic"),
    ("electronics", "electronic"),
    ("engineering", "engineering"),
    ("eng", "engineering"),
    ("engg", "engineering"),
    ("development", "development"),
    ("dev", "development"),
    ("import", "import"),
    ("export", "export"),
    ("imp", "import"),
    ("exp", "export"),
    ("enterprise", "enterprise"),
    ("enterprises", "enterprise"),
    ("science", "science"),
    ("sciences", "science"),
    ("sci", "science"),
    ("research", "research"),
    ("res", "research"),
    ("institute", "institute"),
    ("inst", "institute"),
    ("university", "university"),
    ("univ", "university"),
    ("academy", "academy"),
    ("acad", "academy"),
    ("national", "national"),
    ("natl", "national"),
    ("center", "center"),
    ("centre", "center"),
    ("ctr", "center"),
    ("association", "association"),
    ("assn", "association"),
    ("assoc", "association"),
    ("management", "management"),
    ("mgmt", "management"),
    ("logistics", "logistics"),
    ("shipping", "shipping"),
    ("equipment", "equipment"),
    ("systems", "system"),
    ("system", "system"),
    ("solutions", "solution"),
    ("solution", "solution"),
    ("investment", "investment"),
    ("investments", "investment"),
    ("bank", "bank"),
    ("general", "general"),
    ("global", "global"),
    ("import-export", "import"),
    ("brothers", "brothers"),
    ("bros", "brothers"),
    ("department", "department"),
    ("dept", "department"),
    ("government", "government"),
    ("govt", "government"),
    ("products", "product"),
    ("product", "product"),
    ("materials", "material"),
    ("material", "material"),
    ("machinery", "machinery"),
    ("precision", "precision"),
    ("instruments", "instrument"),
    ("instrument", "instrument"),
    ("semiconductor", "semiconductor"),
    ("semiconductors", "semiconductor"),
    ("microelectronics", "microelectronic"),
    ("microelectronic", "microelectronic"),
    ("aviation", "aviation"),
    ("energy", "energy"),
    ("factory", "factory"),
    ("plant", "plant"),
    ("office", "office"),
    ("branch", "branch"),
    ("subsidiary", "subsidiary"),
    ("new", "new"),
    ("china", "china"),
    ("chinese", "china"),
    ("russian", "russia"),
    ("russia", "russia"),
    ("iran", "iran"),
    ("iranian", "iran"),
];

/// How a token counts in a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenClass {
    /// A distinctive word: a name proper.
    Word,
    /// A common business word ("technology", "trading").
    Generic,
    /// A legal form ("limited", "corporation", "llc").
    Legal,
    /// An article or preposition.
    Stop,
    /// A number.
    Number,
}

impl TokenClass {
    /// The weight of a token of this class in a comparison. A distinctive word or a number
    /// counts fully; a legal form hardly at all, so "11420 CORP." cannot match every "... CORP".
    pub fn weight(self) -> f32 {
        match self {
            TokenClass::Word | TokenClass::Number => 1.0,
            TokenClass::Generic => 0.5,
            TokenClass::Legal => 0.12,
            TokenClass::Stop => 0.08,
        }
    }

    /// Whether the token identifies the party (words and numbers).
    pub fn is_distinctive(self) -> bool {
        matches!(self, TokenClass::Word | TokenClass::Number)
    }
}

pub(crate) struct Lexicon {
    /// First word of a legal form → candidates `(words, canonical)` longest first.
    legal: HashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>,
    generic: HashMap<&'static str, &'static str>,
    stop: HashMap<&'static str, ()>,
}

pub(crate) fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut legal: HashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>> =
            HashMap::default();
        for &(form, canonical) in LEGAL_FORMS {
            let words: Vec<&'static str> = form.split(' ').collect();
            legal.entry(words[0]).or_default().push((words, canonical));
        }
        for forms in legal.values_mut() {
            forms.sort_by_key(|f| std::cmp::Reverse(f.0.len()));
            forms.dedup();
        }
        Lexicon {
            legal,
            generic: GENERIC_WORDS.iter().copied().collect(),
            stop: STOP_WORDS.iter().map(|w| (*w, ())).collect(),
        }
    })
}

impl Lexicon {
    /// The longest legal form starting at `words[0]`: how many words it spans and its canonical
    /// tokens.
    pub(crate) fn legal_form_at(&self, words: &[&str]) -> Option<(usize, &'static str)> {
        let forms = self.legal.get(words.first()?)?;
        forms
            .iter()
            .find(|(form, _)| {
                form.len() <= words.len() && form.iter().zip(words).all(|(a, b)| a == b)
            })
            .map(|(form, canonical)| (form.len(), *canonical))
    }

    pub(crate) fn generic(&self, word: &str) -> Option<&'static str> {
        self.generic.get(word).copied()
    }

    pub(crate) fn is_stop(&self, word: &str) -> bool {
        self.stop.contains_key(word)
    }

    /// Whether `word` is a legal form on its own (used to split glued prefixes).
    pub(crate) fn is_legal_word(&self, word: &str) -> bool {
        self.legal_form_at(&[word]).is_some_and(|(n, _)| n == 1)
    }
}

/// Legal forms that are glued to the next word in real data ("JSCARGUMENT", "OOOVEKTOR").
pub(crate) const GLUED_LEGAL_PREFIXES: &[&str] =
    &["pjsc", "ojsc", "cjsc", "jsc", "ooo", "oao", "zao"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_legal_form_wins() {
        let lex = lexicon();
        assert_eq!(
            lex.legal_form_at(&["co", "ltd", "x"]),
            Some((2, "company limited"))
        );
        assert_eq!(lex.legal_form_at(&["co", "x"]), Some((1, "company")));
        assert_eq!(
            lex.legal_form_at(&["public", "joint", "stock", "company"]),
            Some((4, "pjsc"))
        );
        assert_eq!(lex.legal_form_at(&["public", "x"]), None);
    }

    #[test]
    fn generic_words_have_one_canonical_form() {
        let lex = lexicon();
        assert_eq!(lex.generic("technologies"), lex.generic("tech"));
        assert_eq!(lex.generic("intl"), Some("international"));
        for &(_, canonical) in GENERIC_WORDS {
            assert_eq!(lex.generic(canonical), Some(canonical), "{canonical}");
        }
    }
}
