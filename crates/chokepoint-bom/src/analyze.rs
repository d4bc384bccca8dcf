//! The calculation: de minimis (15 CFR 734.4, Supp. No. 2 to part 734) and the foreign direct
//! product rules (734.9) for a product over its whole bill of materials, on a date.
//!
//! Nothing here restates the EAR: every threshold, country group, Country Chart mark and FDP
//! scope comes from the rule set, evaluated by `chokepoint_rules::determine`:
//!
//! - *Controlled* US content: a US-origin part counts when the rule set's license stage requires
//!   a license for it (by its ECCN) to the destination: Country Chart, chart-bypassing controls,
//!   embargoes (where EAR99 needs a license too). End-user rules are left out (no party is given
//!   for a part). The answer is cached per ECCN, so a million lines cost a few determinations.
//! - *Thresholds*: each `de_minimis` rule's `item.us_content_percent > N` leaves are turned into
//!   one derived rule per N (that leaf true, the others false); the derived rules that fire for
//!   the item and destination give the threshold (the lowest one: 25 %, 10 % for E:1/E:2, 0 %).
//!   A rule with no percentage leaf (734.4(a)(8), (a)(9)) makes any US content count: 0 %.
//! - *FDP*: each `fdp` rule's condition is split into its conjuncts on item facts (the product
//!   scope) and the rest (destination, end user, end use, date: the second test); both halves are
//!   evaluated as rules of their own, three-valued, so a missing fact is "unknown", never "no".
//!
//! Sub-assemblies: every part with children is counted as a whole by its parent. A foreign-made
//! sub-assembly gets its own de minimis calculation over its own children; if it is not subject to
//! the EAR it is foreign content (not looked through), if it is subject it counts at its full
//! value when it needs a license to the destination. A US-origin assembly counts as one US-origin
//! item. Amounts are exact decimals in US dollars; comparisons are exact
//! (`controlled × 100 > threshold × value`), percentages are rounded only for display.

use crate::input::{Bom, BomLine, BomProblem, Row, Text};
use crate::tree::{Tree, build_tree};
use chokepoint_model::Date;
use chokepoint_rules::cond::{CmpOp, Expr, Fact, Tri, Value};
use chokepoint_rules::{
    Activity, Determination, Exporter, Item, ListStatus, Party, Record, Role, Rule, RuleSet, Stage,
    Status, Transaction, determine,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Serialize;
use std::collections::HashMap;

/// What is asked: the destination, the date and, optionally, the end user.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// ISO-2 destination.
    pub destination: String,
    /// The date answered for.
    pub as_of: Date,
    /// The end user, if known.
    pub end_user: Option<EndUser>,
}

/// The end user, with its list status when known (`lists: None`: not screened, so unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct EndUser {
    /// Name.
    pub name: String,
    /// ISO-2 country (defaults to the destination).
    pub country: Option<String>,
    /// ISO-2 country of its headquarters (or ultimate parent).
    pub headquarters_country: Option<String>,
    /// List status (`Some(vec![])`: screened and not listed).
    pub lists: Option<Vec<ListStatus>>,
}

/// A three-valued answer that serializes as `true`, `false` or `"unknown"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Depends on a fact not given.
    Unknown,
}

impl Answer {
    fn from_tri(t: Tri) -> Answer {
        match t {
            Tri::True => Answer::Yes,
            Tri::False => Answer::No,
            Tri::Unknown => Answer::Unknown,
        }
    }

    /// `yes`, `no`, `unknown`.
    pub fn word(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Unknown => "unknown",
        }
    }
}

impl Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Yes => s.serialize_bool(true),
            Answer::No => s.serialize_bool(false),
            Answer::Unknown => s.serialize_str("unknown"),
        }
    }
}

/// How a line enters its parent's calculation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// The exported product.
    Product,
    /// US-origin, needs a license to the destination: counts.
    Controlled,
    /// US-origin, no license needed to the destination: does not count.
    NotControlled,
    /// US-origin, license need unknown (ECCN missing, not in the rule set, or paragraph needed).
    Undetermined,
    /// Foreign-made part: foreign content.
    Foreign,
    /// Foreign-made sub-assembly not subject to the EAR: foreign content, not looked through.
    SubassemblyNotSubject,
    /// Foreign-made sub-assembly subject to the EAR and needing a license: counts in full.
    SubassemblyControlled,
    /// Foreign-made sub-assembly subject to the EAR, no license needed: does not count.
    SubassemblyNotControlled,
    /// Foreign-made sub-assembly whose status or license need is unknown.
    SubassemblyUndetermined,
    /// Foreign-made part subject to the EAR as a foreign direct product, needing a license:
    /// counts in full.
    ForeignSubjectControlled,
    /// Foreign-made part subject to the EAR as a foreign direct product, no license needed:
    /// does not count.
    ForeignSubjectNotControlled,
    /// Foreign-made part that may be a foreign direct product subject to the EAR (a fact is
    /// missing), or whose license need is unknown.
    ForeignSubjectUndetermined,
}

impl LineStatus {
    /// The snake_case name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            LineStatus::Product => "product",
            LineStatus::Controlled => "controlled",
            LineStatus::NotControlled => "not_controlled",
            LineStatus::Undetermined => "undetermined",
            LineStatus::Foreign => "foreign",
            LineStatus::SubassemblyNotSubject => "subassembly_not_subject",
            LineStatus::SubassemblyControlled => "subassembly_controlled",
            LineStatus::SubassemblyNotControlled => "subassembly_not_controlled",
            LineStatus::SubassemblyUndetermined => "subassembly_undetermined",
            LineStatus::ForeignSubjectControlled => "foreign_subject_controlled",
            LineStatus::ForeignSubjectNotControlled => "foreign_subject_not_controlled",
            LineStatus::ForeignSubjectUndetermined => "foreign_subject_undetermined",
        }
    }
}

