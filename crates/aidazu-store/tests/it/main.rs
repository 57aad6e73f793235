//! Integration tests of the store: every case runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set (see `aidazu_testdb::dual_db_test!`).

// The whole crate is test code; helpers outside `#[test]` fns may unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod catalogue;
mod connect;
mod declarations;
mod jobs;
mod ledger;
mod outbox;
mod pii;
mod port;
mod read_models;
mod seed;
mod sessions;
mod support;
