//! The condition language of the rule files: a small boolean expression grammar over named facts,
//! parsed by hand into an AST and evaluated with three-valued (Kleene) logic.
//!
//! ```text
//! expr      := or
//! or        := and ("or" and)*
//! and       := unary ("and" unary)*
//! unary     := "not" unary | "(" expr ")" | predicate
//! predicate := fact                      -- a yes/no fact
//!            | fact op value             -- op: = != < <= > >=
//!            | fact "in" "[" value ("," value)* "]"
//! value     := "string" | number | true | false | group("D:5") | set("name")
//! ```
//!
//! Facts are a closed vocabulary ([`Fact`]); the meaning of each lives in `facts.rs`. A fact the
//! transaction does not state evaluates to [`Tri::Unknown`], never to "no": `Unknown and False`
//! is `False`, `Unknown or True` is `True`, anything else involving `Unknown` stays `Unknown`.

use std::fmt;
#[cfg(test)]
use std::ops::Not;

/// A three-valued truth value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tri {
    /// Known to hold.
    True,
    /// Known not to hold.
    False,
    /// Depends on a fact that was not given.
    Unknown,
}

impl Tri {
    /// `true` → `True`, `false` → `False`.
    pub fn from_bool(value: bool) -> Tri {
        if value { Tri::True } else { Tri::False }
    }

    /// `None` → `Unknown`.
    pub fn from_option(value: Option<bool>) -> Tri {
        value.map_or(Tri::Unknown, Tri::from_bool)
    }

