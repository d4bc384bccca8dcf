//! `POST /v1/screen`: one name against the snapshot in use.
//!
//! The hits are the CLI's JSON hits ([`chokepoint_engine::HitRecord`]), so the answer reads
//! `{"query", "hits": [...]}` like `chokepoint screen --format json`, plus what the service
//! adds: `suppressed` (hits an analyst already marked false positive for this party and this
//! version of the entry), `case_id` (when the remaining hits include a match, a case is opened
//! for review) and `audit_seq` (the audit record that can replay this answer).

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::json::ApiJson;
use crate::{AppState, metrics};
use axum::Json;
use axum::extract::State;
use chokepoint_engine::{HitRecord, ScreenOptions, ScreenQuery};
use chokepoint_model::{Date, PartyKind};
use chokepoint_screening::Filters;
use chokepoint_store::{AuditEvent, CaseHit, NewCase, Role};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Longest name accepted, in characters.
const MAX_NAME_CHARS: usize = 1000;

/// The request body.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    /// The name to screen.
    pub name: String,
    /// Keep entries tied to this country (ISO-2 code or name) or to none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Keep entries of this type (`entity`, `individual`, `vessel`, `aircraft`) or unknown.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Keep entries on these lists (codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<String>,
    /// Screen as of this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// Match threshold (default 0.74).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    /// Most hits (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// A hit left out because it was decided a false positive before.
#[derive(Debug, Serialize)]
struct SuppressedHit<'a> {
    #[serde(flatten)]
    hit: &'a HitRecord,
    case_id: &'a str,
    reason: &'a str,
}

/// The screened name as suppressions key it: normalised tokens joined by spaces.
pub fn party_key(name: &str) -> String {
    let normalized = chokepoint_names::normalize(name);
    let key = normalized
        .tokens
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    if key.is_empty() {
        name.trim().to_lowercase()
    } else {
        key
    }
}

pub(crate) fn validate(
    request: &ScreenRequest,
    max_hits: usize,
) -> Result<(ScreenQuery, ScreenOptions), ApiError> {
    let name = request.name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("`name` must not be empty."));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(format!(
            "`name` is longer than {MAX_NAME_CHARS} characters."
        )));
    }
    let country = match request
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Some(
            chokepoint_model::country::code_for_name(c)
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "`country` `{c}` is not a country code or name chokepoint knows."
                    ))
                })?
                .to_string(),
        ),
        None => None,
    };
    let kind = match request.kind.as_deref() {
        Some(t) => match PartyKind::parse(t) {
            Some(PartyKind::Unknown) => None,
            Some(kind) => Some(kind),
            None => {
                return Err(ApiError::invalid(format!(
                    "`type` `{t}` is not one of entity, individual, vessel, aircraft."
                )));
            }
        },
        None => None,
    };
    let mut options = ScreenOptions::default();
    if let Some(threshold) = request.threshold {
        if !(0.0..=1.0).contains(&threshold) {
            return Err(ApiError::invalid("`threshold` must be between 0 and 1."));
        }
        options.threshold = threshold;
        options.min_score = options.min_score.min(threshold);
    }
    if let Some(limit) = request.limit {
        if limit == 0 || limit > max_hits {
            return Err(ApiError::invalid(format!(
                "`limit` must be between 1 and {max_hits}."
            )));
        }
        options.limit = limit;
    }
    let query = ScreenQuery {
        name: name.to_string(),
        filters: Filters {
            country,
            kind,
            lists: request.lists.clone(),
            as_of: request.as_of,
        },
    };
    Ok((query, options))
}

/// 503 `no_lists_loaded`, saying how to load lists.
pub(crate) fn no_lists_loaded() -> ApiError {
    ApiError::new(
        ErrorCode::NoListsLoaded,
        "No list is loaded, so nothing can be screened. Import lists with \
         `POST /v1/lists/import` or `chokepoint lists import PATH` (then restart), or start \
         the server with `--lists PATH`.",
    )
}

/// `POST /v1/screen`.
pub async fn screen(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<ScreenRequest>,
) -> Result<Json<Value>, ApiError> {
    let outcome = run(&state, &caller, &request).await?;
    Ok(Json(outcome.answer))
}

/// One screening as the service answers it: the hits kept, those suppressed by an earlier
/// false-positive decision (with the case and reason), the case opened, the audit record.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Hits kept, best first.
    pub hits: Vec<HitRecord>,
    /// Hits left out: (hit, case id, reason).
    pub suppressed: Vec<(HitRecord, String, String)>,
    /// The case opened for review, when a kept hit is a match.
    pub case_id: Option<String>,
    /// The audit record of this answer.
    pub audit_seq: u64,
    /// The JSON answer of `POST /v1/screen`.
    pub answer: Value,
}

