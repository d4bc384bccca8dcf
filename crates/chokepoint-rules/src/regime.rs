//! Export-control regimes besides the EAR (Japan, the Netherlands, the EU) and the item
//! classifications users give under each (`item.classifications`), read in the forms people
//! actually write and reduced to one canonical code per regime.
//!
//! A code is a path of segments, matched like an ECCN: a pattern matches an item when the
//! pattern's segments are a prefix of the item's (`3B001.f` matches `3B001.f.1`); when the item
//! is *less* specific than the pattern (`Art. 6(17)` against `Art. 6(17)(fu)`) the answer is
//! unknown and the engine asks. Rule files may also write a glob over the code's key (`??5*`, the
//! EU "500-series"). `not listed` is a classification too: known not to be on the list.
//!
//! Accepted forms (documented in `rulesets/README.md`):
//! - **EU** (Annex I of Reg. 2021/821): `3B001.f.1`, `3b001 f 1`, `Cat. 3B001`, `Annex I 3B001.f.1`,
//!   `3B001(f)(1)`, `3B001f1`.
//! - **NL** (annex of the Dutch SME regulation): `NL-SME 3B001.f.4`, `3B001.f.4`, and the EU
//!   compilation code `3B1001.l` (read as `3B001.l`).
//! - **JP** (Goods Ordinance, METI Ordinance No. 49 of 1991): `Goods Ordinance Art. 6(17)(fu)`,
//!   `Art. 6(17)(フ)`, `6(17)ふ`, `第6条第17号フ`, `第六条第十七号の二`, `Art. 6(17-2)`, `6-17-fu`;
//!   `非該当` means not listed.

use crate::cond::Tri;
use serde::Serialize;

/// A regime whose licence requirement chokepoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Regime {
    /// The US Export Administration Regulations (the rule set's default).
    #[serde(rename = "US")]
    Us,
    /// Japan: FEFTA and METI's Goods Ordinance.
    #[serde(rename = "JP")]
    Jp,
    /// The Netherlands: the national SME measure under Art. 9 of Reg. 2021/821.
    #[serde(rename = "NL")]
    Nl,
    /// The European Union: Reg. 2021/821 (Annex I, Art. 4 catch-all, Arts. 9 and 10).
    #[serde(rename = "EU")]
    Eu,
}

impl Regime {
    /// Every regime, in the order answers list them.
    pub const ALL: [Regime; 4] = [Regime::Us, Regime::Jp, Regime::Nl, Regime::Eu];

    /// `US`, `JP`, `NL`, `EU`.
    pub fn code(self) -> &'static str {
        match self {
            Regime::Us => "US",
            Regime::Jp => "JP",
            Regime::Nl => "NL",
            Regime::Eu => "EU",
        }
    }

    /// The regime a rule file or a classification key names (case and spaces ignored; country
    /// names accepted).
    pub fn from_key(key: &str) -> Option<Regime> {
        let k: String = key
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match k.as_str() {
            "us" | "usa" | "ear" | "unitedstates" => Regime::Us,
            "jp" | "japan" | "jpn" => Regime::Jp,
            "nl" | "netherlands" | "thenetherlands" | "nld" => Regime::Nl,
            "eu" | "europeanunion" => Regime::Eu,
            _ => return None,
        })
    }

    /// What a classification under this regime looks like (for error messages).
    pub fn expected_forms(self) -> &'static str {
        match self {
            Regime::Us => "an ECCN such as 3B001.c (give it as `item.eccn`)",
            Regime::Jp => {
                "a Goods Ordinance reference such as \"Goods Ordinance Art. 6(17)(fu)\", \"Art. 6(17-2)\", \"第6条第17号フ\" or \"Art. 6(17)\" when the sub-item is unknown, or \"not listed\" (非該当)"
            }
            Regime::Nl => {
                "a Dutch annex code such as \"NL-SME 3B001.f.4\" (or the EU compilation code \"3B1001.l\"), or \"not listed\""
            }
            Regime::Eu => {
                "an Annex I entry such as \"3B001.f.1\" (\"Cat. 3B001\", \"3b001 f 1\" also read), or \"not listed\""
            }
        }
    }
}

