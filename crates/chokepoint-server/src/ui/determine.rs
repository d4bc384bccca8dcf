//! Determination: a form for the common facts, or a pasted transaction record (YAML or JSON,
//! the format of `chokepoint check`), and a date picker; the answer is shown as a memo:
//! subject to the EAR and why, license required and why, each rule with its citation and
//! review policy, the license exceptions, the questions still open, and the other regimes'
//! answers when the rule set gives them. The text memo is the CLI's, word for word.
//!
//! A form field left empty is not sent: the engine treats the fact as unknown and asks about it,
//! never as "no".

use super::view::{Shell, error_page, form_date, render, today};
use crate::AppState;
use crate::auth::Caller;
use crate::check::{Answer, determine_text};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The form, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DetermineForm {
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    eccn: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    origin_country: String,
    #[serde(default)]
    us_content_percent: String,
    #[serde(default)]
    fdp: String,
    #[serde(default)]
    class_jp: String,
    #[serde(default)]
    class_nl: String,
    #[serde(default)]
    class_eu: String,
    #[serde(default)]
    exporter_country: String,
    #[serde(default)]
    us_person: String,
    #[serde(default)]
    destination_country: String,
    #[serde(default)]
    party_role: String,
    #[serde(default)]
    party_name: String,
    #[serde(default)]
    party_country: String,
    #[serde(default)]
    facility_name: String,
    #[serde(default)]
    end_use: String,
    #[serde(default)]
    activity: String,
    /// `yes`, `no`, or empty (not known).
    #[serde(default)]
    releases_software_or_technology: String,
    #[serde(default)]
    record: String,
}

/// One rule of the answer.
pub struct RuleView {
    id: String,
    citation: String,
    title: String,
    effect: String,
    why: Vec<String>,
    policy: String,
    confidence: String,
    party: String,
}

/// One license exception or authorization.
pub struct ExceptionView {
    kind: &'static str,
    symbol: String,
    citation: String,
    why: String,
}

/// Another regime's answer.
pub struct JurisdictionView {
    name: String,
    title: String,
    applies: String,
    classification: String,
    license_required: String,
    policy: String,
    rules: Vec<RuleView>,
    licensing: Vec<String>,
    notes: Vec<String>,
    unknowns: Vec<String>,
}

/// One answer, ready to show.
pub struct AnswerView {
    id: String,
    title: String,
    as_of: String,
    subject: String,
    subject_why: String,
    license: String,
    policy: String,
    rules: Vec<RuleView>,
    exceptions: Vec<ExceptionView>,
    questions: Vec<String>,
    notes: Vec<String>,
    jurisdictions: Vec<JurisdictionView>,
    memo: String,
    json: String,
    error: Option<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "determine.html")]
struct DeterminePage {
    shell: Shell,
    form: DetermineForm,
    answers: Vec<AnswerView>,
    audit_seq: Option<u64>,
    error: Option<String>,
}

/// `GET /determine`.
pub async fn form(caller: Caller) -> Response {
    render(
        StatusCode::OK,
        &DeterminePage {
            shell: Shell::new(&caller, "determine", "Determination"),
            form: DetermineForm {
                as_of: today().to_string(),
                activity: "export".into(),
                party_role: "end_user".into(),
                ..DetermineForm::default()
            },
            answers: Vec::new(),
            audit_seq: None,
            error: None,
        },
    )
}

