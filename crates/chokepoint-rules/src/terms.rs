//! Reading the "License requirement" and "License review policy" columns of Entity List entries
//! as the Consolidated Screening List spells them, into structured terms.
//!
//! The columns are free text with every spelling BIS ever used: footnote markers glued to
//! section numbers (`734.9(e)1`, `(g),3`, `EAR)5`), `See §§` cross-references, item-specific
//! policies (SMIC: presumption of denial with a case-by-case carve-out for 200 mm tools) and
//! typos (`744.2l(b)`, `casa-by-case`, `Presumption for denial`). The parser is a hand-written
//! scanner: section references are recognised first, footnote digits only where they touch a
//! reference or "EAR", and the policy text is split into clauses at policy keywords only (so an
//! ECCN list containing `;` stays in one clause).

use crate::cond::Tri;
use crate::eccn::{self, Eccn};
use crate::ruleset::Policy;
use serde::Serialize;
use std::ops::Not;

/// Which items the entry's license requirement covers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum RequirementScope {
    /// All items subject to the EAR.
    #[default]
    AllItems,
    /// All items subject to the EAR except those described (text kept).
    AllItemsExcept(String),
    /// All items subject to the EAR when used in the projects of 746.8(a)(4).
    AllItemsForProjects,
    /// Items on the CCL and EAR99 items in supplement no. 7 to part 746 (Russia/Belarus).
    CclAndListedEar99,
    /// Not recognised.
    Unrecognised(String),
}

/// Which items a policy clause speaks of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum ItemScope {
    /// Every item (the default clause).
    All,
    /// Items in these ECCN paragraphs.
    Eccns(Vec<String>),
    /// Items *not* in these ECCN paragraphs.
    NotEccns(Vec<String>),
    /// Items on the CCL.
    CclItems,
    /// EAR99 items.
    Ear99,
    /// Items uniquely required for production at 10 nm or below (SMIC 2020).
    UniquelyRequired10nm,
    /// Items designed for 200 mm wafer production going to a 200 mm facility (SMIC 2024).
    For200mmFacility,
    /// Something the engine cannot decide from the transaction (text kept).
    Described(String),
}

/// One policy clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyClause {
    /// The policy.
    pub policy: Policy,
    /// The items it applies to.
    pub scope: ItemScope,
}

/// The review policy column, structured.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PolicyTerms {
    /// A policy for some items, another for others; `default` covers items no clause names.
    Clauses {
        /// The policy for items no specific clause covers.
        default: Option<Policy>,
        /// Specific clauses, in text order.
        clauses: Vec<PolicyClause>,
    },
    /// "See §§ 744.11 and 744.23(d)": the policy is stated elsewhere.
    CrossReference {
        /// Sections referred to.
        sections: Vec<String>,
    },
    /// No policy text.
    #[default]
    Missing,
    /// The policy column holds text that states no policy (in the 2026 CSL, a few rows repeat
    /// the requirement column there).
    NoPolicyStated {
        /// The text.
        text: String,
    },
    /// Not understood (text kept).
    Unrecognised {
        /// The text.
        text: String,
    },
}

/// The structured terms of an Entity List entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EntityListTerms {
    /// Items covered.
    pub scope: RequirementScope,
    /// Sections cited in the requirement column (normalised, e.g. `734.9(e)(1)`).
    pub cites: Vec<String>,
    /// Footnote markers found (1, 2, 3, 4, 5).
    pub footnotes: Vec<u8>,
    /// "May be overcome by License Exception GOV".
    pub gov_exception: bool,
    /// "Also extend to ... the entity wherever located worldwide".
    pub worldwide: bool,
    /// Review policy.
    pub policy: PolicyTerms,
}

/// How an entry's policy resolves for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyResolution {
    /// The policy, when it could be decided (or the conservative default when a carve-out
    /// depends on an unknown fact).
    pub policy: Option<Policy>,
    /// Why (the clause that decided).
    pub why: String,
    /// Questions whose answers could change the policy.
    pub questions: Vec<String>,
}

