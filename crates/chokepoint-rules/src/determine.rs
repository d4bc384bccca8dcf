//! The determination: jurisdiction first, then license requirements, US-person rules,
//! exception restrictions, license exceptions and authorizations, each rule evaluated on the
//! as-of date with three-valued logic.
//!
//! Stages (each rule declares its own): `jurisdiction` decides whether and by which route the item
//! is subject to the EAR; `license` rules run when it is (or might be); `us_person` rules run in
//! any case (744.6 reaches items not subject to the EAR); `restriction` rules narrow the license
//! exceptions; `exception` and `authorization` rules say what may overcome a requirement.
//!
//! Knowledge facts (what the exporter knows: military end use, IC production at a facility...)
//! count as "not known" when unstated, because the EAR's end-use rules turn on knowledge; but
//! every rule is evaluated a second time with those facts assumed, and when that would change
//! its outcome the answer carries the question. Other missing facts are plain unknowns.
//!
//! Review policy precedence, most restrictive first: policy of denial, presumption of denial,
//! case-by-case, presumption of approval. The combined policy is the most restrictive policy of
//! the requirements that apply.

use crate::cond::{CmpOp, Expr, Fact, Tri, Value};
use crate::eccn::{self, Eccn};
use crate::facility::{FacilityClass, classify_facility};
use crate::input::{FieldProblem, Makes, Party, Record, RecordError, date_out_of_range};
use crate::regime::{Classification, Regime};
use crate::ruleset::{Confidence, Policy, Review, Rule, RuleSet, Stage, Status};
use crate::terms::{self, EntityListTerms, ItemFacts, parse_entity_list_terms};
use chokepoint_model::Date;
use serde::Serialize;
use std::collections::BTreeSet;
use std::ops::Not;

/// One screening hit for a party name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListHit {
    /// List code (`entity_list`, `meu_list`...).
    pub list: String,
    /// The entry's name.
    pub entry_name: String,
    /// Match score (0–1).
    pub score: f64,
    /// License requirement column.
    pub license_requirement: Option<String>,
    /// License review policy column.
    pub license_policy: Option<String>,
    /// FR citations.
    pub fr: Vec<String>,
    /// Footnotes, if already parsed.
    pub footnotes: Vec<u8>,
}

/// Screens a name against the loaded lists as of a date (supplied by the engine).
pub trait PartyLookup {
    /// The hits for `name` (optionally in `country`) on `as_of`.
    fn lookup(&self, name: &str, country: Option<&str>, as_of: Date) -> Vec<ListHit>;
}

/// What the caller supplies besides the rule set and the record.
#[derive(Default, Clone, Copy)]
pub struct Context<'a> {
    /// Name screening for parties whose list status is not given.
    pub lookup: Option<&'a dyn PartyLookup>,
    /// Identifier of the list snapshot the lookup uses (recorded as evidence).
    pub list_snapshot: Option<&'a str>,
    /// Answer for this date instead of the record's.
    pub as_of_override: Option<Date>,
}

/// Is the item subject to the EAR?
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectToEar {
    /// `yes`, `no` or `unknown`.
    pub answer: &'static str,
    /// The routes (rule ids with citations) that make it subject.
    pub basis: Vec<String>,
    /// In words.
    pub explanation: String,
}

/// The license answer: `true`, `false`, `"not subject to EAR"` or `"unknown"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseRequired {
    /// A license requirement applies (even if an exception or authorization overcomes it).
    Yes,
    /// Subject to the EAR (or possibly so) and no requirement applies.
    No,
    /// Not subject to the EAR and no US-person rule applies.
    NotSubjectToEar,
    /// Depends on facts not given (see `unknowns`).
    Unknown,
}

impl Serialize for LicenseRequired {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LicenseRequired::Yes => s.serialize_bool(true),
            LicenseRequired::No => s.serialize_bool(false),
            LicenseRequired::NotSubjectToEar => s.serialize_str("not subject to EAR"),
            LicenseRequired::Unknown => s.serialize_str("unknown"),
        }
    }
}

/// A rule in the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOutcome {
    /// Rule id.
    pub id: String,
    /// Citation (for Entity List rules, with the entry's FR citations).
    pub citation: String,
    /// Title.
    pub title: String,
    /// `subject_to_ear`, `license_required`, `may_apply`, `not_triggered`, `suspended`,
    /// `compliance_not_yet_required`, `restricts_exceptions`.
    pub effect: &'static str,
    /// Why it fired (or did not).
    pub why: Vec<String>,
    /// The party it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// Its review policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_policy: Option<Policy>,
    /// Where the policy comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_basis: Option<String>,
    /// Research confidence.
    pub confidence: Confidence,
    /// Caveats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A license exception in the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionOutcome {
    /// Symbol (`GBS`), or `*` for "all".
    pub symbol: String,
    /// Citation.
    pub citation: String,
    /// Why.
    pub why: String,
}

/// License exceptions: excluded, available, and available only if an open question resolves.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Exceptions {
    /// Excluded, with the rule that excludes them.
    pub excluded: Vec<ExceptionOutcome>,
    /// May be used (subject to their own terms and recordkeeping).
    pub available: Vec<ExceptionOutcome>,
    /// Would be available if an open question resolves favourably.
    pub conditional: Vec<ExceptionOutcome>,
}

/// An open question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// The question.
    pub question: String,
    /// The rules whose outcome it could change.
    pub rules: Vec<String>,
}

/// Evidence for replaying the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Rule-set id.
    pub ruleset: String,
    /// Rule-set version.
    pub ruleset_version: String,
    /// List snapshot used for screening.
    pub list_snapshot: Option<String>,
    /// The date answered for.
    pub as_of: Date,
}

/// Screening hits used for a party.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreeningUse {
    /// The party name.
    pub party: String,
    /// The hits used.
    pub hits: Vec<ListHit>,
}

/// The answer for one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Determination {
    /// Record id.
    pub id: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The date answered for.
    pub as_of: Date,
    /// Jurisdiction.
    pub subject_to_ear: SubjectToEar,
    /// License answer.
    pub license_required: LicenseRequired,
    /// Combined review policy (`unknown` when no applicable policy could be determined).
    #[serde(serialize_with = "ser_policy")]
    pub review_policy: Option<Policy>,
    /// Rules that fired, or decided the outcome by not firing.
    pub rules: Vec<RuleOutcome>,
    /// License exceptions.
    pub license_exceptions: Exceptions,
    /// Authorizations (VEU, temporary general licenses) that may be used.
    pub authorizations: Vec<ExceptionOutcome>,
    /// Questions whose answers could change the determination.
    pub unknowns: Vec<Question>,
    /// Caveats: unconfirmed rules that fired, savings clauses, compliance dates.
    pub notes: Vec<String>,
    /// Screening used for parties given by name only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub screening: Vec<ScreeningUse>,
    /// One answer per regime that applies: the US (always, summarising the fields above) and
    /// Japan, the Netherlands or the EU when the exporter's country brings them in.
    pub jurisdictions: Vec<crate::allied::JurisdictionAnswer>,
    /// Evidence.
    pub evidence: Evidence,
}

fn ser_policy<S: serde::Serializer>(p: &Option<Policy>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.map_or("unknown", Policy::name))
}

// ---------------------------------------------------------------------------------------------

pub(crate) struct Entry<'a> {
    list: String,
    footnotes: Vec<u8>,
    fr: Vec<String>,
    /// Borrowed from the rule set's known terms when possible (no copy per determination).
    terms: std::borrow::Cow<'a, EntityListTerms>,
    terms_source: String,
}

pub(crate) struct PartyView<'a> {
    party: &'a Party,
    /// The name, folded for `party.name_like`.
    folded_name: String,
    /// `None`: not screened and no lookup.
    entries: Option<Vec<Entry<'a>>>,
    /// Listed owners: (percent, entries); unknown-status owners' total percent.
    listed_owners: Vec<(f64, String, Vec<Entry<'a>>)>,
    unknown_owner_percent: f64,
    has_ownership: bool,
}

pub(crate) struct Ctx<'a> {
    pub(crate) rules: &'a RuleSet,
    pub(crate) record: &'a Record,
    pub(crate) as_of: Date,
    /// The item's classification per allied regime (JP, NL, EU), as read.
    pub(crate) classifications: Vec<(Regime, Classification)>,
    /// Whether destinations go through the rule set's (US) aliases; off for allied regimes.
    pub(crate) us_aliases: std::cell::Cell<bool>,
    destination: &'a str,
    eccn: Option<Eccn>,
    parties: Vec<PartyView<'a>>,
    facility: Option<FacilityClass>,
    hints: Vec<(&'static str, bool, String)>,
    subject: Tri,
    subject_via: Vec<String>,
    chart_applies: Tri,
    chart_license: Tri,
    chart_reasons: Vec<String>,
    chart_detail: Vec<String>,
    item_reasons: Vec<String>,
    direct_product_of: Option<Vec<Eccn>>,
    /// Whether the activity exports, reexports or transfers the item itself (activity stage):
    /// `False` holds back the item's own license requirements, exceptions and authorizations.
    exports_item: Tri,
}

/// Traces what an evaluation relied on.
#[derive(Default)]
pub(crate) struct Trace {
    pub(crate) defaulted: Vec<Fact>,
    pub(crate) unknown: Vec<Fact>,
}

