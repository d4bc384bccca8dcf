//! Shared helpers: the shipped rule set, paths to shared data, and the citation comparison used
//! by the example and fixture tests.

use chokepoint_rules::{Determination, RuleSet, shipped_ruleset};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The shipped rule set, parsed once; panics if it has any diagnostic.
pub fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        let (rules, diags) = shipped_ruleset();
        assert!(
            diags.is_empty(),
            "shipped rule set has problems:\n{}",
            diags
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        rules
    })
}

/// `../shared/<rel>` relative to the repository root, if present.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel);
    p.exists().then_some(p)
}

/// Citation keys of a text: CFR section references (with paragraph path), supplements, ECCN
/// entries and FR citations. Prose with none of these yields no keys.
pub fn citation_keys(text: &str) -> Vec<Vec<String>> {
    let mut keys = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    // Section references: NNN.N+(x)(y)..., with "(a)-(b)" ranges.
    while i + 4 < b.len() {
        let start = b[i..i + 3].iter().all(u8::is_ascii_digit)
            && b[i + 3] == b'.'
            && b[i + 4].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if !start {
            i += 1;
            continue;
        }
        let mut j = i + 4;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let section = String::from_utf8_lossy(&b[i..j]).to_string();
        let mut parts = vec![format!("s:{section}")];
        while j < b.len() && b[j] == b'(' {
            let Some(close) = b[j..].iter().position(|&c| c == b')') else {
                break;
            };
            let inner = String::from_utf8_lossy(&b[j + 1..j + close]).to_string();
            if inner.is_empty()
                || inner.len() > 4
                || !inner.chars().all(|c| c.is_ascii_alphanumeric())
            {
                break;
            }
            parts.push(inner);
            j += close + 1;
        }
        // "(a)-(b)": also the range end.
        if j + 1 < b.len()
            && b[j] == b'-'
            && b[j + 1] == b'('
            && let Some(close) = b[j + 1..].iter().position(|&c| c == b')')
        {
            let inner = String::from_utf8_lossy(&b[j + 2..j + 1 + close]).to_string();
            let mut alt = parts.clone();
            alt.pop();
            alt.push(inner);
            keys.push(alt);
        }
        keys.push(parts);
        i = j;
    }
    let lower = text.to_lowercase();
    // Supplements: "Supp. No. 4 to part 744".
    let mut from = 0;
    while let Some(pos) = lower[from..].find("supp. no. ") {
        let rest = &lower[from + pos + 10..];
        let num: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Some(p) = rest.find("to part ") {
            let part: String = rest[p + 8..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if !num.is_empty() && !part.is_empty() && p < 6 {
                keys.push(vec![format!("supp:{num}:{part}")]);
            }
        }
        from += pos + 10;
    }
    // ECCN entries and FR citations.
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';' | ':' | '/'))
        .filter(|w| !w.is_empty())
        .collect();
    for (k, w) in words.iter().enumerate() {
        if let Some(e) = chokepoint_rules::eccn::Eccn::parse(w.trim_end_matches('.')) {
            keys.push(vec![format!("eccn:{}", e.entry)]);
        }
        if *w == "FR"
            && k > 0
            && k + 1 < words.len()
            && words[k - 1].chars().all(|c| c.is_ascii_digit())
        {
            let page: String = words[k + 1]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if !page.is_empty() {
                keys.push(vec![format!("fr:{}:{page}", words[k - 1])]);
            }
        }
        // "FR vol. 90 no. 216"
        if *w == "FR" && k + 4 < words.len() && words[k + 1] == "vol." && words[k + 3] == "no." {
            keys.push(vec![format!(
                "frvol:{}:{}",
                words[k + 2],
                words[k + 4].trim_end_matches('.')
            )]);
        }
    }
    keys
}

fn key_matches(a: &[String], b: &[String]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// Whether an expected citation line is matched by the rules the determination reports (their
/// citations and the citations of their review policies). When the line cites CFR sections,
/// every section it cites must be matched (equal, or one a paragraph-prefix of the other);
/// otherwise every supplement and FR citation must be matched, or, for a line naming only
/// ECCNs, one of its ECCNs. `None` when the line has no citation key (prose, not checked).
pub fn line_matched(line: &str, d: &Determination) -> Option<bool> {
    let want = citation_keys(line);
    if want.is_empty() {
        return None;
    }
    let have: Vec<Vec<String>> = d
        .rules
        .iter()
        .flat_map(|r| {
            citation_keys(&format!(
                "{} {}",
                r.citation,
                r.policy_basis.as_deref().unwrap_or("")
            ))
        })
        .collect();
    let found = |w: &Vec<String>| have.iter().any(|h| key_matches(w, h));
    let kind = |w: &Vec<String>| w[0].split(':').next().unwrap_or("").to_string();
    let sections: Vec<&Vec<String>> = want.iter().filter(|w| kind(w) == "s").collect();
    if !sections.is_empty() {
        // A range "(a)-(b)" contributes two keys for one reference: either may match.
        return Some(sections.iter().all(|w| {
            found(w)
                || sections
                    .iter()
                    .any(|o| o[0] == w[0] && o.len() == w.len() && found(o))
        }));
    }
    let strict: Vec<&Vec<String>> = want
        .iter()
        .filter(|w| matches!(kind(w).as_str(), "supp" | "fr" | "frvol"))
        .collect();
    if !strict.is_empty() {
        return Some(strict.iter().all(|w| found(w)));
    }
    Some(want.iter().any(found))
}