/// Facts about the item that item-specific policies need.
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemFacts<'a> {
    /// The item's ECCN.
    pub eccn: Option<&'a Eccn>,
    /// Uniquely required for production at 10 nm or below.
    pub uniquely_required_10nm: Option<bool>,
    /// Designed for 200 mm wafer production and going to a 200 mm facility.
    pub for_200mm_facility: Option<bool>,
}

impl EntityListTerms {
    /// Whether the policy column could not be read into a known shape.
    pub fn is_unrecognised(&self) -> bool {
        matches!(self.policy, PolicyTerms::Unrecognised { .. })
            || matches!(self.scope, RequirementScope::Unrecognised(_))
    }

    /// A one-line canonical description of the shape (for snapshots and the memo).
    pub fn shape(&self) -> String {
        let scope = match &self.scope {
            RequirementScope::AllItems => "all items".to_string(),
            RequirementScope::AllItemsExcept(_) => "all items except described".to_string(),
            RequirementScope::AllItemsForProjects => {
                "all items for 746.8(a)(4) projects".to_string()
            }
            RequirementScope::CclAndListedEar99 => {
                "CCL items + Supp. 7 to part 746 EAR99 items".to_string()
            }
            RequirementScope::Unrecognised(t) => format!("UNRECOGNISED `{t}`"),
        };
        let mut s = scope;
        if !self.footnotes.is_empty() {
            s.push_str(&format!("; footnotes {:?}", self.footnotes));
        }
        if !self.cites.is_empty() {
            s.push_str(&format!("; cites {}", self.cites.join(", ")));
        }
        if self.gov_exception {
            s.push_str("; GOV may overcome");
        }
        if self.worldwide {
            s.push_str("; worldwide");
        }
        s.push_str(" || ");
        s.push_str(&describe_policy(&self.policy));
        s
    }

    /// The policy for an item.
    pub fn policy_for(&self, item: ItemFacts<'_>) -> PolicyResolution {
        match &self.policy {
            PolicyTerms::Missing => PolicyResolution {
                policy: None,
                why: "the entry's review policy was not given".into(),
                questions: vec![
                    "What license review policy does the party's Entity List entry state?".into(),
                ],
            },
            PolicyTerms::NoPolicyStated { text } => PolicyResolution {
                policy: None,
                why: format!("the entry's policy column states no policy (`{text}`)"),
                questions: vec![format!(
                    "The entry's policy column reads `{text}`, which states no review policy; which policy applies (see the Federal Register listing)?"
                )],
            },
            PolicyTerms::Unrecognised { text } => PolicyResolution {
                policy: None,
                why: format!("the entry's review policy `{text}` was not understood"),
                questions: vec![format!(
                    "Which review policy does the entry text `{text}` give for this item?"
                )],
            },
            PolicyTerms::CrossReference { sections } => PolicyResolution {
                policy: None,
                why: format!(
                    "the entry refers to §§ {} for its review policy",
                    sections.join(", ")
                ),
                questions: vec![format!(
                    "Which policy do §§ {} give for this transaction?",
                    sections.join(", ")
                )],
            },
            PolicyTerms::Clauses { default, clauses } => {
                let mut questions = Vec::new();
                let mut worst_unknown: Option<Policy> = None;
                for c in clauses {
                    let applies = match &c.scope {
                        ItemScope::All => Tri::True,
                        ItemScope::Eccns(list) => item.eccn.map_or(Tri::Unknown, |e| {
                            eccn::matches_any(e, list.iter().map(String::as_str))
                        }),
                        ItemScope::NotEccns(list) => item.eccn.map_or(Tri::Unknown, |e| {
                            eccn::matches_any(e, list.iter().map(String::as_str)).not()
                        }),
                        ItemScope::CclItems => item
                            .eccn
                            .map_or(Tri::Unknown, |e| Tri::from_bool(!e.is_ear99())),
                        ItemScope::Ear99 => item
                            .eccn
                            .map_or(Tri::Unknown, |e| Tri::from_bool(e.is_ear99())),
                        ItemScope::UniquelyRequired10nm => {
                            Tri::from_option(item.uniquely_required_10nm)
                        }
                        ItemScope::For200mmFacility => Tri::from_option(item.for_200mm_facility),
                        ItemScope::Described(_) => Tri::Unknown,
                    };
                    match applies {
                        Tri::True => {
                            return PolicyResolution {
                                policy: Some(c.policy),
                                why: format!(
                                    "entry: {} for {}",
                                    c.policy.words(),
                                    describe_scope(&c.scope)
                                ),
                                questions,
                            };
                        }
                        Tri::Unknown => {
                            questions.push(format!(
                                "Is the item one of {}? If so, the entry's policy is {}.",
                                describe_scope(&c.scope),
                                c.policy.words()
                            ));
                            worst_unknown = worst_unknown.max(Some(c.policy));
                        }
                        Tri::False => {}
                    }
                }
                // A carve-out that might apply and is stricter than the default wins until the
                // question is answered: the conservative reading.
                match (*default, worst_unknown) {
                    (Some(d), Some(w)) if w > d => PolicyResolution {
                        policy: Some(w),
                        why: format!("entry: {} assumed until the open question is answered (otherwise {})", w.words(), d.words()),
                        questions,
                    },
                    (Some(d), _) => PolicyResolution { policy: Some(d), why: format!("entry: {}", d.words()), questions },
                    (None, w) => PolicyResolution {
                        policy: w.or_else(|| clauses.iter().map(|c| c.policy).max()),
                        why: "entry: no clause clearly covers the item; the most restrictive possible policy is assumed".into(),
                        questions,
                    },
                }
            }
        }
    }
}

