//! Wire types (camelCase JSON) of the public API, separate from domain types so the wire stays
//! stable when the domain changes.

pub mod activities;
pub mod catalogue;
pub mod declarations;
pub mod identity;
pub mod objections;
pub mod publications;
pub mod shop;
pub mod statistics;
pub mod village;
