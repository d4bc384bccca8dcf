//! The one error answer of the API, and the table of its stable codes.
//!
//! Every failure, from a missing key to a database outage, answers with the same body:
//!
//! ```json
//! {"error": {"code": "invalid_request", "message": "A full sentence saying what to do."}}
//! ```
//!
//! `code` is stable (clients branch on it) and listed in [`ErrorCode`]; `message` is for people
//! and may change. Internal details (SQL errors, file paths) are logged with the request and
//! never sent to the client: an internal failure answers `internal` with a generic message.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chokepoint_store::StoreError;

/// The stable error codes, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 401: no `Authorization: Bearer KEY` header.
    MissingApiKey,
    /// 401: the key is unknown or revoked.
    InvalidApiKey,
    /// 403: the key's role may not do this.
    Forbidden,
    /// 404: no such route or resource.
    NotFound,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 409: the request conflicts with what is stored (a hit already decided).
    Conflict,
    /// 409: the server screens against fixed files (`--lists`) and cannot import.
    ListsReadOnly,
    /// 413: the request body is larger than the limit.
    PayloadTooLarge,
    /// 415: the body is not of the content type the route takes.
    UnsupportedMediaType,
    /// 400: the body is not well-formed JSON.
    MalformedJson,
    /// 422: the request is well-formed but not valid (a field missing, out of range...).
    InvalidRequest,
    /// 422: an uploaded list file cannot be read.
    InvalidListFile,
    /// 429: too many requests.
    TooManyRequests,
    /// 503: no list is loaded, so nothing can be screened.
    NoListsLoaded,
    /// 503: the request took longer than the server's timeout.
    Timeout,
    /// 500: something failed inside the server (details in its log).
    Internal,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: &[ErrorCode] = &[
        ErrorCode::MissingApiKey,
        ErrorCode::InvalidApiKey,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::ListsReadOnly,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::MalformedJson,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidListFile,
        ErrorCode::TooManyRequests,
        ErrorCode::NoListsLoaded,
        ErrorCode::Timeout,
        ErrorCode::Internal,
    ];

    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingApiKey => "missing_api_key",
            ErrorCode::InvalidApiKey => "invalid_api_key",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::ListsReadOnly => "lists_read_only",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidListFile => "invalid_list_file",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::NoListsLoaded => "no_lists_loaded",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::MissingApiKey | ErrorCode::InvalidApiKey => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict | ErrorCode::ListsReadOnly => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MalformedJson => StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest | ErrorCode::InvalidListFile => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::NoListsLoaded | ErrorCode::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error answer: a code and a message for people.
#[derive(Debug)]
pub struct ApiError {
    /// The stable code.
    pub code: ErrorCode,
    /// What went wrong and what to do, in a sentence.
    pub message: String,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// An internal failure: logs `detail` and answers a generic message.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %detail, "internal error");
        ApiError::new(
            ErrorCode::Internal,
            "The server failed to answer this request; the details are in its log.",
        )
    }

    /// 422 `invalid_request`.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidRequest, message)
    }

    /// 422 for a query string that does not deserialize, saying which parameter is wrong.
    pub fn query(rejection: axum::extract::rejection::QueryRejection) -> ApiError {
        ApiError::invalid(format!(
            "The query string is not valid: {}.",
            rejection.body_text()
        ))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::NotFound { what, id } => {
                ApiError::new(ErrorCode::NotFound, format!("There is no {what} `{id}`."))
            }
            StoreError::Conflict(message) => ApiError::new(ErrorCode::Conflict, message),
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code.as_str(), "message": self.message }
        });
        let mut response = (self.code.status(), Json(body)).into_response();
        if self.code.status() == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"chokepoint\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorCode::ALL.len());
    }
}
