//! One answer per regime that applies to a transaction: the US answer (summarised from the EAR
//! determination) and, when the exporter's country brings them in, Japan, the Netherlands and
//! the EU, each evaluated from its own rules (`rulesets/{jp,nl,eu}/*.toml`) by the same
//! three-valued evaluator as the EAR.
//!
//! A regime's `[[regime]]` declaration says when it binds the exporter (`applies_when`). Its
//! `license` rules are either `list` rules, whose `relevant_when` states that the item is on the
//! regime's control list whatever the destination, or `catch_all` rules for unlisted items. The
//! answer is `true` when a requirement fires, `"unknown"` when one depends on a missing fact,
//! `false` when the item is listed but no requirement applies (an intra-EU transfer), and
//! `"not controlled"` when it is on no list in force on the date and no catch-all fires. Its
//! `authorization` rules say which licence may be used: a general (bulk) licence, an individual
//! licence, a Union general export authorisation.
//!
//! Destinations are taken as written: the EAR's dated aliases (Hong Kong → China) are US law.

use crate::cond::Tri;
use crate::determine::{
    Ctx, Determination, LicenseRequired, Question, RuleOutcome, Trace, run_stage,
};
use crate::regime::{Classification, Regime};
use crate::ruleset::{Confidence, Policy, Stage, Status};
use serde::Serialize;

/// A regime's licence answer: `true`, `false`, `"not controlled"` or `"unknown"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegimeLicense {
    /// A licence (or authorisation) is required, even if a general licence may be used.
    Yes,
    /// The item is controlled by the regime, but not for this destination or activity.
    No,
    /// The item is on none of the regime's lists in force on the date, and no catch-all applies
    /// (for the US: the item is not subject to the EAR).
    NotControlled,
    /// Depends on facts not given (see `unknowns`).
    Unknown,
}

impl Serialize for RegimeLicense {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RegimeLicense::Yes => s.serialize_bool(true),
            RegimeLicense::No => s.serialize_bool(false),
            RegimeLicense::NotControlled => s.serialize_str("not controlled"),
            RegimeLicense::Unknown => s.serialize_str("unknown"),
        }
    }
}

/// A licence that may be used (or must be applied for) under a regime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Licensing {
    /// The licence (`general bulk licence (一般包括許可)`, `individual licence`, `EU001`...).
    pub licence: String,
    /// Where it is provided for.
    pub citation: String,
    /// `yes`, or `if the open questions resolve`.
    pub available: &'static str,
    /// In words.
    pub why: String,
    /// Research confidence.
    pub confidence: Confidence,
}

/// The answer under one regime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JurisdictionAnswer {
    /// `US`, `JP`, `NL` or `EU`.
    pub jurisdiction: Regime,
    /// The regime's name and legal basis.
    pub title: String,
    /// Why the regime applies to this transaction.
    pub applies: String,
    /// The item's classification under the regime, as read (`not listed` included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// The licence answer.
    pub license_required: RegimeLicense,
    /// The review policy of the requirements that apply (`unknown` when none is stated).
    #[serde(serialize_with = "ser_policy")]
    pub review_policy: Option<Policy>,
    /// The rules that fired, may apply, or decided the answer by not firing.
    pub rules: Vec<RuleOutcome>,
    /// Licences that may be used or must be applied for.
    pub licensing: Vec<Licensing>,
    /// Questions whose answers could change this regime's answer.
    pub unknowns: Vec<Question>,
    /// Caveats: unconfirmed rules, open classifications.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn ser_policy<S: serde::Serializer>(p: &Option<Policy>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.map_or("unknown", Policy::name))
}

/// The answers per regime for a determination whose US part is already made.
pub(crate) fn jurisdictions(c: &Ctx<'_>, d: &Determination) -> Vec<JurisdictionAnswer> {
    let mut out = vec![us_answer(d)];
    for def in &c.rules.regimes {
        c.us_aliases.set(false);
        let answer = regime_answer(c, def);
        c.us_aliases.set(true);
        out.extend(answer);
    }
    out
}

fn us_answer(d: &Determination) -> JurisdictionAnswer {
    let license_required = match d.license_required {
        LicenseRequired::Yes => RegimeLicense::Yes,
        LicenseRequired::No => RegimeLicense::No,
        LicenseRequired::NotSubjectToEar => RegimeLicense::NotControlled,
        LicenseRequired::Unknown => RegimeLicense::Unknown,
    };
    let mut licensing: Vec<Licensing> = Vec::new();
    if matches!(
        license_required,
        RegimeLicense::Yes | RegimeLicense::Unknown
    ) {
        licensing.push(Licensing {
            licence: "BIS license".into(),
            citation: "15 CFR part 748".into(),
            available: "yes",
            why: format!(
                "apply to BIS; review policy: {}",
                d.review_policy.map_or("undetermined", Policy::words)
            ),
            confidence: Confidence::Confirmed,
        });
    }
    let exception = |x: &crate::determine::ExceptionOutcome, available: &'static str| Licensing {
        licence: format!("License Exception {}", x.symbol),
        citation: x.citation.clone(),
        available,
        why: x.why.clone(),
        confidence: Confidence::Confirmed,
    };
    licensing.extend(
        d.license_exceptions
            .available
            .iter()
            .map(|x| exception(x, "yes")),
    );
    licensing.extend(
        d.license_exceptions
            .conditional
            .iter()
            .map(|x| exception(x, "if the open questions resolve")),
    );
    licensing.extend(d.authorizations.iter().map(|x| Licensing {
        licence: x.symbol.clone(),
        citation: x.citation.clone(),
        available: "yes",
        why: x.why.clone(),
        confidence: Confidence::Confirmed,
    }));
    JurisdictionAnswer {
        jurisdiction: Regime::Us,
        title: "United States: Export Administration Regulations (15 CFR parts 730-774)".into(),
        applies: format!(
            "Subject to the EAR: {}. {}",
            d.subject_to_ear.answer, d.subject_to_ear.explanation
        ),
        classification: None,
        license_required,
        review_policy: d.review_policy,
        rules: d
            .rules
            .iter()
            .filter(|r| {
                matches!(
                    r.effect,
                    "subject_to_ear" | "license_required" | "may_apply"
                )
            })
            .cloned()
            .collect(),
        licensing,
        unknowns: d.unknowns.clone(),
        notes: Vec::new(),
    }
}