/// Folds a name for containment matching: lower case, punctuation dropped, spaces collapsed.
pub(crate) fn fold_name(s: &str) -> String {
    fold(s)
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn entry_from_status<'a>(
    rules: &'a RuleSet,
    party_name: &str,
    st: &crate::input::ListStatus,
    as_of: Date,
) -> Entry<'a> {
    let fr = st
        .fr
        .as_deref()
        .map(terms::fr_citations)
        .unwrap_or_default();
    let (terms, source) = if st.license_policy.is_some() || st.license_requirement.is_some() {
        (
            std::borrow::Cow::Owned(parse_entity_list_terms(
                st.license_requirement.as_deref().unwrap_or(""),
                st.license_policy
                    .as_deref()
                    .or(st.entry_review_policy.as_deref())
                    .unwrap_or(""),
            )),
            "entry text given".to_string(),
        )
    } else if let Some(p) = &st.entry_review_policy {
        (
            std::borrow::Cow::Owned(parse_entity_list_terms("", p)),
            "entry review policy given".to_string(),
        )
    } else if let Some(known) = known_terms(rules, party_name, &fr, as_of) {
        (
            std::borrow::Cow::Borrowed(&known.terms),
            format!("rule-set entry terms `{}` ({})", known.id, known.source),
        )
    } else {
        (
            std::borrow::Cow::Owned(parse_entity_list_terms("", "")),
            "no entry terms given or known".to_string(),
        )
    };
    let mut footnotes = st.footnotes.clone();
    if st.license_requirement.is_some() {
        footnotes.extend(terms.footnotes.iter().copied());
    }
    footnotes.sort_unstable();
    footnotes.dedup();
    Entry {
        list: st.list.clone(),
        footnotes,
        fr,
        terms,
        terms_source: source,
    }
}

fn known_terms<'a>(
    rules: &'a RuleSet,
    name: &str,
    fr: &[String],
    as_of: Date,
) -> Option<&'a crate::ruleset::EntryTerms> {
    let candidates = rules
        .entry_terms
        .iter()
        .filter(|t| as_of >= t.from && t.until.is_none_or(|u| as_of <= u))
        .filter(|t| t.fr.iter().any(|f| fr.contains(f)));
    let mut candidates = candidates.peekable();
    candidates.peek()?;
    let folded = fold(name);
    candidates
        .filter(|t| {
            t.names.is_empty() || t.folded_names.iter().any(|n| folded.contains(n.as_str()))
        })
        .max_by_key(|t| (!t.names.is_empty(), t.from))
}

fn entry_from_hit<'a>(hit: &ListHit) -> Entry<'a> {
    let terms = parse_entity_list_terms(
        hit.license_requirement.as_deref().unwrap_or(""),
        hit.license_policy.as_deref().unwrap_or(""),
    );
    let mut footnotes = hit.footnotes.clone();
    footnotes.extend(terms.footnotes.iter().copied());
    footnotes.sort_unstable();
    footnotes.dedup();
    Entry {
        list: hit.list.clone(),
        footnotes,
        fr: hit.fr.clone(),
        terms: std::borrow::Cow::Owned(terms),
        terms_source: format!(
            "screening hit `{}` (score {:.2})",
            hit.entry_name, hit.score
        ),
    }
}

const RESTRICTED_OWNER_LISTS: &[&str] = &["entity_list", "meu_list"];

impl<'a> Ctx<'a> {
    fn group_has(&self, group: &str, code: &str) -> bool {
        self.rules
            .group(group)
            .is_some_and(|g| g.contains(code, self.as_of))
    }

    fn hint(&self, fact: &str) -> Option<bool> {
        self.hints.iter().find(|h| h.0 == fact).map(|h| h.1)
    }