/// A sub-assembly's own de minimis calculation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubassemblyCalc {
    /// Controlled US content of its children (USD, per unit of product).
    pub controlled_value: Decimal,
    /// Content whose control status is unknown.
    pub undetermined_value: Decimal,
    /// Controlled share of its extended value, rounded to 4 places.
    pub controlled_percent: Decimal,
    /// The threshold that applies to it (`None`: no de minimis rule applies).
    pub threshold_percent: Option<Decimal>,
    /// Subject to the EAR (by de minimis, or as a foreign direct product).
    pub subject_to_ear: Answer,
}

/// One line of the worksheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineCalc {
    /// Row in the input.
    pub row: Row,
    /// Part id.
    pub part_id: Text,
    /// Parent part id (the calculation this line enters).
    pub parent_id: Option<Text>,
    /// Depth (product = 0).
    pub level: u32,
    /// Origin.
    pub origin_country: Text,
    /// ECCN.
    pub eccn: Option<Text>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Quantity per parent unit.
    pub quantity: Decimal,
    /// Units per unit of product.
    pub extended_quantity: Decimal,
    /// Unit value as given.
    pub unit_value: Decimal,
    /// Its currency.
    pub currency: Text,
    /// Unit value in USD.
    pub unit_value_usd: Decimal,
    /// `unit_value_usd × extended_quantity`.
    pub extended_value: Decimal,
    /// How it enters its parent's calculation.
    pub status: LineStatus,
    /// The value it adds to its parent's controlled content (USD).
    pub counted_value: Decimal,
    /// Why.
    pub reason: Text,
    /// A sub-assembly's own calculation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subassembly: Option<Box<SubassemblyCalc>>,
}

/// One FDP rule considered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FdpOutcome {
    /// Rule id.
    pub rule: String,
    /// Title.
    pub title: String,
    /// Citation.
    pub citation: String,
    /// Product scope met (item, technology/software, plant).
    pub item_scope: Answer,
    /// Second test met (destination, end user, end use).
    pub destination_test: Answer,
    /// `subject_to_ear`, `not_triggered`, `may_apply`, `suspended`, `compliance_not_yet_required`.
    pub outcome: &'static str,
    /// The conditions as evaluated.
    pub why: Vec<String>,
    /// Questions whose answers could change the outcome.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
    /// Research confidence (`confirmed`, `single_source`, `unconfirmed`).
    pub confidence: chokepoint_rules::Confidence,
}

/// The de minimis threshold that applies, with its rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// Percent (content must *exceed* it).
    pub percent: Decimal,
    /// Rule id.
    pub rule: String,
    /// Citation.
    pub citation: String,
    /// The rule makes any US content count, controlled or not (734.4(a)(8), (a)(9)).
    pub any_us_content: bool,
    /// Lower thresholds that may apply, depending on facts not given (percent, rule, question).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub may_be_lower: Vec<(Decimal, String, Vec<String>)>,
}

/// The answer for a product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BomAnswer {
    /// The product's part id.
    pub product: String,
    /// Its description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_description: Option<String>,
    /// Destination.
    pub destination: String,
    /// End user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_user: Option<String>,
    /// Date answered for.
    pub as_of: Date,
    /// All amounts are in this currency.
    pub currency: &'static str,
    /// The product's sale price (USD).
    pub product_value: Decimal,
    /// Controlled US content (USD).
    pub controlled_us_content_value: Decimal,
    /// US content whose control status is unknown (USD).
    pub undetermined_us_content_value: Decimal,
    /// Controlled share of the product value, rounded to 4 places.
    pub controlled_us_content_percent: Decimal,
    /// The threshold that applies (`null`: no de minimis rule applies, e.g. a US-origin product).
    pub de_minimis_threshold_percent: Option<Decimal>,
    /// The threshold's rule and caveats.
    pub de_minimis_rule: Option<Threshold>,
    /// Subject to the EAR by de minimis.
    pub de_minimis_subject: Answer,
    /// Subject to the EAR by any route.
    pub subject_to_ear: Answer,
    /// The routes that make it subject (or why not).
    pub basis: Vec<String>,
    /// The worksheet, in input order.
    pub lines: Vec<LineCalc>,
    /// Every FDP rule in force on the date.
    pub fdp: Vec<FdpOutcome>,
    /// Caveats and open questions.
    pub notes: Vec<String>,
    /// Rule-set id and version.
    pub ruleset: String,
}

/// The rule set prepared for BOM questions (derived rules built once).
#[derive(Debug, Clone)]
pub struct BomRules<'a> {
    rules: &'a RuleSet,
    thresholds: RuleSet,
    threshold_ids: Vec<(String, Decimal, usize, bool)>,
    fdp: RuleSet,
    fdp_ids: Vec<(usize, String, String)>,
}

fn is_item_fact(f: Fact) -> bool {
    matches!(
        f,
        Fact::ItemEccn
            | Fact::ItemOrigin
            | Fact::ItemForeignMade
            | Fact::ItemUsContent
            | Fact::ItemFdpTech
            | Fact::ItemFdpPlant
            | Fact::ItemDirectProductOf
            | Fact::ItemContainsUsIc
            | Fact::ItemContainsIcFromUsPlant
            | Fact::ItemDataCenter
            | Fact::ItemUniquely10nm
            | Fact::ItemReason
    )
}

fn always() -> Expr {
    Expr::And(Vec::new())
}

fn never() -> Expr {
    Expr::Or(Vec::new())
}

fn percent_leaves(e: &Expr, out: &mut Vec<f64>) {
    match e {
        Expr::And(items) | Expr::Or(items) => items.iter().for_each(|x| percent_leaves(x, out)),
        Expr::Not(inner) => percent_leaves(inner, out),
        Expr::Cmp(Fact::ItemUsContent, CmpOp::Gt, Value::Num(n)) => out.push(*n),
        _ => {}
    }
}

