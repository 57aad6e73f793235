//! End-to-end user stories across crates.
