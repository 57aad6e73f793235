//! Job runs: each run of a clock-driven job (the quarterly publication, the year close) is one row
//! keyed uniquely by (job, village, period). Claiming a run inserts that row (`ON CONFLICT DO
//! NOTHING`), so of two replicas, or a rerun, only one does the work; a failed run may be claimed
//! again. Runs keep their progress and outcome for operators (`GET /api/v1/admin/jobs`).

use aidazu_domain::VillageId;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::job_runs;
use crate::error::StoreError;

pub use aidazu_ports::jobs::{Claim, DONE, FAILED, JobRun, RUNNING, STALE_AFTER};

/// Claims the run (job, village, period) for `trigger`: new, a failed run, or one abandoned for
/// longer than [`STALE_AFTER`].
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    job: &str,
    village: VillageId,
    period: &str,
    trigger: &str,
) -> Result<Claim, StoreError> {
    let now = crate::stamp::now();
    let inserted = job_runs::Entity::insert(job_runs::ActiveModel {
        id: NotSet,
        job: Set(job.to_owned()),
        village_id: Set(village.get()),
        period: Set(period.to_owned()),
        status: Set(RUNNING.to_owned()),
        trigger: Set(trigger.to_owned()),
        progress_done: Set(0),
        progress_total: Set(0),
        attempts: Set(1),
        detail: Set("{}".to_owned()),
        error: Set(None),
        started_at: Set(now),
        finished_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([
            job_runs::Column::Job,
            job_runs::Column::VillageId,
            job_runs::Column::Period,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let run = find(db, job, village, period)
        .await?
        .ok_or_else(|| StoreError::Corrupt("job run vanished after insert".into()))?;
    if inserted == 1 {
        return Ok(Claim::Claimed(run));
    }
    let abandoned = run.status == RUNNING && run.started_at < now - STALE_AFTER;
    match run.status.as_str() {
        DONE => Ok(Claim::AlreadyDone(run)),
        FAILED | RUNNING if run.status == FAILED || abandoned => {
            // Take a failed or abandoned run over, once: only the caller whose update changes
            // the row (still in the state and start it was read in) owns it.
            let taken = job_runs::Entity::update_many()
                .col_expr(job_runs::Column::Status, Expr::value(RUNNING))
                .col_expr(job_runs::Column::Trigger, Expr::value(trigger))
                .col_expr(
                    job_runs::Column::Attempts,
                    Expr::col(job_runs::Column::Attempts).add(1),
                )
                .col_expr(job_runs::Column::Error, Expr::value(Option::<String>::None))
                .col_expr(job_runs::Column::StartedAt, Expr::value(now))
                .filter(job_runs::Column::Id.eq(run.id))
                .filter(job_runs::Column::Status.eq(run.status.as_str()))
                .filter(job_runs::Column::StartedAt.eq(run.started_at))
                .exec(db)
                .await?;
            let run = get(db, run.id).await?;
            if taken.rows_affected == 1 {
                Ok(Claim::Claimed(run))
            } else if run.status == DONE {
                Ok(Claim::AlreadyDone(run))
            } else {
                Ok(Claim::Running(run))
            }
        }
        _ => Ok(Claim::Running(run)),
    }
}

/// Records progress (`done` of `total` steps).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn progress<C: ConnectionTrait>(
    db: &C,
    id: i64,
    done: i32,
    total: i32,
) -> Result<(), StoreError> {
    job_runs::Entity::update_many()
        .col_expr(job_runs::Column::ProgressDone, Expr::value(done))
        .col_expr(job_runs::Column::ProgressTotal, Expr::value(total))
        .filter(job_runs::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks the run done with what it did (call it in the transaction of the work itself, so the
/// work and the run's end commit together).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn finish<C: ConnectionTrait>(
    db: &C,
    id: i64,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    job_runs::Entity::update_many()
        .col_expr(job_runs::Column::Status, Expr::value(DONE))
        .col_expr(job_runs::Column::Detail, Expr::value(detail.to_string()))
        .col_expr(
            job_runs::Column::ProgressDone,
            Expr::col(job_runs::Column::ProgressTotal).into(),
        )
        .col_expr(
            job_runs::Column::FinishedAt,
            Expr::value(Some(crate::stamp::now())),
        )
        .filter(job_runs::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks the run failed with the error; the next claim takes it over.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn fail<C: ConnectionTrait>(db: &C, id: i64, error: &str) -> Result<(), StoreError> {
    job_runs::Entity::update_many()
        .col_expr(job_runs::Column::Status, Expr::value(FAILED))
        .col_expr(job_runs::Column::Error, Expr::value(Some(error.to_owned())))
        .col_expr(
            job_runs::Column::FinishedAt,
            Expr::value(Some(crate::stamp::now())),
        )
        .filter(job_runs::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The run of a key, if any.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn find<C: ConnectionTrait>(
    db: &C,
    job: &str,
    village: VillageId,
    period: &str,
) -> Result<Option<JobRun>, StoreError> {
    job_runs::Entity::find()
        .filter(job_runs::Column::Job.eq(job))
        .filter(job_runs::Column::VillageId.eq(village.get()))
        .filter(job_runs::Column::Period.eq(period))
        .one(db)
        .await?
        .map(read)
        .transpose()
}

/// The (village, period) keys of a job's finished runs.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn done_keys<C: ConnectionTrait>(
    db: &C,
    job: &str,
) -> Result<std::collections::HashSet<(i64, String)>, StoreError> {
    Ok(job_runs::Entity::find()
        .filter(job_runs::Column::Job.eq(job))
        .filter(job_runs::Column::Status.eq(DONE))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.village_id, r.period))
        .collect())
}

async fn get<C: ConnectionTrait>(db: &C, id: i64) -> Result<JobRun, StoreError> {
    job_runs::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "job run",
            key: id.to_string(),
        })
        .and_then(read)
}

/// The latest runs, newest first, of the given villages (all when `None`).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn list<C: ConnectionTrait>(
    db: &C,
    villages: Option<&[VillageId]>,
    limit: u64,
) -> Result<Vec<JobRun>, StoreError> {
    let mut query = job_runs::Entity::find();
    if let Some(villages) = villages {
        query = query.filter(
            job_runs::Column::VillageId.is_in(villages.iter().map(|v| v.get()).collect::<Vec<_>>()),
        );
    }
    query
        .order_by_desc(job_runs::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

fn read(row: job_runs::Model) -> Result<JobRun, StoreError> {
    let detail = serde_json::from_str(&row.detail)
        .map_err(|_| StoreError::Corrupt(format!("job run {}: detail", row.id)))?;
    Ok(JobRun {
        id: row.id,
        job: row.job,
        village: VillageId(row.village_id),
        period: row.period,
        status: row.status,
        trigger: row.trigger,
        progress_done: row.progress_done,
        progress_total: row.progress_total,
        attempts: row.attempts,
        detail,
        error: row.error,
        started_at: row.started_at,
        finished_at: row.finished_at,
    })
}