    fn tx(&self) -> &'a crate::input::Transaction {
        &self.record.transaction
    }

    /// The item's classification under `regime`, if given.
    pub(crate) fn classification(&self, regime: Regime) -> Option<&Classification> {
        self.classifications
            .iter()
            .find(|(r, _)| *r == regime)
            .map(|(_, c)| c)
    }

    fn country(&self, fact: Fact, party: Option<&PartyView<'a>>) -> Option<&'a str> {
        let tx = self.tx();
        match fact {
            Fact::Destination if !self.us_aliases.get() => Some(tx.destination_country.as_str()),
            Fact::Destination => Some(self.destination),
            Fact::ExporterCountry => Some(tx.exporter.country.as_str()),
            Fact::ExporterHq => Some(
                tx.exporter
                    .headquarters_country
                    .as_deref()
                    .unwrap_or(&tx.exporter.country),
            ),
            Fact::ItemOrigin => Some(tx.item.origin_country.as_str()),
            Fact::PartyCountry => party.and_then(|p| p.party.country.as_deref()),
            Fact::PartyHq => party.and_then(|p| p.party.headquarters_country.as_deref()),
            Fact::FacilityOwnerHq => tx
                .facility
                .as_ref()
                .and_then(|f| f.owner_hq_country.as_deref()),
            Fact::ServicerEmployerHq => Some(
                tx.servicing_person
                    .as_ref()
                    .and_then(|s| s.employer_headquarters.as_deref())
                    .or(tx.exporter.headquarters_country.as_deref())
                    .unwrap_or(&tx.exporter.country),
            ),
            _ => None,
        }
    }

    /// A yes/no fact. Knowledge facts default to "no" (or "yes" in the hypothetical pass).
    fn boolean(
        &self,
        fact: Fact,
        party: Option<&PartyView<'_>>,
        hyp: bool,
        trace: &mut Trace,
    ) -> Tri {
        let tx = self.tx();
        let item = &tx.item;
        let value: Option<bool> = match fact {
            Fact::ExporterUsPerson => tx.exporter.us_person,
            Fact::ServicerUsPerson => tx.servicing_person.as_ref().and_then(|s| s.us_person),
            Fact::UsPersonInvolved => {
                let e = Tri::from_option(tx.exporter.us_person);
                let s = match &tx.servicing_person {
                    Some(sp) => Tri::from_option(sp.us_person),
                    None => Tri::False,
                };
                let t = e.or(s);
                if t == Tri::Unknown {
                    trace.unknown.push(fact);
                }
                return t;
            }
            Fact::ItemForeignMade => Some(item.origin_country != "US"),
            Fact::ItemFdpTech => item.foreign_direct_product_of_us_tech,
            Fact::ItemFdpPlant => item.made_by_plant_that_is_us_direct_product,
            Fact::ItemContainsUsIc => item.contains_us_origin_ic,
            Fact::ItemContainsIcFromUsPlant => item
                .contains_ic_from_us_derived_plant
                .or_else(|| self.hint("item.contains_ic_from_us_derived_plant")),
            Fact::ItemDataCenter => item
                .designed_for_data_centers
                .or_else(|| self.hint("item.designed_for_data_centers")),
            Fact::ItemUniquely10nm => item
                .uniquely_required_10nm
                .or_else(|| self.hint("item.uniquely_required_10nm")),
            Fact::ItemSubject => {
                return self.subject;
            }
            Fact::ItemChartApplies => return self.chart_applies,
            Fact::ItemChartLicense => return self.chart_license,
            Fact::FacilityPresent => Some(tx.facility.is_some()),
            Fact::FacilityAdvancedNode => match &self.facility {
                None => None,
                Some(c) => c.advanced,
            },
            Fact::FacilityNodeKnown => tx.facility.as_ref().and_then(|f| {
                f.node_known.or_else(|| {
                    self.facility
                        .as_ref()
                        .and_then(|c| c.advanced)
                        .map(|_| true)
                })
            }),
            Fact::PartyHasListedOwner => party.map(|p| !p.listed_owners.is_empty()),
            Fact::EndUseForeignEquivalent => self.hint("end_use.foreign_equivalent_available"),
            Fact::EndUseBelow5g => self.hint("end_use.below_5g"),
            // Knowledge facts.
            Fact::EndUseMilitary => self.hint("end_use.military"),
            Fact::EndUseMilitaryEndUser => self.hint("end_use.military_end_user").or_else(|| {
                self.parties
                    .iter()
                    .any(|p| p.party.military_end_user == Some(true))
                    .then_some(true)
            }),
            Fact::PartyMilitaryEndUser => party.and_then(|p| p.party.military_end_user),
            Fact::EndUseSupercomputer => self.hint("end_use.supercomputer"),
            Fact::EndUseSmeProduction => self.hint("end_use.sme_production"),
            Fact::EndUseExistingNetwork => self.hint("end_use.existing_network_support"),
            Fact::UsGovernmentConsignee => tx.us_government_consignee,
            Fact::ItemNxt1970i1980i => self.hint("item.nxt_1970i_1980i"),
            Fact::EndUseWmd => self.hint("end_use.wmd"),
            Fact::ExporterInformed => None,
            Fact::ItemSoftwareOrTechnology => {
                if tx.activity.is_deemed() {
                    Some(true)
                } else {
                    self.eccn
                        .as_ref()
                        .filter(|e| !e.is_ear99())
                        .map(|e| matches!(e.entry.as_bytes().get(1), Some(b'D' | b'E')))
                }
            }
            Fact::ReleasesSoftwareOrTechnology => tx.releases_software_or_technology,
            Fact::ReleaseLicenseRequired => None,
            Fact::EndUseMilitaryIntelligence => self.hint("end_use.military_intelligence"),
            Fact::ServicerEmployerOwnedByD5 => tx
                .servicing_person
                .as_ref()
                .and_then(|s| s.employer_majority_owned_by_d5),
            Fact::ItemClassJp | Fact::ItemClassNl | Fact::ItemClassEu => fact
                .classification_regime()
                .and_then(|r| self.classification(r))
                .map(|c| matches!(c, Classification::Code(_))),
            Fact::EndUseIcProduction => self.hint("end_use.ic_production").or_else(|| {
                tx.facility.as_ref().and_then(|f| match f.makes {
                    Some(Makes::Logic | Makes::Dram | Makes::Nand) => Some(true),
                    Some(Makes::BackEnd | Makes::None) => Some(false),
                    None => None,
                })
            }),
            Fact::PartyMajorityOwnedByD5 => party.and_then(|p| {
                p.party.majority_owned_by_d5.or_else(|| {
                    p.party.ownership.as_ref().and_then(|owners| {
                        let d5 = |c: &str| c == "MO" || self.group_has("D:5", c);
                        if owners.iter().any(|o| {
                            o.percent > 50.0 && o.headquarters_country.as_deref().is_some_and(d5)
                        }) {
                            Some(true)
                        } else if owners.iter().all(|o| o.headquarters_country.is_some()) {
                            Some(false)
                        } else {
                            None
                        }
                    })
                })
            }),
            _ => None,
        };
        match value {
            Some(v) => Tri::from_bool(v),
            None if fact.is_knowledge() => {
                trace.defaulted.push(fact);
                Tri::from_bool(hyp)
            }
            None => {
                trace.unknown.push(fact);
                Tri::Unknown
            }
        }
    }

    /// Whether a string-valued fact takes one of `values`; `None` when the fact is not given.
    fn string_in(
        &self,
        fact: Fact,
        party: Option<&PartyView<'_>>,
        values: &[Value],
    ) -> Option<bool> {
        let tx = self.tx();
        let any = |have: &str| {
            values
                .iter()
                .any(|v| matches!(v, Value::Str(s) if s == have))
        };
        match fact {
            Fact::Activity => Some(any(tx.activity.name())),
            Fact::PartyRole => party.map(|p| any(p.party.role.name())),
            Fact::FacilityMakes => tx.facility.as_ref().and_then(|f| f.makes).map(|m| {
                any(match m {
                    Makes::Logic => "logic",
                    Makes::Dram => "dram",
                    Makes::Nand => "nand",
                    Makes::BackEnd => "back_end",
                    Makes::None => "none",
                })
            }),
            Fact::ItemChartReason => Some(self.chart_reasons.iter().any(|r| any(r))),
            Fact::ItemReason => self
                .eccn
                .as_ref()
                .map(|_| self.item_reasons.iter().any(|r| any(r))),
            Fact::ItemSubjectVia => Some(self.subject_via.iter().any(|r| any(r))),
            Fact::PartyListedOn => {
                party.and_then(|p| p.entries.as_ref().map(|es| es.iter().any(|e| any(&e.list))))
            }
            _ => None,
        }
    }

    pub(crate) fn eval(
        &self,
        expr: &Expr,
        party: Option<&PartyView<'_>>,
        hyp: bool,
        trace: &mut Trace,
    ) -> Tri {
        match expr {
            Expr::And(items) => {
                let mut acc = Tri::True;
                for e in items {
                    acc = acc.and(self.eval(e, party, hyp, trace));
                    if acc == Tri::False {
                        break;
                    }
                }
                acc
            }
            Expr::Or(items) => {
                let mut acc = Tri::False;
                for e in items {
                    acc = acc.or(self.eval(e, party, hyp, trace));
                    if acc == Tri::True {
                        break;
                    }
                }
                acc
            }
            Expr::Not(inner) => self.eval(inner, party, hyp, trace).not(),
            Expr::Truthy(f) | Expr::Cmp(f, CmpOp::Eq, Value::Bool(true)) => {
                self.leaf_any_party(*f, party, hyp, trace, &|c, p, t| c.boolean(*f, p, hyp, t))
            }
            Expr::Cmp(f, CmpOp::Eq, Value::Bool(false)) => {
                self.leaf_any_party(*f, party, hyp, trace, &|c, p, t| {
                    c.boolean(*f, p, hyp, t).not()
                })
            }
            Expr::Cmp(f, op, v) => self.leaf_any_party(*f, party, hyp, trace, &|c, p, t| {
                c.compare(*f, *op, v, p, t)
            }),
            Expr::In(f, vs) => {
                self.leaf_any_party(*f, party, hyp, trace, &|c, p, t| c.member(*f, vs, p, t))
            }
        }
    }

    /// Party facts outside a per-party rule mean "some party".
    fn leaf_any_party(
        &self,
        fact: Fact,
        party: Option<&PartyView<'_>>,
        _hyp: bool,
        trace: &mut Trace,
        f: &dyn Fn(&Self, Option<&PartyView<'_>>, &mut Trace) -> Tri,
    ) -> Tri {
        if fact.is_party() && party.is_none() {
            let mut acc = Tri::False;
            for p in &self.parties {
                acc = acc.or(f(self, Some(p), trace));
                if acc == Tri::True {
                    break;
                }
            }
            acc
        } else {
            f(self, party, trace)
        }
    }

    fn compare(
        &self,
        fact: Fact,
        op: CmpOp,
        v: &Value,
        party: Option<&PartyView<'_>>,
        trace: &mut Trace,
    ) -> Tri {
        // Numbers, as an interval [lo, hi].
        let interval: Option<Option<(f64, f64)>> = match fact {
            Fact::ItemUsContent => Some(self.tx().item.us_content_percent.map(|x| (x, x))),
            Fact::PartyListedOwnerShare => Some(party.map(|p| {
                let lo: f64 = p.listed_owners.iter().map(|o| o.0).sum();
                (lo, lo + p.unknown_owner_percent)
            })),
            _ => None,
        };
        if let Some(interval) = interval {
            let Value::Num(n) = v else { return Tri::False };
            let Some((lo, hi)) = interval else {
                trace.unknown.push(fact);
                return Tri::Unknown;
            };
            let test = |x: f64| match op {
                CmpOp::Eq => x == *n,
                CmpOp::Ne => x != *n,
                CmpOp::Lt => x < *n,
                CmpOp::Le => x <= *n,
                CmpOp::Gt => x > *n,
                CmpOp::Ge => x >= *n,
            };
            return match (test(lo), test(hi)) {
                (true, true) => Tri::True,
                (false, false) => Tri::False,
                _ => {
                    trace.unknown.push(fact);
                    Tri::Unknown
                }
            };
        }
        match fact {
            Fact::Date => {
                let Value::Str(s) = v else { return Tri::False };
                let Ok(d) = Date::parse_from_str(s, "%Y-%m-%d") else {
                    return Tri::False;
                };
                Tri::from_bool(match op {
                    CmpOp::Eq => self.as_of == d,
                    CmpOp::Ne => self.as_of != d,
                    CmpOp::Lt => self.as_of < d,
                    CmpOp::Le => self.as_of <= d,
                    CmpOp::Gt => self.as_of > d,
                    CmpOp::Ge => self.as_of >= d,
                })
            }
            Fact::PartyFootnote => {
                let Value::Num(n) = v else { return Tri::False };
                let Some(p) = party else { return Tri::False };
                match &p.entries {
                    None => {
                        trace.unknown.push(fact);
                        Tri::Unknown
                    }
                    Some(es) => {
                        let has = es.iter().any(|e| {
                            e.list == "entity_list"
                                && e.footnotes.iter().any(|f| f64::from(*f) == *n)
                        });
                        Tri::from_bool(if op == CmpOp::Ne { !has } else { has })
                    }
                }
            }
            Fact::PartyNameLike => {
                let Value::Str(s) = v else { return Tri::False };
                let Some(p) = party else { return Tri::False };
                // Patterns are folded when the rule set is parsed.
                let has = p.folded_name.contains(s.as_str());
                Tri::from_bool(if op == CmpOp::Ne { !has } else { has })
            }
            Fact::ItemEligibleFor => {
                let Value::Str(sym) = v else {
                    return Tri::False;
                };
                self.eligible(sym, trace)
            }
            _ => {
                let t = self.member(fact, std::slice::from_ref(v), party, trace);
                match op {
                    CmpOp::Eq => t,
                    CmpOp::Ne => t.not(),
                    _ => Tri::False,
                }
            }
        }
    }

    fn eligible(&self, symbol: &str, trace: &mut Trace) -> Tri {
        let Some(e) = &self.eccn else {
            return Tri::Unknown;
        };
        if e.is_ear99() {
            return Tri::False;
        }
        let Some(entry) = self.rules.eccn(&e.entry) else {
            trace.unknown.push(Fact::ItemEligibleFor);
            return Tri::Unknown;
        };
        let Some(line) = entry.exceptions.get(symbol) else {
            return Tri::False;
        };
        if !line.eligible {
            return Tri::False;
        }
        let only = if line.only.is_empty() {
            Tri::True
        } else {
            eccn::matches_any(e, line.only.iter().map(String::as_str))
        };
        let excluded = eccn::matches_any(e, line.except.iter().map(String::as_str));
        let t = only.and(excluded.not());
        if t == Tri::Unknown {
            trace.unknown.push(Fact::ItemEccn);
        }
        t
    }

    fn member(
        &self,
        fact: Fact,
        values: &[Value],
        party: Option<&PartyView<'_>>,
        trace: &mut Trace,
    ) -> Tri {
        match fact {
            Fact::ItemEccn => {
                let Some(e) = &self.eccn else {
                    return Tri::Unknown;
                };
                let t = eccn::matches_any(
                    e,
                    values.iter().filter_map(|v| {
                        if let Value::Str(s) = v {
                            Some(s.as_str())
                        } else {
                            None
                        }
                    }),
                );
                if t == Tri::Unknown {
                    trace.unknown.push(fact);
                }
                t
            }
            Fact::ItemClassJp | Fact::ItemClassNl | Fact::ItemClassEu => {
                let Some(regime) = fact.classification_regime() else {
                    return Tri::Unknown;
                };
                match self.classification(regime) {
                    None => {
                        trace.unknown.push(fact);
                        Tri::Unknown
                    }
                    Some(Classification::NotListed) => Tri::False,
                    Some(Classification::Code(code)) => {
                        let mut acc = Tri::False;
                        for v in values {
                            if let Value::Str(p) = v {
                                acc = acc.or(crate::regime::matches(code, p));
                            }
                        }
                        if acc == Tri::Unknown {
                            trace.unknown.push(fact);
                        }
                        acc
                    }
                }
            }
            Fact::ItemDirectProductOf => match &self.direct_product_of {
                None => {
                    trace.unknown.push(fact);
                    Tri::Unknown
                }
                Some(list) => {
                    let mut acc = Tri::False;
                    for dp in list {
                        acc = acc.or(eccn::matches_any(
                            dp,
                            values.iter().filter_map(|v| {
                                if let Value::Str(s) = v {
                                    Some(s.as_str())
                                } else {
                                    None
                                }
                            }),
                        ));
                    }
                    acc
                }
            },
            Fact::Destination
            | Fact::ExporterCountry
            | Fact::ExporterHq
            | Fact::ItemOrigin
            | Fact::PartyCountry
            | Fact::PartyHq
            | Fact::FacilityOwnerHq
            | Fact::ServicerEmployerHq => {
                let Some(code) = self.country(fact, party) else {
                    trace.unknown.push(fact);
                    return Tri::Unknown;
                };
                let code = if self.us_aliases.get() {
                    self.rules.resolve_destination(code, self.as_of)
                } else {
                    code
                };
                let mut acc = Tri::False;
                for v in values {
                    acc = acc.or(match v {
                        Value::Str(s) => Tri::from_bool(s == code),
                        Value::GroupAt(i, _) => self
                            .rules
                            .groups
                            .get(*i)
                            .map_or(Tri::False, |g| g.membership(code, self.as_of)),
                        Value::Group(g) => Tri::from_bool(self.group_has(g, code)),
                        _ => Tri::False,
                    });
                    if acc == Tri::True {
                        break;
                    }
                }
                if acc == Tri::Unknown {
                    trace.unknown.push(fact);
                }
                acc
            }
            _ => match self.string_in(fact, party, values) {
                None => {
                    trace.unknown.push(fact);
                    Tri::Unknown
                }
                Some(b) => Tri::from_bool(b),
            },
        }
    }

    /// Describes the leaves that support `want` (for "why").
    /// Describes the leaves that support `want` (for "why"). `texts[offset..]` are the leaf
    /// texts of `expr` in depth-first order, prepared when the rule set was parsed.
    pub(crate) fn explain(
        &self,
        expr: &Expr,
        texts: &[String],
        offset: usize,
        party: Option<&PartyView<'_>>,
        want: Tri,
        out: &mut Vec<String>,
    ) {
        let mark = |w: Tri| match w {
            Tri::True => "holds",
            Tri::False => "does not hold",
            Tri::Unknown => "unknown",
        };
        let text = |i: usize| texts.get(i).map_or("?", String::as_str);
        match expr {
            Expr::And(items) | Expr::Or(items) => {
                let mut scratch = Trace::default();
                let mut at = offset;
                for e in items {
                    let t = self.eval(e, party, false, &mut scratch);
                    if t == want {
                        self.explain(e, texts, at, party, want, out);
                        if (matches!(expr, Expr::Or(_)) && want == Tri::True)
                            || (matches!(expr, Expr::And(_)) && want == Tri::False)
                        {
                            break;
                        }
                    }
                    at += e.leaf_count();
                }
            }
            Expr::Not(inner) => match **inner {
                Expr::And(_) | Expr::Or(_) => {
                    let mut sub = Vec::new();
                    self.explain(inner, texts, offset, party, want.not(), &mut sub);
                    out.extend(sub.into_iter().map(|s| format!("not: {s}")));
                }
                _ => {
                    let actual = inner
                        .first_fact()
                        .map(|f| self.actual(f, party))
                        .unwrap_or_default();
                    out.push(format!("not {} {} ({actual})", text(offset), mark(want)));
                }
            },
            leaf => {
                let actual = leaf
                    .first_fact()
                    .map(|f| self.actual(f, party))
                    .unwrap_or_default();
                out.push(format!("{} {} ({actual})", text(offset), mark(want)));
            }
        }
    }

    fn actual(&self, fact: Fact, party: Option<&PartyView<'_>>) -> String {
        if fact.is_party() && party.is_none() {
            let all: Vec<String> = self
                .parties
                .iter()
                .map(|p| self.actual(fact, Some(p)))
                .collect();
            return if all.is_empty() {
                "no parties".into()
            } else {
                all.join("; ")
            };
        }
        let party = if fact.is_party() { party } else { None };
        let tx = self.tx();
        let who = party.map_or(String::new(), |p| format!("{}: ", p.party.name));
        match fact {
            Fact::ItemEccn => format!("ECCN {}", tx.item.eccn),
            Fact::ItemDirectProductOf => tx.item.direct_product_of.as_ref().map_or_else(
                || "item.direct_product_of not given".into(),
                |l| format!("direct product of {}", l.join(", ")),
            ),
            Fact::ItemUsContent => tx
                .item
                .us_content_percent
                .map_or("US content not given".into(), |c| {
                    format!("US content {c}%")
                }),
            Fact::PartyListedOwnerShare => party.map_or(String::new(), |p| {
                let lo: f64 = p.listed_owners.iter().map(|o| o.0).sum();
                format!(
                    "{who}listed owners hold {lo}%{}",
                    if p.unknown_owner_percent > 0.0 {
                        format!(" (+{}% of unknown status)", p.unknown_owner_percent)
                    } else {
                        String::new()
                    }
                )
            }),
            Fact::PartyListedOn | Fact::PartyFootnote => {
                party.map_or(String::new(), |p| match &p.entries {
                    None => format!("{who}list status unknown"),
                    Some(es) if es.is_empty() => format!("{who}not listed"),
                    Some(es) => format!(
                        "{who}{}",
                        es.iter()
                            .map(|e| format!(
                                "{} {}{}",
                                e.list,
                                e.fr.join("; "),
                                if e.footnotes.is_empty() {
                                    String::new()
                                } else {
                                    format!(" footnotes {:?}", e.footnotes)
                                }
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            }
            Fact::FacilityAdvancedNode => self
                .facility
                .as_ref()
                .map_or("no facility given".into(), |c| c.why.clone()),
            Fact::ItemChartLicense | Fact::ItemChartReason => {
                if self.chart_detail.is_empty() {
                    format!("no Country Chart X for {}", self.destination)
                } else {
                    format!(
                        "Country Chart X for {}: {}",
                        self.destination,
                        self.chart_detail.join(", ")
                    )
                }
            }
            Fact::ItemSubject | Fact::ItemSubjectVia => format!(
                "subject via {}",
                if self.subject_via.is_empty() {
                    "none".into()
                } else {
                    self.subject_via.join(", ")
                }
            ),
            Fact::Date => format!("as of {}", self.as_of),
            Fact::ItemClassJp | Fact::ItemClassNl | Fact::ItemClassEu => {
                let regime = fact.classification_regime().unwrap_or(Regime::Eu);
                match self.classification(regime) {
                    None => format!("no {} classification given", regime.code()),
                    Some(c) => format!("{} classification {}", regime.code(), c.display()),
                }
            }
            Fact::Activity => format!("activity {}", tx.activity.name()),
            f => {
                if let Some(c) = self.country(f, party) {
                    return format!("{} {c}", f.name());
                }
                let mut t = Trace::default();
                let b = self.boolean(f, party, false, &mut t);
                let src = self
                    .hints
                    .iter()
                    .find(|h| h.0 == f.name())
                    .map(|h| format!(", from the text \"{}\"", h.2))
                    .unwrap_or_default();
                let state = match b {
                    Tri::True => "yes",
                    Tri::False if t.defaulted.contains(&f) => "not known to the exporter",
                    Tri::False => "no",
                    Tri::Unknown => "not given",
                };
                format!("{who}{} = {state}{src}", f.name())
            }
        }
    }
}

/// The question to ask about an unknown fact.
pub(crate) fn question(fact: Fact) -> &'static str {
    match fact {
        Fact::ItemClassJp => {
            "How is the item classified under Japan's Goods Ordinance (item.classifications.JP, e.g. \"Art. 6(17)(fu)\"), or is it not listed? Give the sub-item letter when the article alone leaves the answer open."
        }
        Fact::ItemClassNl => {
            "How is the item classified on the Dutch SME annex (item.classifications.NL, e.g. \"NL-SME 3B001.f.4\"), or is it not listed?"
        }
        Fact::ItemClassEu => {
            "Which EU Annex I entry does the item fall under (item.classifications.EU, e.g. \"3B001.f.1\"), or is it not listed?"
        }
        Fact::ItemNxt1970i1980i => {
            "Is the item an ASML TWINSCAN NXT:1970i or NXT:1980i, or a spare part or software update for one?"
        }
        Fact::EndUseWmd => {
            "Do you know (or have you been told) that the item is or may be intended for weapons of mass destruction or missiles?"
        }
        Fact::Destination => {
            "Is the destination a member of the country group the rule names? Our sources give only part of that group's membership (see the rule set's country groups); check the official list."
        }
        Fact::ExporterInformed => {
            "Has your export-control authority informed you that the item is or may be intended for a use of concern?"
        }
        Fact::ItemUsContent => "What share of the item's value is controlled US-origin content?",
        Fact::ItemFdpTech => {
            "Is the item a direct product of US-origin technology or software (and which ECCNs)?"
        }
        Fact::ItemFdpPlant => {
            "Was the item made by a plant (or a major component of one) that is a direct product of US technology or software?"
        }
        Fact::ItemDirectProductOf => {
            "Which US ECCNs of technology, software or plant equipment is the item a direct product of?"
        }
        Fact::ItemContainsUsIc => "Does the item contain a US-origin integrated circuit?",
        Fact::ItemContainsIcFromUsPlant => {
            "Does the item contain an IC made by a plant that is a direct product of US technology or software?"
        }
        Fact::ItemDataCenter => "Is the item designed or marketed for use in data centres?",
        Fact::ItemUniquely10nm => {
            "Is the item uniquely required for production at 10 nm or below (including EUV)?"
        }
        Fact::ItemEccn | Fact::ItemEligibleFor => {
            "Which paragraph of the ECCN does the item fall under (the answer depends on the paragraph)?"
        }
        Fact::PartyListedOn | Fact::PartyFootnote => {
            "Is any party on the Entity List or the MEU List on this date (and with which footnotes)? Screen the party names."
        }
        Fact::PartyListedOwnerShare | Fact::PartyHasListedOwner => {
            "Are the owners of the party on a restricted list, and what share do listed owners hold in aggregate?"
        }
        Fact::PartyHq => "Where is the party (or its ultimate parent) headquartered?",
        Fact::PartyCountry => "In which country is the party located?",
        Fact::ExporterHq => "Where is the exporter headquartered?",
        Fact::ExporterUsPerson | Fact::UsPersonInvolved => {
            "Is the exporter, or anyone servicing, shipping or authorizing, a US person?"
        }
        Fact::ServicerUsPerson => "Is the person servicing or authorizing a US person?",
        Fact::FacilityAdvancedNode => {
            "Does the facility produce advanced-node ICs (logic non-planar or ≤16/14 nm; NAND ≥128 layers; DRAM per the test in force)?"
        }
        Fact::FacilityNodeKnown => "Does the exporter know the facility's production node?",
        Fact::FacilityMakes => "What does the facility produce (logic, DRAM, NAND, back-end only)?",
        Fact::FacilityOwnerHq => "Where is the facility's owner headquartered?",
        Fact::EndUseMilitary => "Do you know of a military end use?",
        Fact::EndUseMilitaryEndUser | Fact::PartyMilitaryEndUser => {
            "Do you know that a party is a military end user?"
        }
        Fact::EndUseSupercomputer => "Do you know the item is for a supercomputer?",
        Fact::EndUseIcProduction => {
            "Do you know the item is for development or production of ICs at a fabrication facility?"
        }
        Fact::EndUseSmeProduction => {
            "Do you know the item is for development or production of front-end semiconductor manufacturing equipment?"
        }
        Fact::EndUseForeignEquivalent => {
            "Is a foreign-made equivalent item that is not subject to the EAR available?"
        }
        Fact::EndUseExistingNetwork => {
            "Is the transaction limited to supporting existing networks and equipment (temporary general license activities)?"
        }
        Fact::EndUseBelow5g => "Can the item only support telecommunications below the 5G level?",
        Fact::PartyMajorityOwnedByD5 => {
            "Is the party majority-owned by an entity headquartered in Macau or a Country Group D:5 country?"
        }
        Fact::UsGovernmentConsignee => "Is the item consigned to a US Government agency?",
        Fact::ItemSoftwareOrTechnology => {
            "Is the item software or technology (rather than a commodity)? Give its ECCN (product group D or E) if it is."
        }
        Fact::ReleasesSoftwareOrTechnology => {
            "Does the cloud access release software or technology to the user (downloads, source code, technology)? State transaction.releases_software_or_technology: any release is an export of that software or technology."
        }
        Fact::ReleaseLicenseRequired => {
            "Software or technology released to the cloud user is an export of it: determine each release as its own record (item.eccn = its ECCN; activity export or reexport, or deemed_export/deemed_reexport for a foreign person). Does any of it need a license?"
        }
        Fact::EndUseMilitaryIntelligence => {
            "Do you know of a military-intelligence end use or end user (an intelligence or reconnaissance organization of the armed services or national guard, 744.22(f))?"
        }
        Fact::ServicerEmployerOwnedByD5 => {
            "Is the servicing or authorizing person's employer majority-owned by an entity headquartered in Macau or a Country Group D:5 country?"
        }
        _ => "A fact this rule needs was not given.",
    }
}

fn policy_max(a: Option<Policy>, b: Option<Policy>) -> Option<Policy> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub(crate) struct Fired<'r> {
    pub(crate) rule: &'r Rule,
    pub(crate) party: Option<usize>,
    pub(crate) outcome: Tri,
    pub(crate) policy: Option<Policy>,
}

/// Determines one record.
pub fn determine(
    rules: &RuleSet,
    record: &Record,
    ctx: &Context<'_>,
) -> Result<Determination, RecordError> {
    let as_of = ctx.as_of_override.unwrap_or(record.as_of);
    if let Some(msg) = date_out_of_range(rules, as_of) {
        return Err(RecordError {
            id: record.id.clone(),
            problems: vec![FieldProblem {
                field: "as_of".into(),
                message: msg,
            }],
        });
    }
    let tx = &record.transaction;
    let mut screening = Vec::new();
    let mut parties = Vec::new();
    for party in &tx.parties {
        let entries = match &party.lists {
            Some(statuses) => Some(
                statuses
                    .iter()
                    .map(|s| entry_from_status(rules, &party.name, s, as_of))
                    .collect(),
            ),
            None => ctx.lookup.map(|l| {
                let hits = l.lookup(&party.name, party.country.as_deref(), as_of);
                let entries = hits.iter().map(entry_from_hit).collect();
                screening.push(ScreeningUse {
                    party: party.name.clone(),
                    hits,
                });
                entries
            }),
        };
        let mut listed_owners = Vec::new();
        let mut unknown_owner_percent = 0.0;
        for o in party.ownership.iter().flatten() {
            let owner_entries: Option<Vec<Entry<'_>>> = match &o.owner_lists {
                Some(st) => Some(
                    st.iter()
                        .map(|s| entry_from_status(rules, &o.owner, s, as_of))
                        .collect(),
                ),
                None => ctx.lookup.map(|l| {
                    l.lookup(&o.owner, None, as_of)
                        .iter()
                        .map(entry_from_hit)
                        .collect()
                }),
            };
            match owner_entries {
                None => unknown_owner_percent += o.percent,
                Some(es) => {
                    let restricted: Vec<Entry<'_>> = es
                        .into_iter()
                        .filter(|e| RESTRICTED_OWNER_LISTS.contains(&e.list.as_str()))
                        .collect();
                    if !restricted.is_empty() {
                        listed_owners.push((o.percent, o.owner.clone(), restricted));
                    }
                }
            }
        }
        parties.push(PartyView {
            party,
            folded_name: fold(&party.name),
            entries,
            listed_owners,
            unknown_owner_percent,
            has_ownership: party.ownership.is_some(),
        });
    }
    let mut hints = Vec::new();
    let texts: Vec<String> = [
        tx.end_use.as_deref(),
        tx.item.description.as_deref(),
        tx.item.content_detail.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(|t| t.to_lowercase())
    .collect();
    if let Some((matcher, owners)) = &rules.hint_matcher {
        // (hint index, phrase) of every phrase found at word boundaries, then first hint per fact.
        let mut found: Vec<(usize, String)> = Vec::new();
        for t in &texts {
            for m in matcher.find_overlapping_iter(t.as_str()) {
                let phrase = &t[m.start()..m.end()];
                let before_ok = t[..m.start()]
                    .chars()
                    .next_back()
                    .is_none_or(|ch| !ch.is_alphanumeric());
                let after_ok = phrase.ends_with("cent")
                    || t[m.end()..]
                        .chars()
                        .next()
                        .is_none_or(|ch| !ch.is_alphanumeric());
                if before_ok && after_ok {
                    found.push((owners[m.pattern().as_usize()], phrase.to_string()));
                }
            }
        }
        found.sort_by_key(|f| f.0);
        for (i, phrase) in found {
            let h = &rules.text_hints[i];
            let fact: &'static str = crate::ruleset::HINTABLE_FACTS
                .iter()
                .copied()
                .find(|f| *f == h.fact)
                .unwrap_or("");
            if !hints.iter().any(|x: &(&str, bool, String)| x.0 == fact) {
                hints.push((fact, h.value, phrase));
            }
        }
    }
    let classifications = tx
        .item
        .classifications
        .iter()
        .filter_map(|(key, text)| {
            let regime = Regime::from_key(key)?;
            crate::regime::parse_classification(regime, text)
                .ok()
                .map(|c| (regime, c))
        })
        .collect();
    let mut c = Ctx {
        rules,
        record,
        as_of,
        classifications,
        us_aliases: std::cell::Cell::new(true),
        destination: rules.resolve_destination(&tx.destination_country, as_of),
        eccn: Eccn::parse(&tx.item.eccn),
        parties,
        facility: tx.facility.as_ref().map(|f| classify_facility(f, as_of)),
        hints,
        subject: Tri::Unknown,
        subject_via: Vec::new(),
        chart_applies: Tri::Unknown,
        chart_license: Tri::Unknown,
        chart_reasons: Vec::new(),
        chart_detail: Vec::new(),
        item_reasons: Vec::new(),
        exports_item: Tri::True,
        direct_product_of: tx
            .item
            .direct_product_of
            .as_ref()
            .map(|l| l.iter().filter_map(|d| Eccn::parse(d)).collect()),
    };
    c.item_reasons = item_reasons(&c);

    let mut outcomes: Vec<RuleOutcome> = Vec::new();
    let mut questions: Vec<Question> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    // 0. Activity: is the activity an export, reexport or transfer of the item itself?
    let activity = run_stage(
        &c,
        Stage::Activity,
        Regime::Us,
        &mut outcomes,
        &mut questions,
        &mut notes,
    );
    let not_export: Vec<&Fired<'_>> = activity
        .iter()
        .filter(|f| !f.rule.exports_item && f.outcome == Tri::True)
        .collect();
    c.exports_item = if !not_export.is_empty() {
        Tri::False
    } else if activity
        .iter()
        .any(|f| !f.rule.exports_item && f.outcome == Tri::Unknown)
    {
        Tri::Unknown
    } else {
        Tri::True
    };
    let activity_basis: Vec<String> = activity
        .iter()
        .filter(|f| f.outcome == Tri::True)
        .map(|f| format!("{} ({})", f.rule.title, f.rule.id))
        .collect();

    // 1. Jurisdiction.
    let juris = run_stage(
        &c,
        Stage::Jurisdiction,
        Regime::Us,
        &mut outcomes,
        &mut questions,
        &mut notes,
    );
    let yes: Vec<&Fired<'_>> = juris.iter().filter(|f| f.outcome == Tri::True).collect();
    c.subject = if !yes.is_empty() {
        Tri::True
    } else if juris.iter().any(|f| f.outcome == Tri::Unknown) {
        Tri::Unknown
    } else {
        Tri::False
    };
    c.subject_via = yes.iter().map(|f| f.rule.id.clone()).collect();
    c.chart_applies = if yes.iter().any(|f| f.rule.chart_applies) {
        Tri::True
    } else if juris.iter().any(|f| f.rule.chart_applies) {
        Tri::Unknown
    } else {
        Tri::False
    };
    let mut subject = SubjectToEar {
        answer: match c.subject {
            Tri::True => "yes",
            Tri::False => "no",
            Tri::Unknown => "unknown",
        },
        basis: yes.iter().map(|f| format!("{} ({})", f.rule.id, f.rule.citation)).collect(),
        explanation: match c.subject {
            Tri::True => yes.iter().map(|f| f.rule.title.clone()).collect::<Vec<_>>().join("; "),
            Tri::False => "No route makes the item subject to the EAR: it is not US-origin or in the US, its controlled US content is within de minimis, and no foreign direct product rule reaches it.".into(),
            Tri::Unknown => "Whether the item is subject to the EAR depends on facts not given (see unknowns).".into(),
        },
    };
    if !activity_basis.is_empty() {
        let tail = match c.exports_item {
            Tri::False => {
                "; the item's own license requirements do not apply to this activity (US-person rules still do)"
            }
            _ => "",
        };
        let sep = if subject.explanation.ends_with('.') {
            " "
        } else {
            ". "
        };
        subject.explanation = format!(
            "{}{sep}Activity `{}`: {}{tail}.",
            subject.explanation,
            tx.activity.name(),
            activity_basis.join("; ")
        );
    }

    // 2. Country Chart.
    chart(&mut c, &mut questions);

    // 3. License and US-person requirements.
    let mut requirements: Vec<Fired<'_>> = Vec::new();
    if c.subject != Tri::False {
        requirements.extend(
            run_stage(
                &c,
                Stage::License,
                Regime::Us,
                &mut outcomes,
                &mut questions,
                &mut notes,
            )
            .into_iter()
            .map(|mut f| {
                if c.subject == Tri::Unknown {
                    f.outcome = f.outcome.and(Tri::Unknown);
                }
                f
            }),
        );
    }
    requirements.extend(run_stage(
        &c,
        Stage::UsPerson,
        Regime::Us,
        &mut outcomes,
        &mut questions,
        &mut notes,
    ));
    let any_true = requirements.iter().any(|f| f.outcome == Tri::True);
    let any_unknown = requirements.iter().any(|f| f.outcome == Tri::Unknown);
    let license_required = if any_true {
        LicenseRequired::Yes
    } else if any_unknown {
        LicenseRequired::Unknown
    } else if c.subject == Tri::False {
        LicenseRequired::NotSubjectToEar
    } else {
        if c.subject == Tri::Unknown {
            notes.push("Whether the item is subject to the EAR is open, but no license requirement would apply either way.".into());
        }
        LicenseRequired::No
    };
    let counted: Vec<&Fired<'_>> = requirements
        .iter()
        .filter(|f| {
            if any_true {
                f.outcome == Tri::True
            } else {
                true
            }
        })
        .collect();
    let review_policy = match license_required {
        LicenseRequired::No | LicenseRequired::NotSubjectToEar => Some(Policy::NotApplicable),
        _ => counted
            .iter()
            .fold(None, |acc, f| policy_max(acc, f.policy)),
    };
    if matches!(
        license_required,
        LicenseRequired::Yes | LicenseRequired::Unknown
    ) && counted.iter().any(|f| f.policy.is_none())
    {
        notes.push("The review policy of at least one requirement could not be determined; the combined policy shown is the most restrictive of those known.".into());
    }

    // 4. Exceptions and authorizations.
    let mut exceptions = Exceptions::default();
    let mut authorizations = Vec::new();
    if !requirements.is_empty() {
        let restrictions = run_stage(
            &c,
            Stage::Restriction,
            Regime::Us,
            &mut outcomes,
            &mut questions,
            &mut notes,
        );
        let limiting: Vec<&Rule> = requirements
            .iter()
            .map(|f| f.rule)
            .chain(
                restrictions
                    .iter()
                    .filter(|f| f.outcome == Tri::True)
                    .map(|f| f.rule),
            )
            .collect();
        // One line for the requirements that exclude every exception, one per narrower list.
        let mut seen = BTreeSet::new();
        let mut none_by: Vec<&Rule> = Vec::new();
        for r in &limiting {
            let Some(allowed) = &r.exceptions_allowed else {
                continue;
            };
            if !seen.insert(r.id.clone()) {
                continue;
            }
            if allowed.is_empty() && r.exceptions_named.is_empty() {
                none_by.push(r);
            } else {
                let mut all: Vec<String> = allowed.clone();
                all.extend(r.exceptions_named.iter().cloned());
                exceptions.excluded.push(ExceptionOutcome {
                    symbol: "*".into(),
                    citation: r.citation.clone(),
                    why: format!("all except {} ({})", all.join(", "), r.id),
                });
            }
        }
        if !none_by.is_empty() {
            let ids: Vec<&str> = none_by.iter().map(|r| r.id.as_str()).collect();
            let cites: Vec<&str> = none_by.iter().map(|r| r.citation.as_str()).collect();
            exceptions.excluded.insert(
                0,
                ExceptionOutcome {
                    symbol: "*".into(),
                    citation: cites.join(" | "),
                    why: format!("no license exception may be used ({})", ids.join(", ")),
                },
            );
        }
        let named: BTreeSet<&str> = requirements
            .iter()
            .flat_map(|f| f.rule.exceptions_named.iter().map(String::as_str))
            .collect();
        let ex_fired = run_stage(
            &c,
            Stage::Exception,
            Regime::Us,
            &mut outcomes,
            &mut questions,
            &mut notes,
        );
        for f in &ex_fired {
            let Some(sym) = f.rule.symbol.as_deref() else {
                continue;
            };
            let permitted = limiting.iter().all(|r| {
                r.exceptions_allowed.as_ref().is_none_or(|a| {
                    a.iter().any(|s| s == sym) || r.exceptions_named.iter().any(|s| s == sym)
                })
            });
            if !permitted || (f.rule.only_when_named && !named.contains(sym)) {
                continue;
            }
            let o = ExceptionOutcome {
                symbol: sym.to_string(),
                citation: f.rule.citation.clone(),
                why: f.rule.explanation.clone(),
            };
            if f.outcome == Tri::True {
                exceptions.available.push(o)
            } else {
                exceptions.conditional.push(o)
            }
        }
        for sym in named {
            if !exceptions
                .available
                .iter()
                .chain(exceptions.conditional.iter())
                .any(|e| e.symbol == sym)
            {
                let by: Vec<&str> = requirements
                    .iter()
                    .filter(|f| f.rule.exceptions_named.iter().any(|s| s == sym))
                    .map(|f| f.rule.id.as_str())
                    .collect();
                exceptions.available.push(ExceptionOutcome {
                    symbol: sym.to_string(),
                    citation: by.join(", "),
                    why: format!(
                        "named by {} as the exception that may overcome it (subject to its terms)",
                        by.join(", ")
                    ),
                });
            }
        }
        for f in run_stage(
            &c,
            Stage::Authorization,
            Regime::Us,
            &mut outcomes,
            &mut questions,
            &mut notes,
        ) {
            let party = f.party.map(|i| c.parties[i].party.name.clone());
            let o = ExceptionOutcome {
                symbol: f.rule.symbol.clone().unwrap_or_else(|| f.rule.id.clone()),
                citation: f.rule.citation.clone(),
                why: format!(
                    "{}{}{}",
                    f.rule.title,
                    party.map_or(String::new(), |p| format!(" ({p})")),
                    f.rule
                        .in_force
                        .until
                        .map_or(String::new(), |u| format!(", valid until {u}"))
                ),
            };
            if f.outcome == Tri::True {
                outcomes.push(RuleOutcome {
                    id: f.rule.id.clone(),
                    citation: f.rule.citation.clone(),
                    title: f.rule.title.clone(),
                    effect: "authorization_available",
                    why: vec![f.rule.explanation.clone()],
                    party: f.party.map(|i| c.parties[i].party.name.clone()),
                    review_policy: None,
                    policy_basis: None,
                    confidence: f.rule.confidence,
                    note: f.rule.note.clone(),
                });
                authorizations.push(o);
            }
        }
    }
    for p in &c.parties {
        if p.entries.is_none() {
            ask(
                format!(
                    "What is the list status of `{}` on {as_of}? (no list status given and no screening lookup configured)",
                    p.party.name
                ),
                "screening",
                &mut questions,
            );
        }
        if p.has_ownership && p.unknown_owner_percent > 0.0 {
            ask(
                format!(
                    "Are the owners of `{}` on the Entity List or MEU List?",
                    p.party.name
                ),
                "screening",
                &mut questions,
            );
        }
    }
    if tx.exporter.headquarters_country.is_none() {
        let used = outcomes
            .iter()
            .any(|o| rules.rule(&o.id).is_some_and(|r| r.uses_exporter_hq));
        if used {
            notes.push(format!("The exporter's headquarters was not given; it is taken to be the exporter's country ({}).", tx.exporter.country));
        }
    }
    notes.sort();
    notes.dedup();
    let mut determination = Determination {
        id: record.id.clone(),
        title: record.title.clone(),
        as_of,
        subject_to_ear: subject,
        license_required,
        review_policy,
        rules: outcomes,
        license_exceptions: exceptions,
        authorizations,
        unknowns: questions,
        notes,
        screening,
        jurisdictions: Vec::new(),
        evidence: Evidence {
            ruleset: rules.meta.id.clone(),
            ruleset_version: rules.meta.version.clone(),
            list_snapshot: ctx.list_snapshot.map(str::to_string),
            as_of,
        },
    };
    determination.jurisdictions = crate::allied::jurisdictions(&c, &determination);
    Ok(determination)
}

/// Evaluates one stage; returns what fired (True) or may fire (Unknown).
pub(crate) fn run_stage<'r>(
    c: &Ctx<'r>,
    stage: Stage,
    regime: Regime,
    outcomes: &mut Vec<RuleOutcome>,
    questions: &mut Vec<Question>,
    notes: &mut Vec<String>,
) -> Vec<Fired<'r>> {
    let rules = c.rules;
    let as_of = c.as_of;
    let mut fired = Vec::new();
    for rule in rules
        .rules
        .iter()
        .filter(|r| r.stage == stage && r.regime == regime)
    {
        let status = rule.in_force.status(as_of);
        if matches!(status, Status::NotYet | Status::Ended) {
            continue;
        }
        // The item's own requirements, exceptions and authorizations reach only an activity that
        // exports, reexports or transfers it; a rule that tests `activity` decides for itself.
        let gate = if regime == Regime::Us
            && !rule.tests_activity
            && matches!(
                stage,
                Stage::License | Stage::Restriction | Stage::Exception | Stage::Authorization
            ) {
            c.exports_item
        } else {
            Tri::True
        };
        if gate == Tri::False {
            continue;
        }
        // A per-party rule over a transaction that names no party is still evaluated once,
        // with every party fact unknown: its destination branches can decide on their own, and
        // the party branches become questions, never a silent "no".
        let per_party = rule.for_each_party && !c.parties.is_empty();
        let count = if per_party { c.parties.len() } else { 1 };
        for k in 0..count {
            let binding = per_party.then_some(k);
            let party = binding.map(|i| &c.parties[i]);
            let mut trace = Trace::default();
            let raw = c.eval(&rule.when, party, false, &mut trace);
            let actual = raw.and(gate);
            let hyp = if trace.defaulted.is_empty() {
                actual
            } else {
                c.eval(&rule.when, party, true, &mut Trace::default())
                    .and(gate)
            };
            if actual == Tri::False && hyp == Tri::False && rule.relevant_when.is_none() {
                continue;
            }
            let citation = rule_citation(c, rule, party);
            let party_name = party.map(|p| p.party.name.clone());
            let mut why = Vec::new();
            match status {
                Status::Suspended(s) => {
                    if actual != Tri::False {
                        c.explain(&rule.when, &rule.leaf_texts, 0, party, raw, &mut why);
                        why.push(format!(
                            "suspended from {}{}: {}",
                            s.from,
                            s.until.map_or(String::new(), |u| format!(" through {u}")),
                            s.note
                        ));
                        outcomes.push(RuleOutcome {
                            id: rule.id.clone(),
                            citation: format!("{citation}; suspended by {}", s.citation),
                            title: rule.title.clone(),
                            effect: "suspended",
                            why,
                            party: party_name,
                            review_policy: None,
                            policy_basis: None,
                            confidence: rule.confidence,
                            note: rule.note.clone(),
                        });
                    }
                    continue;
                }
                Status::BeforeCompliance(cd) => {
                    if actual != Tri::False {
                        c.explain(&rule.when, &rule.leaf_texts, 0, party, raw, &mut why);
                        why.push(format!(
                            "in force since {} but compliance is required only from {cd}",
                            rule.in_force.effective
                        ));
                        outcomes.push(RuleOutcome {
                            id: rule.id.clone(),
                            citation,
                            title: rule.title.clone(),
                            effect: "compliance_not_yet_required",
                            why,
                            party: party_name,
                            review_policy: None,
                            policy_basis: None,
                            confidence: rule.confidence,
                            note: rule.note.clone(),
                        });
                        notes.push(format!(
                            "{} ({}) is in force but its compliance date is {cd}.",
                            rule.title, rule.id
                        ));
                    }
                    continue;
                }
                _ => {}
            }
            if let Some(s) = rule.in_force.savings_until
                && as_of <= s
                && actual != Tri::False
            {
                notes.push(format!("Savings clause of {} until {s}: shipments en route (or items in production) under the prior rules may be treated under them.", rule.id));
            }
            match actual {
                Tri::True | Tri::Unknown => {
                    c.explain(&rule.when, &rule.leaf_texts, 0, party, raw, &mut why);
                    if gate == Tri::Unknown {
                        why.push("applies only if the activity exports, reexports or transfers the item itself (see the activity rules and the open questions)".into());
                    }
                    why.push(rule.explanation.clone());
                    let (policy, basis) = review_policy(c, rule, party, questions, notes);
                    if actual == Tri::Unknown {
                        for f in dedup(&trace.unknown) {
                            ask(question(f).to_string(), &rule.id, questions);
                        }
                        if let Some(i) = c.facility.as_ref().filter(|f| f.advanced.is_none())
                            && trace.unknown.contains(&Fact::FacilityAdvancedNode)
                        {
                            ask(
                                format!(
                                    "Facility facts missing to classify the node: {}",
                                    i.missing.join(", ")
                                ),
                                &rule.id,
                                questions,
                            );
                        }
                    }
                    if rule.confidence == Confidence::Unconfirmed {
                        let text = if regime == Regime::Us {
                            "the Federal Register text"
                        } else {
                            "the official text"
                        };
                        notes.push(format!("UNCONFIRMED: {} ({}) is encoded from research marked unconfirmed; verify against {text}.{}", rule.title, rule.id, rule.note.as_deref().map_or(String::new(), |n| format!(" {n}"))));
                    }
                    let effect = match (actual, stage) {
                        (Tri::Unknown, _) => "may_apply",
                        (_, Stage::Activity) if rule.exports_item => "is_an_export",
                        (_, Stage::Activity) => "not_an_export",
                        (_, Stage::Jurisdiction) => "subject_to_ear",
                        (_, Stage::Restriction) => "restricts_exceptions",
                        (_, Stage::Exception | Stage::Authorization) => "available",
                        _ => "license_required",
                    };
                    if !matches!(stage, Stage::Exception | Stage::Authorization) {
                        outcomes.push(RuleOutcome {
                            id: rule.id.clone(),
                            citation,
                            title: rule.title.clone(),
                            effect,
                            why,
                            party: party_name,
                            review_policy: policy,
                            policy_basis: basis,
                            confidence: rule.confidence,
                            note: rule.note.clone(),
                        });
                    }
                    fired.push(Fired {
                        rule,
                        party: binding,
                        outcome: actual,
                        policy,
                    });
                }
                Tri::False => {
                    if hyp != Tri::False {
                        let defaulted = dedup(&trace.defaulted);
                        for f in &defaulted {
                            ask(
                                format!(
                                    "{} (this could make {} apply: {})",
                                    question(*f),
                                    rule.id,
                                    rule.title
                                ),
                                &rule.id,
                                questions,
                            );
                        }
                    }
                    let relevant = rule.relevant_when.as_ref().is_some_and(|r| {
                        c.eval(r, party, false, &mut Trace::default()) == Tri::True
                    });
                    if relevant && !matches!(stage, Stage::Exception | Stage::Authorization) {
                        c.explain(&rule.when, &rule.leaf_texts, 0, party, Tri::False, &mut why);
                        if let Some(n) = &rule.not_triggered {
                            why.push(n.clone());
                        }
                        outcomes.push(RuleOutcome {
                            id: rule.id.clone(),
                            citation,
                            title: rule.title.clone(),
                            effect: "not_triggered",
                            why,
                            party: party_name,
                            review_policy: None,
                            policy_basis: None,
                            confidence: rule.confidence,
                            note: None,
                        });
                    }
                }
            }
        }
    }
    fired
}

pub(crate) fn ask(q: String, rule: &str, questions: &mut Vec<Question>) {
    if let Some(existing) = questions.iter_mut().find(|x| x.question == q) {
        if !existing.rules.iter().any(|r| r == rule) {
            existing.rules.push(rule.to_string());
        }
    } else {
        questions.push(Question {
            question: q,
            rules: vec![rule.to_string()],
        });
    }
}

pub(crate) fn dedup(facts: &[Fact]) -> Vec<Fact> {
    let mut out: Vec<Fact> = Vec::new();
    for f in facts {
        if !out.contains(f) {
            out.push(*f);
        }
    }
    out
}

fn rule_citation(c: &Ctx<'_>, rule: &Rule, party: Option<&PartyView<'_>>) -> String {
    if rule.family == "ccl" {
        return format!("{}; ECCN {}", rule.citation, c.tx().item.eccn);
    }
    let Some(p) = party else {
        return rule.citation.clone();
    };
    let frs: Vec<String> = p
        .entries
        .iter()
        .flatten()
        .filter(|e| e.list == "entity_list" || e.list == "meu_list")
        .flat_map(|e| e.fr.iter().cloned())
        .collect();
    if rule.review == Review::FromEntry && !frs.is_empty() {
        format!(
            "{}; entry of {} ({})",
            rule.citation,
            p.party.name,
            frs.join("; ")
        )
    } else if rule.review == Review::FromEntry && !p.listed_owners.is_empty() {
        let owners: Vec<String> = p
            .listed_owners
            .iter()
            .map(|o| format!("{} {}%", o.1, o.0))
            .collect();
        format!("{}; owners: {}", rule.citation, owners.join(", "))
    } else {
        rule.citation.clone()
    }
}

pub(crate) fn review_policy(
    c: &Ctx<'_>,
    rule: &Rule,
    party: Option<&PartyView<'_>>,
    questions: &mut Vec<Question>,
    notes: &mut Vec<String>,
) -> (Option<Policy>, Option<String>) {
    match &rule.review {
        Review::None => (None, None),
        Review::FromEntry => {
            let item = ItemFacts {
                eccn: c.eccn.as_ref(),
                uniquely_required_10nm: c
                    .tx()
                    .item
                    .uniquely_required_10nm
                    .or_else(|| c.hint("item.uniquely_required_10nm")),
                for_200mm_facility: c.tx().item.for_200mm_facility,
            };
            let entries: Vec<&Entry<'_>> = match party {
                Some(p) => {
                    let own: Vec<&Entry<'_>> = p
                        .entries
                        .iter()
                        .flatten()
                        .filter(|e| e.list == "entity_list")
                        .collect();
                    if own.is_empty() {
                        p.listed_owners
                            .iter()
                            .flat_map(|o| o.2.iter())
                            .filter(|e| e.list == "entity_list")
                            .collect()
                    } else {
                        own
                    }
                }
                None => c
                    .parties
                    .iter()
                    .flat_map(|p| p.entries.iter().flatten())
                    .filter(|e| e.list == "entity_list")
                    .collect(),
            };
            let mut policy = None;
            let mut bases = Vec::new();
            for e in entries {
                // "See §§ 744.11 and 744.23(d)": the policy is 744.23(d)'s, evaluated for this
                // transaction with the review clauses of the rule the rule set maps it to.
                if let crate::terms::PolicyTerms::CrossReference { sections } = &e.terms.policy
                    && let Some(target) = sections.iter().find_map(|s| cross_reference_rule(c, s))
                {
                    let (p, basis) = review_policy(c, target, party, questions, notes);
                    if p.is_some() {
                        bases.push(format!(
                            "entry refers to {}: {} [{}]",
                            target.id,
                            basis.unwrap_or_default(),
                            e.terms_source
                        ));
                        policy = policy_max(policy, p);
                        continue;
                    }
                }
                let r = e.terms.policy_for(item);
                for q in r.questions {
                    ask(q, &rule.id, questions);
                }
                bases.push(format!("{} [{}]", r.why, e.terms_source));
                policy = policy_max(policy, r.policy);
            }
            (policy, (!bases.is_empty()).then(|| bases.join("; ")))
        }
        Review::Clauses(clauses) => {
            let mut pending: Vec<(Policy, String)> = Vec::new();
            let mut chosen: Option<(Policy, String)> = None;
            for clause in clauses {
                let t = match &clause.when {
                    None => Tri::True,
                    Some(w) => {
                        let mut trace = Trace::default();
                        let t = c.eval(w, party, false, &mut trace);
                        let h = if trace.defaulted.is_empty() {
                            t
                        } else {
                            c.eval(w, party, true, &mut Trace::default())
                        };
                        if t != Tri::True && h == Tri::True {
                            for f in dedup(&trace.defaulted) {
                                pending.push((clause.policy, question(f).to_string()));
                            }
                        }
                        if t == Tri::Unknown {
                            for f in dedup(&trace.unknown) {
                                pending.push((clause.policy, question(f).to_string()));
                            }
                        }
                        t
                    }
                };
                if t == Tri::True {
                    let basis = match (&clause.when, &clause.citation) {
                        (Some(w), Some(cit)) => format!("{cit}: {w}"),
                        (None, Some(cit)) => cit.clone(),
                        (Some(w), None) => w.to_string(),
                        (None, None) => "rule default".into(),
                    };
                    if clause.confidence == Confidence::Unconfirmed {
                        notes.push(format!("UNCONFIRMED review policy: {} for {} is encoded from research marked unconfirmed; verify it before relying on it.", clause.policy.words(), rule.id));
                    }
                    chosen = Some((clause.policy, basis));
                    break;
                }
            }
            for (policy, q) in pending {
                if chosen.as_ref().is_none_or(|c| c.0 != policy) {
                    ask(
                        format!(
                            "{q} (this could change the review under {} to {})",
                            rule.id,
                            policy.words()
                        ),
                        &rule.id,
                        questions,
                    );
                }
            }
            match chosen {
                Some((p, b)) => (Some(p), Some(b)),
                None => (None, None),
            }
        }
    }
}

/// The rule whose review clauses state the policy of `section` (the rule set's
/// `policy_references`), if it is in force on the date.
fn cross_reference_rule<'r>(c: &Ctx<'r>, section: &str) -> Option<&'r Rule> {
    let id = c.rules.meta.policy_references.get(section)?;
    c.rules
        .rule(id)
        .filter(|r| matches!(r.in_force.status(c.as_of), Status::InForce))
}