/// `e` with the leaf `us_content > keep` true and every other `us_content > N` false.
fn with_threshold(e: &Expr, keep: f64) -> Expr {
    match e {
        Expr::And(items) => Expr::And(items.iter().map(|x| with_threshold(x, keep)).collect()),
        Expr::Or(items) => Expr::Or(items.iter().map(|x| with_threshold(x, keep)).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(with_threshold(inner, keep))),
        Expr::Cmp(Fact::ItemUsContent, CmpOp::Gt, Value::Num(n)) => {
            if *n == keep {
                always()
            } else {
                never()
            }
        }
        other => other.clone(),
    }
}

/// `e` with every party leaf taken as holding (used when no end user is given, to ask).
fn without_party_leaves(e: &Expr) -> Expr {
    match e {
        Expr::And(items) => Expr::And(items.iter().map(without_party_leaves).collect()),
        Expr::Or(items) => Expr::Or(items.iter().map(without_party_leaves).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(without_party_leaves(inner))),
        Expr::Truthy(f) | Expr::Cmp(f, _, _) | Expr::In(f, _) if f.is_party() => always(),
        other => other.clone(),
    }
}

fn derived(rule: &Rule, id: String, when: Expr, for_each_party: bool) -> Rule {
    let mut r = rule.clone();
    r.id = id;
    r.when_text = when.to_string();
    let mut texts = Vec::new();
    when.leaf_texts(&mut texts);
    r.leaf_texts = texts;
    r.when = when;
    r.relevant_when = Some(always());
    r.for_each_party = for_each_party;
    r.in_force.compliance = None;
    r.in_force.suspensions.clear();
    r.in_force.savings_until = None;
    r
}

impl<'a> BomRules<'a> {
    /// Prepares the derived rules of `rules` (cheap; done once per evaluation).
    pub fn new(rules: &'a RuleSet) -> BomRules<'a> {
        let mut thresholds = Vec::new();
        let mut threshold_ids = Vec::new();
        let mut fdp = Vec::new();
        let mut fdp_ids = Vec::new();
        for (k, rule) in rules.rules.iter().enumerate() {
            if rule.stage != Stage::Jurisdiction {
                continue;
            }
            if rule.family == "de_minimis" {
                let mut ns = Vec::new();
                percent_leaves(&rule.when, &mut ns);
                ns.sort_by(f64::total_cmp);
                ns.dedup();
                let mut variants: Vec<(String, Decimal, Expr, bool)> = Vec::new();
                if ns.is_empty() {
                    let id = format!("{}@0", rule.id);
                    variants.push((id, Decimal::ZERO, rule.when.clone(), true));
                }
                for n in ns {
                    let Some(pct) = Decimal::from_f64(n) else {
                        continue;
                    };
                    let id = format!("{}@{}", rule.id, pct.normalize());
                    variants.push((id, pct.normalize(), with_threshold(&rule.when, n), false));
                }
                for (id, pct, when, any) in variants {
                    if rule.for_each_party {
                        let any_id = format!("{id}-any");
                        thresholds.push(derived(rule, any_id, without_party_leaves(&when), false));
                    }
                    thresholds.push(derived(rule, id.clone(), when, rule.for_each_party));
                    threshold_ids.push((id, pct, k, any));
                }
            } else if rule.family == "fdp" {
                let conjuncts: Vec<Expr> = match &rule.when {
                    Expr::And(items) => items.clone(),
                    other => vec![other.clone()],
                };
                let (item, dest): (Vec<Expr>, Vec<Expr>) = conjuncts.into_iter().partition(|c| {
                    let mut facts = Vec::new();
                    c.facts(&mut facts);
                    facts.iter().all(|f| is_item_fact(*f))
                });
                let item_id = format!("{}#item", rule.id);
                let dest_id = format!("{}#destination", rule.id);
                let dest_party = rule.for_each_party && {
                    let mut facts = Vec::new();
                    Expr::And(dest.clone()).facts(&mut facts);
                    facts.iter().any(|f| f.is_party())
                };
                fdp.push(derived(rule, item_id.clone(), Expr::And(item), false));
                if dest_party {
                    // Without an end user, "some party" is none: a yes still holds, a no is unknown.
                    let any_id = format!("{dest_id}-any");
                    fdp.push(derived(rule, any_id, Expr::And(dest.clone()), false));
                }
                fdp.push(derived(rule, dest_id.clone(), Expr::And(dest), dest_party));
                fdp_ids.push((k, item_id, dest_id));
            }
        }
        let mut t = rules.clone();
        t.rules = thresholds;
        let mut f = rules.clone();
        f.rules = fdp;
        BomRules {
            rules,
            thresholds: t,
            threshold_ids,
            fdp: f,
            fdp_ids,
        }
    }
}

fn item(eccn: Option<&str>, origin: &str) -> Item {
    Item {
        eccn: eccn.unwrap_or("").to_string(),
        description: None,
        origin_country: origin.to_string(),
        us_content_percent: None,
        foreign_direct_product_of_us_tech: None,
        made_by_plant_that_is_us_direct_product: None,
        direct_product_of: None,
        contains_us_origin_ic: None,
        contains_ic_from_us_derived_plant: None,
        designed_for_data_centers: None,
        uniquely_required_10nm: None,
        for_200mm_facility: None,
        content_detail: None,
        classifications: Default::default(),
    }
}

/// What a foreign part's FDP status depends on: ECCN, origin, its direct-product facts (as
/// text) and whether it contains a US-origin IC.
type PartKey = (Option<Text>, Text, String, Option<bool>);

struct Ctx<'a, 'r> {
    br: &'r BomRules<'a>,
    query: &'r Query,
    exporter_country: String,
    parties: Vec<Party>,
    licensing: HashMap<Option<String>, (Tri, String)>,
    thresholds: HashMap<(Option<String>, String, Option<bool>), Option<Threshold>>,
    /// A foreign part's FDP status by (ECCN, origin, direct-product facts, contains US IC).
    part_fdp: HashMap<PartKey, (Tri, String)>,
    notes: Vec<String>,
}

fn outcome_tri(d: &Determination, id: &str) -> Tri {
    // Every derived rule is `relevant_when = true`, so a rule evaluated is always reported.
    match d.rules.iter().find(|r| r.id == id).map(|r| r.effect) {
        Some("subject_to_ear") => Tri::True,
        Some("may_apply") => Tri::Unknown,
        _ => Tri::False,
    }
}

impl Ctx<'_, '_> {
    fn record(&self, item: Item, parties: Vec<Party>) -> Record {
        Record {
            id: "bom".into(),
            as_of: self.query.as_of,
            title: None,
            transaction: Transaction {
                item,
                exporter: Exporter {
                    country: self.exporter_country.clone(),
                    us_person: Some(false),
                    name: None,
                    headquarters_country: None,
                },
                destination_country: self.query.destination.clone(),
                parties,
                facility: None,
                end_use: None,
                activity: Activity::Reexport,
                servicing_person: None,
                us_government_consignee: None,
                releases_software_or_technology: None,
            },
        }
    }