    /// Kleene conjunction.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    /// Kleene disjunction.
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    /// Kleene negation.
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// One fact the conditions may test. The set is closed: a rule naming another fact is reported
/// when the rule set is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    /// The as-of date (compare with a "YYYY-MM-DD" string).
    Date,
    /// `activity`: export, reexport, transfer_in_country, service, cloud_access, deemed_export,
    /// deemed_reexport.
    Activity,
    /// `destination`: destination country (after dated aliases such as Hong Kong → China).
    Destination,
    /// `exporter.country`.
    ExporterCountry,
    /// `exporter.headquarters`.
    ExporterHq,
    /// `exporter.us_person`.
    ExporterUsPerson,
    /// `us_person_involved`: the exporter or the servicing person is a US person.
    UsPersonInvolved,
    /// `servicing_person.us_person`.
    ServicerUsPerson,
    /// `servicing_person.employer_headquarters` (defaults to the exporter's headquarters or country).
    ServicerEmployerHq,
    /// `item.eccn`.
    ItemEccn,
    /// `item.origin`.
    ItemOrigin,
    /// `item.foreign_made`: origin is not the US.
    ItemForeignMade,
    /// `item.us_content_percent`.
    ItemUsContent,
    /// `item.direct_product_of_us_tech`.
    ItemFdpTech,
    /// `item.made_by_us_derived_plant`.
    ItemFdpPlant,
    /// `item.direct_product_of` (ECCNs of the US technology, software or plant).
    ItemDirectProductOf,
    /// `item.contains_us_origin_ic`.
    ItemContainsUsIc,
    /// `item.contains_ic_from_us_derived_plant`.
    ItemContainsIcFromUsPlant,
    /// `item.designed_for_data_centers`.
    ItemDataCenter,
    /// `item.uniquely_required_10nm`: uniquely required for production at 10 nm or below.
    ItemUniquely10nm,
    /// `item.eligible_for = "GBS"`: the ECCN's license-exception paragraph allows the exception.
    ItemEligibleFor,
    /// `item.subject_to_ear` (known after the jurisdiction stage).
    ItemSubject,
    /// `item.subject_via = "route-id"`.
    ItemSubjectVia,
    /// `item.chart_applies`: some jurisdiction route lets the Country Chart apply.
    ItemChartApplies,
    /// `item.chart_license`: an ECCN reason for control has an X for the destination.
    ItemChartLicense,
    /// `item.chart_reason = "NS"`: the reasons whose X fired.
    ItemChartReason,
    /// `item.reason = "NS"`: a reason for control of the item's ECCN (any destination).
    ItemReason,
    /// `party.role`.
    PartyRole,
    /// `party.country`.
    PartyCountry,
    /// `party.headquarters`.
    PartyHq,
    /// `party.listed_on = "entity_list"`.
    PartyListedOn,
    /// `party.footnote = 5`.
    PartyFootnote,
    /// `party.name_like = "..."`: the party's name contains the text, ignoring case and punctuation.
    PartyNameLike,
    /// `party.listed_owner_share`: aggregate % owned by parties on a restricted list.
    PartyListedOwnerShare,
    /// `party.has_listed_owner`.
    PartyHasListedOwner,
    /// `party.military_end_user` (knowledge).
    PartyMilitaryEndUser,
    /// `party.majority_owned_by_d5` (knowledge): majority-owned by a Macau/D:5-headquartered entity.
    PartyMajorityOwnedByD5,
    /// `facility.present`.
    FacilityPresent,
    /// `facility.makes`.
    FacilityMakes,
    /// `facility.advanced_node`.
    FacilityAdvancedNode,
    /// `facility.node_known`.
    FacilityNodeKnown,
    /// `facility.owner_headquarters`.
    FacilityOwnerHq,
    /// `end_use.military` (knowledge): a military end use.
    EndUseMilitary,
    /// `end_use.military_end_user` (knowledge): some party is known to be a military end user.
    EndUseMilitaryEndUser,
    /// `end_use.supercomputer` (knowledge).
    EndUseSupercomputer,
    /// `end_use.ic_production` (knowledge): development or production of ICs at the facility.
    EndUseIcProduction,
    /// `end_use.sme_production` (knowledge): development or production of front-end SME.
    EndUseSmeProduction,
    /// `end_use.foreign_equivalent_available`.
    EndUseForeignEquivalent,
    /// `end_use.existing_network_support` (knowledge): TGL-eligible support of existing networks.
    EndUseExistingNetwork,
    /// `end_use.below_5g` : the item can only support telecom below the 5G level.
    EndUseBelow5g,
    /// `transaction.us_government_consignee` (knowledge).
    UsGovernmentConsignee,
    /// `item.classification.JP`: the item's Goods Ordinance reference (prefix-matched).
    ItemClassJp,
    /// `item.classification.NL`: the item's code on the Dutch SME annex (prefix-matched).
    ItemClassNl,
    /// `item.classification.EU`: the item's Annex I entry (prefix-matched).
    ItemClassEu,
    /// `item.nxt_1970i_1980i` (knowledge): an ASML NXT:1970i/1980i, or spare parts or software
    /// updates for one.
    ItemNxt1970i1980i,
    /// `end_use.wmd` (knowledge): intended for weapons of mass destruction or missiles.
    EndUseWmd,
    /// `exporter.informed` (knowledge): the exporter's authority has informed it of a use of
    /// concern (EU Art. 4/10, Japan's "informed" catch-all).
    ExporterInformed,
    /// `item.software_or_technology`: the item is software or technology (ECCN product group D
    /// or E; always for a deemed export or reexport; unknown for EAR99 otherwise).
    ItemSoftwareOrTechnology,
    /// `transaction.releases_software_or_technology`: cloud access releases software or
    /// technology to the user.
    ReleasesSoftwareOrTechnology,
    /// `release.license_required`: software or technology released to a cloud user needs a
    /// license. Never given in a record (each release is its own record), so always asked.
    ReleaseLicenseRequired,
    /// `end_use.military_intelligence` (knowledge): a military-intelligence end use or end user
    /// (744.22(f)).
    EndUseMilitaryIntelligence,
    /// `servicing_person.employer_majority_owned_by_d5` (knowledge): the servicing person's
    /// employer is majority-owned by a Macau/D:5-headquartered entity.
    ServicerEmployerOwnedByD5,
}

