//! The public input format: a transaction to determine, as YAML or JSON, one record or a list.
//!
//! A record is `{id, as_of, title?, transaction}`; other keys (`expected`, `source`...) are
//! ignored. A file may hold a list of records, one record, or a bare transaction. Every record is
//! read on its own: a bad one yields a [`RecordError`] naming its id and the field path, and the
//! others are still returned. An absent optional fact stays `None` and becomes a question in the
//! answer; it is never taken as "no".

use crate::eccn::Eccn;
use crate::ruleset::RuleSet;
use chokepoint_model::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What is being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Export from the US (or from abroad, for foreign direct products).
    Export,
    /// Reexport from one foreign country to another.
    Reexport,
    /// Transfer within a foreign country.
    TransferInCountry,
    /// Servicing (maintenance, repair, overhaul, refurbishing) at a facility.
    Service,
    /// Remote access to compute (IaaS): the user runs workloads on the item without receiving
    /// it. `destination_country` is the user's country; say in `releases_software_or_technology`
    /// whether software or technology is released to the user.
    CloudAccess,
    /// Release of technology or source code to a foreign person in the United States (15 CFR
    /// 734.13(a)(2)); `destination_country` is the person's most recent country of citizenship or
    /// permanent residency (734.13(b)).
    DeemedExport,
    /// Release of technology or source code outside the United States to a foreign person of
    /// another country (15 CFR 734.14(a)(2)); `destination_country` is the person's most recent
    /// country of citizenship or permanent residency (734.14(b)).
    DeemedReexport,
}

impl Activity {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Activity::Export => "export",
            Activity::Reexport => "reexport",
            Activity::TransferInCountry => "transfer_in_country",
            Activity::Service => "service",
            Activity::CloudAccess => "cloud_access",
            Activity::DeemedExport => "deemed_export",
            Activity::DeemedReexport => "deemed_reexport",
        }
    }

    /// A release of technology or source code to a foreign person (deemed export or reexport).
    pub fn is_deemed(self) -> bool {
        matches!(self, Activity::DeemedExport | Activity::DeemedReexport)
    }
}

/// Every activity name, as rule conditions write them.
pub const ACTIVITY_NAMES: &[&str] = &[
    "export",
    "reexport",
    "transfer_in_country",
    "service",
    "cloud_access",
    "deemed_export",
    "deemed_reexport",
];

/// A party's role in the transaction (748.5(c)-(f)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Purchaser.
    Purchaser,
    /// Intermediate consignee.
    IntermediateConsignee,
    /// Ultimate consignee.
    UltimateConsignee,
    /// End user.
    EndUser,
    /// Freight forwarder or other agent.
    Forwarder,
}

impl Role {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Purchaser => "purchaser",
            Role::IntermediateConsignee => "intermediate_consignee",
            Role::UltimateConsignee => "ultimate_consignee",
            Role::EndUser => "end_user",
            Role::Forwarder => "forwarder",
        }
    }
}

/// What a facility produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Makes {
    /// Logic ICs.
    Logic,
    /// DRAM.
    Dram,
    /// NAND flash.
    Nand,
    /// Assembly, test and packaging only.
    BackEnd,
    /// No IC production.
    None,
}

/// A list status stated for a party (or an owner): what the user knows of its entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ListStatus {
    /// `entity_list`, `meu_list`, `sdn`, `unverified_list`...
    pub list: String,
    /// Entity List footnote markers (1, 3, 4, 5).
    #[serde(default)]
    pub footnotes: Vec<u8>,
    /// FR citations of the entry ("85 FR 83420; 89 FR 96837").
    #[serde(default)]
    pub fr: Option<String>,
    /// The entry's review policy in words ("presumption of denial").
    #[serde(default)]
    pub entry_review_policy: Option<String>,
    /// The entry's license requirement column, verbatim.
    #[serde(default)]
    pub license_requirement: Option<String>,
    /// The entry's license review policy column, verbatim.
    #[serde(default)]
    pub license_policy: Option<String>,
}

