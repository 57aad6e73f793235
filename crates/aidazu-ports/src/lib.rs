#![doc = include_str!("../README.md")]

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod catalogue;
pub mod chain;
pub mod declarations;
pub mod dingtalk;
mod error;
pub mod governance;
pub mod honours;
pub mod households;
pub mod inbox;
pub mod jobs;
pub mod ledger;
pub mod objections;
pub mod org;
pub mod outbox;
pub mod outbox_lease;
pub mod participation;
pub mod photos;
pub mod pii;
pub mod publications;
pub mod read_models;
mod repo;
pub mod sessions;
pub mod shop;
pub mod stats;

pub use error::StoreError;
pub use repo::{AsRepo, Database, Repo, StoragePort, Transaction, TransactionPort};

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    Sqlite,
    Postgres,
}
