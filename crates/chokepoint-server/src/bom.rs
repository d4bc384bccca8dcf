//! `POST /v1/bom`: de minimis and foreign-direct-product status of a foreign-made product over
//! its bill of materials, the answer of `chokepoint bom --format json`. The body is the BOM as
//! CSV (`text/csv`) or JSON (`application/json`), in the format of
//! `crates/chokepoint-bom/FORMAT.md`; the question is in the query string. An end user named
//! without its list status is screened against the snapshot in use. Audited.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use chokepoint_bom::{BomRules, EndUser, evaluate_with, parse_csv, parse_json, parse_rate};
use chokepoint_model::Date;
use chokepoint_rules::ListStatus;
use chokepoint_store::{AuditEvent, Role};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// `POST /v1/bom` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BomQuery {
    /// ISO-2 destination (required).
    destination: Option<String>,
    /// Answer as of this date (default: today).
    as_of: Option<Date>,
    /// The end user's name.
    end_user: Option<String>,
    /// The end user's country (ISO-2).
    end_user_country: Option<String>,
    /// Where the end user or its ultimate parent is headquartered (ISO-2).
    end_user_headquarters: Option<String>,
    /// The end user's list status when known: `entity_list`, `meu_list`... or `none`.
    end_user_list: Option<String>,
    /// Currency rates to USD, `EUR=1.08,JPY=0.0067` (override the file's).
    rates: Option<String>,
}

fn bom_rules() -> &'static BomRules<'static> {
    static RULES: OnceLock<BomRules<'static>> = OnceLock::new();
    RULES.get_or_init(|| BomRules::new(crate::check::rules()))
}

/// `POST /v1/bom`.
pub async fn bom(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    query: Result<Query<BomQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Analyst)?;
    let Query(query) = query.map_err(ApiError::query)?;
    let destination = query
        .destination
        .as_deref()
        .map(str::trim)
        .filter(|d| d.len() == 2 && d.chars().all(|c| c.is_ascii_alphabetic()))
        .ok_or_else(|| {
            ApiError::invalid("Give the destination as an ISO-2 code: `?destination=CN`.")
        })?
        .to_ascii_uppercase();
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::invalid(format!("The body is not UTF-8 text: {e}.")))?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (mut bom, mut problems) = if content_type.starts_with("application/json") {
        parse_json(text)
    } else if content_type.starts_with("text/csv") {
        parse_csv(text)
    } else {
        return Err(ApiError::new(
            crate::ErrorCode::UnsupportedMediaType,
            "Send the bill of materials as `text/csv` or `application/json` \
             (see crates/chokepoint-bom/FORMAT.md).",
        ));
    };
    for rate in query.rates.as_deref().unwrap_or("").split(',') {
        let rate = rate.trim();
        if rate.is_empty() {
            continue;
        }
        let (code, value) =
            parse_rate(rate).map_err(|m| ApiError::invalid(format!("`rates`: {m}.")))?;
        bom.rates.insert(code, value);
    }
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let snapshot = state.snapshot();
    let end_user = match query
        .end_user
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None => {
            if query.end_user_list.is_some() {
                return Err(ApiError::invalid("`end_user_list` needs `end_user`."));
            }
            None
        }
        Some(name) => {
            let lists = match query.end_user_list.as_deref() {
                Some("none") => Some(Vec::new()),
                Some(list) => Some(vec![ListStatus {
                    list: list.to_string(),
                    footnotes: Vec::new(),
                    fr: None,
                    entry_review_policy: None,
                    license_requirement: None,
                    license_policy: None,
                }]),
                None => snapshot.as_ref().map(|s| {
                    chokepoint_engine::list_status(
                        &s.screener,
                        name,
                        query.end_user_country.as_deref(),
                        as_of,
                    )
                }),
            };
            Some(EndUser {
                name: name.to_string(),
                country: query.end_user_country.clone(),
                headquarters_country: query.end_user_headquarters.clone(),
                lists,
            })
        }
    };
    let question = chokepoint_bom::Query {
        destination,
        as_of,
        end_user,
    };
    let answer = match evaluate_with(bom_rules(), &bom, &question) {
        Ok(answer) if problems.is_empty() => answer,
        Ok(_) => return Err(problems_error(&problems)),
        Err(mut more) => {
            problems.append(&mut more);
            return Err(problems_error(&problems));
        }
    };
    let answer = serde_json::to_value(&answer).map_err(ApiError::internal)?;
    let rules = crate::check::rules();
    let event = AuditEvent {
        kind: "bom_evaluation".to_string(),
        actor: caller.name.clone(),
        inputs: json!({
            "query": {
                "destination": question.destination,
                "as_of": as_of,
                "end_user": question.end_user.as_ref().map(|u| &u.name),
                "end_user_lists": question.end_user.as_ref().map(|u| u.lists.as_ref().map(|l| l.iter().map(|s| &s.list).collect::<Vec<_>>())),
            },
            "content_type": content_type,
            "body_sha256": chokepoint_engine::sha256_hex(&body),
            "lines": bom.lines.len(),
        }),
        outputs: answer.clone(),
        list_snapshot: snapshot.as_ref().map(|s| s.id.clone()),
        rule_set: Some(format!("{} {}", rules.meta.id, rules.meta.version)),
    };
    let record = state.store().append_audit(event).await?;
    Ok(Json(json!({ "answer": answer, "audit_seq": record.seq })))
}

fn problems_error(problems: &[chokepoint_bom::BomProblem]) -> ApiError {
    const SHOWN: usize = 50;
    let mut message = format!(
        "The bill of materials has {} problem(s); nothing was computed: ",
        problems.len()
    );
    message.push_str(
        &problems
            .iter()
            .take(SHOWN)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    );
    if problems.len() > SHOWN {
        message.push_str(&format!("; and {} more.", problems.len() - SHOWN));
    }
    ApiError::invalid(message)
}