    /// Does an item of this ECCN need a license to the destination (license stage, no parties)?
    fn licensing(&mut self, eccn: Option<&str>) -> (Tri, String) {
        let key = eccn.map(str::to_string);
        if let Some(hit) = self.licensing.get(&key) {
            return hit.clone();
        }
        let dest = &self.query.destination;
        let rules = self.br.rules;
        let answer = match eccn.and_then(chokepoint_rules::eccn::Eccn::parse) {
            None => (
                Tri::Unknown,
                "no ECCN given: classify the part to know whether it needs a license".to_string(),
            ),
            Some(e) if !e.is_ear99() && rules.eccn(&e.entry).is_none() => (
                Tri::Unknown,
                format!(
                    "{e} is not in the rule set (which covers semiconductor ECCNs): check its license requirement to {dest} by hand"
                ),
            ),
            Some(e) => {
                let record = self.record(item(Some(&e.to_string()), "US"), Vec::new());
                match determine(rules, &record, &chokepoint_rules::Context::default()) {
                    Err(err) => (Tri::Unknown, err.to_string()),
                    Ok(d) => {
                        let mut tri = Tri::False;
                        let mut why = Vec::new();
                        for r in &d.rules {
                            let is_license = rules
                                .rule(&r.id)
                                .is_some_and(|rule| rule.stage == Stage::License);
                            if !is_license {
                                continue;
                            }
                            match r.effect {
                                "license_required" => {
                                    tri = Tri::True;
                                    why.push(format!("{} ({})", r.id, r.citation));
                                }
                                "may_apply" if tri != Tri::True => {
                                    tri = Tri::Unknown;
                                    why.push(format!("{} may apply ({})", r.id, r.citation));
                                }
                                _ => {}
                            }
                        }
                        let text = match tri {
                            Tri::True => {
                                format!("{e} needs a license to {dest}: {}", why.join("; "))
                            }
                            Tri::Unknown => {
                                let qs: Vec<&str> =
                                    d.unknowns.iter().map(|q| q.question.as_str()).collect();
                                format!(
                                    "{e} to {dest}: license need unknown ({}); {}",
                                    why.join("; "),
                                    qs.join(" ")
                                )
                            }
                            Tri::False => format!(
                                "{e} needs no license to {dest} (no Country Chart mark, no embargo)"
                            ),
                        };
                        (tri, text)
                    }
                }
            }
        };
        self.licensing.insert(key, answer.clone());
        answer
    }

    /// The de minimis threshold for an item (`None`: no de minimis rule applies).
    fn threshold(
        &mut self,
        eccn: Option<&str>,
        origin: &str,
        contains_us_ic: Option<bool>,
    ) -> Option<Threshold> {
        let key = (eccn.map(str::to_string), origin.to_string(), contains_us_ic);
        if let Some(hit) = self.thresholds.get(&key) {
            return hit.clone();
        }
        let mut it = item(eccn, origin);
        it.contains_us_origin_ic = contains_us_ic;
        let record = self.record(it, self.parties.clone());
        let d = determine(
            &self.br.thresholds,
            &record,
            &chokepoint_rules::Context::default(),
        );
        let answer = d.ok().and_then(|d| {
            let mut best: Option<Threshold> = None;
            let mut pending = Vec::new();
            for (id, pct, k, any) in &self.br.threshold_ids {
                let src = &self.br.rules.rules[*k];
                let tri = if src.for_each_party && self.parties.is_empty() {
                    // Turns on the end user, who is not given: a possible lower threshold.
                    match outcome_tri(&d, &format!("{id}-any")) {
                        Tri::False => Tri::False,
                        _ => {
                            pending.push((
                                *pct,
                                src.id.clone(),
                                vec![format!(
                                    "It turns on the end user (its Entity List footnotes): give --end-user. {}",
                                    src.title
                                )],
                            ));
                            continue;
                        }
                    }
                } else {
                    outcome_tri(&d, id)
                };
                match tri {
                    Tri::True => {
                        if best.as_ref().is_none_or(|b| *pct < b.percent) {
                            best = Some(Threshold {
                                percent: *pct,
                                rule: src.id.clone(),
                                citation: src.citation.clone(),
                                any_us_content: *any,
                                may_be_lower: Vec::new(),
                            });
                        }
                    }
                    Tri::Unknown => {
                        let qs = d
                            .unknowns
                            .iter()
                            .filter(|q| q.rules.iter().any(|r| r == id))
                            .map(|q| strip_derived(&q.question))
                            .collect();
                        pending.push((*pct, src.id.clone(), qs));
                    }
                    Tri::False => {}
                }
            }
            let mut best = best?;
            best.may_be_lower = pending
                .into_iter()
                .filter(|(p, _, _)| *p < best.percent)
                .collect();
            Some(best)
        });
        self.thresholds.insert(key, answer.clone());
        answer
    }
}

/// A question without the derived-rule suffixes (`de-minimis-0pct-litho@0` → `de-minimis-0pct-litho`).
fn strip_derived(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let mut skip = false;
    for ch in q.chars() {
        if ch == '@' {
            skip = true;
            continue;
        }
        if skip && (ch.is_ascii_digit() || ch == '.') {
            continue;
        }
        skip = false;
        out.push(ch);
    }
    out
}

/// `part × 100 > threshold × whole`, exactly.
fn exceeds(part: Decimal, whole: Decimal, threshold: Decimal) -> bool {
    match (
        part.checked_mul(Decimal::ONE_HUNDRED),
        threshold.checked_mul(whole),
    ) {
        (Some(a), Some(b)) => a > b,
        _ => part > Decimal::ZERO,
    }
}

fn percent(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| p.checked_div(whole))
        .map_or(Decimal::ZERO, |p| p.round_dp(4).normalize())
}

