//! The content of a publication: what the board page, the poster, the spreadsheet and the
//! notice show, and what the digest is taken over. Its canonical form is the compact JSON of
//! [`BoardContent`] (fields in the order declared here, no whitespace, UTF-8).

use std::collections::HashMap;

use aidazu_domain::HouseholdId;
use aidazu_domain::board::PublicationRow;
use aidazu_domain::calendar::{PointsYearConfig, Quarter};
use aidazu_domain::honours::{AverageAssessment, Candidate};
use aidazu_domain::org::{NameDisplay, display_name};
use aidazu_ports::publications::BoardHousehold;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Age below which a member is never named on a public board.
const ADULT_AGE: i32 = 18;

/// The village a board belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardVillage {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// One household's line: totals only, never items by kind (R16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardRow {
    /// Competition rank (1, 2, 2, 4).
    pub rank: u32,
    pub household_code: String,
    /// The head's name as the village shows it (张*明 by default); a minor is never named.
    pub name: String,
    pub quarter_points: i64,
    pub score: i64,
    pub balance: i64,
}

/// A correction an amended publication announces (R17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardCorrection {
    pub objection_id: i64,
    pub household_code: String,
    pub name: String,
    pub amount: i64,
}

/// The frozen content of a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardContent {
    /// Layout version of this content.
    pub schema: u32,
    pub village: BoardVillage,
    /// Who publishes (和平村村民委员会).
    pub committee: String,
    /// `2026-Q3`.
    pub quarter: String,
    /// `2026 积分年度第 3 季度`.
    pub period_label: String,
    pub quarter_first_day: NaiveDate,
    pub quarter_last_day: NaiveDate,
    pub version: u32,
    /// Version 2 and later: 更正.
    pub amended: bool,
    pub published_on: NaiveDate,
    pub objection_last_day: NaiveDate,
    /// Mean year score of the ranked households, two decimals (`None` when nobody takes part).
    pub average_score: Option<String>,
    pub rows: Vec<BoardRow>,
    pub corrections: Vec<BoardCorrection>,
    /// How to object, in Chinese.
    pub how_to_object: String,
    /// Links in the village's ledger hash chain when the snapshot was taken.
    #[serde(default)]
    pub chain_links: i64,
    /// The chain's head (hash of its last link) then: tamper evidence printed on the poster.
    #[serde(default)]
    pub chain_head: String,
}

impl BoardContent {
    /// The chain head's short form as printed (first 16 hex digits).
    #[must_use]
    pub fn chain_head_short(&self) -> &str {
        self.chain_head.get(..16).unwrap_or(&self.chain_head)
    }
}

pub(crate) struct BoardInput<'a> {
    pub village: &'a aidazu_ports::org::VillageSummary,
    pub calendar: PointsYearConfig,
    pub quarter: Quarter,
    pub version: u32,
    pub published_on: NaiveDate,
    pub objection_last_day: NaiveDate,
    pub rows: &'a [PublicationRow],
    pub heads: &'a HashMap<HouseholdId, BoardHousehold>,
    pub display: NameDisplay,
    pub corrections: Vec<BoardCorrection>,
    pub chain: (i64, String),
}

/// The name a board shows for a household: the head's, masked as the village chooses; a minor
/// head or a household without members shows its number only.
pub(crate) fn board_name(
    head: Option<&BoardHousehold>,
    display: NameDisplay,
    on: NaiveDate,
) -> String {
    let Some(head) = head else {
        return "—".to_owned();
    };
    let minor = head
        .head_birth_year
        .is_some_and(|born| on.year() - born < ADULT_AGE);
    match head.head_name.as_deref() {
        Some(name) if !minor && !name.trim().is_empty() => display_name(name, display),
        _ => format!("户号 {}", head.code),
    }
}

impl BoardContent {
    pub(crate) fn build(input: BoardInput<'_>) -> Result<Self, AppError> {
        let BoardInput {
            village,
            calendar,
            quarter,
            version,
            published_on,
            objection_last_day,
            rows,
            heads,
            display,
            corrections,
            chain,
        } = input;
        let candidates: Vec<Candidate> = rows
            .iter()
            .map(|r| Candidate {
                household: r.household,
                score: r.score,
                exclusion: None,
            })
            .collect();
        let average_score = AverageAssessment::assess(&candidates)?.mean_display();
        let committee = if village.name.ends_with("社区") {
            format!("{}居民委员会", village.name)
        } else {
            format!("{}村民委员会", village.name)
        };
        Ok(Self {
            schema: 1,
            village: BoardVillage {
                id: village.id.get(),
                code: village.code.clone(),
                name: village.name.clone(),
            },
            committee,
            quarter: quarter.to_string(),
            period_label: format!("{} 积分年度第 {} 季度", quarter.year(), quarter.index()),
            quarter_first_day: calendar.quarter_first_day(quarter),
            quarter_last_day: calendar.quarter_last_day(quarter),
            version,
            amended: version > 1,
            published_on,
            objection_last_day,
            average_score,
            rows: rows
                .iter()
                .map(|r| BoardRow {
                    rank: r.rank,
                    household_code: heads
                        .get(&r.household)
                        .map_or_else(|| r.household.get().to_string(), |h| h.code.clone()),
                    name: board_name(heads.get(&r.household), display, published_on),
                    quarter_points: r.quarter_points.get(),
                    score: r.score.get(),
                    balance: r.balance.get(),
                })
                .collect(),
            corrections,
            how_to_object: format!(
                "对公示内容有异议的，请于 {objection_last_day} 前（含当日）在钉钉“爱大足”应用的“公示”页提出，\
                 可对本户积分提出异议，也可反映其他农户的情况；村支两委在 5 个工作日内答复。"
            ),
            chain_links: chain.0,
            chain_head: chain.1,
        })
    }

    /// The canonical JSON the digest is taken over.
    ///
    /// # Errors
    /// [`AppError::InvalidInput`] if it cannot be serialised (never for this type).
    pub fn canonical(&self) -> Result<String, AppError> {
        serde_json::to_string(self).map_err(|_| AppError::InvalidInput("publication content"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(name: &str, born: Option<i32>) -> BoardHousehold {
        BoardHousehold {
            household: HouseholdId(1),
            code: "heping-01-001".into(),
            head_name: Some(name.into()),
            head_birth_year: born,
        }
    }

    #[test]
    fn r16_names_are_masked_and_minors_never_named() {
        let on: NaiveDate = "2026-10-08".parse().unwrap();
        assert_eq!(
            board_name(Some(&head("张三明", Some(1970))), NameDisplay::Masked, on),
            "张*明"
        );
        assert_eq!(
            board_name(Some(&head("张三明", Some(1970))), NameDisplay::Full, on),
            "张三明"
        );
        assert_eq!(
            board_name(Some(&head("张小明", Some(2010))), NameDisplay::Full, on),
            "户号 heping-01-001"
        );
        assert_eq!(board_name(None, NameDisplay::Masked, on), "—");
    }
}
