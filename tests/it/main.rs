//! End-to-end user stories across crates: the real `aidazu` service (and its embedded DingTalk
//! simulator) on loopback with a fresh database, driven over HTTP. Each story runs on SQLite, and on
//! PostgreSQL too when `TEST_DATABASE_URL` is set.
//!
//! `kit` (requests to the service, sessions, declarations, outbox/ledger/audit reads) and `support`
//! (fast workers, simulator control, callbacks, polling) are the one place for helpers: a story
//! uses them and keeps no copy of its own; a helper two files need goes there.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod activities;
mod chain;
mod core_safety;
mod declaration_loop;
mod declarations;
mod dingtalk_loop;
mod edge;
mod foundation;
mod governance;
mod honours_year_close;
mod identity;
mod kit;
mod layering;
mod objection_approval;
mod objections;
mod openapi_names;
mod photo_links;
mod pilot_year;
mod publication;
mod query_budget;
mod reconcile;
mod reminders;
mod shop;
mod sim_fidelity;
mod statistics;
mod support;
mod web;
