//! Lists: the snapshot in use (its id, when it was loaded, the files it is made of), each
//! list's vintage and entry counts, the record problems the files had, and, for a data
//! directory, its revisions and what changed between two of them (entries added, removed and
//! changed, with the fields that changed), the same diff as `chokepoint lists diff`.

use super::charts;
use super::view::{Shell, render};
use crate::AppState;
use crate::auth::Caller;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

/// One revision of the data directory.
pub struct RevisionView {
    revision: u64,
    imported_at: String,
    snapshot_id: String,
    changed: Vec<String>,
    entries: usize,
}

/// One changed entry.
pub struct ChangeView {
    id: String,
    list: String,
    name: String,
    fields: Vec<(String, String, String)>,
}

/// The diff shown.
pub struct DiffView {
    from: u64,
    to: u64,
    added: Vec<(String, String, String)>,
    removed: Vec<(String, String, String)>,
    changed: Vec<ChangeView>,
}

/// `GET /lists` query.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListsQuery {
    from: Option<u64>,
    to: Option<u64>,
}

/// One list file of the snapshot.
pub struct FileView {
    label: String,
    format: String,
    vintage: String,
    entries: usize,
    counts: Vec<(String, String, usize)>,
    sha256: String,
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    shell: Shell,
    loaded: bool,
    snapshot_id: String,
    loaded_at: String,
    problems: usize,
    total: usize,
    files: Vec<FileView>,
    chart: String,
    revisions: Vec<RevisionView>,
    diff: Option<DiffView>,
    diff_error: Option<String>,
}

fn short(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    super::view::shorten(&text, 160)
}

/// The data directory's revisions and the diff between `from` and `to` (default: the last two).
fn history(
    state: &AppState,
    query: &ListsQuery,
) -> (Vec<RevisionView>, Option<DiffView>, Option<String>) {
    let crate::ListsSource::DataDir(data_dir) = state.source() else {
        return (Vec::new(), None, None);
    };
    let history = match data_dir.history() {
        Ok(h) => h,
        Err(e) => return (Vec::new(), None, Some(e.to_string())),
    };
    let revisions = history
        .iter()
        .rev()
        .map(|r| RevisionView {
            revision: r.revision,
            imported_at: r.imported_at.clone(),
            snapshot_id: r
                .snapshot_id
                .get(..12)
                .unwrap_or(&r.snapshot_id)
                .to_string(),
            changed: r
                .sources
                .iter()
                .filter(|s| s.changed)
                .map(|s| format!("{} v{}", s.source, s.version))
                .collect(),
            entries: r.sources.iter().map(|s| s.entries).sum(),
        })
        .collect();
    let last = history.last().map_or(0, |r| r.revision);
    let to = query.to.unwrap_or(last);
    let from = query.from.unwrap_or_else(|| to.saturating_sub(1));
    if to == 0 {
        return (revisions, None, None);
    }
    match data_dir.diff(&history, from, to, None) {
        Ok(diff) => {
            let triple =
                |e: &chokepoint_monitor::EntryRef| (e.id.clone(), e.list.clone(), e.name.clone());
            let view = DiffView {
                from,
                to,
                added: diff.added.iter().map(triple).collect(),
                removed: diff.removed.iter().map(triple).collect(),
                changed: diff
                    .changed
                    .iter()
                    .map(|c| ChangeView {
                        id: c.id.clone(),
                        list: c.list.clone(),
                        name: c.name.clone(),
                        fields: c
                            .changes
                            .iter()
                            .map(|f| (f.field.clone(), short(&f.before), short(&f.after)))
                            .collect(),
                    })
                    .collect(),
            };
            (revisions, Some(view), None)
        }
        Err(e) => (revisions, None, Some(e.to_string())),
    }
}

/// `GET /lists[?from=N&to=M]`.
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListsQuery>,
) -> Response {
    let shell = Shell::new(&caller, "lists", "Lists");
    let (revisions, diff, diff_error) = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || history(&state, &query))
            .await
            .unwrap_or_else(|e| (Vec::new(), None, Some(e.to_string())))
    };
    let Some(snapshot) = state.snapshot() else {
        return render(
            StatusCode::OK,
            &ListsPage {
                shell,
                loaded: false,
                snapshot_id: String::new(),
                loaded_at: String::new(),
                problems: 0,
                total: 0,
                files: Vec::new(),
                chart: String::new(),
                revisions,
                diff,
                diff_error,
            },
        );
    };
    let files: Vec<FileView> = snapshot
        .lists()
        .iter()
        .map(|l| FileView {
            label: l.label.clone(),
            format: l.format.as_str().to_string(),
            vintage: l
                .vintage
                .map(|d| d.to_string())
                .unwrap_or_else(|| "not stated".into()),
            entries: l.entries,
            counts: l
                .counts
                .iter()
                .map(|(code, n)| (code.as_str().to_string(), code.long_name().to_string(), *n))
                .collect(),
            sha256: l.sha256.clone().unwrap_or_default(),
        })
        .collect();
    let mut per_list: std::collections::BTreeMap<String, u64> = Default::default();
    for (code, _, n) in files.iter().flat_map(|f| &f.counts) {
        *per_list.entry(code.clone()).or_default() += *n as u64;
    }
    let mut per_list: Vec<(String, u64)> = per_list.into_iter().collect();
    per_list.sort_by_key(|b| std::cmp::Reverse(b.1));
    render(
        StatusCode::OK,
        &ListsPage {
            shell,
            loaded: true,
            snapshot_id: snapshot.id.clone(),
            loaded_at: snapshot.loaded_at.clone(),
            problems: snapshot.problems,
            total: snapshot.screener.index().entries().len(),
            files,
            chart: charts::bars("Entries by list", &per_list),
            revisions,
            diff,
            diff_error,
        },
    )
}
