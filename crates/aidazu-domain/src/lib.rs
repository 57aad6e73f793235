#![doc = include_str!("../README.md")]

pub mod activity;
pub mod board;
pub mod calendar;
pub mod catalogue;
pub mod channel;
pub mod declaration;
pub mod error;
pub mod honours;
pub mod ids;
pub mod ledger;
pub mod objection;
pub mod org;
pub mod shop;
pub mod stats;

pub use error::DomainError;
pub use ids::{
    AccountId, ActivityId, CatalogueVersionId, DeclarationId, DistrictId, GroupId, HouseholdId,
    ItemCode, LedgerEntryId, MemberId, ObjectionId, OrderId, Points, ShopItemId, TownId, VillageId,
};