/// Screens `request` for `caller` (analyst role): validates it, screens the snapshot in use,
/// applies suppressions, opens a case when a match remains, and audits the answer. Shared by
/// the API and the web UI.
pub(crate) async fn run(
    state: &AppState,
    caller: &Caller,
    request: &ScreenRequest,
) -> Result<Outcome, ApiError> {
    caller.require(Role::Analyst)?;
    let (query, options) = validate(request, state.0.limits.max_hits)?;
    let Some(snapshot) = state.snapshot() else {
        return Err(no_lists_loaded());
    };
    let hits = snapshot.screener.screen(&query, &options);
    state.0.metrics.count(metrics::Counter::Screenings);

    let key = party_key(&query.name);
    let suppressions = if hits.is_empty() {
        Vec::new()
    } else {
        state
            .0
            .suppressions
            .for_party(state.store().as_ref(), &key)
            .await?
    };
    let mut kept: Vec<(HitRecord, String)> = Vec::with_capacity(hits.len());
    let mut suppressed = Vec::new();
    for hit in hits {
        let entry_hash = snapshot.entry_hash(&hit.list, &hit.source_id).to_string();
        match suppressions.iter().find(|s| {
            s.list == hit.list && s.source_id == hit.source_id && s.entry_hash == entry_hash
        }) {
            Some(s) => suppressed.push((hit, s.case_id.clone(), s.reason.clone())),
            None => kept.push((hit, entry_hash)),
        }
    }
    // What the facility registry knows around each matched party (owners, subsidiaries,
    // facilities): added as `related` when it knows anything.
    let as_of = query
        .filters
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (registry, graph) = crate::check::registry();
    let hits_json: Vec<Value> = kept
        .iter()
        .map(|(hit, _)| {
            let mut json = serde_json::to_value(hit).map_err(ApiError::internal)?;
            let context = chokepoint_registry::party_context(registry, graph, &hit.name, as_of);
            if !context.is_empty() {
                json["related"] = serde_json::to_value(&context).map_err(ApiError::internal)?;
            }
            Ok(json)
        })
        .collect::<Result<_, ApiError>>()?;
    let suppressed_json: Vec<Value> = suppressed
        .iter()
        .map(|(hit, case_id, reason)| {
            serde_json::to_value(SuppressedHit {
                hit,
                case_id,
                reason,
            })
            .map_err(ApiError::internal)
        })
        .collect::<Result<_, _>>()?;
    let inputs = serde_json::to_value(request).map_err(ApiError::internal)?;
    let case_hits: Vec<CaseHit> = kept
        .iter()
        .zip(&hits_json)
        .filter(|((hit, _), _)| hit.is_match)
        .map(|((hit, entry_hash), json)| CaseHit {
            list: hit.list.clone(),
            source_id: hit.source_id.clone(),
            entry_hash: entry_hash.clone(),
            hit: json.clone(),
        })
        .collect();
    let case_id = if case_hits.is_empty() {
        None
    } else {
        Some(format!(
            "case_{}",
            chokepoint_store::random_id(10).map_err(ApiError::internal)?
        ))
    };
    // The hits and suppressed hits move into the audit event and come back with its record,
    // so each is built once per request (this is the service's hottest path).
    let mut outputs = serde_json::Map::with_capacity(3);
    outputs.insert("hits".into(), Value::Array(hits_json));
    outputs.insert("suppressed".into(), Value::Array(suppressed_json));
    outputs.insert(
        "case_id".into(),
        case_id.clone().map_or(Value::Null, Value::String),
    );
    let event = AuditEvent {
        kind: "screening".to_string(),
        actor: caller.name.clone(),
        inputs,
        outputs: Value::Object(outputs),
        list_snapshot: Some(snapshot.id.clone()),
        rule_set: None,
    };
    let mut record = match &case_id {
        Some(id) => {
            let case_query = event.inputs.clone();
            let (record, _) = state
                .store()
                .open_case(
                    NewCase {
                        id: id.clone(),
                        party_name: query.name.clone(),
                        party_key: key,
                        query: case_query,
                        hits: case_hits,
                        opened_by: caller.name.clone(),
                    },
                    event,
                )
                .await?;
            state.0.metrics.count(metrics::Counter::CasesOpened);
            record
        }
        None => state.store().append_audit(event).await?,
    };
    let outputs = &mut record.event.outputs;
    let mut answer = json!({
        "query": query.name,
        "hits": outputs["hits"].take(),
        "audit_seq": record.seq,
        "list_snapshot": snapshot.id,
    });
    if let Some(id) = &case_id {
        answer["case_id"] = Value::String(id.clone());
    }
    let suppressed_json = outputs["suppressed"].take();
    if suppressed_json.as_array().is_some_and(|s| !s.is_empty()) {
        answer["suppressed"] = suppressed_json;
    }
    Ok(Outcome {
        hits: kept.into_iter().map(|(hit, _)| hit).collect(),
        suppressed,
        case_id,
        audit_seq: record.seq,
        answer,
    })
}
