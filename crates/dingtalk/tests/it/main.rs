//! Integration tests of the `dingtalk` crate: one test binary (see ARCHITECTURE practice 7).
//! Client and Stream tests run the real client against the real simulator over loopback.

// Test helpers outside `#[test]` functions may panic on broken fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod callback_props;
mod callback_vectors;
mod client_calls;
mod client_faults;
mod client_org_calls;
mod client_tokens;
mod stream;
mod support;
mod wire_shapes;
