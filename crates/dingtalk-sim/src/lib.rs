#![doc = include_str!("../README.md")]

mod clock;
mod config;
mod conn;
mod control;
mod credentials;
mod delivery;
mod error;
mod events;
mod extract;
mod guard;
mod ids;
mod org;
mod records;
mod routes;
mod server;
mod state;
mod stream;
mod ui;
mod wire;

pub use config::{CallbackTarget, SimConfig};
pub use error::SimError;
pub use guard::Faults;
pub use org::{Department, Organisation, ROOT_DEPT_ID, User};
pub use server::{SimHandle, spawn};
