//! ECCN syntax and three-valued matching of an item's ECCN against the patterns rules name.
//!
//! An ECCN is `EAR99` or a five-character entry (`3B001`: category digit, product-group letter
//! A–E, three digits) followed by optional paragraphs (`3B001.f.1.b.2`). A pattern matches an
//! item when the pattern's paragraphs are a prefix of the item's (`3B001.c` matches
//! `3B001.c.1.a`). When the item is *less* specific than the pattern (`3B001` against
//! `3B001.c`), the answer is unknown: the item might or might not be in that paragraph, and the
//! engine asks. A pattern of one or two characters (`3`, `3B`) matches a whole category or group.

use crate::cond::Tri;

/// A parsed ECCN: the entry and its paragraph path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Eccn {
    /// `3B001`, or `EAR99`.
    pub entry: String,
    /// Paragraph path, lower-cased (`["f", "1"]`).
    pub paragraphs: Vec<String>,
}

impl Eccn {
    /// Parses `text`, returning `None` if it is not an ECCN.
    pub fn parse(text: &str) -> Option<Eccn> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("EAR99") {
            return Some(Eccn {
                entry: "EAR99".into(),
                paragraphs: Vec::new(),
            });
        }
        let mut parts = text.split('.');
        let entry = parts.next()?.to_ascii_uppercase();
        let b = entry.as_bytes();
        let well_formed = b.len() == 5
            && b[0].is_ascii_digit()
            && (b'A'..=b'E').contains(&b[1])
            && b[2..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return None;
        }
        let mut paragraphs = Vec::new();
        for p in parts {
            let p = p.trim();
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric()) || p.len() > 3 {
                return None;
            }
            paragraphs.push(p.to_ascii_lowercase());
        }
        Some(Eccn { entry, paragraphs })
    }

    /// True for `EAR99`.
    pub fn is_ear99(&self) -> bool {
        self.entry == "EAR99"
    }

    /// Category digit and product group (`3B`), or `EAR99`.
    pub fn group(&self) -> &str {
        if self.is_ear99() {
            "EAR99"
        } else {
            &self.entry[..2]
        }
    }
}

impl std::fmt::Display for Eccn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.entry)?;
        for p in &self.paragraphs {
            write!(f, ".{p}")?;
        }
        Ok(())
    }
}

/// Whether `pattern` is a valid pattern: an ECCN, or a category (`3`) or group (`3B`) prefix.
pub fn is_valid_pattern(pattern: &str) -> bool {
    let p = pattern.trim();
    let b = p.as_bytes();
    match b.len() {
        1 => b[0].is_ascii_digit(),
        2 => b[0].is_ascii_digit() && (b'A'..=b'E').contains(&b[1].to_ascii_uppercase()),
        _ => Eccn::parse(p).is_some(),
    }
}

/// Three-valued match of `item` against `pattern` (allocation-free: this is the hot path).
pub fn matches(item: &Eccn, pattern: &str) -> Tri {
    let p = pattern;
    if p.len() <= 2 {
        if item.is_ear99() {
            return Tri::False;
        }
        let ib = item.entry.as_bytes();
        let ok = p
            .bytes()
            .zip(ib.iter())
            .all(|(a, b)| a.to_ascii_uppercase() == *b);
        return Tri::from_bool(ok);
    }
    // Fast reject on the entry before splitting paragraphs.
    if p.len() < 5
        || !p.as_bytes()[..5]
            .eq_ignore_ascii_case(item.entry.as_bytes().get(..5).unwrap_or_default())
    {
        return Tri::False;
    }
    if p.eq_ignore_ascii_case("EAR99") {
        return Tri::from_bool(item.is_ear99());
    }
    let mut parts = p.split('.');
    let Some(entry) = parts.next() else {
        return Tri::False;
    };
    if !entry.eq_ignore_ascii_case(&item.entry) {
        return Tri::False;
    }
    let mut item_paragraphs = item.paragraphs.iter();
    for pp in parts {
        match item_paragraphs.next() {
            None => return Tri::Unknown,
            Some(ip) if ip.eq_ignore_ascii_case(pp) => {}
            Some(_) => return Tri::False,
        }
    }
    Tri::True
}

/// Three-valued "the item matches some pattern".
pub fn matches_any<'a>(item: &Eccn, patterns: impl IntoIterator<Item = &'a str>) -> Tri {
    let mut acc = Tri::False;
    for p in patterns {
        acc = acc.or(matches(item, p));
        if acc == Tri::True {
            break;
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Eccn {
        Eccn::parse(s).unwrap()
    }

    #[test]
    fn syntax() {
        assert!(Eccn::parse("3B001.f.1.b.2").is_some());
        assert!(Eccn::parse("ear99").is_some());
        assert!(Eccn::parse("3X9").is_none());
        assert!(Eccn::parse("3B001..c").is_none());
        assert!(Eccn::parse("3F001").is_none());
        assert!(is_valid_pattern("3B"));
        assert!(!is_valid_pattern("3Z"));
    }

    #[test]
    fn three_valued_matching() {
        assert_eq!(matches(&e("3B001.c.1.a"), "3B001.c"), Tri::True);
        assert_eq!(matches(&e("3B001"), "3B001.c"), Tri::Unknown);
        assert_eq!(matches(&e("3B001.f"), "3B001.f.1"), Tri::Unknown);
        assert_eq!(matches(&e("3B001.a.1"), "3B001.c"), Tri::False);
        assert_eq!(matches(&e("3B991"), "3B"), Tri::True);
        assert_eq!(matches(&e("EAR99"), "3"), Tri::False);
        assert_eq!(matches(&e("EAR99"), "EAR99"), Tri::True);
    }
}
