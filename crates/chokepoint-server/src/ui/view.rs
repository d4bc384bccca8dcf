//! What every page shares: the [`Shell`] (title, who is signed in, which tab is active),
//! [`render`] and the error page, and small formatting helpers used by several pages.

use crate::auth::Caller;
use crate::error::ApiError;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// The frame around every page.
#[derive(Debug, Clone)]
pub struct Shell {
    /// The page title (after "chokepoint · ").
    pub title: String,
    /// The signed-in key's name, if any.
    pub user: Option<String>,
    /// Its role.
    pub role: String,
    /// The active tab: `overview`, `screen`, `batch`, `cases`, `determine`, `facilities`,
    /// `lists`, `audit`.
    pub active: &'static str,
}

impl Shell {
    /// The frame of a signed-in page.
    pub fn new(caller: &Caller, active: &'static str, title: impl Into<String>) -> Shell {
        Shell {
            title: title.into(),
            user: Some(caller.name.clone()),
            role: caller.role.to_string(),
            active,
        }
    }

    /// This build's version, for the footer.
    pub fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// The frame of the sign-in page.
    pub fn anonymous(title: &str) -> Shell {
        Shell {
            title: title.to_string(),
            user: None,
            role: String::new(),
            active: "",
        }
    }
}

/// Renders a page (a template failure is logged and answered 500).
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be drawn; the server log says why.",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    shell: Shell,
    code: String,
    message: String,
}

/// An API error as a page: the same code and message as the JSON API gives.
pub fn error_page(shell: Shell, error: ApiError) -> Response {
    let status = error.code.status();
    render(
        status,
        &ErrorPage {
            shell,
            code: error.code.as_str().to_string(),
            message: error.message,
        },
    )
}

/// A percentage for a score in [0, 1]: `0.913` -> `91`.
pub fn percent(score: f32) -> u32 {
    (score.clamp(0.0, 1.0) * 100.0).round() as u32
}

/// The first `n` characters of `text`, with `…` when cut.
pub fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(n).collect();
        cut.push('…');
        cut
    }
}

/// Today's date on the server's clock (the UI's default "as of").
pub fn today() -> chokepoint_model::Date {
    chrono::Utc::now().date_naive()
}

/// A date from a form field: empty means `None`; anything else must be `YYYY-MM-DD`.
pub fn form_date(
    field: &str,
    text: Option<&str>,
) -> Result<Option<chokepoint_model::Date>, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| {
            ApiError::invalid(format!(
                "`{field}` `{t}` is not a date; write it as YYYY-MM-DD (e.g. 2024-12-02)."
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_and_clamps() {
        assert_eq!(percent(0.913), 91);
        assert_eq!(percent(1.2), 100);
        assert_eq!(percent(-0.1), 0);
    }

    #[test]
    fn shorten_counts_characters_not_bytes() {
        assert_eq!(shorten("中芯国际集成电路", 4), "中芯国际…");
        assert_eq!(shorten("SMIC", 4), "SMIC");
    }

    #[test]
    fn form_dates_are_checked() {
        assert_eq!(form_date("as_of", Some(" ")).ok(), Some(None));
        assert!(form_date("as_of", Some("2024-12-02")).is_ok_and(|d| d.is_some()));
        let err = form_date("as_of", Some("12/02/2024"))
            .err()
            .map(|e| e.message);
        assert!(err.is_some_and(|m| m.contains("YYYY-MM-DD")));
    }
}
