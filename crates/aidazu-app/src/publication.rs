//! The quarterly publication (R16, D3, F5): a frozen, versioned snapshot of every participating
//! household's quarter points, year score, balance and rank, computed by the domain's `board`
//! module from the households' ledgers; stored with the SHA-256 digest of its canonical content;
//! announced to the village's DingTalk group through the outbox, exactly once; a summary to the
//! district once every village of it has published the quarter.
//!
//! Exactly once: a run is claimed under the unique key ("publish", village, quarter) (`job_runs`),
//! the publication row is unique by (village, quarter, version) and the notice's outbox key by the
//! same triple; the snapshot, its notice, its audit record and the run's end commit together.

mod board;
pub mod documents;

use aidazu_domain::calendar::{Quarter, business_date};
use aidazu_domain::ledger::BoardFigures;
use aidazu_domain::objection::ObjectionPolicy;
use aidazu_domain::org::{Action, Role};
use aidazu_domain::{HouseholdId, VillageId};
use aidazu_ports::jobs::{self, Claim};
use aidazu_ports::outbox;
use aidazu_ports::publications::{self as store_pub, NewPublication, PublicationRecord};
use chrono::NaiveDate;
use serde_json::json;
use sha2::{Digest, Sha256};

pub use aidazu_ports::publications::NoticeGroup;
pub(crate) use board::board_name as board_name_of;
pub use board::{BoardContent, BoardCorrection, BoardRow, BoardVillage};

use crate::auth::Actor;
use crate::{App, AppError};

/// The job name of the quarterly publication in `job_runs`.
pub const JOB_PUBLISH: &str = "publish";
/// How many households the group notice names.
const NOTICE_TOP: usize = 5;

/// What asking for a publication did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    /// This call published it.
    Published(Publication),
    /// It was published before (by another replica, the scheduler or an earlier run).
    AlreadyPublished(Publication),
    /// Another caller is publishing it right now.
    Running,
}

impl PublishOutcome {
    /// The publication, when there is one.
    #[must_use]
    pub fn publication(&self) -> Option<&Publication> {
        match self {
            Self::Published(p) | Self::AlreadyPublished(p) => Some(p),
            Self::Running => None,
        }
    }
}

/// A board computed for review before it is published (预览); never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationPreview {
    pub quarter: Quarter,
    /// The day it would be published: the scheduled day, or today when that has passed.
    pub planned_on: NaiveDate,
    pub objection_last_day: NaiveDate,
    /// Whether version 1 is published already (the preview then shows today's figures).
    pub published: bool,
    pub content: BoardContent,
}

/// A stored publication with its parsed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub id: i64,
    pub village: VillageId,
    pub quarter: Quarter,
    pub version: u32,
    pub digest: String,
    pub published_on: NaiveDate,
    pub objection_last_day: NaiveDate,
    pub content: BoardContent,
    /// The canonical JSON the digest is taken over.
    pub canonical: String,
}

impl Publication {
    fn from_record(record: PublicationRecord) -> Result<Self, AppError> {
        let content: BoardContent = serde_json::from_str(&record.content).map_err(|_| {
            AppError::Database(aidazu_ports::StoreError::Corrupt(format!(
                "publication {}: content",
                record.id
            )))
        })?;
        Ok(Self {
            id: record.id,
            village: record.village,
            quarter: record.quarter,
            version: record.version,
            digest: record.digest,
            published_on: record.published_on,
            objection_last_day: record.objection_last_day,
            content,
            canonical: record.content,
        })
    }

    /// The first 12 hex digits of the digest, as printed on the notice and the poster.
    #[must_use]
    pub fn short_digest(&self) -> &str {
        self.digest.get(..12).unwrap_or(&self.digest)
    }
}