/// An item's classification under one regime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classification {
    /// Known not to be on the regime's control list.
    NotListed,
    /// On the list, under this code.
    Code(Code),
}

impl Classification {
    /// How the answer shows it.
    pub fn display(&self) -> String {
        match self {
            Classification::NotListed => "not listed".into(),
            Classification::Code(c) => c.display.clone(),
        }
    }
}

/// A canonical code: segments plus the display form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Segments (`["3B001", "f", "1"]`, `["6", "17", "fu"]`, `["6", "17-2"]`).
    pub segments: Vec<String>,
    /// Display form (`3B001.f.1`, `Goods Ordinance Art. 6(17)(fu)`).
    pub display: String,
}

impl Code {
    /// The matching key: segments joined with `.` (`6.17.fu`).
    pub fn key(&self) -> String {
        self.segments.join(".")
    }
}

/// Parses `text` as a classification under `regime`; the error says what was expected.
pub fn parse_classification(regime: Regime, text: &str) -> Result<Classification, String> {
    let trimmed = text.trim();
    if is_not_listed(trimmed) {
        return Ok(Classification::NotListed);
    }
    let code = match regime {
        Regime::Us => crate::eccn::Eccn::parse(trimmed).map(|e| {
            let mut segments = vec![e.entry.clone()];
            segments.extend(e.paragraphs.iter().cloned());
            Code {
                display: e.to_string(),
                segments,
            }
        }),
        Regime::Eu => parse_annex_code(strip_prefixes(trimmed, EU_PREFIXES), false),
        Regime::Nl => parse_annex_code(strip_prefixes(trimmed, NL_PREFIXES), true),
        Regime::Jp => parse_jp(trimmed),
    };
    code.map(Classification::Code).ok_or_else(|| {
        let hint = if regime == Regime::Jp && looks_like_etco_row(trimmed) {
            " (this looks like an ETCO Appended Table 1 row; give the Goods Ordinance article instead: row 7(17) probably corresponds to Art. 6(17), which is unconfirmed)"
        } else {
            ""
        };
        format!(
            "\"{trimmed}\" is not a valid {} classification (expected {}){hint}",
            regime.code(),
            regime.expected_forms()
        )
    })
}

/// Parses a pattern a rule file writes for a classification fact: a code, or a glob (`*`, `?`)
/// over the code's key. Returns the matching key (or the glob as written).
pub fn parse_pattern(regime: Regime, text: &str) -> Result<String, String> {
    if text.contains('*') || text.contains('?') {
        return if text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '.' | '-'))
        {
            Ok(text.to_string())
        } else {
            Err(format!(
                "`{text}` is not a glob over {} codes",
                regime.code()
            ))
        };
    }
    match parse_classification(regime, text)? {
        Classification::Code(c) => Ok(c.key()),
        Classification::NotListed => Err(format!(
            "`{text}`: write `not item.classification.{}` for items not listed",
            regime.code()
        )),
    }
}

/// Three-valued match of an item's code against a pattern key (or glob).
pub fn matches(code: &Code, pattern: &str) -> Tri {
    if pattern.contains('*') || pattern.contains('?') {
        return Tri::from_bool(glob(pattern.as_bytes(), code.key().as_bytes()));
    }
    let mut item = code.segments.iter();
    for p in pattern.split('.') {
        match item.next() {
            None => return Tri::Unknown,
            Some(s) if s.eq_ignore_ascii_case(p) => {}
            Some(_) => return Tri::False,
        }
    }
    Tri::True
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
        (Some(b'?'), Some(_)) => glob(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => glob(&p[1..], &s[1..]),
        _ => false,
    }
}