/// One owner of a party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ownership {
    /// Owner's name.
    pub owner: String,
    /// Percent owned (direct or indirect).
    pub percent: f64,
    /// The owner's list statuses; absent: unknown.
    #[serde(default)]
    pub owner_lists: Option<Vec<ListStatus>>,
    /// Owner's headquarters country.
    #[serde(default)]
    pub headquarters_country: Option<String>,
}

/// A party to the transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Party {
    /// Role.
    pub role: Role,
    /// Name as the user knows it.
    pub name: String,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// List statuses. `[]` means "screened, not listed"; absent means "not screened": the engine
    /// asks its lookup, or reports the status as unknown.
    #[serde(default)]
    pub lists: Option<Vec<ListStatus>>,
    /// Headquarters (or ultimate parent's) country.
    #[serde(default)]
    pub headquarters_country: Option<String>,
    /// Owners (for the affiliates rule).
    #[serde(default)]
    pub ownership: Option<Vec<Ownership>>,
    /// The exporter knows this party is a military end user.
    #[serde(default)]
    pub military_end_user: Option<bool>,
    /// The party is majority-owned by a Macau/D:5-headquartered entity.
    #[serde(default)]
    pub majority_owned_by_d5: Option<bool>,
}

/// The item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Item {
    /// ECCN (`3B001.c`, `EAR99`).
    pub eccn: String,
    /// Description (also read for text hints).
    #[serde(default)]
    pub description: Option<String>,
    /// Country of origin (ISO-2).
    pub origin_country: String,
    /// Controlled US-origin content as % of value (100 for US-origin items).
    #[serde(default)]
    pub us_content_percent: Option<f64>,
    /// Direct product of US-origin technology or software.
    #[serde(default)]
    pub foreign_direct_product_of_us_tech: Option<bool>,
    /// Made by a plant (or major component of one) that is a direct product of US technology.
    #[serde(default)]
    pub made_by_plant_that_is_us_direct_product: Option<bool>,
    /// ECCNs of the US technology/software/plant the item derives from.
    #[serde(default)]
    pub direct_product_of: Option<Vec<String>>,
    /// Contains a US-origin integrated circuit.
    #[serde(default)]
    pub contains_us_origin_ic: Option<bool>,
    /// Contains an IC made by a plant that is a direct product of US technology/software.
    #[serde(default)]
    pub contains_ic_from_us_derived_plant: Option<bool>,
    /// Designed or marketed for use in data centres.
    #[serde(default)]
    pub designed_for_data_centers: Option<bool>,
    /// Uniquely required for production at 10 nm or below (incl. EUV).
    #[serde(default)]
    pub uniquely_required_10nm: Option<bool>,
    /// Designed for 200 mm wafer production (and going to a 200 mm facility).
    #[serde(default)]
    pub for_200mm_facility: Option<bool>,
    /// Free-text detail of the content (also read for text hints).
    #[serde(default)]
    pub content_detail: Option<String>,
    /// The item's classification under other regimes, keyed `JP`, `NL` or `EU` (case and
    /// country names accepted): `{"EU": "3B001.f.1", "JP": "Goods Ordinance Art. 6(17)(fu)"}`;
    /// `"not listed"` when the item is on none of that regime's lists. Forms accepted:
    /// `rulesets/README.md`, "Classifications under other regimes".
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub classifications: std::collections::BTreeMap<String, String>,
}

/// The exporter (or reexporter, transferor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Exporter {
    /// Country it ships from.
    pub country: String,
    /// Is a US person.
    #[serde(default)]
    pub us_person: Option<bool>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Headquarters country.
    #[serde(default)]
    pub headquarters_country: Option<String>,
}