fn describe_scope(scope: &ItemScope) -> String {
    match scope {
        ItemScope::All => "all items".into(),
        ItemScope::Eccns(l) => format!("items in {}", l.join(", ")),
        ItemScope::NotEccns(l) => format!("items not in {}", l.join(", ")),
        ItemScope::CclItems => "items on the CCL".into(),
        ItemScope::Ear99 => "EAR99 items".into(),
        ItemScope::UniquelyRequired10nm => {
            "items uniquely required for production at 10 nm or below (incl. EUV)".into()
        }
        ItemScope::For200mmFacility => {
            "items designed for 200 mm wafer production destined to a 200 mm facility".into()
        }
        ItemScope::Described(t) => format!("items described as `{t}`"),
    }
}

fn describe_policy(p: &PolicyTerms) -> String {
    match p {
        PolicyTerms::Clauses { default, clauses } => {
            let mut parts: Vec<String> = clauses
                .iter()
                .map(|c| format!("{} for {}", c.policy.name(), describe_scope(&c.scope)))
                .collect();
            if let Some(d) = default {
                parts.push(format!("{} otherwise", d.name()));
            }
            parts.join("; ")
        }
        PolicyTerms::CrossReference { sections } => format!("see §§ {}", sections.join(", ")),
        PolicyTerms::Missing => "no policy text".into(),
        PolicyTerms::NoPolicyStated { .. } => "policy column states no policy".into(),
        PolicyTerms::Unrecognised { text } => format!("UNRECOGNISED `{text}`"),
    }
}

/// Normalises one FR citation ("85  FR 83420" → "85 FR 83420").
pub fn normalise_fr(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// Every `NN FR NNNNN` citation in `text`, normalised, in order.
pub fn fr_citations(text: &str) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for w in words.windows(3) {
        if w[1].eq_ignore_ascii_case("FR") && w[0].chars().all(|c| c.is_ascii_digit()) {
            let page: String = w[2].chars().take_while(char::is_ascii_digit).collect();
            if !page.is_empty() {
                out.push(format!("{} FR {page}", w[0]));
            }
        }
    }
    out
}

/// A section reference found in text, with its byte span.
struct SectionRef {
    text: String,
    end: usize,
}