fn is_not_listed(t: &str) -> bool {
    let k: String = t
        .chars()
        .filter(|c| c.is_alphanumeric() || !c.is_ascii())
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        k.as_str(),
        "notlisted" | "unlisted" | "notcontrolled" | "none" | "nonlisted" | "非該当"
    )
}

const EU_PREFIXES: &[&str] = &[
    "annex i", "annex 1", "annexi", "eu", "cat.", "cat", "category", "entry", "item", "no.",
];
const NL_PREFIXES: &[&str] = &[
    "nl-sme",
    "nl sme",
    "nlsme",
    "nl-",
    "nl",
    "dutch annex",
    "annex",
    "cat.",
    "cat",
    "category",
    "entry",
    "item",
    "no.",
];

/// Removes any of `prefixes` (case-insensitive, repeatedly) and separators after them.
fn strip_prefixes<'a>(mut t: &'a str, prefixes: &[&str]) -> &'a str {
    loop {
        let before = t;
        t = t.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | ','));
        for p in prefixes {
            if t.len() >= p.len()
                && t.is_char_boundary(p.len())
                && t[..p.len()].eq_ignore_ascii_case(p)
            {
                let rest = &t[p.len()..];
                // A prefix must end at a non-alphanumeric boundary unless it ends in `.` or `-`,
                // or the code follows immediately (`Cat.3B001`).
                let next = rest.chars().next();
                let boundary = p.ends_with(['.', '-'])
                    || next.is_none_or(|c| !c.is_ascii_alphabetic())
                    || next.is_some_and(|c| c.is_ascii_digit());
                if boundary {
                    t = rest;
                    break;
                }
            }
        }
        if t == before {
            return t.trim();
        }
    }
}

/// An Annex I style code: entry (`3B001`; `3B1001` for the EU compilation of national lists
/// when `national`) and paragraphs separated by anything, or glued (`3B001f1`).
fn parse_annex_code(t: &str, national: bool) -> Option<Code> {
    let chars: Vec<char> = t.chars().collect();
    let take = |n: usize| -> Option<String> {
        (chars.len() >= n).then(|| chars[..n].iter().collect::<String>().to_ascii_uppercase())
    };
    let is_entry = |e: &str| {
        let b = e.as_bytes();
        b.len() == 5
            && b[0].is_ascii_digit()
            && (b'A'..=b'E').contains(&b[1])
            && b[2..].iter().all(u8::is_ascii_digit)
    };
    let (entry, used) = match take(6) {
        Some(e6)
            if national
                && e6.as_bytes()[2] == b'1'
                && is_entry(&format!("{}{}", &e6[..2], &e6[3..]))
                && chars.get(6).is_none_or(|c| !c.is_ascii_digit()) =>
        {
            (format!("{}{}", &e6[..2], &e6[3..]), 6)
        }
        _ => {
            let e5 = take(5)?;
            if !is_entry(&e5) || chars.get(5).is_some_and(char::is_ascii_digit) {
                return None;
            }
            (e5, 5)
        }
    };
    let mut segments = vec![entry];
    let mut token = String::new();
    let flush = |token: &mut String, segments: &mut Vec<String>| {
        if !token.is_empty() {
            segments.push(std::mem::take(token).to_ascii_lowercase());
        }
    };
    for &c in &chars[used..] {
        if c.is_ascii_alphanumeric() {
            let switch = token
                .chars()
                .last()
                .is_some_and(|l| l.is_ascii_digit() != c.is_ascii_digit());
            if switch {
                flush(&mut token, &mut segments);
            }
            token.push(c);
        } else if c.is_whitespace() || matches!(c, '.' | '(' | ')' | '-' | ',' | '/') {
            flush(&mut token, &mut segments);
        } else {
            return None;
        }
    }
    flush(&mut token, &mut segments);
    if segments[1..].iter().any(|s| s.len() > 3) {
        return None;
    }
    let display = segments.join(".");
    Some(Code { segments, display })
}

