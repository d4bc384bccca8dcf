//! The rule set: dated rules, country groups, the Country Chart, ECCN controls, license
//! exceptions, authorizations, known Entity List terms and text hints, read from TOML text.
//!
//! Parsing never stops at the first problem: each file is read into a TOML table, each array item
//! (`[[rule]]`, `[[group]]`...) is deserialized on its own, and the cross-checks (duplicate ids,
//! unknown facts, undefined groups and sets, bad dates, bad ECCN patterns) run over everything
//! that could be read. The result is the usable part of the rule set plus every diagnostic.
//! The file format is documented in `rulesets/README.md`.

use crate::cond::{self, Expr, Fact, Value};
use crate::eccn;
use crate::regime::{self, Regime};
use chokepoint_model::{Date, Diagnostic};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The review policy a license application would receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// No license is required, so no application is reviewed.
    NotApplicable,
    /// Presumption of approval.
    PresumptionOfApproval,
    /// Case-by-case review.
    CaseByCase,
    /// Presumption of denial.
    PresumptionOfDenial,
    /// Policy of denial.
    PolicyOfDenial,
}

impl Policy {
    /// Parses the snake_case name.
    pub fn from_name(name: &str) -> Option<Policy> {
        Some(match name {
            "not_applicable" => Policy::NotApplicable,
            "presumption_of_approval" => Policy::PresumptionOfApproval,
            "case_by_case" => Policy::CaseByCase,
            "presumption_of_denial" => Policy::PresumptionOfDenial,
            "policy_of_denial" => Policy::PolicyOfDenial,
            _ => return None,
        })
    }

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Policy::NotApplicable => "not_applicable",
            Policy::PresumptionOfApproval => "presumption_of_approval",
            Policy::CaseByCase => "case_by_case",
            Policy::PresumptionOfDenial => "presumption_of_denial",
            Policy::PolicyOfDenial => "policy_of_denial",
        }
    }

    /// Words for the memo.
    pub fn words(self) -> &'static str {
        match self {
            Policy::NotApplicable => "not applicable",
            Policy::PresumptionOfApproval => "presumption of approval",
            Policy::CaseByCase => "case-by-case review",
            Policy::PresumptionOfDenial => "presumption of denial",
            Policy::PolicyOfDenial => "policy of denial",
        }
    }
}

/// How sure the research is of a rule (the `[C]`/`[S]`/`[U]` marks of the research note).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Confirmed in a primary text or two independent sources.
    Confirmed,
    /// One secondary source.
    SingleSource,
    /// Not confirmed; surfaced in every answer it touches.
    Unconfirmed,
}

/// When a rule is evaluated, and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// What the activity is in EAR terms: whether it exports, reexports or transfers the item
    /// itself (remote access to compute does not), and on what basis (a release deemed an export).
    Activity,
    /// Is the item subject to the EAR, and by which route?
    Jurisdiction,
    /// License requirements for items subject to the EAR.
    License,
    /// License requirements on US persons (744.6), whether or not the item is subject.
    UsPerson,
    /// Restrictions on license exceptions (740.2, 744.16...).
    Restriction,
    /// A license exception (part 740).
    Exception,
    /// An authorization that is not a license exception (VEU, temporary general licenses).
    Authorization,
}

/// A suspension window (inclusive), with its own citation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suspension {
    /// First suspended day.
    pub from: Date,
    /// Last suspended day, if the end is known.
    pub until: Option<Date>,
    /// Citation of the suspending act.
    pub citation: String,
    /// Explanation.
    pub note: String,
}

/// The dates a rule is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InForce {
    /// Effective date.
    pub effective: Date,
    /// Compliance date, when later than the effective date.
    pub compliance: Option<Date>,
    /// Last day in force (inclusive), if it ended.
    pub until: Option<Date>,
    /// Savings clause: shipments en route or items in production until this day keep the prior
    /// treatment (reported, not applied: the engine cannot know what was en route).
    pub savings_until: Option<Date>,
    /// Suspension windows.
    pub suspensions: Vec<Suspension>,
}

/// The status of a rule on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status<'a> {
    /// Before the effective date.
    NotYet,
    /// In force, but compliance is not yet required.
    BeforeCompliance(Date),
    /// In force.
    InForce,
    /// In force but suspended.
    Suspended(&'a Suspension),
    /// Ended.
    Ended,
}

impl InForce {
    /// The status on `date`.
    pub fn status(&self, date: Date) -> Status<'_> {
        if date < self.effective {
            return Status::NotYet;
        }
        if self.until.is_some_and(|u| date > u) {
            return Status::Ended;
        }
        if let Some(s) = self
            .suspensions
            .iter()
            .find(|s| date >= s.from && s.until.is_none_or(|u| date <= u))
        {
            return Status::Suspended(s);
        }
        match self.compliance {
            Some(c) if date < c => Status::BeforeCompliance(c),
            _ => Status::InForce,
        }
    }
}

/// One clause of a review policy: the first clause whose condition holds gives the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewClause {
    /// Condition; `None` always holds.
    pub when: Option<Expr>,
    /// The policy.
    pub policy: Policy,
    /// Where the policy is stated.
    pub citation: Option<String>,
    /// How sure the research is of this clause (an unconfirmed clause is flagged when chosen).
    pub confidence: Confidence,
}

/// How a rule's review policy is found.
#[derive(Debug, Clone, PartialEq)]
pub enum Review {
    /// The rule has no review policy of its own (jurisdiction, exceptions...).
    None,
    /// Read from the party's Entity List entry (or its owners' entries).
    FromEntry,
    /// Ordered clauses.
    Clauses(Vec<ReviewClause>),
}

