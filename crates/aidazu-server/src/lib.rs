#![doc = include_str!("../README.md")]

mod application;
pub mod commands;
pub mod secrets;
pub mod settings;
pub mod telemetry;

pub use application::{Application, BuildOptions};
