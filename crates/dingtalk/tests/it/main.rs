//! Integration tests of the `dingtalk` crate: one test binary (see ARCHITECTURE practice 7).

// Test helpers outside `#[test]` functions may panic on broken fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod callback_props;
mod callback_vectors;