/// Finds `NNN.N[N](x)(y)` references; tolerates the `744.2l(b)` typo (l for 1).
fn section_refs(text: &str) -> Vec<SectionRef> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 < b.len() {
        let starts = b[i..i + 3].iter().all(u8::is_ascii_digit)
            && b[i + 3] == b'.'
            && b[i + 4].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_digit());
        if !starts {
            i += 1;
            continue;
        }
        let mut s = String::from_utf8_lossy(&b[i..i + 4]).to_string();
        let mut j = i + 4;
        while j < b.len()
            && (b[j].is_ascii_digit() || (b[j] == b'l' && j + 1 < b.len() && b[j + 1] == b'('))
        {
            s.push(if b[j] == b'l' { '1' } else { b[j] as char });
            j += 1;
        }
        loop {
            // A space before "(x)" is tolerated ("744.2 (d)").
            let k = if j < b.len() && b[j] == b' ' && j + 1 < b.len() && b[j + 1] == b'(' {
                j + 1
            } else {
                j
            };
            if k < b.len()
                && b[k] == b'('
                && let Some(close) = b[k..].iter().position(|&c| c == b')')
            {
                let inner = &b[k + 1..k + close];
                if !inner.is_empty()
                    && inner.len() <= 4
                    && inner.iter().all(u8::is_ascii_alphanumeric)
                {
                    s.push('(');
                    s.push_str(&String::from_utf8_lossy(inner));
                    s.push(')');
                    j = k + close + 1;
                    continue;
                }
            }
            break;
        }
        // "744.21e" (missing parentheses)
        if j < b.len()
            && b[j].is_ascii_lowercase()
            && (j + 1 == b.len() || !b[j + 1].is_ascii_alphanumeric())
        {
            s.push('(');
            s.push(b[j] as char);
            s.push(')');
            j += 1;
        }
        out.push(SectionRef { text: s, end: j });
        i = j;
    }
    out
}

/// A footnote digit (1-5) right after position `at` (skipping one `,` and/or one space).
fn footnote_after(b: &[u8], at: usize) -> Option<u8> {
    let mut k = at;
    if k < b.len() && b[k] == b')' {
        k += 1;
    }
    if k < b.len() && b[k] == b',' {
        k += 1;
    }
    if k < b.len() && b[k] == b' ' {
        k += 1;
    }
    if k < b.len() && (b'1'..=b'5').contains(&b[k]) {
        let next = b.get(k + 1).copied();
        let glued_number = next.is_some_and(|n| {
            n.is_ascii_digit() || (n == b'.' && b.get(k + 2).is_some_and(u8::is_ascii_digit))
        });
        if !glued_number {
            return Some(b[k] - b'0');
        }
    }
    None
}

fn fold(text: &str) -> String {
    text.to_lowercase()
        .replace(['\u{2019}', '\u{2018}'], "'")
        .replace("casa-by-case", "case-by-case")
        .replace("case-by case", "case-by-case")
        .replace("case by case", "case-by-case")
        .replace("presumption for denial", "presumption of denial")
}

/// Parses the two columns of an Entity List entry.
pub fn parse_entity_list_terms(license_requirement: &str, license_policy: &str) -> EntityListTerms {
    let req = license_requirement.trim();
    let folded = fold(req);
    let scope = if folded.contains("when used in projects specified in") {
        RequirementScope::AllItemsForProjects
    } else if folded.contains("items on the ccl and")
        && folded.contains("supplement no. 7 to part 746")
    {
        RequirementScope::CclAndListedEar99
    } else if folded.contains("all items subject to the ear") {
        if let Some(pos) = folded
            .find(" except for")
            .or_else(|| folded.find(", except"))
            .or_else(|| folded.find(", apart from"))
        {
            RequirementScope::AllItemsExcept(
                folded[pos..]
                    .trim_start_matches([',', ' '])
                    .chars()
                    .take(120)
                    .collect(),
            )
        } else {
            RequirementScope::AllItems
        }
    } else if req.is_empty() {
        RequirementScope::AllItems
    } else {
        RequirementScope::Unrecognised(req.to_string())
    };
    let b = req.as_bytes();
    let refs = section_refs(req);
    let mut footnotes = Vec::new();
    for r in &refs {
        if let Some(f) = footnote_after(b, r.end) {
            footnotes.push(f);
        }
    }
    let lower = req.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("ear") {
        let end = from + pos + 3;
        let word_end = b.get(end).is_none_or(|c| !c.is_ascii_alphabetic());
        let word_start = from + pos == 0 || !b[from + pos - 1].is_ascii_alphabetic();
        if word_end
            && word_start
            && let Some(f) = footnote_after(b, end)
        {
            footnotes.push(f);
        }
        from = end;
    }
    footnotes.sort_unstable();
    footnotes.dedup();
    let mut cites: Vec<String> = refs.into_iter().map(|r| r.text).collect();
    cites.dedup();
    EntityListTerms {
        scope,
        cites,
        footnotes,
        gov_exception: folded.contains("license exception gov"),
        worldwide: folded.contains("wherever located worldwide"),
        policy: parse_policy(license_policy),
    }
}