/// SHA-256 of the canonical content, lowercase hex.
#[must_use]
pub fn digest_of(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

impl App {
    /// The objection periods (D3 defaults).
    pub fn objection_policy(&self) -> ObjectionPolicy {
        ObjectionPolicy::default()
    }

    /// The public address of a village's board page for a quarter (the notice's link).
    pub fn board_url(&self, village: VillageId, quarter: Quarter) -> String {
        let base = self
            .dingtalk_setup()
            .map(|s| s.gateway.public_url.trim_end_matches('/').to_owned())
            .unwrap_or_default();
        format!("{base}/board/{}/{quarter}", village.get())
    }

    /// R16: publishes a village's quarter (version 1), once. `trigger` names who asked
    /// (`schedule`, `cli`, `api`) in the run record.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], [`AppError::QuarterNotEnded`] (nothing is written),
    /// [`AppError::Database`].
    #[tracing::instrument(skip(self), fields(village = village.get(), %quarter))]
    pub async fn publish_quarter(
        &self,
        village: VillageId,
        quarter: Quarter,
        trigger: &str,
    ) -> Result<PublishOutcome, AppError> {
        self.publish_quarter_by(village, quarter, trigger, None, true)
            .await
    }

    /// R16: [`App::publish_quarter`] asked for by a person in the console (立即公示): the same
    /// run key, so the scheduler, the CLI and this never publish a quarter twice; only once the
    /// quarter has ended; the audit record names who asked.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::QuarterNotEnded`], [`AppError::Database`].
    pub async fn publish_quarter_now(
        &self,
        actor: &Actor,
        village: VillageId,
        quarter: Quarter,
    ) -> Result<PublishOutcome, AppError> {
        let location = self.village_location(village).await?;
        let role = actor.require(
            Action::PublishBoard,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        self.publish_quarter_by(village, quarter, "console", Some((actor, role)), true)
            .await
    }

    /// What the quarter's board would show if it were published now (预览): computed by the
    /// same code as the publication, never stored, no digest of record. `quarter = None` previews
    /// the last quarter that has ended.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::QuarterNotEnded`], [`AppError::Database`].
    pub async fn preview_publication(
        &self,
        actor: &Actor,
        village: VillageId,
        quarter: Option<Quarter>,
    ) -> Result<PublicationPreview, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::PublishBoard,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let summary = aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))?;
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let today = business_date(self.clock().now());
        // `None`: the last quarter that has ended (the one the scheduler publishes next).
        let quarter = quarter.unwrap_or_else(|| calendar.quarter_of(today).prev());
        let last_day = calendar.quarter_last_day(quarter);
        if today <= last_day {
            return Err(AppError::QuarterNotEnded {
                quarter: quarter.to_string(),
                last_day,
            });
        }
        let planned_on = calendar
            .publication_date(quarter, &self.working_days_of(village).await?)
            .max(today);
        let objection_last_day = self.objection_policy().window_last_day(planned_on);
        let content = self
            .board_snapshot(
                &summary,
                quarter,
                1,
                planned_on,
                objection_last_day,
                Vec::new(),
            )
            .await?;
        let published = store_pub::get(self.store(), village, quarter, Some(1))
            .await?
            .is_some();
        Ok(PublicationPreview {
            quarter,
            planned_on,
            objection_last_day,
            published,
            content,
        })
    }

    /// `summarise`: send the district summary when this publication completes the district
    /// (a run over many villages sends it once at its end instead, `App::publish_all`).
    pub(crate) async fn publish_quarter_by(
        &self,
        village: VillageId,
        quarter: Quarter,
        trigger: &str,
        by: Option<(&Actor, Role)>,
        summarise: bool,
    ) -> Result<PublishOutcome, AppError> {
        let summary = aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))?;
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let today = business_date(self.clock().now());
        let last_day = calendar.quarter_last_day(quarter);
        if today <= last_day {
            return Err(AppError::QuarterNotEnded {
                quarter: quarter.to_string(),
                last_day,
            });
        }
        let db = self.store();
        let run = match jobs::claim(db, JOB_PUBLISH, village, &quarter.to_string(), trigger).await?
        {
            Claim::Claimed(run) => run,
            Claim::AlreadyDone(_) => {
                return match store_pub::get(db, village, quarter, Some(1)).await? {
                    Some(record) => Ok(PublishOutcome::AlreadyPublished(Publication::from_record(
                        record,
                    )?)),
                    None => Ok(PublishOutcome::Running),
                };
            }
            Claim::Running(_) => return Ok(PublishOutcome::Running),
        };
        match self
            .publish_claimed(&summary, quarter, run.id, today, by)
            .await
        {
            Ok(outcome) => {
                if let PublishOutcome::Published(p) = &outcome {
                    if summarise {
                        self.district_summary_if_complete(&summary, quarter).await?;
                    }
                    tracing::info!(publication.id = p.id, digest = %p.digest, "quarter published");
                }
                self.wake_workers();
                Ok(outcome)
            }
            Err(error) => {
                if let Err(e) = jobs::fail(db, run.id, &error.to_string()).await {
                    tracing::error!(error = %e, "cannot record the failed publication run");
                }
                Err(error)
            }
        }
    }

    async fn publish_claimed(
        &self,
        village: &aidazu_ports::org::VillageSummary,
        quarter: Quarter,
        run: i64,
        today: NaiveDate,
        by: Option<(&Actor, Role)>,
    ) -> Result<PublishOutcome, AppError> {
        let policy = self.objection_policy();
        let objection_last_day = policy.window_last_day(today);
        let content = self
            .board_snapshot(village, quarter, 1, today, objection_last_day, Vec::new())
            .await?;
        let households = u32::try_from(content.rows.len()).unwrap_or(u32::MAX);
        jobs::progress(
            self.store(),
            run,
            0,
            i32::try_from(households).unwrap_or(i32::MAX),
        )
        .await?;
        self.store_and_announce(village.id, &content, today, objection_last_day, run, by)
            .await
    }

    /// Stores a board as its publication version with its group notice, audit record and the
    /// run's end, in one transaction; a version stored already stands (nothing is written).
    pub(crate) async fn store_and_announce(
        &self,
        village: VillageId,
        content: &BoardContent,
        today: NaiveDate,
        objection_last_day: NaiveDate,
        run: i64,
        by: Option<(&Actor, Role)>,
    ) -> Result<PublishOutcome, AppError> {
        let households = u32::try_from(content.rows.len()).unwrap_or(u32::MAX);
        let quarter: Quarter = content
            .quarter
            .parse()
            .map_err(|_| AppError::InvalidInput("quarter"))?;
        let txn = self.store().begin().await?;
        let Some(publication) = self
            .store_publication(&txn, village, content, today, objection_last_day)
            .await?
        else {
            // Stored meanwhile by another writer: theirs stands.
            txn.commit().await?;
            let existing = store_pub::get(self.store(), village, quarter, Some(content.version))
                .await?
                .ok_or(AppError::PublicationNotFound)?;
            return Ok(PublishOutcome::AlreadyPublished(Publication::from_record(
                existing,
            )?));
        };
        let notice = self.enqueue_group_notice(&txn, &publication).await?;
        let system = Actor::system(aidazu_domain::channel::Channel::Job);
        let (actor, role) = by.map_or((&system, None), |(a, r)| (a, Some(r)));
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                role,
                if publication.version > 1 {
                    "publication.amended"
                } else {
                    "publication.published"
                },
                "publication",
                Some(publication.id.to_string()),
                Some(village),
                None,
                json!({
                    "quarter": quarter.to_string(),
                    "version": publication.version,
                    "digest": publication.digest,
                    "households": households,
                    "groupNotice": notice,
                }),
            ),
        )
        .await?;
        jobs::finish(
            &txn,
            run,
            &json!({
                "publicationId": publication.id,
                "version": publication.version,
                "digest": publication.digest,
                "households": households,
                "groupNotice": notice,
            }),
        )
        .await?;
        txn.commit().await?;
        self.wake_workers();
        Ok(PublishOutcome::Published(publication))
    }

    /// Stores a board as the publication it is; `None` when that version exists already.
    async fn store_publication<C: aidazu_ports::AsRepo>(
        &self,
        db: &C,
        village: VillageId,
        content: &BoardContent,
        published_on: NaiveDate,
        objection_last_day: NaiveDate,
    ) -> Result<Option<Publication>, AppError> {
        let canonical = content.canonical()?;
        let quarter: Quarter = content
            .quarter
            .parse()
            .map_err(|_| AppError::InvalidInput("quarter"))?;
        let record = store_pub::insert(
            db,
            &NewPublication {
                village,
                quarter,
                version: content.version,
                digest: digest_of(&canonical),
                content: canonical,
                published_on,
                objection_last_day,
            },
        )
        .await?;
        record.map(Publication::from_record).transpose()
    }

    /// The group notice of a publication (F5), if the village has a notice group; returns the
    /// outbox key, or `None` when no group is set (the run records that).
    async fn enqueue_group_notice<C: aidazu_ports::AsRepo>(
        &self,
        db: &C,
        publication: &Publication,
    ) -> Result<Option<String>, AppError> {
        let Some(group) = store_pub::notice_group(db, publication.village).await? else {
            tracing::warn!(
                village = publication.village.get(),
                "no DingTalk notice group set for the village; the publication is not announced"
            );
            return Ok(None);
        };
        let key = crate::messages::key::publication_notice(
            publication.village,
            publication.quarter,
            publication.version,
        );
        let (title, text) = self.notice_markdown(publication);
        outbox::enqueue(
            db,
            crate::messages::group_notice(key.clone(), publication.village, &group, title, text),
        )
        .await?;
        Ok(Some(key))
    }

    fn notice_markdown(&self, publication: &Publication) -> (String, String) {
        let c = &publication.content;
        let amended = if c.amended { "（更正）" } else { "" };
        let title = format!("{}{}积分公示{amended}", c.village.name, c.period_label);
        let mut text = format!("#### {title}\n\n");
        text.push_str(&format!(
            "公示期间：{} 至 {}\n\n",
            c.quarter_first_day, c.quarter_last_day
        ));
        if c.rows.is_empty() {
            text.push_str("本季度暂无参与农户。\n\n");
        } else {
            text.push_str("**年度积分前列农户**\n\n");
            for row in c.rows.iter().take(NOTICE_TOP) {
                text.push_str(&format!(
                    "{}. {}：年度 {} 分（本季 {} 分）\n",
                    row.rank, row.name, row.score, row.quarter_points
                ));
            }
            text.push('\n');
        }
        if let Some(avg) = &c.average_score {
            text.push_str(&format!(
                "全村平均年度积分：{avg} 分（参与农户 {} 户）\n\n",
                c.rows.len()
            ));
        }
        for correction in &c.corrections {
            text.push_str(&format!(
                "更正：{} {:+} 分（异议 {} 号）\n\n",
                correction.name, correction.amount, correction.objection_id
            ));
        }
        text.push_str(&format!(
            "如有异议，请于 {} 前在“爱大足”应用中提出。\n\n",
            publication.objection_last_day
        ));
        text.push_str(&format!(
            "[查看公示榜单]({})\n\n",
            self.board_url(publication.village, publication.quarter)
        ));
        text.push_str(&format!(
            "数字摘要：{}；台账链头：{}（{} 条）",
            publication.short_digest(),
            c.chain_head_short(),
            c.chain_links
        ));
        (title, text)
    }

    /// F5: once every village of the district has published `quarter`, the district gets one
    /// summary (in its own group when set, else a work notification to its officers; the outbox
    /// key makes it once).
    pub(crate) async fn district_summary_if_complete(
        &self,
        village: &aidazu_ports::org::VillageSummary,
        quarter: Quarter,
    ) -> Result<(), AppError> {
        let db = self.store();
        let villages: Vec<_> = aidazu_ports::org::list_villages(self.store())
            .await?
            .into_iter()
            .filter(|v| v.district.id == village.district.id)
            .collect();
        let ids: Vec<VillageId> = villages.iter().map(|v| v.id).collect();
        let published = store_pub::published_villages(db, &ids, quarter).await?;
        if published.len() < ids.len() {
            return Ok(());
        }
        let mut text = format!(
            "#### {} {} 季度积分公示汇总\n\n",
            village.district.name, quarter
        );
        for v in &villages {
            if let Some(record) = store_pub::get(db, v.id, quarter, Some(1)).await? {
                let p = Publication::from_record(record)?;
                text.push_str(&format!(
                    "- {}：参与农户 {} 户，平均年度积分 {} 分，最高 {} 分\n",
                    v.name,
                    p.content.rows.len(),
                    p.content.average_score.as_deref().unwrap_or("—"),
                    p.content
                        .rows
                        .first()
                        .map_or_else(|| "—".to_owned(), |r| r.score.to_string()),
                ));
            }
        }
        // The district's own group and robot when set, else the work notification (issue 12).
        if let Some(message) = self
            .district_summary_message(db, village.district.id, village.id, quarter, text)
            .await?
        {
            outbox::enqueue(db, message).await?;
        }
        Ok(())
    }

    /// The board of a village's quarter as of now: the domain ranks the participating
    /// households (R16) by their figures as of the quarter's last day, read from the maintained
    /// `household_year_totals` (one row per household: per quarter the points and the balance
    /// change as the boards count them, corrections from objections in the quarter the
    /// objection was about, R17 — `TotalsDelta::board_quarter`), never by rebuilding every
    /// household's ledger. `aidazu verify` and the read-model property test hold those figures
    /// equal to the ledger.
    pub(crate) async fn board_snapshot(
        &self,
        village: &aidazu_ports::org::VillageSummary,
        quarter: Quarter,
        version: u32,
        published_on: NaiveDate,
        objection_last_day: NaiveDate,
        corrections: Vec<BoardCorrection>,
    ) -> Result<BoardContent, AppError> {
        let db = self.store();
        let calendar = aidazu_ports::org::village_calendar(self.store(), village.id).await?;
        let cut_off = calendar.quarter_last_day(quarter);
        let participating =
            aidazu_ports::read_models::participating_households(db, village.id, cut_off).await?;
        let totals =
            aidazu_ports::read_models::village_year_totals(db, village.id, quarter.points_year())
                .await?;
        let (display, heads) = store_pub::board_households(db, village.id).await?;
        let figures: Vec<(HouseholdId, BoardFigures)> = participating
            .iter()
            .map(|h| {
                (
                    *h,
                    totals.get(h).copied().unwrap_or_default().as_of(quarter),
                )
            })
            .collect();
        let chain = aidazu_ports::chain::head(db, village.id).await?;
        let rows = aidazu_domain::board::board_rows(&figures);
        BoardContent::build(board::BoardInput {
            village,
            calendar,
            quarter,
            version,
            published_on,
            objection_last_day,
            rows: &rows,
            heads: &heads,
            display,
            corrections,
            chain,
        })
    }

    /// Tamper evidence: recomputes the village's ledger hash chain and reports the first broken
    /// link.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], [`AppError::Database`].
    pub async fn verify_chain(
        &self,
        village: VillageId,
    ) -> Result<aidazu_ports::chain::Verification, AppError> {
        aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))?;
        Ok(aidazu_ports::chain::verify(self.store(), village).await?)
    }

    /// A village's publications, newest first (public).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], [`AppError::Database`].
    pub async fn publications(&self, village: VillageId) -> Result<Vec<Publication>, AppError> {
        aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))?;
        store_pub::list(self.store(), village)
            .await?
            .into_iter()
            .map(Publication::from_record)
            .collect()
    }

    /// One publication of a village's quarter: `version`, or the latest (public).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], [`AppError::PublicationNotFound`], [`AppError::Database`].
    pub async fn publication(
        &self,
        village: VillageId,
        quarter: Quarter,
        version: Option<u32>,
    ) -> Result<Publication, AppError> {
        aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))?;
        let record = store_pub::get(self.store(), village, quarter, version)
            .await?
            .ok_or(AppError::PublicationNotFound)?;
        Publication::from_record(record)
    }

    /// The caller's village's publications with the household's own line in each.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::Database`].
    pub async fn my_publications(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(Publication, Option<BoardRow>)>, AppError> {
        let (Some(household), Some(village)) = (actor.household_id, actor.village_id) else {
            return Err(AppError::NoHousehold);
        };
        let heads = store_pub::board_households(self.store(), village).await?.1;
        let own_code = heads.get(&household).map(|h| h.code.clone());
        Ok(self
            .publications(village)
            .await?
            .into_iter()
            .map(|p| {
                let line = p
                    .content
                    .rows
                    .iter()
                    .find(|r| Some(&r.household_code) == own_code.as_ref())
                    .cloned();
                (p, line)
            })
            .collect())
    }

    /// Sets the DingTalk group (and robot) a village's notices go to (village admin or district).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::InvalidField`], [`AppError::Database`].
    /// The DingTalk group a village's notices go to, if one is set (staff who can see the
    /// village's records: admin, committee, town, district).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::Database`].
    pub async fn notice_group(
        &self,
        actor: &Actor,
        village: VillageId,
    ) -> Result<Option<aidazu_ports::publications::NoticeGroup>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewRecords,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        Ok(store_pub::notice_group(self.store(), village).await?)
    }

    pub async fn set_notice_group(
        &self,
        actor: &Actor,
        village: VillageId,
        open_conversation_id: &str,
        robot_code: Option<&str>,
    ) -> Result<aidazu_ports::publications::NoticeGroup, AppError> {
        let location = self.village_location(village).await?;
        let role = actor
            .require(
                aidazu_domain::org::Action::ManageMembers,
                &location,
                AppError::VillageNotFound(village.get()),
            )
            .or_else(|_| {
                actor.require(
                    aidazu_domain::org::Action::ManageOrganisation,
                    &location,
                    AppError::VillageNotFound(village.get()),
                )
            })?;
        let conversation = open_conversation_id.trim();
        if conversation.is_empty() || conversation.len() > 128 {
            return Err(AppError::InvalidField {
                field: "openConversationId",
                message: "请填写钉钉群的 openConversationId",
            });
        }
        let robot = match robot_code.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) if r.len() <= 128 => r.to_owned(),
            Some(_) => {
                return Err(AppError::InvalidField {
                    field: "robotCode",
                    message: "机器人编码过长",
                });
            }
            None => self.dingtalk().app_key().to_owned(),
        };
        let txn = self.store().begin().await?;
        let group =
            store_pub::set_notice_group(&txn, village, conversation, &robot, actor.account_id)
                .await?;
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "village.notice_group_set",
                "village",
                Some(village.get().to_string()),
                Some(village),
                None,
                json!({ "openConversationId": conversation, "robotCode": robot }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(group)
    }
}