/// `POST /determine`.
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<DetermineForm>,
) -> Response {
    let shell = Shell::new(&caller, "determine", "Determination");
    let mut page = DeterminePage {
        shell: shell.clone(),
        form: form.clone(),
        answers: Vec::new(),
        audit_seq: None,
        error: None,
    };
    let as_of = match form_date("as of", Some(&form.as_of)) {
        Ok(d) => d,
        Err(e) => {
            page.error = Some(e.message);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (label, text) = if form.record.trim().is_empty() {
        match record_from_form(&form, as_of.unwrap_or_else(today)) {
            Ok(record) => ("the form", record.to_string()),
            Err(message) => {
                page.error = Some(message);
                return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
    } else {
        ("the pasted record", form.record.clone())
    };
    match determine_text(&state, &caller, label, &text, as_of).await {
        Ok(answers) => {
            page.audit_seq = Some(answers.audit_seq);
            page.answers = answers.answers.iter().map(view).collect();
            let status = if page.answers.iter().any(|a| a.error.is_some()) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            render(status, &page)
        }
        Err(e) if e.code.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            page.error = Some(e.message);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => error_page(shell, e),
    }
}

/// The transaction record the form describes; empty fields are left out (unknown).
pub fn record_from_form(
    form: &DetermineForm,
    as_of: chokepoint_model::Date,
) -> Result<Value, String> {
    fn put(map: &mut Map<String, Value>, key: &str, text: &str) {
        let text = text.trim();
        if !text.is_empty() {
            map.insert(key.to_string(), Value::String(text.to_string()));
        }
    }
    fn tri(map: &mut Map<String, Value>, key: &str, text: &str) {
        match text {
            "yes" => {
                map.insert(key.to_string(), Value::Bool(true));
            }
            "no" => {
                map.insert(key.to_string(), Value::Bool(false));
            }
            _ => {}
        }
    }
    let mut item = Map::new();
    put(&mut item, "eccn", &form.eccn);
    put(&mut item, "description", &form.description);
    put(&mut item, "origin_country", &form.origin_country);
    match form.us_content_percent.trim() {
        "" => {}
        text => {
            let percent: f64 = text.trim_end_matches('%').trim().parse().map_err(|_| {
                format!("US content `{text}` is not a number; give a percentage such as 25.")
            })?;
            if !(0.0..=100.0).contains(&percent) {
                return Err(format!("US content `{text}` must be between 0 and 100."));
            }
            item.insert("us_content_percent".into(), json!(percent));
        }
    }
    tri(&mut item, "foreign_direct_product_of_us_tech", &form.fdp);
    let mut classifications = Map::new();
    put(&mut classifications, "JP", &form.class_jp);
    put(&mut classifications, "NL", &form.class_nl);
    put(&mut classifications, "EU", &form.class_eu);
    if !classifications.is_empty() {
        item.insert("classifications".into(), Value::Object(classifications));
    }
    let mut exporter = Map::new();
    put(&mut exporter, "country", &form.exporter_country);
    tri(&mut exporter, "us_person", &form.us_person);
    let mut transaction = Map::new();
    transaction.insert("item".into(), Value::Object(item));
    transaction.insert("exporter".into(), Value::Object(exporter));
    put(
        &mut transaction,
        "destination_country",
        &form.destination_country,
    );
    if !form.party_name.trim().is_empty() {
        let mut party = Map::new();
        put(&mut party, "role", &form.party_role);
        put(&mut party, "name", &form.party_name);
        put(&mut party, "country", &form.party_country);
        transaction.insert("parties".into(), json!([Value::Object(party)]));
    }
    if !form.facility_name.trim().is_empty() {
        transaction.insert(
            "facility".into(),
            json!({ "name": form.facility_name.trim() }),
        );
    }
    put(&mut transaction, "end_use", &form.end_use);
    put(&mut transaction, "activity", &form.activity);
    match form.releases_software_or_technology.trim() {
        "yes" => {
            transaction.insert("releases_software_or_technology".into(), json!(true));
        }
        "no" => {
            transaction.insert("releases_software_or_technology".into(), json!(false));
        }
        _ => {}
    }
    let mut record = Map::new();
    record.insert("id".into(), json!("ui-form"));
    record.insert("as_of".into(), json!(as_of.to_string()));
    put(&mut record, "title", &form.title);
    record.insert("transaction".into(), Value::Object(transaction));
    Ok(Value::Object(record))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        other => other.to_string(),
    }
}

fn texts(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().map(text).collect())
        .unwrap_or_default()
}

fn rules_view(value: &Value) -> Vec<RuleView> {
    value
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| RuleView {
                    id: text(&r["id"]),
                    citation: text(&r["citation"]),
                    title: text(&r["title"]),
                    effect: text(&r["effect"]).replace('_', " "),
                    why: texts(&r["why"]),
                    policy: text(&r["review_policy"]).replace('_', " "),
                    confidence: text(&r["confidence"]).replace('_', " "),
                    party: text(&r["party"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn questions(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|qs| {
            qs.iter()
                .map(|q| match q {
                    Value::String(s) => s.clone(),
                    q => text(&q["question"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The view of one answer, read from its JSON (so new fields of the determination appear
/// in the JSON download even before this page learns to draw them).
fn view(answer: &Answer) -> AnswerView {
    let json = crate::check::answer_json(answer);
    let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
    let d = match answer {
        Ok(d) => d,
        Err(e) => {
            return AnswerView {
                id: e.id.clone(),
                title: String::new(),
                as_of: String::new(),
                subject: String::new(),
                subject_why: String::new(),
                license: String::new(),
                policy: String::new(),
                rules: Vec::new(),
                exceptions: Vec::new(),
                questions: Vec::new(),
                notes: Vec::new(),
                jurisdictions: Vec::new(),
                memo: String::new(),
                json: pretty,
                error: Some((
                    e.to_string(),
                    e.problems
                        .iter()
                        .map(|p| format!("{}: {}", p.field, p.message))
                        .collect(),
                )),
            };
        }
    };
    let mut exceptions = Vec::new();
    for (kind, key) in [
        ("excluded", "excluded"),
        ("available", "available"),
        ("conditional", "conditional"),
    ] {
        for e in json["license_exceptions"][key]
            .as_array()
            .into_iter()
            .flatten()
        {
            exceptions.push(ExceptionView {
                kind,
                symbol: text(&e["symbol"]),
                citation: text(&e["citation"]),
                why: text(&e["why"]),
            });
        }
    }
    for e in json["authorizations"].as_array().into_iter().flatten() {
        exceptions.push(ExceptionView {
            kind: "authorization",
            symbol: text(&e["symbol"]),
            citation: text(&e["citation"]),
            why: text(&e["why"]),
        });
    }
    let jurisdictions = json["jurisdictions"]
        .as_array()
        .map(|js| {
            js.iter()
                .map(|j| JurisdictionView {
                    name: text(&j["jurisdiction"]),
                    title: text(&j["title"]),
                    applies: text(&j["applies"]),
                    classification: text(&j["classification"]),
                    license_required: text(&j["license_required"]),
                    policy: text(&j["review_policy"]).replace('_', " "),
                    rules: rules_view(&j["rules"]),
                    licensing: j["licensing"]
                        .as_array()
                        .map(|ls| {
                            ls.iter()
                                .map(|l| match l {
                                    Value::String(s) => s.clone(),
                                    l => format!(
                                        "{} (available: {}) — {} [{}]",
                                        text(&l["licence"]),
                                        text(&l["available"]),
                                        text(&l["why"]),
                                        text(&l["citation"])
                                    ),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    notes: texts(&j["notes"]),
                    unknowns: questions(&j["unknowns"]),
                })
                .collect()
        })
        .unwrap_or_default();
    AnswerView {
        id: d.id.clone(),
        title: d.title.clone().unwrap_or_default(),
        as_of: d.as_of.to_string(),
        subject: text(&json["subject_to_ear"]["answer"]).replace('_', " "),
        subject_why: text(&json["subject_to_ear"]["explanation"]),
        license: text(&json["license_required"]).replace('_', " "),
        policy: text(&json["review_policy"]).replace('_', " "),
        rules: rules_view(&json["rules"]),
        exceptions,
        questions: questions(&json["unknowns"]),
        notes: texts(&json["notes"]),
        jurisdictions,
        memo: chokepoint_rules::render_memo(d),
        json: pretty,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_stay_unknown() {
        let form = DetermineForm {
            eccn: "3B001".into(),
            destination_country: "CN".into(),
            us_person: "unknown".into(),
            fdp: "no".into(),
            ..DetermineForm::default()
        };
        let record = record_from_form(&form, "2025-01-02".parse().expect("date"));
        let record = record.expect("record");
        assert_eq!(record["transaction"]["item"]["eccn"], "3B001");
        assert_eq!(
            record["transaction"]["item"]["foreign_direct_product_of_us_tech"],
            false
        );
        assert!(record["transaction"]["exporter"].get("us_person").is_none());
        assert!(record["transaction"].get("parties").is_none());
        assert_eq!(record["as_of"], "2025-01-02");
    }

    #[test]
    fn bad_percent_is_explained() {
        let form = DetermineForm {
            us_content_percent: "lots".into(),
            ..DetermineForm::default()
        };
        let err = record_from_form(&form, "2025-01-02".parse().expect("date"));
        assert!(err.is_err_and(|m| m.contains("`lots`")));
        let form = DetermineForm {
            us_content_percent: "120".into(),
            ..DetermineForm::default()
        };
        assert!(record_from_form(&form, "2025-01-02".parse().expect("date")).is_err());
    }

    #[test]
    fn a_form_record_is_answered_by_the_rules() {
        let form = DetermineForm {
            eccn: "3B001.a.1".into(),
            origin_country: "US".into(),
            us_content_percent: "100".into(),
            exporter_country: "US".into(),
            us_person: "yes".into(),
            destination_country: "CN".into(),
            activity: "export".into(),
            ..DetermineForm::default()
        };
        let record = record_from_form(&form, "2025-06-01".parse().expect("date")).expect("record");
        let rules = crate::check::rules();
        let records = chokepoint_rules::parse_records(rules, "form", &record.to_string());
        assert_eq!(records.len(), 1);
        let record = records[0].as_ref().expect("the form makes a valid record");
        let context = chokepoint_rules::Context {
            lookup: None,
            list_snapshot: None,
            as_of_override: None,
        };
        let answer = chokepoint_rules::determine(rules, record, &context);
        let view = view(&answer);
        assert!(view.error.is_none());
        assert_eq!(
            view.license, "yes",
            "3B001.a.1 (NS2) to China needs a license in 2025:\n{}",
            view.memo
        );
        assert!(!view.rules.is_empty());
        assert!(view.memo.contains("EXPORT LICENSE DETERMINATION"));
    }

    #[test]
    fn the_cloud_release_answer_reaches_the_record() {
        let date = "2025-06-01".parse().expect("date");
        for (given, expected) in [("yes", Some(true)), ("no", Some(false)), ("", None)] {
            let form = DetermineForm {
                eccn: "3A090.a".into(),
                destination_country: "CN".into(),
                activity: "cloud_access".into(),
                releases_software_or_technology: given.into(),
                ..DetermineForm::default()
            };
            let record = record_from_form(&form, date).expect("record");
            assert_eq!(
                record["transaction"]["releases_software_or_technology"].as_bool(),
                expected,
                "{given:?}: {record}"
            );
        }
    }
}