const KEYWORDS: &[(&str, Policy)] = &[
    ("presumption of denial", Policy::PresumptionOfDenial),
    ("policy of denial", Policy::PolicyOfDenial),
    ("presumption of approval", Policy::PresumptionOfApproval),
    ("case-by-case", Policy::CaseByCase),
];

/// Splits the policy text into clauses, each starting at a policy keyword.
fn clauses(text: &str) -> Vec<(Policy, String)> {
    let mut starts: Vec<(usize, Policy)> = Vec::new();
    for (kw, p) in KEYWORDS {
        let mut from = 0;
        while let Some(pos) = text[from..].find(kw) {
            starts.push((from + pos, *p));
            from += pos + kw.len();
        }
    }
    starts.sort_by_key(|s| s.0);
    let mut out = Vec::new();
    for (i, (start, policy)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |s| s.0);
        out.push((*policy, text[*start..end].to_string()));
    }
    out
}

/// Expands an ECCN list as entries write it: `3B001.a.4, .c, .d, f.1.b.2, .k to .p; 3B002.c,
/// 3B993, or 3B994`.
fn eccn_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut base: Option<String> = None;
    let cleaned = text
        .replace(" or ", ", ")
        .replace(" and ", ", ")
        .replace(';', ",");
    for raw in cleaned.split(',') {
        let token = raw.trim().trim_end_matches('.').trim();
        let token = token
            .trim_start_matches("eccns ")
            .trim_start_matches("eccn ")
            .trim();
        if token.is_empty() {
            continue;
        }
        let (first, last) = match token.split_once(" to ") {
            Some((a, b)) => (a.trim(), Some(b.trim())),
            None => (token, None),
        };
        let absolute = |t: &str, base: &Option<String>| -> Option<String> {
            if let Some(e) = Eccn::parse(t) {
                return Some(e.to_string());
            }
            let rel = t.trim_start_matches('.');
            base.as_ref()
                .map(|b| format!("{b}.{rel}"))
                .filter(|s| Eccn::parse(s).is_some())
        };
        let Some(first_abs) = absolute(first, &base) else {
            continue;
        };
        if let Some(e) = Eccn::parse(&first_abs) {
            base = Some(e.entry.clone());
        }
        match last.and_then(|l| absolute(l, &base)) {
            Some(last_abs) => {
                // ".k to .p": letters from k to p at the same depth.
                let (Some(a), Some(b)) = (Eccn::parse(&first_abs), Eccn::parse(&last_abs)) else {
                    continue;
                };
                let (Some(ca), Some(cb)) = (
                    a.paragraphs.last().and_then(|p| p.chars().next()),
                    b.paragraphs.last().and_then(|p| p.chars().next()),
                ) else {
                    out.push(first_abs);
                    out.push(last_abs);
                    continue;
                };
                let prefix: Vec<String> = a.paragraphs[..a.paragraphs.len() - 1].to_vec();
                for c in ca..=cb {
                    let mut p = prefix.clone();
                    p.push(c.to_string());
                    out.push(format!("{}.{}", a.entry, p.join(".")));
                }
            }
            None => out.push(first_abs),
        }
    }
    out
}

