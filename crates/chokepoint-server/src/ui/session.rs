//! Signing in to the UI: an API key typed once on `/login` becomes a session cookie
//! (`HttpOnly`, `SameSite=Strict`, random 256-bit token; the key itself is never stored in the
//! browser). Sessions live in this process's memory and end after [`SESSION_TTL`] without use,
//! on sign-out, on restart, or when the key is revoked (checked every [`RECHECK`]).
//!
//! Forms are protected against cross-site posts by the `SameSite=Strict` cookie and by an
//! `Origin` check: a POST whose `Origin` names another host is refused.

use super::view::{Shell, render};
use crate::AppState;
use crate::auth::Caller;
use askama::Template;
use axum::Form;
use axum::extract::{Query, Request, State};
use axum::http::header::{COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chokepoint_store::{AuditEvent, hash_key};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The cookie's name.
pub const COOKIE_NAME: &str = "chokepoint_session";
/// A session unused this long ends.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// How often a session's key is checked again against the store (revocation).
pub const RECHECK: Duration = Duration::from_secs(60);
const MAX_SESSIONS: usize = 10_000;

#[derive(Debug, Clone)]
struct Session {
    caller: Caller,
    key_hash: String,
    last_used: Instant,
    checked: Instant,
}

/// The sessions of this process, by token.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    fn insert(&self, token: String, session: Session) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, s| s.last_used.elapsed() < SESSION_TTL);
        }
        map.insert(token, session);
    }

    fn touch(&self, token: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let session = map.get_mut(token)?;
        if session.last_used.elapsed() >= SESSION_TTL {
            map.remove(token);
            return None;
        }
        session.last_used = Instant::now();
        Some(session.clone())
    }

    fn rechecked(&self, token: &str) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(session) = map.get_mut(token) {
            session.checked = Instant::now();
        }
    }

    fn remove(&self, token: &str) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(token);
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// Whether a POST comes from a page of this host (no `Origin`, as from old browsers and
/// scripts, is let through: the `SameSite=Strict` cookie already keeps cross-site posts out).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
}

/// The middleware: a page needs a live session; GETs without one are sent to `/login`.
pub async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = cookie_token(request.headers());
    let session = token
        .as_deref()
        .and_then(|t| state.sessions().touch(t).map(|s| (t, s)));
    let Some((token, session)) = session else {
        if request.method() == Method::GET {
            let next = request
                .uri()
                .path_and_query()
                .map_or("/".to_string(), |p| p.as_str().to_string());
            return Redirect::to(&format!("/login?next={}", encode(&next))).into_response();
        }
        return (
            StatusCode::UNAUTHORIZED,
            "Your session has ended; sign in again at /login.",
        )
            .into_response();
    };
    if request.method() != Method::GET && !same_origin(request.headers()) {
        return (
            StatusCode::FORBIDDEN,
            "This form was posted from another site; chokepoint refuses it.",
        )
            .into_response();
    }
    if session.checked.elapsed() >= RECHECK {
        match state.store().key_by_hash(&session.key_hash).await {
            Ok(Some(key)) if key.revoked_at.is_none() => state.sessions().rechecked(token),
            Ok(_) => {
                state.sessions().remove(token);
                return Redirect::to("/login?revoked=1").into_response();
            }
            Err(e) => {
                tracing::error!(error = %e, "session check failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The store cannot be reached; try again shortly.",
                )
                    .into_response();
            }
        }
    }
    request.extensions_mut().insert(session.caller);
    next.run(request).await
}

/// Percent-encodes a path for a query parameter.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Only local paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    shell: Shell,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

/// `GET /login` query.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    revoked: Option<String>,
}

/// `GET /login`.
pub async fn login_form(Query(query): Query<LoginQuery>) -> Response {
    render(
        StatusCode::OK,
        &LoginPage {
            shell: Shell::anonymous("Sign in"),
            next: safe_next(query.next.as_deref()),
            error: None,
            notice: query
                .revoked
                .map(|_| "Your key was revoked; sign in with another one.".to_string()),
        },
    )
}

/// `POST /login` form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    key: String,
    next: Option<String>,
}

/// `POST /login`: checks the key, opens a session, audits the sign-in.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let fail = |message: &str, status: StatusCode| {
        render(
            status,
            &LoginPage {
                shell: Shell::anonymous("Sign in"),
                next: next.clone(),
                error: Some(message.to_string()),
                notice: None,
            },
        )
    };
    if !same_origin(&headers) {
        return fail(
            "This form was posted from another site.",
            StatusCode::FORBIDDEN,
        );
    }
    let key = form.key.trim();
    if key.is_empty() {
        return fail(
            "Paste an API key (create one with `chokepoint keys create --role analyst`).",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let key_hash = hash_key(key);
    let found = match state.store().key_by_hash(&key_hash).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "sign-in lookup failed");
            return fail(
                "The store cannot be reached; try again shortly.",
                StatusCode::SERVICE_UNAVAILABLE,
            );
        }
    };
    let Some(found) = found.filter(|k| k.revoked_at.is_none()) else {
        return fail(
            "This API key is not valid (unknown or revoked).",
            StatusCode::UNAUTHORIZED,
        );
    };
    let token = match chokepoint_store::random_id(32) {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(error = %e, "no randomness for a session token");
            return fail(
                "The server cannot open a session.",
                StatusCode::INTERNAL_SERVER_ERROR,
            );
        }
    };
    let event = AuditEvent {
        kind: "ui_sign_in".to_string(),
        actor: found.name.clone(),
        inputs: serde_json::json!({ "key_id": found.id }),
        outputs: serde_json::json!({}),
        list_snapshot: None,
        rule_set: None,
    };
    if let Err(e) = state.store().append_audit(event).await {
        tracing::error!(error = %e, "sign-in audit failed");
        return fail(
            "The store cannot be reached; try again shortly.",
            StatusCode::SERVICE_UNAVAILABLE,
        );
    }
    state.sessions().insert(
        token.clone(),
        Session {
            caller: Caller {
                name: found.name,
                role: found.role,
            },
            key_hash,
            last_used: Instant::now(),
            checked: Instant::now(),
        },
    );
    let cookie = format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        SESSION_TTL.as_secs()
    );
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie_token(&headers) {
        state.sessions().remove(&token);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_static(
            "chokepoint_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/cases?status=open")), "/cases?status=open");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn origin_must_match_host() {
        let mut headers = HeaderMap::new();
        assert!(same_origin(&headers));
        headers.insert(HOST, HeaderValue::from_static("127.0.0.1:8080"));
        headers.insert(ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&headers));
        headers.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&headers));
    }

    #[test]
    fn cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; chokepoint_session=abc; b=2"),
        );
        assert_eq!(cookie_token(&headers).as_deref(), Some("abc"));
        headers.insert(COOKIE, HeaderValue::from_static("chokepoint_session="));
        assert_eq!(cookie_token(&headers), None);
    }

    #[test]
    fn encode_keeps_paths_readable() {
        assert_eq!(encode("/cases?status=open"), "/cases%3Fstatus%3Dopen");
    }
}
