#![doc = include_str!("../README.md")]

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod catalogue;
pub mod chain;
pub mod declarations;
pub mod dingtalk;
mod entities;
pub mod error;
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
mod port_impls;
pub mod publications;
pub mod read_models;
pub mod seed;
pub mod sessions;
pub mod shop;
mod stamp;
pub mod stats;
mod store;
pub mod synthetic;

pub use error::StoreError;
pub use pii::PiiKeys;
pub use port_impls::{SeaRepo, SeaStorage};
pub use store::{Backend, ConnectSettings, Store};

/// Re-exported so callers can name the connection and transaction types.
pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait,
};