/// One rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Unique id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The regime the rule belongs to (`US` unless the file says `regime = "JP"`...).
    pub regime: Regime,
    /// Stage.
    pub stage: Stage,
    /// Family (entity_list, meu, end_use, ccl, de_minimis, fdp...), for grouping in docs.
    pub family: String,
    /// Citation(s), `;`-separated.
    pub citation: String,
    /// Confidence.
    pub confidence: Confidence,
    /// Dates.
    pub in_force: InForce,
    /// Evaluated once per party (party facts bound to that party).
    pub for_each_party: bool,
    /// When the rule is worth reporting even if it does not fire.
    pub relevant_when: Option<Expr>,
    /// When it fires.
    pub when: Expr,
    /// The text of `when`, as written.
    pub when_text: String,
    /// Jurisdiction rules: whether the Country Chart applies to items subject only by this route.
    pub chart_applies: bool,
    /// Activity rules: whether the activity, when the rule fires, is an export, reexport or
    /// transfer of the item (`false`: the item's own license requirements do not apply to it).
    pub exports_item: bool,
    /// Whether `when` tests `activity`: such a license rule decides for itself which activities
    /// it reaches, and is not held back when an activity rule says the item is not exported.
    pub tests_activity: bool,
    /// Review policy.
    pub review: Review,
    /// License exceptions that may still be used against this requirement (`None`: any, subject
    /// to their own terms; `Some(vec![])`: none).
    pub exceptions_allowed: Option<Vec<String>>,
    /// License exceptions the rule itself names as overcoming it (offered as available).
    pub exceptions_named: Vec<String>,
    /// Exceptions: the symbol (GBS, NAC...).
    pub symbol: Option<String>,
    /// Exceptions: offered only when a firing requirement names it.
    pub only_when_named: bool,
    /// Why it fires, in words.
    pub explanation: String,
    /// Why it did not fire, in words (shown when relevant but not triggered).
    pub not_triggered: Option<String>,
    /// Caveats.
    pub note: Option<String>,
    /// The file it came from.
    pub file: String,
    /// Whether `when` tests the exporter's headquarters (which defaults to its country).
    pub uses_exporter_hq: bool,
    /// The leaves of `when` as text, depth-first (for explanations).
    pub leaf_texts: Vec<String>,
}

/// A country group with dated membership changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// `D:5`, `B`, `742-S4`...
    pub id: String,
    /// Title.
    pub title: String,
    /// Citation.
    pub citation: String,
    /// Members (ISO-2) as of the rule set's reference date.
    pub members: BTreeSet<String>,
    /// Dated changes: (date, added, removed, citation). Membership on a date is the base members
    /// with every later change undone.
    pub changes: Vec<GroupChange>,
    /// Whether `members` is the whole membership. When it is not (our sources name only some
    /// members), a country neither a member nor in `non_members` is an *unknown* member.
    pub complete: bool,
    /// Countries known not to be members (meaningful when the group is incomplete).
    pub non_members: BTreeSet<String>,
}

/// One dated membership change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupChange {
    /// Effective date of the change.
    pub date: Date,
    /// Countries added on that date.
    pub add: Vec<String>,
    /// Countries removed on that date.
    pub remove: Vec<String>,
    /// Citation.
    pub citation: String,
}

impl Group {
    /// Whether `code` is a member on `date`.
    pub fn contains(&self, code: &str, date: Date) -> bool {
        let mut member = self.members.contains(code);
        // Undo, newest first, every change that happened after `date`.
        for change in self.changes.iter().rev() {
            if change.date > date {
                if change.add.iter().any(|c| c == code) {
                    member = false;
                }
                if change.remove.iter().any(|c| c == code) {
                    member = true;
                }
            }
        }
        member
    }

    /// Three-valued membership: an incomplete group answers unknown for a country it neither
    /// lists, excludes nor mentions in a dated change.
    pub fn membership(&self, code: &str, date: Date) -> crate::cond::Tri {
        use crate::cond::Tri;
        if self.contains(code, date) {
            return Tri::True;
        }
        let known_out = self.complete
            || self.non_members.contains(code)
            || self
                .changes
                .iter()
                .any(|c| c.add.iter().chain(c.remove.iter()).any(|x| x == code));
        if known_out { Tri::False } else { Tri::Unknown }
    }
}

/// A regime besides the EAR: when it applies, how its classifications are written.
#[derive(Debug, Clone, PartialEq)]
pub struct RegimeDef {
    /// The regime.
    pub regime: Regime,
    /// Title (`Japan: FEFTA / METI Goods Ordinance`).
    pub title: String,
    /// The legal basis.
    pub citation: String,
    /// When the regime binds the exporter (usually `exporter.country = "JP"`).
    pub applies_when: Expr,
    /// The text of `applies_when`, as written.
    pub applies_when_text: String,
    /// Why it applies, in words.
    pub explanation: String,
    /// How users write the classification (for docs).
    pub classification: String,
    /// Caveats.
    pub note: Option<String>,
    /// The file it came from.
    pub file: String,
}

/// A dated destination alias (Hong Kong is treated as China from 2020-12-23).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alias {
    /// The destination as written.
    pub code: String,
    /// The destination it is treated as.
    pub treat_as: String,
    /// From.
    pub from: Date,
    /// Until (inclusive).
    pub until: Option<Date>,
    /// Citation.
    pub citation: String,
}

/// The Commerce Country Chart.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Chart {
    /// Citation.
    pub citation: String,
    /// Columns (`NS1`...).
    pub columns: Vec<String>,
    /// Destination → columns with an X.
    pub rows: BTreeMap<String, BTreeSet<String>>,
    /// Destinations whose rows point to part 746 instead of marks.
    pub embargoed: BTreeSet<String>,
    /// Caveat on dates before the reference date.
    pub note: String,
}

/// One reason-for-control line of an ECCN.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    /// NS, RS, AT...
    pub reason: String,
    /// Chart column (`NS2`).
    pub column: String,
    /// Paragraphs it applies to (empty: entire entry), as ECCN patterns.
    pub paragraphs: Vec<String>,
    /// From.
    pub from: Option<Date>,
    /// Until (inclusive).
    pub until: Option<Date>,
}

/// A license-exception eligibility line of an ECCN.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EccnException {
    /// Eligible at all.
    pub eligible: bool,
    /// Paragraphs it is limited to (empty: entire entry).
    pub only: Vec<String>,
    /// Paragraphs excluded.
    pub except: Vec<String>,
    /// Text as the CCL gives it.
    pub text: String,
}

/// An ECCN's controls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EccnEntry {
    /// `3B001`.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Country Chart controls.
    pub controls: Vec<Control>,
    /// License exception lines.
    pub exceptions: BTreeMap<String, EccnException>,
    /// Note (controls that bypass the chart are separate rules).
    pub note: String,
}

