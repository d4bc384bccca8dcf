//! `GET /v1/facilities` and `GET /v1/facilities/{id}`: the facility registry with each fab's
//! 744.23 classification as of a date (the JSON of `chokepoint facility list|show --format json`).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use axum::Json;
use axum::extract::{Path, Query, State};
use chokepoint_model::Date;
use chokepoint_registry::{advanced_word, classify, facility_json};
use chokepoint_store::Role;
use serde::Deserialize;
use serde_json::{Value, json};

/// `GET /v1/facilities` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Classify as of this date (default: today).
    as_of: Option<Date>,
    /// Keep `true`, `false` or `unknown` advanced-node facilities.
    advanced: Option<String>,
    /// Keep facilities in this country (ISO-2).
    country: Option<String>,
    /// Keep facilities making this (`logic`, `dram`, `nand`...).
    product: Option<String>,
}

fn today() -> Date {
    chrono::Utc::now().date_naive()
}

/// `GET /v1/facilities`.
pub async fn list(
    State(_state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Viewer)?;
    let Query(query) = query.map_err(ApiError::query)?;
    let advanced = match query.advanced.as_deref() {
        None => None,
        Some("true" | "yes") => Some("yes"),
        Some("false" | "no") => Some("no"),
        Some("unknown") => Some("unknown"),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "`advanced` `{other}` is not `true`, `false` or `unknown`."
            )));
        }
    };
    let as_of = query.as_of.unwrap_or_else(today);
    let (registry, _) = crate::check::registry();
    let facilities: Vec<Value> = registry
        .facilities
        .iter()
        .filter(|f| {
            query.country.as_deref().is_none_or(|c| {
                f.country
                    .as_deref()
                    .is_some_and(|fc| fc.eq_ignore_ascii_case(c))
            })
        })
        .filter(|f| {
            query
                .product
                .as_deref()
                .is_none_or(|p| f.product.is_some_and(|fp| fp.name() == p))
        })
        .filter(|f| advanced.is_none_or(|a| advanced_word(&classify(f, as_of)) == a))
        .map(|f| facility_json(registry, f, as_of))
        .collect();
    Ok(Json(json!({ "as_of": as_of, "facilities": facilities })))
}

/// `GET /v1/facilities/{id}` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneQuery {
    as_of: Option<Date>,
}

/// `GET /v1/facilities/{id}`: by id, name or alias.
pub async fn get(
    State(_state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<OneQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Viewer)?;
    let Query(query) = query.map_err(ApiError::query)?;
    let (registry, _) = crate::check::registry();
    let f = chokepoint_registry::find_facility(registry, &id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            format!(
                "No facility in the registry is called `{id}`; `GET /v1/facilities` lists them."
            ),
        )
    })?;
    Ok(Json(facility_json(
        registry,
        f,
        query.as_of.unwrap_or_else(today),
    )))
}
