//! The Screen page: one search box with country, type, list and date filters; each hit with
//! its score, the name that matched (matched words highlighted), the explanation, the list, the
//! license requirement, review policy and Federal Register citations, and what the registry
//! knows around the party (owners, subsidiaries, facilities).

use super::facilities::registry;
use super::view::{Shell, error_page, form_date, percent, render, today};
use crate::AppState;
use crate::auth::Caller;
use crate::screen::ScreenRequest;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chokepoint_engine::HitRecord;
use chokepoint_registry::{PartyContext, party_context};
use chokepoint_screening::TokenMatch;
use serde::Deserialize;

/// The form, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ScreenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    country: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    threshold: String,
}

/// A piece of a name, highlighted when it is one of the words that matched.
#[derive(Debug, Clone)]
pub struct Piece {
    text: String,
    hit: bool,
}

/// One hit, ready to show.
pub struct HitView {
    hit: HitRecord,
    score: u32,
    matched: Vec<Piece>,
    tokens: Vec<String>,
    context: PartyContext,
}

/// A suppressed hit.
pub struct SuppressedView {
    name: String,
    list: String,
    case_id: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "screen.html")]
struct ScreenPage {
    shell: Shell,
    form: ScreenForm,
    lists: Vec<(String, String)>,
    searched: bool,
    hits: Vec<HitView>,
    suppressed: Vec<SuppressedView>,
    case_id: Option<String>,
    audit_seq: Option<u64>,
    error: Option<String>,
}

/// `(code, long name)` of every list in the snapshot in use, by code.
pub fn loaded_lists(state: &AppState) -> Vec<(String, String)> {
    let mut lists: Vec<(String, String)> = state
        .snapshot()
        .map(|s| {
            s.screener
                .lists
                .iter()
                .flat_map(|l| l.counts.iter())
                .map(|(code, _)| (code.as_str().to_string(), code.long_name().to_string()))
                .collect()
        })
        .unwrap_or_default();
    lists.sort();
    lists.dedup();
    lists
}

/// `GET /screen`.
pub async fn form(State(state): State<AppState>, caller: Caller) -> Response {
    render(
        StatusCode::OK,
        &ScreenPage {
            shell: Shell::new(&caller, "screen", "Screen"),
            form: ScreenForm {
                threshold: "0.74".into(),
                ..ScreenForm::default()
            },
            lists: loaded_lists(&state),
            searched: false,
            hits: Vec::new(),
            suppressed: Vec::new(),
            case_id: None,
            audit_seq: None,
            error: None,
        },
    )
}

