//! The storage test suite, written once (`suite.rs`) and run against both backends: SQLite in a
//! temporary directory, and PostgreSQL at `CHOKEPOINT_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`) in a fresh schema per test, dropped at the end.
//!
//! When PostgreSQL cannot be reached the PostgreSQL half prints `SKIPPED: ...`, except under
//! `CI=true`, where it fails: CI must test both.

mod fixture;
mod lists;
mod monitor;
mod suite;