/// De minimis subject status for content `(controlled, undetermined)` of `value`.
fn de_minimis(
    t: Option<&Threshold>,
    controlled: Decimal,
    undetermined: Decimal,
    value: Decimal,
    has_us_content: Tri,
) -> Tri {
    let Some(t) = t else { return Tri::False };
    if t.any_us_content {
        return has_us_content;
    }
    if exceeds(controlled, value, t.percent) {
        return Tri::True;
    }
    let upper = controlled + undetermined;
    if exceeds(upper, value, t.percent)
        || t.may_be_lower
            .iter()
            .any(|(p, _, _)| exceeds(upper, value, *p))
    {
        return Tri::Unknown;
    }
    Tri::False
}

/// Evaluates a BOM for a destination (and end user) on a date.
///
/// Returns every problem at once when the tree or a value is unusable.
pub fn evaluate(rules: &RuleSet, bom: &Bom, query: &Query) -> Result<BomAnswer, Vec<BomProblem>> {
    let br = BomRules::new(rules);
    evaluate_with(&br, bom, query)
}

/// [`evaluate`] with the derived rules prepared once (for repeated questions).
pub fn evaluate_with(
    br: &BomRules<'_>,
    bom: &Bom,
    query: &Query,
) -> Result<BomAnswer, Vec<BomProblem>> {
    let rules = br.rules;
    let mut problems = Vec::new();
    if let Some(msg) = chokepoint_rules_date_problem(rules, query.as_of) {
        problems.push(BomProblem {
            row: None,
            part_id: None,
            field: Some("as_of".into()),
            message: msg,
        });
    }
    let dest = query.destination.to_ascii_uppercase();
    if !(chokepoint_model::country::is_known_code(&dest) || rules.knows_country(&dest)) {
        problems.push(BomProblem {
            row: None,
            part_id: None,
            field: Some("destination".into()),
            message: format!("`{}` is not an ISO-2 country code", query.destination),
        });
    }
    for l in &bom.lines {
        if l.us_origin_ic == Some(true)
            && !l.origin_country.is_empty()
            && &*l.origin_country != "US"
        {
            problems.push(BomProblem::at(
                l.row,
                &l.part_id,
                Some("us_origin_ic"),
                format!(
                    "a US-origin IC must have origin_country US, not `{}`",
                    l.origin_country
                ),
            ));
        }
    }
    let tree = match build_tree(bom) {
        Ok(t) => t,
        Err(mut p) => {
            problems.append(&mut p);
            return Err(problems);
        }
    };
    let product = &bom.lines[tree.root];
    if tree.unit_value_usd[tree.root] <= Decimal::ZERO {
        problems.push(BomProblem::at(
            product.row,
            &product.part_id,
            Some("unit_value"),
            "the product's sale price must be positive".into(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let query = Query {
        destination: dest,
        ..query.clone()
    };
    let parties: Vec<Party> = query
        .end_user
        .iter()
        .map(|u| Party {
            role: Role::EndUser,
            name: u.name.clone(),
            country: Some(
                u.country
                    .clone()
                    .unwrap_or_else(|| query.destination.clone()),
            ),
            lists: u.lists.clone(),
            headquarters_country: u.headquarters_country.clone(),
            ownership: None,
            military_end_user: None,
            majority_owned_by_d5: None,
        })
        .collect();
    let mut ctx = Ctx {
        br,
        query: &query,
        exporter_country: product
            .incorporated_in
            .clone()
            .unwrap_or_else(|| product.origin_country.to_string()),
        parties,
        licensing: HashMap::new(),
        thresholds: HashMap::new(),
        part_fdp: HashMap::new(),
        notes: Vec::new(),
    };
    Ok(compute(&mut ctx, bom, &tree))
}

fn chokepoint_rules_date_problem(rules: &RuleSet, date: Date) -> Option<String> {
    let from = rules.meta.covers_from?;
    let until = rules.meta.covers_until?;
    (date < from || date > until)
        .then(|| format!("{date} is outside the rule set's range {from} to {until}"))
}

fn compute(ctx: &mut Ctx<'_, '_>, bom: &Bom, tree: &Tree) -> BomAnswer {
    let lines = &bom.lines;
    let n = lines.len();
    let mut controlled = vec![Decimal::ZERO; n];
    let mut undetermined = vec![Decimal::ZERO; n];
    // US-origin IC below a line: (some known, some unknown).
    let mut ic_yes = vec![false; n];
    let mut ic_unknown = vec![false; n];
    let mut us_content = vec![false; n];
    let mut status_of = vec![LineStatus::Product; n];
    let mut reason_of: Vec<Option<Text>> = vec![None; n];
    let mut sub_of: Vec<Option<Box<SubassemblyCalc>>> = vec![None; n];
    // Reasons repeat: one shared text per (assembly?, ECCN) and per foreign origin.
    let mut us_reasons: rustc_hash::FxHashMap<(bool, Option<Text>), (Tri, Text)> =
        rustc_hash::FxHashMap::default();
    let mut foreign_reasons: rustc_hash::FxHashMap<Text, Text> = rustc_hash::FxHashMap::default();
    for &i in tree.order.iter().rev() {
        let i = i as usize;
        let l = &lines[i];
        for &c in tree.children_of(i) {
            let c = c as usize;
            let cl = &lines[c];
            let is_us = &*cl.origin_country == "US";
            ic_yes[i] |= ic_yes[c] || (is_us && cl.us_origin_ic == Some(true));
            ic_unknown[i] |= ic_unknown[c] || (is_us && cl.us_origin_ic.is_none());
            us_content[i] |= us_content[c] || is_us;
        }
        let contains_ic = if ic_yes[i] {
            Some(true)
        } else if ic_unknown[i] {
            None
        } else {
            Some(false)
        };
        if i == tree.root {
            continue;
        }
        let ext = tree.extended_value[i];
        let has_children = !tree.children_of(i).is_empty();
        let (status, counted, unknown, reason, sub) = if &*l.origin_country == "US" {
            let key = (has_children, l.eccn.clone());
            let (tri, reason) = match us_reasons.get(&key) {
                Some(hit) => hit.clone(),
                None => {
                    let (tri, why) = ctx.licensing(l.eccn.as_deref());
                    let what = if has_children {
                        "US-origin assembly (counted as one item)"
                    } else {
                        "US-origin"
                    };
                    let v = (tri, Text::from(format!("{what}; {why}")));
                    us_reasons.insert(key, v.clone());
                    v
                }
            };
            match tri {
                Tri::True => (LineStatus::Controlled, ext, Decimal::ZERO, reason, None),
                Tri::False => (
                    LineStatus::NotControlled,
                    Decimal::ZERO,
                    Decimal::ZERO,
                    reason,
                    None,
                ),
                Tri::Unknown => (LineStatus::Undetermined, Decimal::ZERO, ext, reason, None),
            }
        } else if !has_children
            && let Some((fdp, fdp_why)) = part_fdp(ctx, l, contains_ic)
            && fdp != Tri::False
        {
            let (lic, why) = ctx.licensing(l.eccn.as_deref());
            let what = format!("foreign-made ({}), {fdp_why}", l.origin_country);
            match (fdp, lic) {
                (Tri::True, Tri::True) => (
                    LineStatus::ForeignSubjectControlled,
                    ext,
                    Decimal::ZERO,
                    Text::from(format!("{what}: counted at its full value; {why}")),
                    None,
                ),
                (_, Tri::False) => (
                    LineStatus::ForeignSubjectNotControlled,
                    Decimal::ZERO,
                    Decimal::ZERO,
                    Text::from(format!("{what}: not counted; {why}")),
                    None,
                ),
                _ => (
                    LineStatus::ForeignSubjectUndetermined,
                    Decimal::ZERO,
                    ext,
                    Text::from(format!("{what}; {why}")),
                    None,
                ),
            }
        } else if !has_children {
            (
                LineStatus::Foreign,
                Decimal::ZERO,
                Decimal::ZERO,
                foreign_reasons
                    .entry(l.origin_country.clone())
                    .or_insert_with(|| {
                        Text::from(format!(
                            "foreign-made ({}): foreign content",
                            l.origin_country
                        ))
                    })
                    .clone(),
                None,
            )
        } else {
            let sum_c: Decimal = tree
                .children_of(i)
                .iter()
                .map(|&c| controlled[c as usize])
                .sum();
            let sum_u: Decimal = tree
                .children_of(i)
                .iter()
                .map(|&c| undetermined[c as usize])
                .sum();
            let t = ctx.threshold(l.eccn.as_deref(), &l.origin_country, contains_ic);
            let by_content =
                de_minimis(t.as_ref(), sum_c, sum_u, ext, Tri::from_bool(us_content[i]));
            // A sub-assembly that is itself a foreign direct product is subject whatever its
            // US content.
            let fdp = part_fdp(ctx, l, contains_ic);
            let subject = match &fdp {
                Some((tri, _)) => by_content.or(*tri),
                None => by_content,
            };
            let calc = SubassemblyCalc {
                controlled_value: sum_c,
                undetermined_value: sum_u,
                controlled_percent: percent(sum_c, ext),
                threshold_percent: t.as_ref().map(|t| t.percent),
                subject_to_ear: Answer::from_tri(subject),
            };
            let mut share = format!(
                "foreign-made sub-assembly ({}), controlled US content {} % of its value vs {}",
                l.origin_country,
                calc.controlled_percent,
                t.as_ref()
                    .map_or("no de minimis rule".to_string(), |t| format!(
                        "{} % ({})",
                        t.percent, t.citation
                    ))
            );
            if let Some((tri, why)) = &fdp
                && *tri != Tri::False
            {
                share.push_str(&format!("; {why}"));
            }
            match subject {
                Tri::False => (
                    LineStatus::SubassemblyNotSubject,
                    Decimal::ZERO,
                    Decimal::ZERO,
                    Text::from(format!(
                        "{share}: not subject to the EAR, foreign content (not looked through)"
                    )),
                    Some(calc),
                ),
                _ => {
                    let (lic, why) = ctx.licensing(l.eccn.as_deref());
                    let subj = if subject == Tri::True {
                        "subject to the EAR"
                    } else {
                        "possibly subject to the EAR"
                    };
                    match (subject, lic) {
                        (Tri::True, Tri::True) => (
                            LineStatus::SubassemblyControlled,
                            ext,
                            Decimal::ZERO,
                            Text::from(format!(
                                "{share}: {subj}, counted at its full value; {why}"
                            )),
                            Some(calc),
                        ),
                        (_, Tri::False) => (
                            LineStatus::SubassemblyNotControlled,
                            Decimal::ZERO,
                            Decimal::ZERO,
                            Text::from(format!("{share}: {subj}, not counted; {why}")),
                            Some(calc),
                        ),
                        _ => (
                            LineStatus::SubassemblyUndetermined,
                            Decimal::ZERO,
                            ext,
                            Text::from(format!("{share}: {subj}; {why}")),
                            Some(calc),
                        ),
                    }
                }
            }
        };
        controlled[i] = counted;
        undetermined[i] = unknown;
        status_of[i] = status;
        reason_of[i] = Some(reason);
        sub_of[i] = sub.map(Box::new);
    }
    // The product.
    let root = tree.root;
    let product = &lines[root];
    let value = tree.unit_value_usd[root];
    let c: Decimal = tree
        .children_of(root)
        .iter()
        .map(|&k| controlled[k as usize])
        .sum();
    let u: Decimal = tree
        .children_of(root)
        .iter()
        .map(|&k| undetermined[k as usize])
        .sum();
    let contains_ic = if ic_yes[root] {
        Some(true)
    } else if ic_unknown[root] {
        None
    } else {
        Some(false)
    };
    let foreign_product = &*product.origin_country != "US";
    let t = ctx.threshold(
        product.eccn.as_deref(),
        &product.origin_country,
        contains_ic,
    );
    let dm = if foreign_product {
        de_minimis(t.as_ref(), c, u, value, Tri::from_bool(us_content[root]))
    } else {
        Tri::False
    };
    let pct = percent(c, value);
    let mut basis = Vec::new();
    let mut route = Tri::False;
    if !foreign_product {
        route = Tri::True;
        basis.push("US-origin item: subject to the EAR wherever located (15 CFR 734.3(a)(2)); de minimis does not apply".into());
    }
    if let Some(t) = &t {
        let text = if t.any_us_content {
            format!(
                "no de minimis for this item ({}: {}): any US-origin IC makes it subject",
                t.rule, t.citation
            )
        } else {
            format!(
                "de minimis ({}): controlled US content {} of {} USD = {} % against {} %{}",
                t.citation,
                c,
                value,
                pct,
                t.percent,
                if u.is_zero() {
                    String::new()
                } else {
                    format!(" (plus {u} USD of undetermined content)")
                }
            )
        };
        let verdict = match dm {
            Tri::True => "subject to the EAR",
            Tri::False => "not subject by de minimis",
            Tri::Unknown => "may be subject (open questions)",
        };
        basis.push(format!("{text}: {verdict}"));
        for (p, rule, qs) in &t.may_be_lower {
            ctx.notes.push(format!(
                "A {p} % threshold ({rule}) may apply: {}",
                qs.join(" ")
            ));
        }
    }
    route = route.or(dm);
    // FDP.
    let fdp = fdp_outcomes(ctx, product, contains_ic);
    for f in &fdp {
        match f.outcome {
            "subject_to_ear" => {
                route = route.or(Tri::True);
                basis.push(format!("{} ({}): {}", f.rule, f.citation, f.title));
            }
            "may_apply" => {
                route = route.or(Tri::Unknown);
                basis.push(format!(
                    "{} ({}) may apply: {}",
                    f.rule, f.citation, f.title
                ));
            }
            _ => {}
        }
    }
    if route == Tri::False {
        basis.push("no foreign direct product rule applies".into());
    }
    let product_reason = Text::from(format!("the exported product; sale price {value} USD"));
    let out_lines: Vec<LineCalc> = reason_of
        .into_iter()
        .zip(sub_of)
        .enumerate()
        .map(|(i, (reason, sub))| {
            line_calc(
                &lines[i],
                tree,
                i,
                status_of[i],
                controlled[i],
                reason.unwrap_or_else(|| product_reason.clone()),
                sub,
            )
        })
        .collect();
    let subject = Answer::from_tri(route);
    BomAnswer {
        product: product.part_id.to_string(),
        product_description: product.description.as_deref().map(str::to_string),
        destination: ctx.query.destination.clone(),
        end_user: ctx.query.end_user.as_ref().map(|u| u.name.clone()),
        as_of: ctx.query.as_of,
        currency: "USD",
        product_value: value,
        controlled_us_content_value: c,
        undetermined_us_content_value: u,
        controlled_us_content_percent: pct,
        de_minimis_threshold_percent: t.as_ref().filter(|_| foreign_product).map(|t| t.percent),
        de_minimis_rule: t.filter(|_| foreign_product),
        de_minimis_subject: Answer::from_tri(dm),
        subject_to_ear: subject,
        basis,
        lines: out_lines,
        fdp,
        notes: std::mem::take(&mut ctx.notes),
        ruleset: format!("{} {}", ctx.br.rules.meta.id, ctx.br.rules.meta.version),
    }
}

fn line_calc(
    l: &BomLine,
    tree: &Tree,
    i: usize,
    status: LineStatus,
    counted: Decimal,
    reason: Text,
    sub: Option<Box<SubassemblyCalc>>,
) -> LineCalc {
    LineCalc {
        row: l.row,
        part_id: l.part_id.clone(),
        parent_id: l.parent_id.clone(),
        level: tree.level[i],
        origin_country: l.origin_country.clone(),
        eccn: l.eccn.clone(),
        description: l.description.clone(),
        quantity: l.quantity,
        extended_quantity: tree.extended_quantity[i],
        unit_value: l.unit_value,
        currency: l.currency.clone(),
        unit_value_usd: tree.unit_value_usd[i],
        extended_value: tree.extended_value[i],
        status,
        counted_value: counted,
        reason,
        subassembly: sub,
    }
}

/// Whether a foreign-made part (a leaf or a sub-assembly) is subject to the EAR as a foreign
/// direct product: its stated direct-product facts against every FDP rule's product scope and
/// second test, as for the product itself. `None` when the line states no direct-product fact:
/// the part is then judged by its origin and, for a sub-assembly, by de minimis (its FDP status
/// is not asked about, as the product's is).
fn part_fdp(
    ctx: &mut Ctx<'_, '_>,
    l: &BomLine,
    contains_ic: Option<bool>,
) -> Option<(Tri, String)> {
    use crate::input::DirectProduct;
    if matches!(
        (&l.direct_product_of, &l.plant_is_direct_product_of),
        (DirectProduct::Unknown, DirectProduct::Unknown)
    ) {
        return None;
    }
    let key = (
        l.eccn.clone(),
        l.origin_country.clone(),
        format!(
            "{:?}|{:?}",
            l.direct_product_of, l.plant_is_direct_product_of
        ),
        contains_ic,
    );
    if let Some(hit) = ctx.part_fdp.get(&key) {
        return Some(hit.clone());
    }
    let outcomes = fdp_outcomes(ctx, l, contains_ic);
    let firing: Vec<&FdpOutcome> = outcomes
        .iter()
        .filter(|o| o.outcome == "subject_to_ear")
        .collect();
    let maybe: Vec<&FdpOutcome> = outcomes
        .iter()
        .filter(|o| o.outcome == "may_apply")
        .collect();
    let answer = if let Some(o) = firing.first() {
        (
            Tri::True,
            format!(
                "a foreign direct product subject to the EAR ({}, {})",
                o.title, o.citation
            ),
        )
    } else if let Some(o) = maybe.first() {
        (
            Tri::Unknown,
            format!(
                "possibly a foreign direct product ({}, {}): {}",
                o.title,
                o.citation,
                o.why.join("; ")
            ),
        )
    } else {
        (
            Tri::False,
            "not a foreign direct product under any FDP rule".to_string(),
        )
    };
    ctx.part_fdp.insert(key, answer.clone());
    Some(answer)
}

fn fdp_outcomes(
    ctx: &mut Ctx<'_, '_>,
    product: &BomLine,
    contains_ic: Option<bool>,
) -> Vec<FdpOutcome> {
    let br = ctx.br;
    let as_of = ctx.query.as_of;
    let mut it = item(product.eccn.as_deref(), &product.origin_country);
    it.description = product.description.as_deref().map(str::to_string);
    it.foreign_direct_product_of_us_tech = product.direct_product_of.any();
    it.made_by_plant_that_is_us_direct_product = product.plant_is_direct_product_of.any();
    let stated = !matches!(
        (
            &product.direct_product_of,
            &product.plant_is_direct_product_of
        ),
        (
            crate::input::DirectProduct::Unknown,
            crate::input::DirectProduct::Unknown
        )
    );
    if stated {
        let mut all: Vec<String> = product.direct_product_of.eccns().to_vec();
        all.extend(product.plant_is_direct_product_of.eccns().iter().cloned());
        it.direct_product_of = Some(all);
    }
    it.contains_us_origin_ic = contains_ic;
    let record = ctx.record(it, ctx.parties.clone());
    let d = match determine(&br.fdp, &record, &chokepoint_rules::Context::default()) {
        Ok(d) => d,
        Err(e) => {
            ctx.notes.push(format!("FDP rules not evaluated: {e}"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (k, item_id, dest_id) in &br.fdp_ids {
        let rule = &br.rules.rules[*k];
        let status = rule.in_force.status(as_of);
        if matches!(status, Status::NotYet | Status::Ended) {
            continue;
        }
        let item_tri = outcome_tri(&d, item_id);
        let dest_rule = br.fdp.rule(dest_id);
        let mut why = Vec::new();
        for (label, id) in [("product scope", item_id), ("second test", dest_id)] {
            if let Some(o) = d.rules.iter().find(|r| &r.id == id) {
                for w in o.why.iter().filter(|w| *w != &rule.explanation) {
                    why.push(format!("{label}: {w}"));
                }
            }
        }
        let dest_tri = if dest_rule.is_some_and(|r| r.for_each_party) && ctx.parties.is_empty() {
            let any_id = format!("{dest_id}-any");
            if outcome_tri(&d, &any_id) == Tri::True {
                Tri::True
            } else {
                why.push("second test: turns on the end user (its list status, footnotes or headquarters): give --end-user".into());
                Tri::Unknown
            }
        } else {
            outcome_tri(&d, dest_id)
        };
        let questions: Vec<String> = d
            .unknowns
            .iter()
            .filter(|q| {
                q.rules
                    .iter()
                    .any(|r| r == item_id || r.starts_with(dest_id.as_str()))
            })
            .map(|q| {
                q.question
                    .replace("#destination-any", "")
                    .replace("#destination", "")
                    .replace("#item", "")
            })
            .collect();
        let both = item_tri.and(dest_tri);
        let outcome = match (both, status) {
            (Tri::False, _) => "not_triggered",
            (_, Status::Suspended(_)) => "suspended",
            (_, Status::BeforeCompliance(_)) => "compliance_not_yet_required",
            (Tri::True, _) => "subject_to_ear",
            (Tri::Unknown, _) => "may_apply",
        };
        out.push(FdpOutcome {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            citation: rule.citation.clone(),
            item_scope: Answer::from_tri(item_tri),
            destination_test: Answer::from_tri(dest_tri),
            outcome,
            why,
            questions,
            confidence: rule.confidence,
        });
    }
    out
}
