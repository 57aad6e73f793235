#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod api;
pub mod callback;
mod client;
mod endpoint;
mod error;
pub mod event;
pub mod ids;
pub mod retry;
pub mod stream;
mod token;

pub use client::{Client, ClientBuilder};
pub use endpoint::{Endpoint, Family};
pub use error::{DingTalkError, ErrorKind};
pub use retry::{Retry, RetryBudget, RetrySafety};
pub use token::{AccessToken, TokenStyle};
