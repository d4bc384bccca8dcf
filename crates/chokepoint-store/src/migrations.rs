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