/// The facility the item is for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Facility {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Product type.
    #[serde(default)]
    pub makes: Option<Makes>,
    /// Owner's headquarters country.
    #[serde(default)]
    pub owner_hq_country: Option<String>,
    /// Whether the exporter knows the node.
    #[serde(default)]
    pub node_known: Option<bool>,
    /// Logic production node (nm).
    #[serde(default)]
    pub node_nm: Option<f64>,
    /// DRAM half-pitch (nm).
    #[serde(default)]
    pub half_pitch_nm: Option<f64>,
    /// NAND layers.
    #[serde(default)]
    pub layers: Option<u32>,
    /// Logic with non-planar transistors (FinFET, GAAFET).
    #[serde(default)]
    pub non_planar: Option<bool>,
    /// DRAM memory cell area (µm²).
    #[serde(default)]
    pub cell_area_um2: Option<f64>,
    /// DRAM memory density (Gb/mm²).
    #[serde(default)]
    pub density_gb_per_mm2: Option<f64>,
    /// DRAM through-silicon vias per die.
    #[serde(default)]
    pub tsv_per_die: Option<u32>,
}

/// The person servicing or authorizing (for 744.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServicingPerson {
    /// Nationality.
    #[serde(default)]
    pub nationality: Option<String>,
    /// Is a US person.
    #[serde(default)]
    pub us_person: Option<bool>,
    /// Headquarters country of the person's employer (defaults to the exporter's).
    #[serde(default)]
    pub employer_headquarters: Option<String>,
    /// The person's employer is majority-owned by an entity headquartered in Macau or a Country
    /// Group D:5 country (the condition of the 744.6(d)(4) exclusion; unstated: not known).
    #[serde(default)]
    pub employer_majority_owned_by_d5: Option<bool>,
}

/// A transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Transaction {
    /// The item.
    pub item: Item,
    /// The exporter.
    pub exporter: Exporter,
    /// Destination country (ISO-2; HK and MO as written). For `cloud_access`: the country of the
    /// user given access. For `deemed_export` and `deemed_reexport`: the foreign person's most
    /// recent country of citizenship or permanent residency (15 CFR 734.13(b), 734.14(b)).
    pub destination_country: String,
    /// Parties.
    #[serde(default)]
    pub parties: Vec<Party>,
    /// Facility.
    #[serde(default)]
    pub facility: Option<Facility>,
    /// End use, in words (read for text hints).
    #[serde(default)]
    pub end_use: Option<String>,
    /// Activity.
    pub activity: Activity,
    /// The person servicing or authorizing.
    #[serde(default)]
    pub servicing_person: Option<ServicingPerson>,
    /// Consigned to a US Government agency (License Exception GOV).
    #[serde(default)]
    pub us_government_consignee: Option<bool>,
    /// `cloud_access`: software or technology is released to the user (downloads, source code,
    /// technology), which is an export of that software or technology. Absent: asked.
    #[serde(default)]
    pub releases_software_or_technology: Option<bool>,
}

/// A record: one determination to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Record {
    /// Id, echoed in the answer.
    pub id: String,
    /// The date the answer is for.
    #[schemars(with = "String")]
    pub as_of: Date,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// The transaction.
    pub transaction: Transaction,
}

/// One problem in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// Field path (`transaction.item.eccn`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// A record that cannot be determined, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct RecordError {
    /// The record's id (or `label#n` when it has none).
    pub id: String,
    /// Problems.
    pub problems: Vec<FieldProblem>,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}: {}: {}", self.id, p.field, p.message)?;
        }
        Ok(())
    }
}

/// The JSON schema of one record (the schema of a file is this or an array of it).
pub fn record_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Record);
    serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null)
}

/// Reads every record of a YAML or JSON text. `rules` gives the date range and the countries
/// known; `label` names the input in errors.
pub fn parse_records(rules: &RuleSet, label: &str, text: &str) -> Vec<Result<Record, RecordError>> {
    let text = quote_eccn_like_numbers(text);
    let mut doc: serde_yaml::Value = match serde_yaml::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let at = e.location().map_or(String::new(), |l| {
                format!(" (line {}, column {})", l.line(), l.column())
            });
            return vec![Err(RecordError {
                id: label.to_string(),
                problems: vec![FieldProblem {
                    field: "(file)".into(),
                    message: format!("not valid YAML or JSON{at}: {e}"),
                }],
            })];
        }
    };
    // YAML merge keys (`<<: *base`) let fixtures share a base transaction.
    if let Err(e) = doc.apply_merge() {
        return vec![Err(RecordError {
            id: label.to_string(),
            problems: vec![FieldProblem {
                field: "(file)".into(),
                message: format!("bad YAML merge key: {e}"),
            }],
        })];
    }
    let items: Vec<serde_yaml::Value> = match doc {
        serde_yaml::Value::Sequence(items) => items,
        other => vec![other],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse_one(rules, &format!("{label}#{}", i + 1), v))
        .collect()
}