/// `POST /screen`: screens (audited; opens a case when a match remains) and shows the hits.
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<ScreenForm>,
) -> Response {
    let shell = Shell::new(&caller, "screen", "Screen");
    let mut page = ScreenPage {
        shell: shell.clone(),
        form: form.clone(),
        lists: loaded_lists(&state),
        searched: true,
        hits: Vec::new(),
        suppressed: Vec::new(),
        case_id: None,
        audit_seq: None,
        error: None,
    };
    let request = match to_request(&form) {
        Ok(request) => request,
        Err(e) => {
            page.error = Some(e.message);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let as_of = request.as_of.unwrap_or_else(today);
    let outcome = match crate::screen::run(&state, &caller, &request).await {
        Ok(outcome) => outcome,
        Err(e) if e.code.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            page.error = Some(e.message);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(e) => return error_page(shell, e),
    };
    let (reg, graph) = registry();
    page.hits = outcome
        .hits
        .into_iter()
        .map(|hit| HitView {
            score: percent(hit.score),
            matched: highlight(&hit.matched_name, &hit.matched_tokens, hit.is_match),
            tokens: hit
                .matched_tokens
                .iter()
                .map(|t| format!("{} ≈ {} ({}%)", t.query, t.candidate, percent(t.similarity)))
                .collect(),
            context: party_context(reg, graph, &hit.name, as_of),
            hit,
        })
        .collect();
    page.suppressed = outcome
        .suppressed
        .into_iter()
        .map(|(hit, case_id, reason)| SuppressedView {
            name: hit.name,
            list: hit.list,
            case_id,
            reason,
        })
        .collect();
    page.case_id = outcome.case_id;
    page.audit_seq = Some(outcome.audit_seq);
    render(StatusCode::OK, &page)
}

fn to_request(form: &ScreenForm) -> Result<ScreenRequest, crate::ApiError> {
    let threshold = match form.threshold.trim() {
        "" => None,
        t => Some(t.parse::<f32>().map_err(|_| {
            crate::ApiError::invalid(format!(
                "Threshold `{t}` is not a number; give a score between 0 and 1, e.g. 0.74."
            ))
        })?),
    };
    let blank = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    Ok(ScreenRequest {
        name: form.name.clone(),
        country: blank(&form.country),
        kind: blank(&form.kind),
        lists: blank(&form.list).into_iter().collect(),
        as_of: form_date("as of", Some(&form.as_of))?,
        threshold,
        limit: Some(20),
    })
}

/// Splits `name` into pieces, marking the words (and, in Chinese, Japanese and Korean, the
/// characters) that the matched tokens name. A match found by a reading that aligns no words
/// (compact or native-character) marks the whole name.
pub fn highlight(name: &str, tokens: &[TokenMatch], is_match: bool) -> Vec<Piece> {
    let wanted: Vec<String> = tokens
        .iter()
        .flat_map(|t| [t.candidate.to_lowercase(), t.query.to_lowercase()])
        .collect();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, pieces: &mut Vec<Piece>| {
        if word.is_empty() {
            return;
        }
        let lower = word.to_lowercase();
        let folded = any_ascii_lower(&lower);
        let hit = wanted.iter().any(|w| *w == lower || *w == folded);
        pieces.push(Piece {
            text: std::mem::take(word),
            hit,
        });
    };
    for c in name.chars() {
        if is_ideograph(c) {
            flush(&mut word, &mut pieces);
            let text = c.to_string();
            let hit = wanted.iter().any(|w| w.contains(c));
            pieces.push(Piece { text, hit });
        } else if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut pieces);
            match pieces.last_mut() {
                Some(last) if !last.hit && !last.text.chars().any(char::is_alphanumeric) => {
                    last.text.push(c)
                }
                _ => pieces.push(Piece {
                    text: c.to_string(),
                    hit: false,
                }),
            }
        }
    }
    flush(&mut word, &mut pieces);
    if is_match && !pieces.iter().any(|p| p.hit) {
        for piece in &mut pieces {
            piece.hit = piece.text.chars().any(char::is_alphanumeric);
        }
    }
    // Neighbours with the same marking become one piece (a run of Chinese characters is one
    // highlight, not one per character).
    let mut merged: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match merged.last_mut() {
            Some(last) if last.hit == piece.hit => last.text.push_str(&piece.text),
            _ => merged.push(piece),
        }
    }
    merged
}

fn any_ascii_lower(text: &str) -> String {
    chokepoint_names::normalize(text)
        .tokens
        .first()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_screening::TokenHow;

    fn token(query: &str, candidate: &str) -> TokenMatch {
        TokenMatch {
            query: query.into(),
            candidate: candidate.into(),
            similarity: 1.0,
            how: TokenHow::Exact,
            weight: 1.0,
        }
    }

    fn marked(pieces: &[Piece]) -> Vec<&str> {
        pieces
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn matched_words_are_marked_and_text_is_kept_whole() {
        let pieces = highlight(
            "Semiconductor Manufacturing International Corp.",
            &[
                token("semiconductor", "semiconductor"),
                token("mfg", "manufacturing"),
            ],
            true,
        );
        assert_eq!(marked(&pieces), ["Semiconductor", "Manufacturing"]);
        assert_eq!(
            pieces.len(),
            4,
            "two marked words, the space between, the rest"
        );
        let whole: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(whole, "Semiconductor Manufacturing International Corp.");
    }

    #[test]
    fn chinese_characters_are_marked_as_a_run() {
        let pieces = highlight("中芯国际", &[token("中芯", "中芯")], true);
        assert_eq!(marked(&pieces), ["中芯"]);
    }

    #[test]
    fn a_match_without_aligned_words_marks_the_name() {
        let pieces = highlight("SMIC", &[], true);
        assert_eq!(marked(&pieces), ["SMIC"]);
        let pieces = highlight("SMIC", &[], false);
        assert!(marked(&pieces).is_empty());
    }
}
