#![doc = include_str!("../README.md")]

pub mod application;
pub mod bench;
pub mod commands;
pub mod frontend;
pub mod secrets;
pub mod settings;
mod stream;
pub mod telemetry;

pub use application::{Application, BuildOptions};
