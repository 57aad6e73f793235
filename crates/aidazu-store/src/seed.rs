//! The demo seed: loads `config/demo/organisation.json`, the default catalogue and a few ledger
//! entries. Idempotent: rows are found by their codes (and DingTalk user ids) and only what is
//! missing is inserted, so running it twice leaves the same data.

mod demo_org;
mod loader;

pub use demo_org::{
    DemoDistrict, DemoGroup, DemoHousehold, DemoKind, DemoMember, DemoOrganisation, DemoStaff,
    DemoTown, DemoVillage,
};
pub use loader::{SeedReport, seed_demo};