/// The known terms of an Entity List entry, keyed by the FR documents it cites (and, when one FR
/// document listed entries with different terms, by name fragments).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryTerms {
    /// Id.
    pub id: String,
    /// FR citations (normalised "85 FR 83420").
    pub fr: Vec<String>,
    /// Name fragments (empty: any entry citing those FR documents).
    pub names: Vec<String>,
    /// License requirement text.
    pub license_requirement: String,
    /// License review policy text.
    pub license_policy: String,
    /// From.
    pub from: Date,
    /// Until (inclusive).
    pub until: Option<Date>,
    /// Source.
    pub source: String,
    /// Confidence.
    pub confidence: Confidence,
    /// The two columns, parsed once.
    #[serde(skip)]
    pub terms: crate::terms::EntityListTerms,
    /// `names`, folded for matching.
    #[serde(skip)]
    pub folded_names: Vec<String>,
}

/// A phrase in free text (end use, item description) that states a fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextHint {
    /// Phrases (lower-case, matched as substrings of the folded text).
    pub phrases: Vec<String>,
    /// The fact it states.
    pub fact: String,
    /// The value.
    pub value: bool,
}

/// Rule-set metadata.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Meta {
    /// Id.
    pub id: String,
    /// Version, recorded in every determination.
    pub version: String,
    /// Title.
    pub title: String,
    /// First date the rule set answers for.
    pub covers_from: Option<Date>,
    /// Last date the rule set answers for.
    pub covers_until: Option<Date>,
    /// Sections an Entity List policy may refer to ("See §§ 744.11 and 744.23(d)"), mapped to
    /// the rule whose review clauses state that section's policy.
    pub policy_references: BTreeMap<String, String>,
}

/// A parsed rule set.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Metadata.
    pub meta: Meta,
    /// Named sets (ECCN lists, country lists), already expanded into conditions.
    pub sets: BTreeMap<String, Vec<String>>,
    /// Country groups.
    pub groups: Vec<Group>,
    /// Destination aliases.
    pub aliases: Vec<Alias>,
    /// The Country Chart.
    pub chart: Chart,
    /// ECCNs.
    pub eccns: Vec<EccnEntry>,
    /// Rules of every stage and regime, in file order.
    pub rules: Vec<Rule>,
    /// The regimes besides the EAR, in file order.
    pub regimes: Vec<RegimeDef>,
    /// Known Entity List entry terms.
    pub entry_terms: Vec<EntryTerms>,
    /// Text hints.
    pub text_hints: Vec<TextHint>,
    /// Every hint phrase in one automaton: pattern i is (hint index, phrase).
    pub(crate) hint_matcher: Option<(aho_corasick::AhoCorasick, Vec<usize>)>,
}

impl RuleSet {
    /// The group `id`.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The ECCN entry for `entry` (`3B001`).
    pub fn eccn(&self, entry: &str) -> Option<&EccnEntry> {
        self.eccns.iter().find(|e| e.id == entry)
    }

    /// The rule `id`.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The definition of `regime` (none for the US, which is the rule set's own).
    pub fn regime(&self, regime: Regime) -> Option<&RegimeDef> {
        self.regimes.iter().find(|d| d.regime == regime)
    }

    /// Whether `code` is a destination the rule set knows (a chart row, an embargoed row, a group
    /// member or an alias).
    pub fn knows_country(&self, code: &str) -> bool {
        self.chart.rows.contains_key(code)
            || self.chart.embargoed.contains(code)
            || self.aliases.iter().any(|a| a.code == code)
            || self.groups.iter().any(|g| g.members.contains(code))
    }

    /// The destination `code` is treated as on `date`.
    pub fn resolve_destination<'a>(&'a self, code: &'a str, date: Date) -> &'a str {
        self.aliases
            .iter()
            .find(|a| a.code == code && date >= a.from && a.until.is_none_or(|u| date <= u))
            .map_or(code, |a| a.treat_as.as_str())
    }