/// Every fact name and its meaning, in the order the reference documentation lists them.
pub const FACTS: &[(&str, Fact, &str)] = &[
    (
        "date",
        Fact::Date,
        "the as-of date (compare with \"YYYY-MM-DD\")",
    ),
    (
        "activity",
        Fact::Activity,
        "export | reexport | transfer_in_country | service | cloud_access | deemed_export | deemed_reexport",
    ),
    (
        "destination",
        Fact::Destination,
        "destination country, after dated aliases (HK → CN from 2020-12-23)",
    ),
    (
        "exporter.country",
        Fact::ExporterCountry,
        "country the exporter ships from",
    ),
    (
        "exporter.headquarters",
        Fact::ExporterHq,
        "exporter's headquarters country",
    ),
    (
        "exporter.us_person",
        Fact::ExporterUsPerson,
        "exporter is a US person",
    ),
    (
        "us_person_involved",
        Fact::UsPersonInvolved,
        "the exporter or the servicing person is a US person",
    ),
    (
        "servicing_person.us_person",
        Fact::ServicerUsPerson,
        "the servicing/authorizing person is a US person",
    ),
    (
        "servicing_person.employer_headquarters",
        Fact::ServicerEmployerHq,
        "headquarters of the servicing person's employer (defaults to the exporter's)",
    ),
    (
        "item.eccn",
        Fact::ItemEccn,
        "ECCN, matched by paragraph prefix (3B001 matches 3B001.c; 3B001 vs 3B001.c is unknown)",
    ),
    ("item.origin", Fact::ItemOrigin, "country of origin"),
    (
        "item.foreign_made",
        Fact::ItemForeignMade,
        "origin is not the United States",
    ),
    (
        "item.us_content_percent",
        Fact::ItemUsContent,
        "controlled US-origin content, % of value",
    ),
    (
        "item.direct_product_of_us_tech",
        Fact::ItemFdpTech,
        "direct product of US-origin technology or software",
    ),
    (
        "item.made_by_us_derived_plant",
        Fact::ItemFdpPlant,
        "made by a plant (or major component) that is a US direct product",
    ),
    (
        "item.direct_product_of",
        Fact::ItemDirectProductOf,
        "ECCNs of the US technology/software/plant the item derives from",
    ),
    (
        "item.contains_us_origin_ic",
        Fact::ItemContainsUsIc,
        "contains a US-origin integrated circuit",
    ),
    (
        "item.contains_ic_from_us_derived_plant",
        Fact::ItemContainsIcFromUsPlant,
        "contains an IC made by a plant that is a US direct product",
    ),
    (
        "item.designed_for_data_centers",
        Fact::ItemDataCenter,
        "designed or marketed for use in data centres",
    ),
    (
        "item.uniquely_required_10nm",
        Fact::ItemUniquely10nm,
        "uniquely required for production at 10 nm or below (incl. EUV)",
    ),
    (
        "item.eligible_for",
        Fact::ItemEligibleFor,
        "the ECCN's License Exceptions paragraph allows this exception",
    ),
    (
        "item.subject_to_ear",
        Fact::ItemSubject,
        "the item is subject to the EAR (after the jurisdiction stage)",
    ),
    (
        "item.subject_via",
        Fact::ItemSubjectVia,
        "a jurisdiction rule (by id) made the item subject",
    ),
    (
        "item.chart_applies",
        Fact::ItemChartApplies,
        "some jurisdiction route lets the Country Chart apply",
    ),
    (
        "item.chart_license",
        Fact::ItemChartLicense,
        "an ECCN reason for control has an X for the destination",
    ),
    (
        "item.chart_reason",
        Fact::ItemChartReason,
        "reason for control (NS, RS, AT...) whose X fired",
    ),
    (
        "item.reason",
        Fact::ItemReason,
        "a reason for control (NS, RS, AT...) of the item's ECCN paragraph, whatever the destination",
    ),
    (
        "party.role",
        Fact::PartyRole,
        "purchaser | intermediate_consignee | ultimate_consignee | end_user",
    ),
    ("party.country", Fact::PartyCountry, "party's country"),
    (
        "party.headquarters",
        Fact::PartyHq,
        "party's headquarters (or ultimate parent's) country",
    ),
    (
        "party.listed_on",
        Fact::PartyListedOn,
        "the party has an entry on the named list (entity_list, meu_list...)",
    ),
    (
        "party.footnote",
        Fact::PartyFootnote,
        "the party's Entity List entry carries the footnote",
    ),
    (
        "party.name_like",
        Fact::PartyNameLike,
        "the party's name contains the text (case and punctuation ignored)",
    ),
    (
        "party.listed_owner_share",
        Fact::PartyListedOwnerShare,
        "aggregate % owned by Entity List / MEU List owners",
    ),
    (
        "party.has_listed_owner",
        Fact::PartyHasListedOwner,
        "some owner of the party is on a restricted list",
    ),
    (
        "party.military_end_user",
        Fact::PartyMilitaryEndUser,
        "knowledge: the party is a military end user",
    ),
    (
        "party.majority_owned_by_d5",
        Fact::PartyMajorityOwnedByD5,
        "knowledge: majority-owned by a Macau/D:5-headquartered entity",
    ),
    (
        "facility.present",
        Fact::FacilityPresent,
        "a facility is named",
    ),
    (
        "facility.makes",
        Fact::FacilityMakes,
        "logic | dram | nand | back_end | none",
    ),
    (
        "facility.advanced_node",
        Fact::FacilityAdvancedNode,
        "the facility produces advanced-node ICs (see classify_facility)",
    ),
    (
        "facility.node_known",
        Fact::FacilityNodeKnown,
        "the exporter knows the facility's node",
    ),
    (
        "facility.owner_headquarters",
        Fact::FacilityOwnerHq,
        "headquarters country of the facility's owner",
    ),
    (
        "end_use.military",
        Fact::EndUseMilitary,
        "knowledge: a military end use",
    ),
    (
        "end_use.military_end_user",
        Fact::EndUseMilitaryEndUser,
        "knowledge: a party is a military end user (from the end-use text)",
    ),
    (
        "end_use.supercomputer",
        Fact::EndUseSupercomputer,
        "knowledge: for a supercomputer",
    ),
    (
        "end_use.ic_production",
        Fact::EndUseIcProduction,
        "knowledge: for development or production of ICs at the facility",
    ),
    (
        "end_use.sme_production",
        Fact::EndUseSmeProduction,
        "knowledge: for development or production of front-end SME",
    ),
    (
        "end_use.foreign_equivalent_available",
        Fact::EndUseForeignEquivalent,
        "a foreign-made equivalent not subject to the EAR is available",
    ),
    (
        "end_use.existing_network_support",
        Fact::EndUseExistingNetwork,
        "knowledge: support of existing networks/devices (Huawei TGL)",
    ),
    (
        "end_use.below_5g",
        Fact::EndUseBelow5g,
        "the item can only support telecom below the 5G level",
    ),
    (
        "transaction.us_government_consignee",
        Fact::UsGovernmentConsignee,
        "knowledge: consigned to a US Government agency",
    ),
    (
        "item.classification.JP",
        Fact::ItemClassJp,
        "Japanese Goods Ordinance reference (`item.classifications.JP`), matched by prefix; true when listed, false when `not listed`",
    ),
    (
        "item.classification.NL",
        Fact::ItemClassNl,
        "code on the Dutch SME annex (`item.classifications.NL`), matched by prefix",
    ),
    (
        "item.classification.EU",
        Fact::ItemClassEu,
        "EU Annex I entry (`item.classifications.EU`), matched by prefix or glob (`??5*`)",
    ),
    (
        "item.nxt_1970i_1980i",
        Fact::ItemNxt1970i1980i,
        "knowledge: an ASML NXT:1970i or NXT:1980i, or spare parts or software updates for one",
    ),
    (
        "end_use.wmd",
        Fact::EndUseWmd,
        "knowledge: intended for weapons of mass destruction or their delivery systems",
    ),
    (
        "exporter.informed",
        Fact::ExporterInformed,
        "knowledge: the exporter's competent authority has informed it of a use of concern",
    ),
    (
        "item.software_or_technology",
        Fact::ItemSoftwareOrTechnology,
        "the item is software or technology (ECCN product group D or E; always for deemed_export/deemed_reexport; unknown for EAR99 otherwise)",
    ),
    (
        "transaction.releases_software_or_technology",
        Fact::ReleasesSoftwareOrTechnology,
        "cloud_access: software or technology is released to the user (downloads, source code, technology)",
    ),
    (
        "release.license_required",
        Fact::ReleaseLicenseRequired,
        "software or technology released to a cloud user needs a license; never given in the record (determine each release as its own record), so always a question",
    ),
    (
        "end_use.military_intelligence",
        Fact::EndUseMilitaryIntelligence,
        "knowledge: a military-intelligence end use or end user (744.22(f))",
    ),
    (
        "servicing_person.employer_majority_owned_by_d5",
        Fact::ServicerEmployerOwnedByD5,
        "knowledge: the servicing person's employer is majority-owned by a Macau/D:5-headquartered entity",
    ),
];

