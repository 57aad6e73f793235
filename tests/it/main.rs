//! End-to-end user stories across crates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod identity;