/// The reasons for control of the item's ECCN paragraph on the date, whatever the destination.
fn item_reasons(c: &Ctx<'_>) -> Vec<String> {
    let Some(e) = &c.eccn else { return Vec::new() };
    let Some(entry) = c.rules.eccn(&e.entry) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for ctl in &entry.controls {
        let in_force =
            ctl.from.is_none_or(|f| c.as_of >= f) && ctl.until.is_none_or(|u| c.as_of <= u);
        let applies = ctl.paragraphs.is_empty()
            || eccn::matches_any(e, ctl.paragraphs.iter().map(String::as_str)) == Tri::True;
        if in_force && applies && !out.contains(&ctl.reason) {
            out.push(ctl.reason.clone());
        }
    }
    out
}

/// Computes the Country Chart outcome for the item and destination.
fn chart(c: &mut Ctx<'_>, questions: &mut Vec<Question>) {
    let Some(e) = c.eccn.clone() else {
        c.chart_license = Tri::Unknown;
        return;
    };
    if e.is_ear99() {
        c.chart_license = Tri::False;
        return;
    }
    if c.rules.chart.embargoed.contains(c.destination) {
        c.chart_license = Tri::False;
        return;
    }
    let Some(entry) = c.rules.eccn(&e.entry) else {
        c.chart_license = Tri::Unknown;
        let q = format!(
            "ECCN {} is not in the rule set's ECCN table; which reasons for control apply, and does the Country Chart show an X for {}?",
            e.entry, c.destination
        );
        questions.push(Question {
            question: q,
            rules: vec!["ccl-country-chart".into()],
        });
        return;
    };
    let Some(row) = c.rules.chart.rows.get(c.destination) else {
        c.chart_license = Tri::Unknown;
        return;
    };
    let mut acc = Tri::False;
    for control in &entry.controls {
        if control.from.is_some_and(|f| c.as_of < f) || control.until.is_some_and(|u| c.as_of > u) {
            continue;
        }
        let applies = if control.paragraphs.is_empty() {
            Tri::True
        } else {
            eccn::matches_any(&e, control.paragraphs.iter().map(String::as_str))
        };
        let x = Tri::from_bool(row.contains(&control.column));
        let t = applies.and(x);
        if t != Tri::False {
            c.chart_detail.push(format!(
                "{} ({}{})",
                control.reason,
                control.column,
                if t == Tri::Unknown {
                    ", if the paragraph is covered"
                } else {
                    ""
                }
            ));
            if t == Tri::True && !c.chart_reasons.iter().any(|r| r == &control.reason) {
                c.chart_reasons.push(control.reason.clone());
            }
        }
        acc = acc.or(t);
    }
    c.chart_license = acc;
}
