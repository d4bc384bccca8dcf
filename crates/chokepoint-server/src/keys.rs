//! Key management for admins: `GET /v1/keys`, `POST /v1/keys` (the new key is in the answer,
//! once; only its hash is stored) and `DELETE /v1/keys/{id}` (revoke). Every change is audited.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chokepoint_store::{ApiKey, AuditEvent, NewKey, Role};
use serde::Deserialize;
use serde_json::{Value, json};

/// The body of `POST /v1/keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    role: Role,
    #[serde(default)]
    name: String,
}

/// `GET /v1/keys`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(json!({ "keys": state.store().keys().await? })))
}

/// `POST /v1/keys`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateKey>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Role::Admin)?;
    let name = request.name.trim();
    if name.chars().count() > 200 {
        return Err(ApiError::invalid("`name` is longer than 200 characters."));
    }
    let (new_key, secret) = NewKey::generate(name, request.role).map_err(ApiError::internal)?;
    let event = AuditEvent {
        kind: "key_created".to_string(),
        actor: caller.name.clone(),
        inputs: json!({ "role": new_key.role, "name": new_key.name }),
        outputs: json!({ "id": new_key.id }),
        list_snapshot: None,
        rule_set: None,
    };
    let key: ApiKey = state.store().create_key(new_key, event).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "key": secret, "id": key.id, "name": key.name, "role": key.role, "created_at": key.created_at }),
        ),
    ))
}

/// `DELETE /v1/keys/{id}`.
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ApiKey>, ApiError> {
    caller.require(Role::Admin)?;
    let event = AuditEvent {
        kind: "key_revoked".to_string(),
        actor: caller.name.clone(),
        inputs: json!({ "id": id }),
        outputs: json!({}),
        list_snapshot: None,
        rule_set: None,
    };
    let key = state.store().revoke_key(&id, event).await?;
    state.0.keys.forget(&id);
    Ok(Json(key))
}
