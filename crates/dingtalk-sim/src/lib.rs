#![doc = include_str!("../README.md")]
// Handlers and their helpers fail with a ready wire `Response` (each API family has its own
// error dialect); boxing it everywhere would only add noise.
#![allow(clippy::result_large_err)]

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
mod persist;
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