/// The iroha order of Goods Ordinance sub-items: (katakana, hiragana, romaji, other spellings).
const IROHA: &[(char, char, &str, &[&str])] = &[
    ('イ', 'い', "i", &[]),
    ('ロ', 'ろ', "ro", &[]),
    ('ハ', 'は', "ha", &[]),
    ('ニ', 'に', "ni", &[]),
    ('ホ', 'ほ', "ho", &[]),
    ('ヘ', 'へ', "he", &[]),
    ('ト', 'と', "to", &[]),
    ('チ', 'ち', "chi", &["ti"]),
    ('リ', 'り', "ri", &[]),
    ('ヌ', 'ぬ', "nu", &[]),
    ('ル', 'る', "ru", &[]),
    ('ヲ', 'を', "wo", &[]),
    ('ワ', 'わ', "wa", &[]),
    ('カ', 'か', "ka", &[]),
    ('ヨ', 'よ', "yo", &[]),
    ('タ', 'た', "ta", &[]),
    ('レ', 'れ', "re", &[]),
    ('ソ', 'そ', "so", &[]),
    ('ツ', 'つ', "tsu", &["tu"]),
    ('ネ', 'ね', "ne", &[]),
    ('ナ', 'な', "na", &[]),
    ('ラ', 'ら', "ra", &[]),
    ('ム', 'む', "mu", &[]),
    ('ウ', 'う', "u", &[]),
    ('ヰ', 'ゐ', "wi", &[]),
    ('ノ', 'の', "no", &[]),
    ('オ', 'お', "o", &[]),
    ('ク', 'く', "ku", &[]),
    ('ヤ', 'や', "ya", &[]),
    ('マ', 'ま', "ma", &[]),
    ('ケ', 'け', "ke", &[]),
    ('フ', 'ふ', "fu", &["hu"]),
    ('コ', 'こ', "ko", &[]),
    ('エ', 'え', "e", &[]),
    ('テ', 'て', "te", &[]),
    ('ア', 'あ', "a", &[]),
    ('サ', 'さ', "sa", &[]),
    ('キ', 'き', "ki", &[]),
    ('ユ', 'ゆ', "yu", &[]),
    ('メ', 'め', "me", &[]),
    ('ミ', 'み', "mi", &[]),
    ('シ', 'し', "shi", &["si"]),
    ('ヱ', 'ゑ', "we", &[]),
    ('ヒ', 'ひ', "hi", &[]),
    ('モ', 'も', "mo", &[]),
    ('セ', 'せ', "se", &[]),
    ('ス', 'す', "su", &[]),
];

/// The romaji of an iroha sub-item letter written in kana or romaji.
fn iroha_romaji(s: &str) -> Option<&'static str> {
    let mut chars = s.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && !c.is_ascii()
    {
        return IROHA
            .iter()
            .find(|(k, h, _, _)| *k == c || *h == c)
            .map(|l| l.2);
    }
    let lower = s.to_ascii_lowercase();
    IROHA
        .iter()
        .find(|(_, _, r, other)| *r == lower || other.contains(&lower.as_str()))
        .map(|l| l.2)
}

/// Kanji numerals up to 99 (`十七` = 17, `六` = 6).
fn kanji_number(s: &str) -> Option<u32> {
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        [a] if *a == '十' => Some(10),
        [a] => digit(*a).map(|d| d as u32),
        ['十', b] => digit(*b).map(|d| 10 + d as u32),
        [a, '十'] => digit(*a).map(|d| d as u32 * 10),
        [a, '十', b] => Some(digit(*a)? as u32 * 10 + digit(*b)? as u32),
        _ => None,
    }
}

fn looks_like_etco_row(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    l.contains("etco") || l.contains("row") || l.contains("appended table") || t.contains("別表")
}