fn clause_scope(body: &str, kw_len: usize) -> ItemScope {
    let rest = body[kw_len..]
        .trim()
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ';', ' ']);
    let rest = rest
        .strip_suffix("; and")
        .or_else(|| rest.strip_suffix(" and"))
        .unwrap_or(rest)
        .trim_end_matches(['.', ';', ' ']);
    let rest = rest.strip_prefix("review").unwrap_or(rest).trim();
    let rest = rest.strip_prefix("basis").unwrap_or(rest).trim();
    if rest.is_empty() || rest.starts_with("see ") || rest.starts_with("see§") {
        return ItemScope::All;
    }
    if rest.starts_with("for all items subject to the ear")
        || rest.starts_with("for all other items")
        || rest.starts_with("for all items to include")
    {
        return ItemScope::All;
    }
    if rest.contains("uniquely required") {
        return ItemScope::UniquelyRequired10nm;
    }
    if rest.contains("200mm") || rest.contains("200 mm") {
        return ItemScope::For200mmFacility;
    }
    if let Some(list) = rest
        .strip_prefix("for items not described in eccn")
        .or_else(|| rest.strip_prefix("for items not described in"))
    {
        return ItemScope::NotEccns(eccn_list(list));
    }
    if rest.starts_with("for all items listed on the ccl")
        || rest.starts_with("for items listed on the ccl")
        || rest.starts_with("for all items on the ccl")
    {
        return ItemScope::CclItems;
    }
    if rest.starts_with("for ear99") {
        return ItemScope::Ear99;
    }
    if let Some(list) = rest
        .strip_prefix("for eccns")
        .or_else(|| rest.strip_prefix("for eccn"))
    {
        let list_part = list.split(", and for ").next().unwrap_or(list);
        return ItemScope::Eccns(eccn_list(list_part));
    }
    ItemScope::Described(rest.trim_start_matches("for ").to_string())
}