impl Fact {
    /// The fact named `name`.
    pub fn from_name(name: &str) -> Option<Fact> {
        FACTS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, f, _)| *f)
    }

    /// The name rule files use.
    pub fn name(self) -> &'static str {
        FACTS
            .iter()
            .find(|(_, f, _)| *f == self)
            .map_or("?", |(n, _, _)| n)
    }

    /// Knowledge facts are what the exporter *knows*; the EAR's end-use rules turn on knowledge, so
    /// an unstated one counts as "not known" — and the engine asks the question whenever knowing
    /// it would change the answer.
    pub fn is_knowledge(self) -> bool {
        matches!(
            self,
            Fact::PartyMilitaryEndUser
                | Fact::PartyMajorityOwnedByD5
                | Fact::EndUseMilitary
                | Fact::EndUseMilitaryEndUser
                | Fact::EndUseSupercomputer
                | Fact::EndUseIcProduction
                | Fact::EndUseSmeProduction
                | Fact::EndUseExistingNetwork
                | Fact::UsGovernmentConsignee
                | Fact::ItemNxt1970i1980i
                | Fact::EndUseWmd
                | Fact::ExporterInformed
                | Fact::EndUseMilitaryIntelligence
                | Fact::ServicerEmployerOwnedByD5
        )
    }

    /// The regime whose item classification this fact reads, if it is one.
    pub fn classification_regime(self) -> Option<crate::regime::Regime> {
        use crate::regime::Regime;
        match self {
            Fact::ItemClassJp => Some(Regime::Jp),
            Fact::ItemClassNl => Some(Regime::Nl),
            Fact::ItemClassEu => Some(Regime::Eu),
            _ => None,
        }
    }

    /// Whether the fact is about one party (bound per party in `for_each = "party"` rules, any
    /// party otherwise).
    pub fn is_party(self) -> bool {
        matches!(
            self,
            Fact::PartyRole
                | Fact::PartyCountry
                | Fact::PartyHq
                | Fact::PartyListedOn
                | Fact::PartyFootnote
                | Fact::PartyNameLike
                | Fact::PartyListedOwnerShare
                | Fact::PartyHasListedOwner
                | Fact::PartyMilitaryEndUser
                | Fact::PartyMajorityOwnedByD5
        )
    }
}

