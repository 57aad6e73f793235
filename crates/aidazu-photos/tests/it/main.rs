//! Integration tests of the photo pipeline (F2, R11 in docs/rules.md), each intake and store
//! test run against both blob stores: `LocalBlobStore` and `ObjectStoreBlobStore` (in-memory
//! backend).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod intake_formats;
mod intake_limits;
mod intake_metadata;
mod intake_storage;
mod local_store;
mod store_contract;