    /// Parses rule-set sources (`(label, text)` pairs); returns what could be read and every
    /// problem found.
    pub fn parse(sources: &[(&str, &str)]) -> (RuleSet, Vec<Diagnostic>) {
        let mut p = Parsing::default();
        for (label, text) in sources {
            p.file(label, text);
        }
        p.finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Raw (file) shapes.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    version: String,
    title: String,
    covers_from: toml::Value,
    covers_until: toml::Value,
    #[serde(default)]
    policy_references: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: String,
    title: String,
    #[serde(default)]
    citation: String,
    members: Vec<String>,
    #[serde(default)]
    changes: Vec<RawChange>,
    #[serde(default = "yes")]
    complete: bool,
    #[serde(default)]
    non_members: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegime {
    id: String,
    title: String,
    citation: String,
    applies_when: String,
    explanation: String,
    classification: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    date: toml::Value,
    #[serde(default)]
    add: Vec<String>,
    #[serde(default)]
    remove: Vec<String>,
    citation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlias {
    code: String,
    treat_as: String,
    from: toml::Value,
    until: Option<toml::Value>,
    citation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChart {
    citation: String,
    columns: Vec<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    embargoed: Vec<String>,
    rows: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEccn {
    id: String,
    title: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    controls: Vec<RawControl>,
    #[serde(default)]
    exceptions: BTreeMap<String, RawEccnException>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    reason: String,
    column: String,
    #[serde(default)]
    paragraphs: Vec<String>,
    from: Option<toml::Value>,
    until: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEccnException {
    eligible: bool,
    #[serde(default)]
    only: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuspension {
    from: toml::Value,
    until: Option<toml::Value>,
    citation: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    when: Option<String>,
    policy: String,
    citation: Option<String>,
    confidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawReview {
    Word(String),
    Clauses(Vec<RawClause>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: String,
    regime: Option<String>,
    stage: String,
    #[serde(default)]
    family: String,
    citation: String,
    confidence: String,
    effective: toml::Value,
    compliance: Option<toml::Value>,
    until: Option<toml::Value>,
    savings_until: Option<toml::Value>,
    #[serde(default)]
    suspensions: Vec<RawSuspension>,
    for_each: Option<String>,
    relevant_when: Option<String>,
    when: String,
    #[serde(default = "yes")]
    chart_applies: bool,
    exports_item: Option<bool>,
    review: Option<RawReview>,
    exceptions_allowed: Option<Vec<String>>,
    #[serde(default)]
    exceptions_named: Vec<String>,
    symbol: Option<String>,
    #[serde(default)]
    only_when_named: bool,
    explanation: String,
    not_triggered: Option<String>,
    note: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntryTerms {
    id: String,
    fr: Vec<String>,
    #[serde(default)]
    names: Vec<String>,
    license_requirement: String,
    license_policy: String,
    from: toml::Value,
    until: Option<toml::Value>,
    source: String,
    confidence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTextHint {
    phrases: Vec<String>,
    fact: String,
    value: bool,
}

/// Facts a text hint may state.
pub const HINTABLE_FACTS: &[&str] = &[
    "end_use.military",
    "end_use.military_end_user",
    "end_use.supercomputer",
    "end_use.ic_production",
    "end_use.sme_production",
    "end_use.foreign_equivalent_available",
    "end_use.existing_network_support",
    "end_use.below_5g",
    "item.designed_for_data_centers",
    "item.uniquely_required_10nm",
    "item.contains_ic_from_us_derived_plant",
    "item.nxt_1970i_1980i",
    "end_use.wmd",
    "end_use.military_intelligence",
];

#[derive(Default)]
struct Parsing {
    set: RuleSet,
    diags: Vec<Diagnostic>,
    meta_seen: bool,
    /// (file, rule index) of the rules whose conditions still need set expansion and checks.
    rule_files: Vec<String>,
}

fn line_of(text: &str, offset: usize) -> u64 {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

fn to_date(v: &toml::Value) -> Result<Date, String> {
    let s = match v {
        toml::Value::Datetime(dt) => dt.to_string(),
        toml::Value::String(s) => s.clone(),
        other => return Err(format!("expected a date like 2024-12-02, found `{other}`")),
    };
    Date::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date (expected YYYY-MM-DD)"))
}

impl Parsing {
    fn err(
        &mut self,
        file: &str,
        record: Option<&str>,
        field: Option<&str>,
        message: impl Into<String>,
    ) {
        let mut d = Diagnostic::error(file, message);
        if let Some(r) = record {
            d = d.in_record(r);
        }
        if let Some(f) = field {
            d = d.in_field(f);
        }
        self.diags.push(d);
    }

    fn date(&mut self, file: &str, record: &str, field: &str, v: &toml::Value) -> Option<Date> {
        match to_date(v) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(file, Some(record), Some(field), e);
                None
            }
        }
    }

    fn opt_date(
        &mut self,
        file: &str,
        record: &str,
        field: &str,
        v: &Option<toml::Value>,
    ) -> Option<Date> {
        v.as_ref().and_then(|v| self.date(file, record, field, v))
    }

    fn file(&mut self, label: &str, text: &str) {
        let table: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let mut d = Diagnostic::error(label, format!("not valid TOML: {}", e.message()));
                if let Some(span) = e.span() {
                    d = d.at_line(line_of(text, span.start));
                }
                self.diags.push(d);
                return;
            }
        };
        for (key, value) in table {
            match key.as_str() {
                "ruleset" => self.meta(label, value),
                "sets" => self.sets(label, value),
                "group" => self.items(label, "group", value, Self::group),
                "alias" => self.items(label, "alias", value, Self::alias),
                "chart" => self.chart(label, value),
                "eccn" => self.items(label, "eccn", value, Self::eccn),
                "rule" => self.items(label, "rule", value, Self::rule),
                "entry_terms" => self.items(label, "entry_terms", value, Self::entry_terms),
                "text_hint" => self.items(label, "text_hint", value, Self::text_hint),
                "regime" => self.items(label, "regime", value, Self::regime),
                other => self.err(
                    label,
                    None,
                    Some(other),
                    format!(
                        "unknown table `{other}` (expected ruleset, sets, group, alias, chart, eccn, rule, entry_terms, text_hint, regime)"
                    ),
                ),
            }
        }
    }

    fn items<T: serde::de::DeserializeOwned>(
        &mut self,
        label: &str,
        kind: &str,
        value: toml::Value,
        handle: fn(&mut Self, &str, T),
    ) {
        let toml::Value::Array(items) = value else {
            self.err(
                label,
                None,
                Some(kind),
                format!("`{kind}` must be an array of tables (`[[{kind}]]`)"),
            );
            return;
        };
        for (i, item) in items.into_iter().enumerate() {
            let name = item
                .get("id")
                .or_else(|| item.get("symbol"))
                .and_then(|v| v.as_str())
                .map_or_else(|| format!("{kind} #{}", i + 1), |s| s.to_string());
            match item.try_into::<T>() {
                Ok(raw) => handle(self, label, raw),
                Err(e) => self.err(label, Some(&name), Some(kind), e.message().to_string()),
            }
        }
    }

    fn meta(&mut self, label: &str, value: toml::Value) {
        if self.meta_seen {
            self.err(
                label,
                None,
                Some("ruleset"),
                "`[ruleset]` declared more than once",
            );
            return;
        }
        self.meta_seen = true;
        match value.try_into::<RawMeta>() {
            Ok(raw) => {
                let from = self.date(label, "ruleset", "covers_from", &raw.covers_from);
                let until = self.date(label, "ruleset", "covers_until", &raw.covers_until);
                self.set.meta = Meta {
                    id: raw.id,
                    version: raw.version,
                    title: raw.title,
                    covers_from: from,
                    covers_until: until,
                    policy_references: raw.policy_references,
                };
            }
            Err(e) => self.err(label, Some("ruleset"), None, e.message().to_string()),
        }
    }

    fn sets(&mut self, label: &str, value: toml::Value) {
        match value.try_into::<BTreeMap<String, Vec<String>>>() {
            Ok(sets) => {
                for (name, members) in sets {
                    if self.set.sets.insert(name.clone(), members).is_some() {
                        self.err(
                            label,
                            Some(&name),
                            Some("sets"),
                            format!("set `{name}` declared twice"),
                        );
                    }
                }
            }
            Err(e) => self.err(
                label,
                None,
                Some("sets"),
                format!(
                    "`[sets]` must map names to lists of strings: {}",
                    e.message()
                ),
            ),
        }
    }

    fn group(&mut self, label: &str, raw: RawGroup) {
        let mut changes = Vec::new();
        for (i, c) in raw.changes.into_iter().enumerate() {
            if let Some(date) = self.date(label, &raw.id, &format!("changes[{i}].date"), &c.date) {
                changes.push(GroupChange {
                    date,
                    add: c.add,
                    remove: c.remove,
                    citation: c.citation,
                });
            }
        }
        changes.sort_by_key(|c| c.date);
        if self.set.groups.iter().any(|g| g.id == raw.id) {
            self.err(
                label,
                Some(&raw.id),
                Some("id"),
                format!("duplicate group id `{}`", raw.id),
            );
            return;
        }
        self.set.groups.push(Group {
            id: raw.id,
            title: raw.title,
            citation: raw.citation,
            members: raw.members.into_iter().collect(),
            changes,
            complete: raw.complete,
            non_members: raw.non_members.into_iter().collect(),
        });
    }

    fn regime(&mut self, label: &str, raw: RawRegime) {
        let Some(regime) = Regime::from_key(&raw.id).filter(|r| *r != Regime::Us) else {
            self.err(
                label,
                Some(&raw.id),
                Some("id"),
                format!(
                    "unknown regime `{}` (expected JP, NL or EU; the EAR is the rule set's own)",
                    raw.id
                ),
            );
            return;
        };
        if self.set.regimes.iter().any(|d| d.regime == regime) {
            self.err(
                label,
                Some(&raw.id),
                Some("id"),
                format!("regime `{}` declared twice", raw.id),
            );
            return;
        }
        let Some(applies_when) = self.condition(label, &raw.id, "applies_when", &raw.applies_when)
        else {
            return;
        };
        self.set.regimes.push(RegimeDef {
            regime,
            title: raw.title,
            citation: raw.citation,
            applies_when,
            applies_when_text: raw.applies_when,
            explanation: raw.explanation,
            classification: raw.classification,
            note: raw.note,
            file: label.to_string(),
        });
    }

    fn alias(&mut self, label: &str, raw: RawAlias) {
        let from = self.date(label, &raw.code, "from", &raw.from);
        let until = self.opt_date(label, &raw.code, "until", &raw.until);
        if let Some(from) = from {
            self.set.aliases.push(Alias {
                code: raw.code,
                treat_as: raw.treat_as,
                from,
                until,
                citation: raw.citation,
            });
        }
    }

    fn chart(&mut self, label: &str, value: toml::Value) {
        match value.try_into::<RawChart>() {
            Ok(raw) => {
                let columns: BTreeSet<&String> = raw.columns.iter().collect();
                let mut rows = BTreeMap::new();
                for (code, marks) in raw.rows {
                    for m in &marks {
                        if !columns.contains(m) {
                            self.err(
                                label,
                                Some(&code),
                                Some("chart.rows"),
                                format!("unknown chart column `{m}`"),
                            );
                        }
                    }
                    rows.insert(code, marks.into_iter().collect());
                }
                self.set.chart = Chart {
                    citation: raw.citation,
                    columns: raw.columns,
                    rows,
                    embargoed: raw.embargoed.into_iter().collect(),
                    note: raw.note,
                };
            }
            Err(e) => self.err(label, Some("chart"), None, e.message().to_string()),
        }
    }

    fn eccn(&mut self, label: &str, raw: RawEccn) {
        if eccn::Eccn::parse(&raw.id).is_none_or(|e| !e.paragraphs.is_empty()) {
            self.err(
                label,
                Some(&raw.id),
                Some("id"),
                format!("`{}` is not an ECCN entry (expected like 3B001)", raw.id),
            );
        }
        let mut controls = Vec::new();
        for (i, c) in raw.controls.into_iter().enumerate() {
            for p in &c.paragraphs {
                if !eccn::is_valid_pattern(p) || !p.starts_with(raw.id.as_str()) {
                    self.err(
                        label,
                        Some(&raw.id),
                        Some(&format!("controls[{i}].paragraphs")),
                        format!("`{p}` is not a paragraph of {}", raw.id),
                    );
                }
            }
            let from = self.opt_date(label, &raw.id, &format!("controls[{i}].from"), &c.from);
            let until = self.opt_date(label, &raw.id, &format!("controls[{i}].until"), &c.until);
            controls.push(Control {
                reason: c.reason,
                column: c.column,
                paragraphs: c.paragraphs,
                from,
                until,
            });
        }
        let exceptions = raw
            .exceptions
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    EccnException {
                        eligible: v.eligible,
                        only: v.only,
                        except: v.except,
                        text: v.text,
                    },
                )
            })
            .collect();
        if self.set.eccns.iter().any(|e| e.id == raw.id) {
            self.err(
                label,
                Some(&raw.id),
                Some("id"),
                format!("duplicate ECCN `{}`", raw.id),
            );
            return;
        }
        self.set.eccns.push(EccnEntry {
            id: raw.id,
            title: raw.title,
            controls,
            exceptions,
            note: raw.note,
        });
    }

    fn condition(&mut self, label: &str, id: &str, field: &str, text: &str) -> Option<Expr> {
        match cond::parse(text) {
            Ok(e) => Some(e),
            Err(errors) => {
                for e in errors {
                    self.err(label, Some(id), Some(field), e);
                }
                None
            }
        }
    }

    fn rule(&mut self, label: &str, raw: RawRule) {
        let id = raw.id.clone();
        let regime = match raw.regime.as_deref() {
            None => Some(Regime::Us),
            Some(text) => {
                let r = Regime::from_key(text);
                if r.is_none() {
                    self.err(
                        label,
                        Some(&id),
                        Some("regime"),
                        format!("unknown regime `{text}` (expected US, JP, NL or EU)"),
                    );
                }
                r
            }
        };
        let stage = match raw.stage.as_str() {
            "activity" => Some(Stage::Activity),
            "jurisdiction" => Some(Stage::Jurisdiction),
            "license" => Some(Stage::License),
            "us_person" => Some(Stage::UsPerson),
            "restriction" => Some(Stage::Restriction),
            "exception" => Some(Stage::Exception),
            "authorization" => Some(Stage::Authorization),
            other => {
                self.err(label, Some(&id), Some("stage"), format!("unknown stage `{other}` (expected activity, jurisdiction, license, us_person, restriction, exception, authorization)"));
                None
            }
        };
        let confidence = self.confidence(label, &id, &raw.confidence);
        let effective = self.date(label, &id, "effective", &raw.effective);
        let compliance = self.opt_date(label, &id, "compliance", &raw.compliance);
        let until = self.opt_date(label, &id, "until", &raw.until);
        let savings_until = self.opt_date(label, &id, "savings_until", &raw.savings_until);
        let mut suspensions = Vec::new();
        for (i, s) in raw.suspensions.iter().enumerate() {
            let from = self.date(label, &id, &format!("suspensions[{i}].from"), &s.from);
            let until = self.opt_date(label, &id, &format!("suspensions[{i}].until"), &s.until);
            if let Some(from) = from {
                if until.is_some_and(|u| u < from) {
                    self.err(
                        label,
                        Some(&id),
                        Some(&format!("suspensions[{i}]")),
                        "suspension ends before it starts",
                    );
                }
                suspensions.push(Suspension {
                    from,
                    until,
                    citation: s.citation.clone(),
                    note: s.note.clone(),
                });
            }
        }
        if let (Some(e), Some(u)) = (effective, until)
            && u < e
        {
            self.err(
                label,
                Some(&id),
                Some("until"),
                format!("rule ends ({u}) before it takes effect ({e})"),
            );
        }
        if let (Some(e), Some(c)) = (effective, compliance)
            && c < e
        {
            self.err(
                label,
                Some(&id),
                Some("compliance"),
                format!("compliance date {c} is before the effective date {e}"),
            );
        }
        let for_each_party = match raw.for_each.as_deref() {
            None => false,
            Some("party") => true,
            Some(other) => {
                self.err(
                    label,
                    Some(&id),
                    Some("for_each"),
                    format!("unknown for_each `{other}` (expected party)"),
                );
                false
            }
        };
        let when = self.condition(label, &id, "when", &raw.when);
        let relevant_when = raw
            .relevant_when
            .as_deref()
            .and_then(|t| self.condition(label, &id, "relevant_when", t));
        let review = match raw.review {
            None => Review::None,
            Some(RawReview::Word(w)) if w == "from_entry" => Review::FromEntry,
            Some(RawReview::Word(w)) => match Policy::from_name(&w) {
                Some(p) => Review::Clauses(vec![ReviewClause {
                    when: None,
                    policy: p,
                    citation: None,
                    confidence: Confidence::Confirmed,
                }]),
                None => {
                    self.err(
                        label,
                        Some(&id),
                        Some("review"),
                        format!("unknown review policy `{w}`"),
                    );
                    Review::None
                }
            },
            Some(RawReview::Clauses(clauses)) => {
                let mut out = Vec::new();
                for (i, c) in clauses.into_iter().enumerate() {
                    let when = c
                        .when
                        .as_deref()
                        .and_then(|t| self.condition(label, &id, &format!("review[{i}].when"), t));
                    let confidence = match c.confidence.as_deref() {
                        None => Some(Confidence::Confirmed),
                        Some(t) => self.confidence(label, &id, t),
                    };
                    match (Policy::from_name(&c.policy), confidence) {
                        (Some(policy), Some(confidence)) => out.push(ReviewClause {
                            when,
                            policy,
                            citation: c.citation,
                            confidence,
                        }),
                        (_, None) => {}
                        (None, _) => self.err(
                            label,
                            Some(&id),
                            Some(&format!("review[{i}].policy")),
                            format!("unknown review policy `{}`", c.policy),
                        ),
                    }
                }
                Review::Clauses(out)
            }
        };
        if raw.exports_item.is_some() && stage.is_some_and(|s| s != Stage::Activity) {
            self.err(
                label,
                Some(&id),
                Some("exports_item"),
                "`exports_item` is a key of `activity` rules only",
            );
        }
        if stage == Some(Stage::Exception) && raw.symbol.is_none() {
            self.err(
                label,
                Some(&id),
                Some("symbol"),
                "an exception rule needs a `symbol`",
            );
        }
        if self.set.rules.iter().any(|r| r.id == id) {
            self.err(
                label,
                Some(&id),
                Some("id"),
                format!("duplicate rule id `{id}`"),
            );
            return;
        }
        if let (Some(r), Some(st)) = (regime, stage)
            && r != Regime::Us
        {
            if !matches!(st, Stage::License | Stage::Authorization) {
                self.err(
                    label,
                    Some(&id),
                    Some("stage"),
                    format!(
                        "a {} rule must have stage `license` or `authorization`",
                        r.code()
                    ),
                );
            }
            if st == Stage::License && !matches!(raw.family.as_str(), "list" | "catch_all") {
                self.err(
                    label,
                    Some(&id),
                    Some("family"),
                    format!("a {} license rule needs family `list` (a control-list entry) or `catch_all`", r.code()),
                );
            }
            if st == Stage::License && raw.family == "list" && raw.relevant_when.is_none() {
                self.err(
                    label,
                    Some(&id),
                    Some("relevant_when"),
                    "a `list` rule needs `relevant_when`: the condition that the item is on the list (whatever the destination)",
                );
            }
        }
        let (Some(regime), Some(stage), Some(confidence), Some(effective), Some(when)) =
            (regime, stage, confidence, effective, when)
        else {
            return;
        };
        self.rule_files.push(label.to_string());
        self.set.rules.push(Rule {
            id,
            title: raw.title,
            regime,
            stage,
            family: raw.family,
            citation: raw.citation,
            confidence,
            in_force: InForce {
                effective,
                compliance,
                until,
                savings_until,
                suspensions,
            },
            for_each_party,
            relevant_when,
            when,
            uses_exporter_hq: raw.when.contains("exporter.headquarters"),
            leaf_texts: Vec::new(),
            when_text: raw.when,
            chart_applies: raw.chart_applies,
            exports_item: raw.exports_item.unwrap_or(true),
            tests_activity: false,
            review,
            exceptions_allowed: raw.exceptions_allowed,
            exceptions_named: raw.exceptions_named,
            symbol: raw.symbol,
            only_when_named: raw.only_when_named,
            explanation: raw.explanation,
            not_triggered: raw.not_triggered,
            note: raw.note,
            file: label.to_string(),
        });
    }

    fn confidence(&mut self, label: &str, id: &str, text: &str) -> Option<Confidence> {
        match text {
            "confirmed" => Some(Confidence::Confirmed),
            "single_source" => Some(Confidence::SingleSource),
            "unconfirmed" => Some(Confidence::Unconfirmed),
            other => {
                self.err(label, Some(id), Some("confidence"), format!("unknown confidence `{other}` (expected confirmed, single_source, unconfirmed)"));
                None
            }
        }
    }

    fn entry_terms(&mut self, label: &str, raw: RawEntryTerms) {
        let from = self.date(label, &raw.id, "from", &raw.from);
        let until = self.opt_date(label, &raw.id, "until", &raw.until);
        let confidence = self.confidence(label, &raw.id, &raw.confidence);
        let terms =
            crate::terms::parse_entity_list_terms(&raw.license_requirement, &raw.license_policy);
        if terms.is_unrecognised() {
            self.err(
                label,
                Some(&raw.id),
                Some("license_policy"),
                format!("policy text `{}` is not understood", raw.license_policy),
            );
        }
        if let (Some(from), Some(confidence)) = (from, confidence) {
            self.set.entry_terms.push(EntryTerms {
                id: raw.id,
                fr: raw
                    .fr
                    .iter()
                    .map(|f| crate::terms::normalise_fr(f))
                    .collect(),
                license_requirement: raw.license_requirement,
                license_policy: raw.license_policy,
                from,
                until,
                source: raw.source,
                confidence,
                terms,
                folded_names: raw
                    .names
                    .iter()
                    .map(|n| crate::determine::fold_name(n))
                    .collect(),
                names: raw.names,
            });
        }
    }

    fn text_hint(&mut self, label: &str, raw: RawTextHint) {
        if !HINTABLE_FACTS.contains(&raw.fact.as_str()) {
            self.err(
                label,
                raw.phrases.first().map(String::as_str),
                Some("fact"),
                format!(
                    "fact `{}` cannot be stated by a text hint (allowed: {})",
                    raw.fact,
                    HINTABLE_FACTS.join(", ")
                ),
            );
            return;
        }
        self.set.text_hints.push(TextHint {
            phrases: raw.phrases.into_iter().map(|p| p.to_lowercase()).collect(),
            fact: raw.fact,
            value: raw.value,
        });
    }

    fn finish(mut self) -> (RuleSet, Vec<Diagnostic>) {
        if !self.meta_seen {
            self.err(
                "(rule set)",
                None,
                Some("ruleset"),
                "no `[ruleset]` table (id, version, title, covers_from, covers_until)",
            );
        }
        // Group members must be known countries.
        let mut problems = Vec::new();
        for g in &self.set.groups {
            for c in g.members.iter().chain(
                g.changes
                    .iter()
                    .flat_map(|c| c.add.iter().chain(c.remove.iter())),
            ) {
                if !chokepoint_model::country::is_known_code(c)
                    && !self.set.chart.rows.contains_key(c)
                    && !self.set.chart.embargoed.contains(c)
                {
                    problems.push((
                        g.id.clone(),
                        format!("`{c}` is neither a known ISO-2 code nor a Country Chart row"),
                    ));
                }
            }
        }
        for (g, m) in problems {
            self.err("(groups)", Some(&g), Some("members"), m);
        }
        let dangling: Vec<(String, String)> = self
            .set
            .meta
            .policy_references
            .iter()
            .filter(|(_, id)| {
                !self
                    .set
                    .rules
                    .iter()
                    .any(|r| &r.id == *id && matches!(r.review, Review::Clauses(_)))
            })
            .map(|(s, id)| (s.clone(), id.clone()))
            .collect();
        for (section, id) in dangling {
            self.err(
                "(ruleset)",
                Some("ruleset"),
                Some("policy_references"),
                format!("`{section}` refers to `{id}`, which is not a rule with review clauses"),
            );
        }
        // Expand sets and check references in every condition.
        let sets = self.set.sets.clone();
        let groups: BTreeSet<String> = self.set.groups.iter().map(|g| g.id.clone()).collect();
        for (name, members) in &sets {
            for m in members {
                let ok = match m.strip_prefix("group:") {
                    Some(g) => groups.contains(g),
                    None => {
                        eccn::is_valid_pattern(m)
                            || (m.len() == 2 && m.chars().all(|c| c.is_ascii_uppercase()))
                            || [Regime::Jp, Regime::Nl, Regime::Eu]
                                .into_iter()
                                .any(|r| regime::parse_pattern(r, m).is_ok())
                    }
                };
                if !ok {
                    self.diags.push(
                        Diagnostic::error(
                            "(sets)",
                            format!(
                                "`{m}` is not an ECCN pattern, a classification code, a country code or a defined group:ID"
                            ),
                        )
                        .in_record(name.clone())
                        .in_field("sets"),
                    );
                }
            }
        }
        let lookup = |name: &str| sets.get(name).cloned();
        let mut problems: Vec<(String, String, String, String)> = Vec::new();
        for rule in &mut self.set.rules {
            let mut exprs: Vec<(&str, &mut Expr)> = vec![("when", &mut rule.when)];
            if let Some(r) = rule.relevant_when.as_mut() {
                exprs.push(("relevant_when", r));
            }
            if let Review::Clauses(clauses) = &mut rule.review {
                for c in clauses.iter_mut() {
                    if let Some(w) = c.when.as_mut() {
                        exprs.push(("review.when", w));
                    }
                }
            }
            for (field, expr) in exprs {
                let mut refs = Vec::new();
                expr.refs(&mut refs);
                for r in refs {
                    match r {
                        Value::Set(s) if !sets.contains_key(&s) => problems.push((
                            rule.file.clone(),
                            rule.id.clone(),
                            field.to_string(),
                            format!("undefined set `{s}`"),
                        )),
                        Value::Group(g) if !groups.contains(&g) => problems.push((
                            rule.file.clone(),
                            rule.id.clone(),
                            field.to_string(),
                            format!("undefined country group `{g}`"),
                        )),
                        _ => {}
                    }
                }
                expr.expand_sets(&lookup);
                check_values(&mut *expr, &mut |msg| {
                    problems.push((rule.file.clone(), rule.id.clone(), field.to_string(), msg))
                });
                let mut refs = Vec::new();
                expr.refs(&mut refs);
                for r in refs {
                    if let Value::Group(g) = r
                        && !groups.contains(&g)
                    {
                        problems.push((
                            rule.file.clone(),
                            rule.id.clone(),
                            field.to_string(),
                            format!("undefined country group `{g}` (in a set)"),
                        ));
                    }
                }
            }
            fold_name_patterns(&mut rule.when);
            let group_ids: Vec<&str> = self.set.groups.iter().map(|g| g.id.as_str()).collect();
            let index = |id: &str| group_ids.iter().position(|g| *g == id);
            rule.when.resolve_groups(&index);
            if let Some(r) = rule.relevant_when.as_mut() {
                r.resolve_groups(&index);
            }
            if let Review::Clauses(clauses) = &mut rule.review {
                for c in clauses.iter_mut() {
                    if let Some(w) = c.when.as_mut() {
                        w.resolve_groups(&index);
                    }
                }
            }
            let mut texts = Vec::new();
            rule.when.leaf_texts(&mut texts);
            rule.leaf_texts = texts;
            let mut facts = Vec::new();
            rule.when.facts(&mut facts);
            rule.tests_activity = facts.contains(&Fact::Activity);
            if matches!(rule.stage, Stage::Jurisdiction | Stage::Activity)
                && facts.iter().any(|f| {
                    matches!(
                        f,
                        Fact::ItemSubject
                            | Fact::ItemSubjectVia
                            | Fact::ItemChartApplies
                            | Fact::ItemChartLicense
                    )
                })
            {
                problems.push((
                    rule.file.clone(),
                    rule.id.clone(),
                    "when".into(),
                    "a jurisdiction or activity rule cannot depend on the outcome of the jurisdiction stage"
                        .into(),
                ));
            }
        }
        let declared: Vec<Regime> = self.set.regimes.iter().map(|d| d.regime).collect();
        for rule in &self.set.rules {
            if rule.regime != Regime::Us && !declared.contains(&rule.regime) {
                problems.push((
                    rule.file.clone(),
                    rule.id.clone(),
                    "regime".into(),
                    format!(
                        "regime `{}` has no `[[regime]]` declaration",
                        rule.regime.code()
                    ),
                ));
            }
        }
        let group_ids: Vec<String> = self.set.groups.iter().map(|g| g.id.clone()).collect();
        for def in &mut self.set.regimes {
            def.applies_when.expand_sets(&lookup);
            check_values(&mut def.applies_when, &mut |msg| {
                problems.push((
                    def.file.clone(),
                    def.regime.code().to_string(),
                    "applies_when".into(),
                    msg,
                ))
            });
            def.applies_when
                .resolve_groups(&|id: &str| group_ids.iter().position(|g| g == id));
        }
        problems.sort();
        problems.dedup();
        for (file, id, field, msg) in problems {
            self.err(&file, Some(&id), Some(&field), msg);
        }
        let mut phrases = Vec::new();
        let mut owners = Vec::new();
        for (i, h) in self.set.text_hints.iter().enumerate() {
            for p in &h.phrases {
                phrases.push(p.clone());
                owners.push(i);
            }
        }
        self.set.hint_matcher = aho_corasick::AhoCorasick::new(&phrases)
            .ok()
            .map(|m| (m, owners));
        (self.set, self.diags)
    }
}

/// Folds the text of `party.name_like` comparisons once, at parse time.
fn fold_name_patterns(expr: &mut Expr) {
    match expr {
        Expr::And(items) | Expr::Or(items) => items.iter_mut().for_each(fold_name_patterns),
        Expr::Not(inner) => fold_name_patterns(inner),
        Expr::Cmp(Fact::PartyNameLike, _, Value::Str(s)) => *s = crate::determine::fold_name(s),
        _ => {}
    }
}

/// Checks literal values against the fact they are compared with (ECCN patterns, country codes,
/// dates, list names).
fn check_values(expr: &mut Expr, report: &mut dyn FnMut(String)) {
    let check = |fact: Fact, v: &mut Value, report: &mut dyn FnMut(String)| match (fact, &*v) {
        (Fact::ItemClassJp | Fact::ItemClassNl | Fact::ItemClassEu, Value::Str(s)) => {
            // Written as users write codes; kept as the canonical matching key.
            let regime = fact.classification_regime().unwrap_or(Regime::Eu);
            match regime::parse_pattern(regime, s) {
                Ok(key) => *v = Value::Str(key),
                Err(e) => report(e),
            }
        }
        (Fact::ItemEccn | Fact::ItemDirectProductOf, Value::Str(s))
            if !eccn::is_valid_pattern(s) =>
        {
            report(format!(
                "`{s}` is not an ECCN pattern (expected like 3B001.c, 3B or EAR99)"
            ));
        }
        (Fact::Activity, Value::Str(s)) if !crate::input::ACTIVITY_NAMES.contains(&s.as_str()) => {
            report(format!(
                "unknown activity `{s}` (expected {})",
                crate::input::ACTIVITY_NAMES.join(", ")
            ));
        }
        (Fact::Date, Value::Str(s)) if Date::parse_from_str(s, "%Y-%m-%d").is_err() => {
            report(format!("`{s}` is not a date (expected YYYY-MM-DD)"));
        }
        (Fact::PartyListedOn, Value::Str(s))
            if !matches!(
                s.as_str(),
                "entity_list"
                    | "meu_list"
                    | "sdn"
                    | "unverified_list"
                    | "denied_persons"
                    | "meti_eul"
            ) =>
        {
            report(format!("unknown list `{s}`"));
        }
        (
            Fact::Destination
            | Fact::ExporterCountry
            | Fact::ExporterHq
            | Fact::ItemOrigin
            | Fact::PartyCountry
            | Fact::PartyHq
            | Fact::FacilityOwnerHq
            | Fact::ServicerEmployerHq,
            Value::Str(s),
        ) if s.len() != 2 || !s.chars().all(|c| c.is_ascii_uppercase()) => {
            report(format!("`{s}` is not an ISO-2 country code"));
        }
        _ => {}
    };
    match expr {
        Expr::And(items) | Expr::Or(items) => {
            items.iter_mut().for_each(|e| check_values(e, report))
        }
        Expr::Not(inner) => check_values(inner, report),
        Expr::Truthy(_) => {}
        Expr::Cmp(f, _, v) => check(*f, v, report),
        Expr::In(f, vs) => vs.iter_mut().for_each(|v| check(*f, v, report)),
    }
}
