//! The schema migrations, embedded in the binary: `migrations/sqlite/` and
//! `migrations/postgres/` hold the same tables, spelled for each database.
//!
//! Embedded with `include_str!` and handed to sqlx's `Migrator` through a small
//! `MigrationSource`, so the binary needs no migration files at run time and sqlx's proc-macro
//! crate (a second full compile of sqlx) is not needed.

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

/// `(version, description, sql)`, in order.
type Embedded = &'static [(i64, &'static str, &'static str)];

const SQLITE: Embedded = &[
    (
        1,
        "service",
        include_str!("../migrations/sqlite/0001_service.sql"),
    ),
    (
        2,
        "batch jobs",
        include_str!("../migrations/sqlite/0002_batch_jobs.sql"),
    ),
    (
        3,
        "monitor",
        include_str!("../migrations/sqlite/0003_monitor.sql"),
    ),
    (
        4,
        "list snapshots",
        include_str!("../migrations/sqlite/0004_list_snapshots.sql"),
    ),
];

const POSTGRES: Embedded = &[
    (
        1,
        "service",
        include_str!("../migrations/postgres/0001_service.sql"),
    ),
    (
        2,
        "batch jobs",
        include_str!("../migrations/postgres/0002_batch_jobs.sql"),
    ),
    (
        3,
        "monitor",
        include_str!("../migrations/postgres/0003_monitor.sql"),
    ),
    (
        4,
        "list snapshots",
        include_str!("../migrations/postgres/0004_list_snapshots.sql"),
    ),
];

#[derive(Debug)]
struct EmbeddedSource(Embedded);

impl<'s> MigrationSource<'s> for EmbeddedSource {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        let migrations = self
            .0
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

/// The SQLite migrations.
pub(crate) async fn sqlite() -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(EmbeddedSource(SQLITE)).await
}

/// The PostgreSQL migrations.
pub(crate) async fn postgres() -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(EmbeddedSource(POSTGRES)).await
}

#[cfg(test)]
mod tests {
    use super::{Embedded, POSTGRES, SQLITE};

    /// The tables with their columns, the indexes and the rows a migration creates, without the
    /// types (spelled per database) and comments.
    fn shape(sql: &str) -> Vec<String> {
        let mut shape = Vec::new();
        let mut table: Option<String> = None;
        for line in sql
            .lines()
            .map(|l| l.split("--").next().unwrap_or("").trim())
        {
            if line.is_empty() {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(name) = &table {
                if line.starts_with(')') {
                    table = None;
                } else {
                    shape.push(format!("{name}.{}", words[0]));
                }
            } else if line.starts_with("CREATE TABLE") {
                table = Some(words[2].to_string());
                shape.push(format!("table {}", words[2]));
            } else {
                shape.push(line.to_string());
            }
        }
        shape
    }

    #[test]
    fn both_databases_get_the_same_migrations() {
        let pairs = |set: Embedded| set.iter().map(|(v, d, _)| (*v, *d)).collect::<Vec<_>>();
        assert_eq!(pairs(SQLITE), pairs(POSTGRES));
        for ((version, _, sqlite), (_, _, postgres)) in SQLITE.iter().zip(POSTGRES) {
            assert_eq!(shape(sqlite), shape(postgres), "migration {version}");
        }
    }
}
