//! The organisation tree and who takes part (R1–R4).
//!
//! District → town/street → village/community → group → household → member.

mod access;
mod binding;
mod group_ref;
mod masking;
mod participation;

use serde::{Deserialize, Serialize};

use crate::ids::{DistrictId, GroupId, HouseholdId, MemberId, TownId, VillageId};

pub use access::{Access, Action, Role, Scope, VillageLocation, role_allows};
pub use binding::{AccountStanding, check_binding};
pub use group_ref::{GroupMatch, code_group_number, resolve_group, written_group_number};
pub use masking::{NameDisplay, display_name, mask_name};
pub use participation::{
    ParticipationChange, ParticipationSpan, default_participation, household_participates,
    household_participates_throughout, member_participates, participation_spans,
    require_household_participates, require_may_declare,
};

/// A district (区).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub id: DistrictId,
    pub name: String,
}

/// A town or street (镇街).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Town {
    pub id: TownId,
    pub district: DistrictId,
    pub name: String,
}

/// A village or community (村社).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Village {
    pub id: VillageId,
    pub town: TownId,
    pub name: String,
    /// How names appear on public boards (R4); masked unless the village chooses full names.
    #[serde(default)]
    pub board_names: NameDisplay,
}

/// A village group (组/社).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub village: VillageId,
    pub name: String,
}

/// A household (户), the unit of points (R2). Belongs to exactly one village (R1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    pub id: HouseholdId,
    pub village: VillageId,
    pub group: GroupId,
    /// Display name, usually the head of household (户主).
    pub head_name: String,
}

/// Whether a member is a villager (本村村民) or a non-villager living in the village (R3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidentKind {
    /// 本村村民.
    Villager,
    /// 非本村居民, living in the village.
    NonVillager,
}

/// A member of a household. Personal data (mobile, ID number) is not held here: the store keeps
/// it encrypted (R4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub household: HouseholdId,
    pub name: String,
    pub kind: ResidentKind,
    /// At home three months a year or less (长期在外).
    pub long_term_absent: bool,
    /// Party member (党员), relevant for the 最美党员 honour (R18).
    #[serde(default)]
    pub party_member: bool,
}