/// ECCNs such as `3E001` or `5E002` are numbers to YAML (3 × 10¹). Before parsing, every plain
/// (unquoted) scalar of exactly that shape, as a mapping value or sequence item (block or flow),
/// is quoted so it stays the ECCN it is.
pub fn quote_eccn_like_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    fn is_eccn_number(t: &str) -> bool {
        let b = t.as_bytes();
        b.len() == 5
            && b[0].is_ascii_digit()
            && (b[1] == b'E' || b[1] == b'e')
            && b[2..].iter().all(u8::is_ascii_digit)
    }
    if !text.lines().any(|l| {
        l.split(|c: char| !c.is_ascii_alphanumeric())
            .any(is_eccn_number)
    }) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let mut result = String::with_capacity(line.len());
        let mut token = String::new();
        let mut prev: Option<char> = None;
        // Quotes only open at a value start (after a space, `[`, `,` or `:`), not inside words.
        let mut in_quote: Option<char> = None;
        let flush = |token: &mut String,
                     result: &mut String,
                     next: Option<char>,
                     prev_sep: Option<char>| {
            let boundary_before = matches!(prev_sep, Some(' ' | '[' | ',' | '\t'));
            let boundary_after = matches!(
                next,
                None | Some(' ' | ']' | ',' | '\n' | '\r' | '\t' | '#')
            );
            if is_eccn_number(token) && boundary_before && boundary_after {
                result.push('"');
                result.push_str(token);
                result.push('"');
            } else {
                result.push_str(token);
            }
            token.clear();
        };
        let mut sep_before_token: Option<char> = None;
        for c in line.chars() {
            if let Some(q) = in_quote {
                result.push(c);
                if c == q {
                    in_quote = None;
                }
                prev = Some(c);
                continue;
            }
            if c.is_ascii_alphanumeric() {
                if token.is_empty() {
                    sep_before_token = prev;
                }
                token.push(c);
            } else {
                if !token.is_empty() {
                    flush(&mut token, &mut result, Some(c), sep_before_token);
                }
                if (c == '"' || c == '\'')
                    && matches!(prev, None | Some(' ' | '[' | ',' | ':' | '\t'))
                {
                    in_quote = Some(c);
                }
                result.push(c);
            }
            prev = Some(c);
        }
        if !token.is_empty() {
            flush(&mut token, &mut result, None, sep_before_token);
        }
        out.push_str(&result);
    }
    std::borrow::Cow::Owned(out)
}

