//! Honours (R18, D5, D7): the assessment of a village's points-year by the domain
//! (`aidazu_domain::honours`: strictly above the mean over the population, in integers; exclusions
//! for households out of the scheme, enrolled fewer than two full quarters, under a veto, or with
//! an objection still open), kept with n, the sum, the mean, the catalogue version and every
//! household's reason, frozen before the year close (D4); the committee's nominations, refused
//! for an ineligible household with the reason; the list as a spreadsheet.

use aidazu_domain::calendar::{PointsYear, business_date};
use aidazu_domain::honours::{
    AverageAssessment, Candidate, Exclusion, Honour, MIN_FULL_QUARTERS, default_veto_items,
    full_quarters_enrolled, vetoed_by_entries,
};
use aidazu_domain::ledger::{HouseholdYearLedger, LedgerEntry};
use aidazu_domain::objection::ObjectionState;
use aidazu_domain::org::{Action, household_participates};
use aidazu_domain::{HouseholdId, MemberId, VillageId};
use aidazu_ports::honours as store_honours;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use aidazu_ports::honours::Nomination;

use crate::auth::Actor;
use crate::publication::board_name_of;
use crate::{App, AppError};

/// One household's line in the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HonoursLine {
    pub household_id: i64,
    pub household_code: String,
    /// As the village's board shows it.
    pub name: String,
    /// The year score (never the balance).
    pub score: i64,
    pub eligible: bool,
    /// Why the household is outside the population, if it is.
    pub exclusion: Option<Exclusion>,
    /// Party members of an eligible household (for 最美党员): member ids.
    pub party_members: Vec<i64>,
}

/// The assessment of a village's points-year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HonoursList {
    pub village_id: i64,
    pub year: i32,
    /// The day the figures are taken at.
    pub as_of: NaiveDate,
    /// Households in the population.
    pub n: u32,
    pub sum: i64,
    /// The mean, two decimals (`None` for an empty population).
    pub mean: Option<String>,
    /// The catalogue version in force at `as_of`.
    pub catalogue_version: Option<u32>,
    /// Frozen (taken before the year close) or computed now.
    #[serde(default)]
    pub frozen: bool,
    pub lines: Vec<HonoursLine>,
}

impl HonoursList {
    /// The reason a household may not be nominated: its exclusion, or not above the mean.
    #[must_use]
    pub fn refusal(&self, household: HouseholdId) -> Option<String> {
        match self
            .lines
            .iter()
            .find(|l| l.household_id == household.get())
        {
            None => Some("not_in_village".into()),
            Some(l) if l.eligible => None,
            Some(l) => Some(l.exclusion.map_or_else(
                || "not_above_mean".to_owned(),
                |e| {
                    serde_json::to_value(e)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                },
            )),
        }
    }
}

/// Parses an honour's wire name (`beautiful_family`, …).
///
/// # Errors
/// [`AppError::InvalidField`].
pub fn parse_honour(name: &str) -> Result<Honour, AppError> {
    serde_json::from_value(json!(name)).map_err(|_| AppError::InvalidField {
        field: "honour",
        message: "荣誉名称不正确",
    })
}

/// What [`App::honours_standing`] finds.
pub(crate) struct HonoursStanding {
    pub calendar: aidazu_domain::calendar::PointsYearConfig,
    pub members: std::collections::HashMap<HouseholdId, Vec<aidazu_domain::org::Member>>,
    pub display: aidazu_domain::org::NameDisplay,
    pub heads: std::collections::HashMap<HouseholdId, aidazu_ports::publications::BoardHousehold>,
    /// Household, exclusion (D5, D7), its entries of the year in booking order.
    pub rows: Vec<(HouseholdId, Option<Exclusion>, Vec<LedgerEntry>)>,
}

impl App {
    /// D5, D7: every household of the village (by id) with its entries of `year` and why it is
    /// outside the honours population as of `as_of`, if it is. Shared by the honours list and the
    /// catalogue replay, so the population is decided in one place.
    pub(crate) async fn honours_standing(
        &self,
        village: VillageId,
        year: PointsYear,
        as_of: NaiveDate,
    ) -> Result<HonoursStanding, AppError> {
        let db = self.store();
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let (members, history) =
            aidazu_ports::households::village_participation(db, village).await?;
        let entries = aidazu_ports::ledger::village_entries(db, village, year).await?;
        let objections = aidazu_ports::objections::by_village(db, village, None).await?;
        let (display, heads) = aidazu_ports::publications::board_households(db, village).await?;
        let veto = default_veto_items();
        let mut households: Vec<HouseholdId> = heads.keys().copied().collect();
        households.sort();
        let mut by_household: std::collections::HashMap<HouseholdId, Vec<LedgerEntry>> =
            std::collections::HashMap::new();
        for e in entries {
            by_household
                .entry(e.entry.household)
                .or_default()
                .push(e.entry);
        }
        let mut rows = Vec::with_capacity(households.len());
        for h in &households {
            let own_members = members.get(h).cloned().unwrap_or_default();
            let own: Vec<LedgerEntry> = by_household.remove(h).unwrap_or_default();
            let open_objection = objections.iter().any(|o| {
                o.objection.about == *h
                    && o.objection.quarter.points_year() == year
                    && matches!(
                        o.objection.state(),
                        ObjectionState::Open | ObjectionState::Escalated
                    )
            });
            let exclusion = if !household_participates(&own_members, &history, as_of) {
                Some(Exclusion::NotParticipating)
            } else if full_quarters_enrolled(&own_members, &history, calendar, year, as_of)
                < MIN_FULL_QUARTERS
            {
                Some(Exclusion::EnrolledTooShort)
            } else if vetoed_by_entries(&own, &veto) {
                Some(Exclusion::Veto)
            } else if open_objection {
                Some(Exclusion::OpenObjection)
            } else {
                None
            };
            rows.push((*h, exclusion, own));
        }
        Ok(HonoursStanding {
            calendar,
            members,
            display,
            heads,
            rows,
        })
    }

