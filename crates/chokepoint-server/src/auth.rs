//! Bearer keys and roles: the middleware that turns `Authorization: Bearer KEY` into a
//! [`Caller`] (401 when missing or unknown), the role check (403), and a short-lived cache so
//! that a screening does not cost a database read.
//!
//! With a rate limit set, each key has a token bucket (one second of burst); beyond it a request
//! answers 429 `too_many_requests` with `Retry-After`.
//!
//! A key is cached for [`CACHE_TTL`]: a key revoked on another server instance stops working
//! within that time; on this instance, at once.

use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chokepoint_store::{ApiKey, Role, hash_key};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a looked-up key is trusted without asking the store again.
pub const CACHE_TTL: Duration = Duration::from_secs(10);
const CACHE_MAX: usize = 10_000;

/// Who is asking: the key's name and role.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Key name (what the audit trail records).
    pub name: String,
    /// Role.
    pub role: Role,
}

impl Caller {
    /// 403 unless the caller's role has the rights of `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role.allows(needed) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "This needs the `{needed}` role; the key `{}` has the `{}` role.",
                    self.name, self.role
                ),
            ))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::internal("route without the key middleware"))
    }
}

/// Keys recently found valid, by hash.
#[derive(Debug, Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (ApiKey, Instant)>>,
}

impl KeyCache {
    fn get(&self, hash: &str) -> Option<ApiKey> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(key, _)| key.clone())
    }

    fn put(&self, hash: String, key: ApiKey) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CACHE_MAX {
            entries.clear();
        }
        entries.insert(hash, (key, Instant::now()));
    }

    /// Forgets the key with this id (after it is revoked).
    pub fn forget(&self, id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, (key, _)| key.id != id);
    }
}

/// The middleware: 401 without a valid key; otherwise the request carries its [`Caller`].
pub async fn require_key(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(header) = request.headers().get(AUTHORIZATION) else {
        return Err(ApiError::new(
            ErrorCode::MissingApiKey,
            "Send an API key as `Authorization: Bearer KEY` (create one with `chokepoint keys create`).",
        ));
    };
    let key = header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidApiKey,
                "The `Authorization` header must be `Bearer KEY`.",
            )
        })?;
    let hash = hash_key(key);
    let found = match state.0.keys.get(&hash) {
        Some(found) => Some(found),
        None => {
            let found = state.store().key_by_hash(&hash).await?;
            if let Some(found) = &found
                && found.revoked_at.is_none()
            {
                state.0.keys.put(hash, found.clone());
            }
            found
        }
    };
    let Some(found) = found.filter(|k| k.revoked_at.is_none()) else {
        return Err(ApiError::new(
            ErrorCode::InvalidApiKey,
            "This API key is not valid (unknown or revoked).",
        ));
    };
    if let Some(rate) = state.0.limits.rate_per_key
        && let Err(wait) = state.0.rates.take(&found.id, rate)
    {
        let mut error = ApiError::new(
            ErrorCode::TooManyRequests,
            format!(
                "This key sends more than {rate} requests per second; slow down and try again."
            ),
        )
        .into_response();
        if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            error.headers_mut().insert(RETRY_AFTER, value);
        }
        return Ok(error);
    }
    request.extensions_mut().insert(Caller {
        name: found.name,
        role: found.role,
    });
    Ok(next.run(request).await)
}

/// Token buckets per key id: `rate` tokens per second, at most `rate` in hand.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// Takes a token for `key`, or says how long until one is there.
    pub fn take(&self, key: &str, rate: u32) -> Result<(), Duration> {
        let rate = f64::from(rate.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= CACHE_MAX && !buckets.contains_key(key) {
            buckets.clear();
        }
        let now = Instant::now();
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((rate, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(rate);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / rate))
        }
    }
}