/// Parses the review policy column.
pub fn parse_policy(text: &str) -> PolicyTerms {
    let raw = text.trim();
    if raw.is_empty() {
        return PolicyTerms::Missing;
    }
    let folded = fold(raw);
    let parts = clauses(&folded);
    if parts.is_empty() {
        let sections: Vec<String> = section_refs(&folded).into_iter().map(|r| r.text).collect();
        if folded.starts_with("see") && !sections.is_empty() {
            return PolicyTerms::CrossReference { sections };
        }
        if folded.starts_with("for all items subject to the ear") {
            return PolicyTerms::NoPolicyStated {
                text: raw.to_string(),
            };
        }
        return PolicyTerms::Unrecognised {
            text: raw.to_string(),
        };
    }
    let mut default = None;
    let mut out = Vec::new();
    for (i, (policy, body)) in parts.iter().enumerate() {
        let kw_len = KEYWORDS
            .iter()
            .find(|(_, p)| p == policy)
            .map_or(0, |(k, _)| k.len());
        // "Presumption of denial except case-by-case for items not described in ...": the
        // keyword clause before "except" is the default.
        let body_trim = body.trim();
        if body_trim[kw_len..].trim_start().starts_with("except") {
            default = Some(*policy);
            continue;
        }
        // "Policy of denial for all items subject to the EAR apart from food and medicine
        // designated as EAR99, which will be reviewed on a case-by-case basis".
        if let Some(pos) = body_trim.find("apart from ") {
            default = Some(*policy);
            let described = body_trim[pos + "apart from ".len()..]
                .split(", which will be reviewed")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            // The keyword after "which will be reviewed on a" is the next clause; attach the
            // described items to it.
            if let Some((next_policy, _)) = parts.get(i + 1) {
                out.push(PolicyClause {
                    policy: *next_policy,
                    scope: ItemScope::Described(described),
                });
            }
            continue;
        }
        if i > 0 && parts[i - 1].1.contains("apart from ") {
            // Already attached above ("... basis. See §§ 746.8(b) ...").
            continue;
        }
        let scope = clause_scope(body_trim, kw_len);
        if scope == ItemScope::All {
            if default.is_none() {
                default = Some(*policy);
            }
        } else {
            out.push(PolicyClause {
                policy: *policy,
                scope,
            });
        }
    }
    PolicyTerms::Clauses {
        default,
        clauses: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footnotes_in_all_spellings() {
        let cases = [
            (
                "For all items subject to the EAR (See §§734.4(a)(9), 734.9(e)(3), and 744.11 of the EAR)5",
                vec![5],
            ),
            (
                "For all items subject to the EAR, see §§ 734.9(e)1 and 744.11 of the EAR2",
                vec![1, 2],
            ),
            (
                "For all items subject to the EAR, see §§ 734.9(e) 1 and 744.11 of the EAR 2",
                vec![1, 2],
            ),
            (
                "For All Items Subject to the EAR (See §734.9(g), 3 §746.8(a)(3), and §744.11 of the EAR).",
                vec![3],
            ),
            (
                "For all items subject to the EAR. (See §§ 734.9(e) and 744.11 of the EAR) 4",
                vec![4],
            ),
            (
                "For all items subject to the EAR (See §§734.9(g)3, 746.8(a)(3), and 744.2l(b) of the EAR)",
                vec![3],
            ),
            (
                "For all items subject to the EAR. (See § 744.11 of the EAR)",
                vec![],
            ),
            (
                "For all items subject to the EAR (See §744.11 of the EAR), apart from items that are related to transactions that are authorized by the Department of the Treasury's Office of Foreign Assets Control pursuant to General License No. 11 of December 20, 2016.",
                vec![],
            ),
            (
                "All items subject to the EAR, apart from items that are related to transactions that are authorized by the Department of the Treasury’s Office of Foreign Assets Control pursuant to General License No. 1B of March 2, 2021. (See §§ 734.9(g),3 746.8(a)(3), and 744.21(b) of the EAR)",
                vec![3],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_entity_list_terms(text, "Presumption of denial").footnotes,
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn smic_policies() {
        let t = parse_policy(
            "Presumption of denial for all items to include items described in ECCN 3B001.a.4, .c, .d, f.1.b.2, .k to .p; 3B002.c, 3B993, or 3B994. Case-by-case for items designed for production of 200mm wafers destined to a 200mm wafer production facility.",
        );
        assert_eq!(
            t,
            PolicyTerms::Clauses {
                default: Some(Policy::PresumptionOfDenial),
                clauses: vec![PolicyClause {
                    policy: Policy::CaseByCase,
                    scope: ItemScope::For200mmFacility
                }]
            }
        );
        let t = parse_policy(
            "Presumption of denial except case-by-case for items not described in ECCN 3B001.a.4, .c, .d, f.1.b.2, .k to .p; 3B002.c, 3B993, or 3B994",
        );
        let PolicyTerms::Clauses { default, clauses } = t else {
            panic!()
        };
        assert_eq!(default, Some(Policy::PresumptionOfDenial));
        let ItemScope::NotEccns(list) = &clauses[0].scope else {
            panic!("{clauses:?}")
        };
        assert!(
            list.contains(&"3B001.m".to_string()) && list.contains(&"3B994".to_string()),
            "{list:?}"
        );
        let e = Eccn::parse("3B001.c").unwrap();
        let r = parse_policy(
            "Presumption of denial except case-by-case for items not described in ECCN 3B001.a.4, .c, .d, f.1.b.2, .k to .p; 3B002.c, 3B993, or 3B994",
        );
        let terms = EntityListTerms {
            scope: RequirementScope::AllItems,
            cites: vec![],
            footnotes: vec![],
            gov_exception: false,
            worldwide: false,
            policy: r,
        };
        assert_eq!(
            terms
                .policy_for(ItemFacts {
                    eccn: Some(&e),
                    ..Default::default()
                })
                .policy,
            Some(Policy::PresumptionOfDenial)
        );
        let e = Eccn::parse("3B001.a.1").unwrap();
        assert_eq!(
            terms
                .policy_for(ItemFacts {
                    eccn: Some(&e),
                    ..Default::default()
                })
                .policy,
            Some(Policy::CaseByCase)
        );
    }

    #[test]
    fn fr_list() {
        assert_eq!(
            fr_citations("85 FR 83420; 89 FR 96837"),
            vec!["85 FR 83420", "89 FR 96837"]
        );
    }
}
