//! A store to test on, with raw SQL access for tampering, and the `store_test!` macro that runs
//! one test body against each backend.

use chokepoint_store::{PostgresStore, SqliteStore, Store};
use sqlx::Connection;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Direct SQL access to the store's database, bypassing the store (to tamper with it).
#[derive(Clone, Debug)]
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    pub async fn exec(&self, sql: &str) {
        let result = match self {
            Raw::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
            Raw::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        };
        if let Err(e) = result {
            panic!("raw SQL `{sql}` failed: {e}");
        }
    }
}

/// What a test body gets: the store, raw access, and a way to open a second store on the same
/// database (a second server instance).
#[derive(Clone, Debug)]
pub struct Env {
    pub store: Arc<dyn Store>,
    pub raw: Raw,
    target: Target,
}

#[derive(Clone, Debug)]
enum Target {
    Sqlite(std::path::PathBuf),
    Postgres { url: String, schema: String },
}

impl Env {
    /// Another store on the same database, as a second process would open it.
    pub async fn reopen(&self) -> Arc<dyn Store> {
        match &self.target {
            Target::Sqlite(path) => Arc::new(SqliteStore::open(path).await.expect("reopen sqlite")),
            Target::Postgres { url, schema } => Arc::new(
                PostgresStore::connect_in_schema(url, schema)
                    .await
                    .expect("reopen postgres"),
            ),
        }
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("random bytes");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn run_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state").join("chokepoint.db");
    let store = SqliteStore::open(&path).await.expect("open sqlite store");
    let raw =
        sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&path))
            .await
            .expect("raw sqlite pool");
    let env = Env {
        store: Arc::new(store),
        raw: Raw::Sqlite(raw),
        target: Target::Sqlite(path),
    };
    let result = tokio::spawn(body(env)).await;
    drop(dir);
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

pub fn database_url() -> String {
    std::env::var("CHOKEPOINT_TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

pub async fn run_postgres<F, Fut>(body: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let url = database_url();
    let admin = tokio::time::timeout(Duration::from_secs(5), sqlx::PgConnection::connect(&url))
        .await
        .map_err(|_| "timed out".to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    let mut admin = match admin {
        Ok(conn) => conn,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("PostgreSQL not reachable at {url} ({e}); CI must run the PostgreSQL suite");
            }
            eprintln!("SKIPPED: PostgreSQL not reachable at {url} ({e})");
            return;
        }
    };
    let schema = format!("test_{}", random_hex(8));
    sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("create test schema");
    let store = PostgresStore::connect_in_schema(&url, &schema)
        .await
        .expect("open postgres store");
    let raw = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(
            url.parse::<sqlx::postgres::PgConnectOptions>()
                .expect("url")
                .options([("search_path", schema.as_str())]),
        )
        .await
        .expect("raw postgres pool");
    let env = Env {
        store: Arc::new(store),
        raw: Raw::Postgres(raw.clone()),
        target: Target::Postgres {
            url: url.clone(),
            schema: schema.clone(),
        },
    };
    let result = tokio::spawn(body(env)).await;
    raw.close().await;
    let dropped = sqlx::raw_sql(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&mut admin)
        .await;
    if let Err(e) = dropped {
        eprintln!("warning: cannot drop test schema `{schema}`: {e}");
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `store_test!(name)` runs `suite::name(env)` against SQLite and PostgreSQL.
#[macro_export]
macro_rules! store_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::fixture::run_sqlite(super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::fixture::run_postgres(super::$name).await;
            }
        }
    };
}