/// A literal on the right of an operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// "text"
    Str(String),
    /// 25, 0.5
    Num(f64),
    /// true / false
    Bool(bool),
    /// group("D:5"): a country group, resolved at the as-of date.
    Group(String),
    /// A group reference resolved to its index in the rule set (done once when parsed).
    GroupAt(usize, String),
    /// set("name"): a named list from a `[sets]` table, expanded at parse time.
    Set(String),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// =
    Eq,
    /// !=
    Ne,
    /// <
    Lt,
    /// <=
    Le,
    /// >
    Gt,
    /// >=
    Ge,
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// All must hold.
    And(Vec<Expr>),
    /// One must hold.
    Or(Vec<Expr>),
    /// Must not hold.
    Not(Box<Expr>),
    /// A yes/no fact.
    Truthy(Fact),
    /// fact op value.
    Cmp(Fact, CmpOp, Value),
    /// fact in [values].
    In(Fact, Vec<Value>),
}

impl Expr {
    /// Every fact the expression mentions.
    pub fn facts(&self, out: &mut Vec<Fact>) {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.facts(out)),
            Expr::Not(inner) => inner.facts(out),
            Expr::Truthy(f) | Expr::Cmp(f, _, _) | Expr::In(f, _) => out.push(*f),
        }
    }

    /// Number of leaves (predicates), counting `true`/`false` constants as none.
    pub fn leaf_count(&self) -> usize {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().map(Expr::leaf_count).sum(),
            Expr::Not(inner) => inner.leaf_count(),
            _ => 1,
        }
    }

    /// The first fact the expression mentions.
    pub fn first_fact(&self) -> Option<Fact> {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().find_map(Expr::first_fact),
            Expr::Not(inner) => inner.first_fact(),
            Expr::Truthy(f) | Expr::Cmp(f, _, _) | Expr::In(f, _) => Some(*f),
        }
    }

    /// The text of every leaf in depth-first order, long lists shortened (for explanations).
    pub fn leaf_texts(&self, out: &mut Vec<String>) {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.leaf_texts(out)),
            Expr::Not(inner) => inner.leaf_texts(out),
            Expr::In(f, vs) if vs.len() > 8 => {
                let head: Vec<String> = vs.iter().take(6).map(ToString::to_string).collect();
                out.push(format!(
                    "{} in [{}, … {} more]",
                    f.name(),
                    head.join(", "),
                    vs.len() - 6
                ));
            }
            leaf => out.push(leaf.to_string()),
        }
    }

    /// Every group("..") and set("..") reference.
    pub fn refs(&self, out: &mut Vec<Value>) {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.refs(out)),
            Expr::Not(inner) => inner.refs(out),
            Expr::Truthy(_) => {}
            Expr::Cmp(_, _, v) => {
                if matches!(v, Value::Group(_) | Value::Set(_)) {
                    out.push(v.clone());
                }
            }
            Expr::In(_, vs) => out.extend(
                vs.iter()
                    .filter(|v| matches!(v, Value::Group(_) | Value::Set(_)))
                    .cloned(),
            ),
        }
    }

    /// Replaces group("id") by its index in `groups` (unknown groups are left alone).
    pub fn resolve_groups(&mut self, index: &dyn Fn(&str) -> Option<usize>) {
        let fix = |v: &mut Value| {
            if let Value::Group(g) = v
                && let Some(i) = index(g)
            {
                *v = Value::GroupAt(i, std::mem::take(g));
            }
        };
        match self {
            Expr::And(items) | Expr::Or(items) => {
                items.iter_mut().for_each(|e| e.resolve_groups(index))
            }
            Expr::Not(inner) => inner.resolve_groups(index),
            Expr::Truthy(_) => {}
            Expr::Cmp(_, _, v) => fix(v),
            Expr::In(_, vs) => vs.iter_mut().for_each(fix),
        }
    }

    /// Replaces set("name") by the set's members, using `lookup`; unknown sets are left alone.
    pub fn expand_sets(&mut self, lookup: &dyn Fn(&str) -> Option<Vec<String>>) {
        match self {
            Expr::And(items) | Expr::Or(items) => {
                items.iter_mut().for_each(|e| e.expand_sets(lookup))
            }
            Expr::Not(inner) => inner.expand_sets(lookup),
            Expr::Truthy(_) | Expr::Cmp(..) => {}
            Expr::In(_, values) => {
                let mut out = Vec::with_capacity(values.len());
                for v in values.drain(..) {
                    match &v {
                        Value::Set(name) => match lookup(name) {
                            Some(members) => out.extend(members.into_iter().map(|m| {
                                m.strip_prefix("group:").map_or_else(
                                    || Value::Str(m.clone()),
                                    |g| Value::Group(g.to_string()),
                                )
                            })),
                            None => out.push(v),
                        },
                        _ => out.push(v),
                    }
                }
                *values = out;
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "\"{s}\""),
            Value::Num(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Group(g) | Value::GroupAt(_, g) => write!(f, "group(\"{g}\")"),
            Value::Set(s) => write!(f, "set(\"{s}\")"),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn join(f: &mut fmt::Formatter<'_>, items: &[Expr], sep: &str) -> fmt::Result {
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, " {sep} ")?;
                }
                match e {
                    Expr::And(_) | Expr::Or(_) => write!(f, "({e})")?,
                    _ => write!(f, "{e}")?,
                }
            }
            Ok(())
        }
        match self {
            Expr::And(items) if items.is_empty() => write!(f, "true"),
            Expr::Or(items) if items.is_empty() => write!(f, "false"),
            Expr::And(items) => join(f, items, "and"),
            Expr::Or(items) => join(f, items, "or"),
            Expr::Not(inner) => match **inner {
                Expr::And(_) | Expr::Or(_) => write!(f, "not ({inner})"),
                _ => write!(f, "not {inner}"),
            },
            Expr::Truthy(fact) => write!(f, "{}", fact.name()),
            Expr::Cmp(fact, op, v) => {
                let op = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "!=",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                write!(f, "{} {op} {v}", fact.name())
            }
            Expr::In(fact, vs) => {
                write!(f, "{} in [", fact.name())?;
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(CmpOp),
}

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((pos, Tok::LParen));
                i += 1;
            }
            ')' => {
                out.push((pos, Tok::RParen));
                i += 1;
            }
            '[' => {
                out.push((pos, Tok::LBracket));
                i += 1;
            }
            ']' => {
                out.push((pos, Tok::RBracket));
                i += 1;
            }
            ',' => {
                out.push((pos, Tok::Comma));
                i += 1;
            }
            '=' => {
                out.push((pos, Tok::Op(CmpOp::Eq)));
                i += if chars.get(i + 1).map(|c| c.1) == Some('=') {
                    2
                } else {
                    1
                };
            }
            '!' | '<' | '>' => {
                let eq = chars.get(i + 1).map(|c| c.1) == Some('=');
                let op = match (c, eq) {
                    ('!', true) => CmpOp::Ne,
                    ('<', true) => CmpOp::Le,
                    ('<', false) => CmpOp::Lt,
                    ('>', true) => CmpOp::Ge,
                    ('>', false) => CmpOp::Gt,
                    _ => return Err(format!("unexpected `!` at {pos} (use `not` or `!=`)")),
                };
                out.push((pos, Tok::Op(op)));
                i += if eq { 2 } else { 1 };
            }
            '"' | '\'' => {
                let quote = c;
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("unterminated string starting at {pos}")),
                        Some((_, ch)) if *ch == quote => {
                            i += 1;
                            break;
                        }
                        Some((_, ch)) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push((pos, Tok::Str(s)));
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(|n| n.1.is_ascii_digit())) =>
            {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].1.is_ascii_digit() || chars[i].1 == '.') {
                    i += 1;
                }
                let s: String = chars[start..i].iter().map(|c| c.1).collect();
                let n: f64 = s
                    .parse()
                    .map_err(|_| format!("bad number `{s}` at {pos}"))?;
                out.push((pos, Tok::Num(n)));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].1.is_alphanumeric() || matches!(chars[i].1, '_' | '.'))
                {
                    i += 1;
                }
                out.push((
                    pos,
                    Tok::Ident(chars[start..i].iter().map(|c| c.1).collect()),
                ));
            }
            other => return Err(format!("unexpected character `{other}` at {pos}")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    at: usize,
    errors: Vec<String>,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.1)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(usize::MAX, |t| t.0)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).map(|t| t.1.clone());
        self.at += 1;
        t
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == kw)
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.and()?];
        while self.is_kw("or") {
            self.at += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.unary()?];
        while self.is_kw("and") {
            self.at += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.is_kw("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.at += 1;
            let e = self.expr()?;
            return match self.next() {
                Some(Tok::RParen) => Ok(e),
                _ => Err("expected `)`".into()),
            };
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, String> {
        let pos = self.pos();
        let name = match self.next() {
            Some(Tok::Ident(name)) => name,
            Some(other) => return Err(format!("expected a fact name at {pos}, found {other:?}")),
            None => return Err("expected a fact name, found the end".into()),
        };
        if name == "true" {
            return Ok(Expr::And(Vec::new()));
        }
        if name == "false" {
            return Ok(Expr::Or(Vec::new()));
        }
        let fact = match Fact::from_name(&name) {
            Some(f) => f,
            None => {
                // Keep parsing so that later problems are reported too.
                self.errors.push(format!("unknown fact `{name}`"));
                Fact::Date
            }
        };
        match self.peek() {
            Some(Tok::Op(op)) => {
                let op = *op;
                self.at += 1;
                Ok(Expr::Cmp(fact, op, self.value()?))
            }
            Some(Tok::Ident(kw)) if kw == "in" => {
                self.at += 1;
                if self.next() != Some(Tok::LBracket) {
                    return Err(format!("expected `[` after `{name} in`"));
                }
                let mut values = Vec::new();
                if self.peek() == Some(&Tok::RBracket) {
                    self.at += 1;
                    return Ok(Expr::In(fact, values));
                }
                loop {
                    values.push(self.value()?);
                    match self.next() {
                        Some(Tok::Comma) => {
                            if self.peek() == Some(&Tok::RBracket) {
                                self.at += 1;
                                break;
                            }
                        }
                        Some(Tok::RBracket) => break,
                        _ => {
                            return Err(format!(
                                "expected `,` or `]` in the list after `{name} in`"
                            ));
                        }
                    }
                }
                Ok(Expr::In(fact, values))
            }
            _ => Ok(Expr::Truthy(fact)),
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        let pos = self.pos();
        match self.next() {
            Some(Tok::Str(s)) => Ok(Value::Str(s)),
            Some(Tok::Num(n)) => Ok(Value::Num(n)),
            Some(Tok::Ident(k)) if k == "true" => Ok(Value::Bool(true)),
            Some(Tok::Ident(k)) if k == "false" => Ok(Value::Bool(false)),
            Some(Tok::Ident(k)) if k == "group" || k == "set" => {
                let arg = match (self.next(), self.next(), self.next()) {
                    (Some(Tok::LParen), Some(Tok::Str(s)), Some(Tok::RParen)) => s,
                    _ => return Err(format!("expected {k}(\"name\") at {pos}")),
                };
                Ok(if k == "group" {
                    Value::Group(arg)
                } else {
                    Value::Set(arg)
                })
            }
            other => Err(format!("expected a value at {pos}, found {other:?}")),
        }
    }
}

/// Parses a condition; on failure returns every problem found.
pub fn parse(text: &str) -> Result<Expr, Vec<String>> {
    let toks = lex(text).map_err(|e| vec![e])?;
    if toks.is_empty() {
        return Err(vec!["empty condition".into()]);
    }
    let mut p = Parser {
        toks,
        at: 0,
        errors: Vec::new(),
    };
    let result = p.expr();
    let mut errors = std::mem::take(&mut p.errors);
    match result {
        Ok(e) if p.at >= p.toks.len() && errors.is_empty() => Ok(e),
        Ok(_) => {
            if p.at < p.toks.len() {
                errors.push(format!("unexpected text at {}", p.pos()));
            }
            Err(errors)
        }
        Err(e) => {
            errors.push(e);
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        let text = r#"item.eccn in ["3B001.c", set("sme")] and (destination in ["MO", group("D:5")] or not item.foreign_made) and item.us_content_percent > 25"#;
        let e = parse(text).unwrap();
        let printed = e.to_string();
        assert_eq!(parse(&printed).unwrap(), e);
    }

    #[test]
    fn reports_every_unknown_fact() {
        let errs = parse("item.colour = \"red\" and party.mood").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn kleene_logic() {
        assert_eq!(Tri::Unknown.and(Tri::False), Tri::False);
        assert_eq!(Tri::Unknown.or(Tri::True), Tri::True);
        assert_eq!(Tri::Unknown.and(Tri::True), Tri::Unknown);
        assert_eq!(Tri::Unknown.not(), Tri::Unknown);
    }
}
