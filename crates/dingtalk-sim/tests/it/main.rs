//! Integration tests of the DingTalk simulator: real HTTP (and WebSocket) on loopback, answers
//! compared with the payloads of API.md.

// Helpers outside `#[test]` functions panic on purpose: a failed expectation fails the test.
#![allow(clippy::expect_used)]

mod approvals;
mod callbacks;
mod cards;
mod contacts;
mod faults;
mod groups;
mod messages;
mod org_calls;
mod persistence;
mod stream;
mod stream_acks;
mod support;
mod tokens;