/// A Goods Ordinance reference: article, item (with `-2` branch numbers), optional sub-item
/// letter.
fn parse_jp(t: &str) -> Option<Code> {
    if looks_like_etco_row(t) {
        return None;
    }
    // Full-width forms to ASCII, Japanese article/item markers to separators.
    let mut s = String::new();
    let mut pending_kanji = String::new();
    let flush_kanji = |pending: &mut String, s: &mut String| -> Option<()> {
        if !pending.is_empty() {
            let n = kanji_number(pending)?;
            s.push_str(&format!(" {n} "));
            pending.clear();
        }
        Some(())
    };
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '（' => '(',
            '）' => ')',
            '－' | 'ー' | '‐' | '−' => '-',
            other => other,
        };
        if "〇一二三四五六七八九十".contains(c) {
            pending_kanji.push(c);
            i += 1;
            continue;
        }
        flush_kanji(&mut pending_kanji, &mut s)?;
        match c {
            '第' | '条' | '号' | '項' => s.push(' '),
            // 第十七号の二: a branch number.
            'の' | 'ノ'
                if chars
                    .get(i + 1)
                    .is_some_and(|n| n.is_ascii_digit() || "一二三四五六七八九".contains(*n)) =>
            {
                s.push('-')
            }
            c if !c.is_ascii() && iroha_romaji(&c.to_string()).is_some() => {
                s.push(' ');
                s.push_str(iroha_romaji(&c.to_string()).unwrap_or_default());
                s.push(' ');
            }
            c => s.push(c),
        }
        i += 1;
    }
    flush_kanji(&mut pending_kanji, &mut s)?;
    // Drop the words around the reference.
    let lower = s.to_ascii_lowercase();
    let mut rest = lower.as_str().trim();
    for p in [
        "meti ordinance no. 49 of 1991",
        "goods ordinance",
        "goods ord.",
        "ordinance",
        "貨物等省令",
        "省令",
        "article",
        "art.",
        "art",
    ] {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix(p) {
            rest = r;
        }
    }
    // Tokens: numbers, letters and dashes.
    let mut tokens: Vec<String> = Vec::new();
    let mut token = String::new();
    let push = |token: &mut String, tokens: &mut Vec<String>| {
        if !token.is_empty() {
            tokens.push(std::mem::take(token));
        }
    };
    for c in rest.chars() {
        if c.is_ascii_alphanumeric() {
            if token
                .chars()
                .last()
                .is_some_and(|l| l.is_ascii_digit() != c.is_ascii_digit())
            {
                push(&mut token, &mut tokens);
            }
            token.push(c);
        } else if c == '-' {
            push(&mut token, &mut tokens);
            tokens.push("-".into());
        } else if c.is_whitespace() || matches!(c, '(' | ')' | '.' | ',' | '/' | '[' | ']') {
            push(&mut token, &mut tokens);
        } else {
            return None;
        }
    }
    push(&mut token, &mut tokens);
    let is_number =
        |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    let mut it = tokens.iter().map(String::as_str).peekable();
    let skip_dashes = |it: &mut std::iter::Peekable<_>| {
        while it.peek() == Some(&"-") {
            it.next();
        }
    };
    skip_dashes(&mut it);
    let article = it.next().filter(|a| is_number(a))?;
    skip_dashes(&mut it);
    let mut item = it.next().filter(|i| is_number(i))?.to_string();
    // A branch number after the item: `17-2`, `17)-2`, or `17 2`.
    let mut look = it.clone();
    skip_dashes(&mut look);
    if let Some(b) = look.next().filter(|b| is_number(b) && b.len() <= 2) {
        item = format!("{item}-{b}");
        it = look;
    }
    skip_dashes(&mut it);
    let letter = match it.next() {
        None => None,
        Some(l) => Some(iroha_romaji(l)?),
    };
    if it.next().is_some() {
        return None;
    }
    jp_code(article, &item, letter)
}