fn regime_answer(c: &Ctx<'_>, def: &crate::ruleset::RegimeDef) -> Option<JurisdictionAnswer> {
    let regime = def.regime;
    let mut trace = Trace::default();
    let applies = c.eval(&def.applies_when, None, false, &mut trace);
    if applies == Tri::False {
        return None;
    }
    let mut outcomes = Vec::new();
    let mut questions = Vec::new();
    let mut notes = Vec::new();
    if applies == Tri::Unknown {
        notes.push(format!(
            "Whether {} applies depends on facts not given ({}).",
            def.title, def.applies_when_text
        ));
    }
    let fired = run_stage(
        c,
        Stage::License,
        regime,
        &mut outcomes,
        &mut questions,
        &mut notes,
    );
    // Is the item on one of the regime's lists in force, whatever the destination?
    let mut listed = Tri::False;
    for rule in c.rules.rules.iter().filter(|r| {
        r.regime == regime
            && r.stage == Stage::License
            && r.family == "list"
            && !matches!(r.in_force.status(c.as_of), Status::NotYet | Status::Ended)
    }) {
        if let Some(relevant) = &rule.relevant_when {
            listed = listed.or(c.eval(relevant, None, false, &mut Trace::default()));
        }
    }
    let any_true = fired.iter().any(|f| f.outcome == Tri::True);
    let any_unknown = fired.iter().any(|f| f.outcome == Tri::Unknown);
    let license_required = if any_true {
        RegimeLicense::Yes
    } else if any_unknown {
        RegimeLicense::Unknown
    } else {
        match listed {
            Tri::True => RegimeLicense::No,
            Tri::False => RegimeLicense::NotControlled,
            Tri::Unknown => {
                notes.push(format!(
                    "Whether the item is on the {} list is open, but no licence would be required for this transaction either way.",
                    regime.code()
                ));
                RegimeLicense::No
            }
        }
    };
    if license_required == RegimeLicense::NotControlled && c.classification(regime).is_none() {
        // Not reached through a list rule: say so rather than let silence look like "checked".
        crate::determine::ask(
            crate::determine::question(match regime {
                Regime::Jp => crate::cond::Fact::ItemClassJp,
                Regime::Nl => crate::cond::Fact::ItemClassNl,
                _ => crate::cond::Fact::ItemClassEu,
            })
            .to_string(),
            regime.code(),
            &mut questions,
        );
    }
    let counted: Vec<_> = fired
        .iter()
        .filter(|f| !any_true || f.outcome == Tri::True)
        .collect();
    let review_policy = match license_required {
        RegimeLicense::No | RegimeLicense::NotControlled => Some(Policy::NotApplicable),
        _ => counted
            .iter()
            .fold(None, |acc: Option<Policy>, f| match (acc, f.policy) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, None) => a,
                (None, b) => b,
            }),
    };
    let mut licensing: Vec<Licensing> = Vec::new();
    if matches!(
        license_required,
        RegimeLicense::Yes | RegimeLicense::Unknown
    ) {
        for f in run_stage(
            c,
            Stage::Authorization,
            regime,
            &mut outcomes,
            &mut questions,
            &mut notes,
        ) {
            let licence = f
                .rule
                .symbol
                .clone()
                .unwrap_or_else(|| f.rule.title.clone());
            // Two rules may offer the same licence (an individual licence for the 2023 items
            // and for other items): one line, usable if either is.
            if let Some(existing) = licensing.iter_mut().find(|l| l.licence == licence) {
                if f.outcome == Tri::True {
                    existing.available = "yes";
                }
                continue;
            }
            licensing.push(Licensing {
                licence,
                citation: f.rule.citation.clone(),
                available: if f.outcome == Tri::True {
                    "yes"
                } else {
                    "if the open questions resolve"
                },
                why: f.rule.explanation.clone(),
                confidence: f.rule.confidence,
            });
        }
    }
    if let Some(n) = &def.note {
        notes.push(n.clone());
    }
    // The Dutch measure covers only items outside EU Annex I (its annex says so); an item given
    // both codes is answered as given, with the conflict pointed out.
    if regime == Regime::Nl
        && matches!(c.classification(Regime::Nl), Some(Classification::Code(_)))
        && matches!(c.classification(Regime::Eu), Some(Classification::Code(_)))
    {
        notes.push("The item is given both a Dutch annex code and an EU Annex I entry, but the Dutch measure covers only items not in Annex I: check the classification (an Annex I item is licensed under the EU regime only).".into());
    }
    notes.sort();
    notes.dedup();
    Some(JurisdictionAnswer {
        jurisdiction: regime,
        title: format!("{} ({})", def.title, def.citation),
        applies: def.explanation.clone(),
        classification: c.classification(regime).map(|k| k.display()),
        license_required,
        review_policy,
        rules: outcomes,
        licensing,
        unknowns: questions,
        notes,
    })
}