    /// The assessment of `year` as of `as_of`, computed now by the domain.
    async fn assess_honours(
        &self,
        village: VillageId,
        year: PointsYear,
        as_of: NaiveDate,
    ) -> Result<HonoursList, AppError> {
        let HonoursStanding {
            calendar,
            members,
            display,
            heads,
            rows,
        } = self.honours_standing(village, year, as_of).await?;
        let mut candidates = Vec::with_capacity(rows.len());
        for (h, exclusion, own) in rows {
            let ledger =
                HouseholdYearLedger::from_entries(h, year, calendar, own).map_err(|e| {
                    AppError::Database(aidazu_ports::StoreError::Corrupt(format!(
                        "ledger of household {h}: {e}"
                    )))
                })?;
            candidates.push(Candidate {
                household: h,
                score: ledger.score(),
                exclusion,
            });
        }
        let assessment = AverageAssessment::assess(&candidates)?;
        let catalogue_version =
            aidazu_ports::catalogue::catalogue_in_force_stored(self.store(), village, as_of)
                .await?
                .map(|c| c.version.version());
        let lines = candidates
            .iter()
            .map(|c| {
                let eligible = assessment.eligible.contains(&c.household);
                HonoursLine {
                    household_id: c.household.get(),
                    household_code: heads
                        .get(&c.household)
                        .map_or_else(String::new, |h| h.code.clone()),
                    name: board_name_of(heads.get(&c.household), display, as_of),
                    score: c.score.get(),
                    eligible,
                    exclusion: c.exclusion,
                    party_members: if eligible {
                        members
                            .get(&c.household)
                            .into_iter()
                            .flatten()
                            .filter(|m| m.party_member)
                            .map(|m| m.id.get())
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        Ok(HonoursList {
            village_id: village.get(),
            year: year.label(),
            as_of,
            n: assessment.n,
            sum: assessment.sum.get(),
            mean: assessment.mean_display(),
            catalogue_version,
            frozen: false,
            lines,
        })
    }

    /// The honours list of (village, year): the frozen one once taken, else computed as of today
    /// (or the year's last day, once it is over).
    pub(crate) async fn honours_list(
        &self,
        village: VillageId,
        year: PointsYear,
    ) -> Result<HonoursList, AppError> {
        if let Some(record) = store_honours::frozen(self.store(), village, year).await? {
            let mut list: HonoursList = serde_json::from_str(&record.content).map_err(|_| {
                AppError::Database(aidazu_ports::StoreError::Corrupt(format!(
                    "honours list {}",
                    record.id
                )))
            })?;
            list.frozen = true;
            return Ok(list);
        }
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let today = business_date(self.clock().now());
        let as_of = today.min(calendar.year_last_day(year));
        self.assess_honours(village, year, as_of).await
    }

    /// D4: freezes the honours list of a closed points-year (as of its last day); once.
    pub(crate) async fn freeze_honours(
        &self,
        village: VillageId,
        year: PointsYear,
    ) -> Result<HonoursList, AppError> {
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let list = self
            .assess_honours(village, year, calendar.year_last_day(year))
            .await?;
        let content =
            serde_json::to_string(&list).map_err(|_| AppError::InvalidInput("honours list"))?;
        store_honours::freeze(
            self.store(),
            store_honours::NewHonoursList {
                village,
                year,
                n: list.n,
                sum: list.sum,
                mean: list.mean.clone(),
                catalogue_version: list.catalogue_version,
                content,
            },
        )
        .await?;
        self.honours_list(village, year).await
    }

    /// R18: the honours list for staff of the village (names, scores, reasons).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::Database`].
    pub async fn village_honours(
        &self,
        actor: &Actor,
        village: VillageId,
        year: PointsYear,
    ) -> Result<(HonoursList, Vec<store_honours::Nomination>), AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewRecords,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let list = self.honours_list(village, year).await?;
        let nominations = store_honours::nominations(self.store(), village, year).await?;
        Ok((list, nominations))
    }

    /// D5: the caller's household's line, with the mean and n, so the household sees why.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::Database`].
    pub async fn my_honours(
        &self,
        actor: &Actor,
        year: Option<PointsYear>,
    ) -> Result<(HonoursList, Option<HonoursLine>), AppError> {
        let (Some(household), Some(village)) = (actor.household_id, actor.village_id) else {
            return Err(AppError::NoHousehold);
        };
        let year = match year {
            Some(y) => y,
            None => {
                let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
                calendar.points_year_of(business_date(self.clock().now()))
            }
        };
        let mut list = self.honours_list(village, year).await?;
        let mine = list
            .lines
            .iter()
            .find(|l| l.household_id == household.get())
            .cloned();
        // Other households' lines are not the caller's to see.
        list.lines.clear();
        Ok((list, mine))
    }

    /// R18: the committee nominates an eligible household (or a party member of one for
    /// 最美党员); an ineligible one is refused with the reason.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::NotEligible`] (with the reason), [`AppError::InvalidField`] (member),
    /// [`AppError::Database`]. Nothing is written when refused.
    pub async fn nominate(
        &self,
        actor: &Actor,
        village: VillageId,
        year: PointsYear,
        honour: Honour,
        household: HouseholdId,
        member: Option<MemberId>,
    ) -> Result<store_honours::Nomination, AppError> {
        let location = self.village_location(village).await?;
        let role = actor.require(
            Action::NominateHonours,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let list = self.honours_list(village, year).await?;
        if let Some(reason) = list.refusal(household) {
            return Err(AppError::NotEligible {
                household: household.get(),
                reason,
            });
        }
        let member = match (honour, member) {
            (Honour::ExemplaryPartyMember, Some(m)) => {
                let ok = list.lines.iter().any(|l| {
                    l.household_id == household.get() && l.party_members.contains(&m.get())
                });
                if !ok {
                    return Err(AppError::InvalidField {
                        field: "memberId",
                        message: "最美党员须为符合条件农户的党员",
                    });
                }
                Some(m)
            }
            (Honour::ExemplaryPartyMember, None) => {
                return Err(AppError::InvalidField {
                    field: "memberId",
                    message: "最美党员须指定党员",
                });
            }
            (_, _) => None,
        };
        let honour_name = serde_json::to_value(honour)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let txn = self.store().begin().await?;
        let nomination = store_honours::nominate(
            &txn,
            village,
            year,
            &honour_name,
            household,
            member,
            actor.account_id,
        )
        .await?;
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "honours.nominated",
                "honour_nomination",
                Some(nomination.id.to_string()),
                Some(village),
                Some(household),
                json!({
                    "year": year.label(),
                    "honour": honour_name,
                    "memberId": member.map(MemberId::get),
                    "mean": list.mean,
                    "n": list.n,
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(nomination)
    }
}

/// The nominations as a spreadsheet, with the assessment's mean and n.
///
/// # Errors
/// [`AppError::Document`].
pub fn nominations_xlsx(
    list: &HonoursList,
    nominations: &[store_honours::Nomination],
) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Document(format!("xlsx: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("评先表彰").map_err(fail)?;
    let bold = Format::new().set_bold();
    sheet
        .write_string_with_format(
            0,
            0,
            format!(
                "{} 积分年度评先表彰名单（平均年度积分 {} 分，参评 {} 户）",
                list.year,
                list.mean.as_deref().unwrap_or("—"),
                list.n
            ),
            &bold,
        )
        .map_err(fail)?;
    for (col, h) in (0u16..).zip(["荣誉", "户号", "农户", "年度积分", "党员编号"]) {
        sheet
            .write_string_with_format(2, col, h, &bold)
            .map_err(fail)?;
    }
    for (row, n) in (3u32..).zip(nominations) {
        let line = list
            .lines
            .iter()
            .find(|l| l.household_id == n.household.get());
        let honour = parse_honour(&n.honour).map(Honour::name_zh).unwrap_or("");
        sheet.write_string(row, 0, honour).map_err(fail)?;
        sheet
            .write_string(row, 1, line.map_or("", |l| l.household_code.as_str()))
            .map_err(fail)?;
        sheet
            .write_string(row, 2, line.map_or("", |l| l.name.as_str()))
            .map_err(fail)?;
        #[expect(clippy::cast_precision_loss, reason = "points are far below 2^53")]
        sheet
            .write_number(row, 3, line.map_or(0, |l| l.score) as f64)
            .map_err(fail)?;
        sheet
            .write_string(
                row,
                4,
                n.member.map_or_else(String::new, |m| m.get().to_string()),
            )
            .map_err(fail)?;
    }
    // Chinese text is about two units per character.
    for (col, width) in [(0u16, 14.0), (1, 18.0), (2, 12.0), (3, 12.0), (4, 10.0)] {
        sheet.set_column_width(col, width).map_err(fail)?;
    }
    workbook.save_to_buffer().map_err(fail)
}