fn jp_code(article: &str, item: &str, letter: Option<&str>) -> Option<Code> {
    let article = article.trim_start_matches('0');
    let item = item.trim_start_matches('0');
    if article.is_empty() || item.is_empty() {
        return None;
    }
    let mut segments = vec![article.to_string(), item.to_string()];
    let mut display = format!("Goods Ordinance Art. {article}({item})");
    if let Some(l) = letter {
        segments.push(l.to_string());
        display.push_str(&format!("({l})"));
    }
    Some(Code { segments, display })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(regime: Regime, text: &str) -> String {
        match parse_classification(regime, text) {
            Ok(Classification::Code(c)) => c.key(),
            Ok(Classification::NotListed) => "not listed".into(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn eu_forms() {
        for t in [
            "3B001.f.1",
            "3b001.F.1",
            "3B001 f 1",
            "Cat. 3B001.f.1",
            "Annex I 3B001.f.1",
            "3B001(f)(1)",
            "3B001f1",
            " EU: 3B001.f.1 ",
        ] {
            assert_eq!(key(Regime::Eu, t), "3B001.f.1", "{t}");
        }
        assert_eq!(key(Regime::Eu, "Cat. 3B001"), "3B001");
        assert_eq!(key(Regime::Eu, "Not listed"), "not listed");
        assert!(key(Regime::Eu, "3X001").starts_with("error"));
        assert!(key(Regime::Eu, "3B0011").starts_with("error"));
    }

    #[test]
    fn nl_forms() {
        for t in [
            "NL-SME 3B001.f.4",
            "nl sme 3b001 f 4",
            "3B001.f.4",
            "NL 3B001.f.4",
        ] {
            assert_eq!(key(Regime::Nl, t), "3B001.f.4", "{t}");
        }
        assert_eq!(key(Regime::Nl, "3B1001.l"), "3B001.l");
        assert_eq!(key(Regime::Nl, "NL-SME 3B1001.m"), "3B001.m");
        assert!(key(Regime::Eu, "3B1001.l").starts_with("error"));
    }

    #[test]
    fn jp_forms() {
        for t in [
            "Goods Ordinance Art. 6(17)(fu)",
            "Art. 6(17)(フ)",
            "art 6 (17) fu",
            "6(17)ふ",
            "第6条第17号フ",
            "第六条第十七号フ",
            "６（１７）フ",
            "6-17-fu",
            "6(17)(hu)",
        ] {
            assert_eq!(key(Regime::Jp, t), "6.17.fu", "{t}");
        }
        for t in [
            "Art. 6(17-2)",
            "第六条第十七号の二",
            "6(17)-2",
            "Goods Ordinance Art. 6(17-2)",
        ] {
            assert_eq!(key(Regime::Jp, t), "6.17-2", "{t}");
        }
        assert_eq!(key(Regime::Jp, "Art. 6(17)"), "6.17");
        assert_eq!(key(Regime::Jp, "非該当"), "not listed");
        assert!(key(Regime::Jp, "ETCO row 7(17)").contains("Goods Ordinance article"));
        assert!(key(Regime::Jp, "6(17)(xx)").starts_with("error"));
        assert!(key(Regime::Jp, "cleaning tool").starts_with("error"));
    }

    #[test]
    fn three_valued_matching() {
        let code = |r, t| match parse_classification(r, t) {
            Ok(Classification::Code(c)) => c,
            other => panic!("{other:?}"),
        };
        assert_eq!(matches(&code(Regime::Jp, "6(17)(fu)"), "6.17"), Tri::True);
        assert_eq!(matches(&code(Regime::Jp, "6(17)"), "6.17.fu"), Tri::Unknown);
        assert_eq!(
            matches(&code(Regime::Jp, "6(17)(i)"), "6.17.fu"),
            Tri::False
        );
        assert_eq!(matches(&code(Regime::Eu, "3B501.a"), "??5*"), Tri::True);
        assert_eq!(matches(&code(Regime::Eu, "3B001.f.1"), "??5*"), Tri::False);
    }
}