fn scalar_string(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_one(
    rules: &RuleSet,
    fallback_id: &str,
    v: serde_yaml::Value,
) -> Result<Record, RecordError> {
    let mut problems = Vec::new();
    let serde_yaml::Value::Mapping(map) = v else {
        return Err(RecordError {
            id: fallback_id.to_string(),
            problems: vec![FieldProblem {
                field: "(record)".into(),
                message: "expected a mapping with id, as_of and transaction".into(),
            }],
        });
    };
    let get = |k: &str| map.get(serde_yaml::Value::String(k.to_string()));
    let id = get("id")
        .and_then(scalar_string)
        .unwrap_or_else(|| fallback_id.to_string());
    // A bare transaction has `item` at the top.
    let (tx_value, prefix) = if get("transaction").is_some() {
        (get("transaction").cloned(), "transaction.")
    } else if get("item").is_some() {
        (Some(serde_yaml::Value::Mapping(map.clone())), "")
    } else {
        problems.push(FieldProblem {
            field: "transaction".into(),
            message: "missing required field".into(),
        });
        (None, "transaction.")
    };
    let as_of = match get("as_of") {
        None => {
            problems.push(FieldProblem {
                field: "as_of".into(),
                message: "missing required field (a date like 2024-12-02)".into(),
            });
            None
        }
        Some(v) => {
            match scalar_string(v).and_then(|s| Date::parse_from_str(s.trim(), "%Y-%m-%d").ok()) {
                Some(d) => {
                    if let Some(p) = date_out_of_range(rules, d) {
                        problems.push(FieldProblem {
                            field: "as_of".into(),
                            message: p,
                        });
                    }
                    Some(d)
                }
                None => {
                    problems.push(FieldProblem {
                        field: "as_of".into(),
                        message: format!("{} is not a date (expected YYYY-MM-DD)", show(v)),
                    });
                    None
                }
            }
        }
    };
    let title = get("title").and_then(scalar_string);
    let tx = tx_value.and_then(|tv| {
        match serde_path_to_error::deserialize::<_, Transaction>(tv) {
            Ok(t) => Some(t),
            Err(e) => {
                let path = e.path().to_string();
                let mut field = if path == "." || path.is_empty() {
                    prefix.trim_end_matches('.').to_string()
                } else {
                    format!("{prefix}{path}")
                };
                let mut message = e.into_inner().to_string();
                // "missing field `item`" at `transaction` → `transaction.item: missing required field`.
                if let Some(name) = message
                    .strip_prefix("missing field `")
                    .and_then(|m| m.split('`').next())
                    .map(str::to_string)
                {
                    field = if field.is_empty() {
                        name
                    } else {
                        format!("{field}.{name}")
                    };
                    message = "missing required field".into();
                }
                problems.push(FieldProblem { field, message });
                None
            }
        }
    });
    if let Some(t) = &tx {
        validate(rules, t, prefix, &mut problems);
    }
    match (as_of, tx) {
        (Some(as_of), Some(transaction)) if problems.is_empty() => Ok(Record {
            id,
            as_of,
            title,
            transaction,
        }),
        _ => Err(RecordError { id, problems }),
    }
}

fn show(v: &serde_yaml::Value) -> String {
    serde_yaml::to_string(v).map_or_else(|_| "value".into(), |s| format!("`{}`", s.trim()))
}

/// A message if `date` is outside the rule set's covered range.
pub fn date_out_of_range(rules: &RuleSet, date: Date) -> Option<String> {
    let from = rules.meta.covers_from?;
    let until = rules.meta.covers_until?;
    (date < from || date > until)
        .then(|| format!("{date} is outside the rule set's range {from} to {until}"))
}

fn check_country(rules: &RuleSet, code: &str, field: String, problems: &mut Vec<FieldProblem>) {
    let known = code.len() == 2
        && (chokepoint_model::country::is_known_code(code) || rules.knows_country(code));
    if !known {
        problems.push(FieldProblem {
            field,
            message: format!("\"{code}\" is not a known ISO 3166-1 alpha-2 country code"),
        });
    }
}

fn validate(rules: &RuleSet, t: &Transaction, prefix: &str, problems: &mut Vec<FieldProblem>) {
    let p = |f: &str| format!("{prefix}{f}");
    if Eccn::parse(&t.item.eccn).is_none() {
        problems.push(FieldProblem {
            field: p("item.eccn"),
            message: format!(
                "\"{}\" is not an ECCN (expected like 3B001, 3B001.c or EAR99)",
                t.item.eccn
            ),
        });
    }
    for (key, text) in &t.item.classifications {
        let field = p(&format!("item.classifications.{key}"));
        match crate::regime::Regime::from_key(key) {
            None => problems.push(FieldProblem {
                field,
                message: format!(
                    "unknown regime `{key}` (expected JP, NL or EU; the US classification is `item.eccn`)"
                ),
            }),
            Some(crate::regime::Regime::Us) => problems.push(FieldProblem {
                field,
                message: "the US classification is `item.eccn`; remove this key".into(),
            }),
            Some(regime) => {
                if let Err(message) = crate::regime::parse_classification(regime, text) {
                    problems.push(FieldProblem { field, message });
                }
            }
        }
    }
    for (i, e) in t.item.direct_product_of.iter().flatten().enumerate() {
        if Eccn::parse(e).is_none() {
            problems.push(FieldProblem {
                field: p(&format!("item.direct_product_of[{i}]")),
                message: format!("\"{e}\" is not an ECCN"),
            });
        }
    }
    if let Some(c) = t.item.us_content_percent
        && !(0.0..=100.0).contains(&c)
    {
        problems.push(FieldProblem {
            field: p("item.us_content_percent"),
            message: format!("{c} is not a percentage between 0 and 100"),
        });
    }
    check_country(
        rules,
        &t.item.origin_country,
        p("item.origin_country"),
        problems,
    );
    check_country(rules, &t.exporter.country, p("exporter.country"), problems);
    if let Some(hq) = &t.exporter.headquarters_country {
        check_country(rules, hq, p("exporter.headquarters_country"), problems);
    }
    check_country(
        rules,
        &t.destination_country,
        p("destination_country"),
        problems,
    );
    for (i, party) in t.parties.iter().enumerate() {
        if let Some(c) = &party.country {
            check_country(rules, c, p(&format!("parties[{i}].country")), problems);
        }
        if let Some(c) = &party.headquarters_country {
            check_country(
                rules,
                c,
                p(&format!("parties[{i}].headquarters_country")),
                problems,
            );
        }
        for (j, o) in party.ownership.iter().flatten().enumerate() {
            if !(0.0..=100.0).contains(&o.percent) {
                problems.push(FieldProblem {
                    field: p(&format!("parties[{i}].ownership[{j}].percent")),
                    message: format!("{} is not a percentage between 0 and 100", o.percent),
                });
            }
        }
    }
    if let Some(f) = &t.facility
        && let Some(c) = &f.owner_hq_country
    {
        check_country(rules, c, p("facility.owner_hq_country"), problems);
    }
    if let Some(c) = t
        .servicing_person
        .as_ref()
        .and_then(|s| s.employer_headquarters.as_ref())
    {
        check_country(
            rules,
            c,
            p("servicing_person.employer_headquarters"),
            problems,
        );
    }
    if t.activity.is_deemed() {
        validate_deemed(t, &p, problems);
    }
}

/// A deemed export or reexport releases technology or source code to a foreign person, in the
/// United States (export) or abroad (reexport); the destination is the person's country.
fn validate_deemed(t: &Transaction, p: &dyn Fn(&str) -> String, problems: &mut Vec<FieldProblem>) {
    let activity = t.activity.name();
    if let Some(e) = Eccn::parse(&t.item.eccn)
        && !e.is_ear99()
        && !matches!(e.entry.as_bytes().get(1), Some(b'D' | b'E'))
    {
        problems.push(FieldProblem {
            field: p("item.eccn"),
            message: format!(
                "\"{}\" is a commodity ECCN (product group {}); a {activity} releases technology or source code: give the technology or software ECCN (product group D or E, e.g. 3E001) or EAR99",
                t.item.eccn,
                e.entry.get(1..2).unwrap_or("?")
            ),
        });
    }
    let in_us = t.exporter.country == "US";
    if t.activity == Activity::DeemedExport && !in_us {
        problems.push(FieldProblem {
            field: p("exporter.country"),
            message: format!(
                "a deemed_export is a release in the United States (exporter.country US, not \"{}\"); a release abroad is a deemed_reexport",
                t.exporter.country
            ),
        });
    }
    if t.activity == Activity::DeemedReexport && in_us {
        problems.push(FieldProblem {
            field: p("exporter.country"),
            message: "a deemed_reexport is a release outside the United States; a release in the United States is a deemed_export".into(),
        });
    }
    if t.destination_country == "US" {
        problems.push(FieldProblem {
            field: p("destination_country"),
            message: format!(
                "for a {activity}, destination_country is the foreign person's most recent country of citizenship or permanent residency; a US citizen or permanent resident is not a foreign person (no {activity})"
            ),
        });
    }
}
