//! The API through `app(state)` with `tower::ServiceExt::oneshot`: no socket, an SQLite store
//! and a data directory in a temporary folder, the demo list.

mod api;
mod check;
mod engines;
mod instances;
mod jobs;
mod monitor;
mod ui;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chokepoint_engine::DataDir;
use chokepoint_server::{AppState, Limits, ListsSource, app};
use chokepoint_store::{AuditEvent, NewKey, Role, SqliteStore, Store};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn demo_list() -> PathBuf {
    repo_root().join("lists/demo.yaml")
}

/// A server with its store and keys of each role.
pub struct Harness {
    pub state: AppState,
    pub admin: String,
    pub analyst: String,
    pub viewer: String,
    pub data_dir: DataDir,
    _dir: tempfile::TempDir,
}

pub async fn key(store: &Arc<dyn Store>, role: Role) -> String {
    let (new_key, secret) = NewKey::generate(&format!("test-{role}"), role).expect("random");
    store
        .create_key(
            new_key,
            AuditEvent {
                kind: "key_created".into(),
                actor: "test".into(),
                inputs: Value::Null,
                outputs: Value::Null,
                list_snapshot: None,
                rule_set: None,
            },
        )
        .await
        .expect("create key");
    secret
}

impl Harness {
    /// With the demo list imported when `with_lists`.
    pub async fn new(with_lists: bool) -> Harness {
        Harness::with_limits(with_lists, Limits::default()).await
    }

    pub async fn with_limits(with_lists: bool, limits: Limits) -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = DataDir::new(dir.path().join("data"));
        if with_lists {
            data_dir
                .import_paths(&[demo_list()], "2026-01-01T00:00:00Z")
                .expect("import demo list");
        }
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open(&dir.path().join("data/chokepoint.db"))
                .await
                .expect("store"),
        );
        Harness::with_parts(store, data_dir, dir, limits).await
    }

    /// A server over `store` and the data directory `data_dir` (lists loaded if there are any),
    /// keeping `dir` alive.
    pub async fn from_parts(
        store: Arc<dyn Store>,
        data_dir: DataDir,
        dir: tempfile::TempDir,
    ) -> Harness {
        Harness::with_parts(store, data_dir, dir, Limits::default()).await
    }

    async fn with_parts(
        store: Arc<dyn Store>,
        data_dir: DataDir,
        dir: tempfile::TempDir,
        limits: Limits,
    ) -> Harness {
        let state = AppState::new(
            store.clone(),
            ListsSource::DataDir(data_dir.clone()),
            limits,
        );
        state.load_lists().await.expect("load lists");
        Harness {
            admin: key(&store, Role::Admin).await,
            analyst: key(&store, Role::Analyst).await,
            viewer: key(&store, Role::Viewer).await,
            state,
            data_dir,
            _dir: dir,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = app(self.state.clone())
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::get(path);
        if let Some(key) = key {
            request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    pub async fn post_json(&self, path: &str, key: &str, body: &Value) -> (StatusCode, Value) {
        self.post_raw(path, key, "application/json", body.to_string().into_bytes())
            .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        key: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let request = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Uploads files to `/v1/lists/import` as multipart/form-data.
    pub async fn import(&self, key: &str, files: &[(&str, &[u8])]) -> (StatusCode, Value) {
        let boundary = "chokepoint-test-boundary";
        let mut body = Vec::new();
        for (name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.post_raw(
            "/v1/lists/import",
            key,
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await
    }
}

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}
