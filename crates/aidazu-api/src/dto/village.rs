//! Villages (村社).

use aidazu_app::VillageSummary;
use serde::Serialize;
use utoipa::ToSchema;

/// A village or community of the scheme.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Village {
    /// Numeric id used in other paths.
    pub id: i64,
    /// Stable short code (`heping`).
    pub code: String,
    /// Name (和平村).
    pub name: String,
    /// Town or street (棠香街道).
    pub town: String,
    /// The town's id (a town officer's scope).
    pub town_id: i64,
    /// District (大足区).
    pub district: String,
    /// The district's id (a district officer's scope).
    pub district_id: i64,
}

impl From<VillageSummary> for Village {
    fn from(v: VillageSummary) -> Self {
        Self {
            id: v.id.0,
            code: v.code,
            name: v.name,
            town: v.town.name,
            town_id: v.town.id.0,
            district: v.district.name,
            district_id: v.district.id.0,
        }
    }
}

/// The list of villages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VillageList {
    /// All villages, by district, town and name.
    pub villages: Vec<Village>,
}
