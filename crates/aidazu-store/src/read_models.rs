//! Read models kept in the writing transaction (issue 11), so the villager's reads cost the same
//! in a village of 50 households as in one of 5,000, and in a district of 80,000:
//!
//! - `household_year_totals`: score, balance, net score points per quarter and entry count of a
//!   household for a points-year. [`crate::ledger::append_entry`], the one function every writer
//!   books through (decisions, admin entries, shop orders and refunds, activities, objection
//!   corrections, the year close), applies the entry's [`TotalsDelta`] here — the domain decides
//!   what counts toward the score and the balance; this module only adds.
//! - `household_participation`: the periods in which a household takes part
//!   ([`participation_spans`]), rewritten by [`refresh_household_participation`] whenever a
//!   member or a participation change of the household is written.
//!
//! [`check_totals`] refolds the ledger and reports where the maintained figures differ
//! (`aidazu verify`); [`rebuild_missing`] fills the tables of a database written before they
//! existed.

use std::collections::{BTreeMap, HashMap};

use aidazu_domain::calendar::{PointsYear, PointsYearConfig, Quarter};
use aidazu_domain::ledger::{TotalsDelta, YearTotals};
use aidazu_domain::org::{Member, ParticipationChange, participation_spans};
use aidazu_domain::{AccountId, HouseholdId, MemberId, Points, VillageId};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};

use crate::entities::{
    household_participation, household_year_totals, households, ledger_entries, members,
    objections, participation_changes, villages,
};
use crate::error::StoreError;
use crate::ledger::parse_kind;
use crate::org::village_calendar;

pub use aidazu_ports::read_models::{Standing, TotalsCheck, TotalsMismatch};

/// Adds one entry's delta to its household's figures for the points-year (inside the append's
/// transaction).
///
/// # Errors
/// [`StoreError::Query`].
pub(crate) async fn apply_delta<C: ConnectionTrait>(
    db: &C,
    village: i64,
    household: i64,
    points_year: PointsYear,
    delta: TotalsDelta,
) -> Result<(), StoreError> {
    let mut quarters = [0i64; 4];
    if let Some(slot) = delta.quarter.and_then(|q| quarters.get_mut(q)) {
        *slot = delta.score.get();
    }
    let (mut board, mut board_balance) = ([0i64; 4], [0i64; 4]);
    if let Some(q) = delta.board_quarter
        && let (Some(points), Some(balance)) = (board.get_mut(q), board_balance.get_mut(q))
    {
        *points = delta.score.get();
        *balance = delta.balance.get();
    }
    use household_year_totals::Column as C;
    let add = |col: &str| {
        Expr::cust(format!(
            "\"household_year_totals\".\"{col}\" + \"excluded\".\"{col}\""
        ))
    };
    household_year_totals::Entity::insert(household_year_totals::ActiveModel {
        household_id: Set(household),
        points_year: Set(points_year.label().to_string()),
        village_id: Set(village),
        score: Set(delta.score.get()),
        balance: Set(delta.balance.get()),
        q1: Set(quarters[0]),
        q2: Set(quarters[1]),
        q3: Set(quarters[2]),
        q4: Set(quarters[3]),
        entries: Set(1),
        board_q1: Set(Some(board[0])),
        board_q2: Set(Some(board[1])),
        board_q3: Set(Some(board[2])),
        board_q4: Set(Some(board[3])),
        board_balance_q1: Set(Some(board_balance[0])),
        board_balance_q2: Set(Some(board_balance[1])),
        board_balance_q3: Set(Some(board_balance[2])),
        board_balance_q4: Set(Some(board_balance[3])),
    })
    .on_conflict(
        OnConflict::columns([C::HouseholdId, C::PointsYear])
            .values([
                (C::Score, add("score")),
                (C::Balance, add("balance")),
                (C::Q1, add("q1")),
                (C::Q2, add("q2")),
                (C::Q3, add("q3")),
                (C::Q4, add("q4")),
                (C::Entries, add("entries")),
                (C::BoardQ1, add("board_q1")),
                (C::BoardQ2, add("board_q2")),
                (C::BoardQ3, add("board_q3")),
                (C::BoardQ4, add("board_q4")),
                (C::BoardBalanceQ1, add("board_balance_q1")),
                (C::BoardBalanceQ2, add("board_balance_q2")),
                (C::BoardBalanceQ3, add("board_balance_q3")),
                (C::BoardBalanceQ4, add("board_balance_q4")),
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn totals_of(row: &household_year_totals::Model) -> YearTotals {
    YearTotals {
        score: Points(row.score),
        balance: Points(row.balance),
        quarter_points: [
            Points(row.q1),
            Points(row.q2),
            Points(row.q3),
            Points(row.q4),
        ],
        entries: row.entries,
        board_points: [row.board_q1, row.board_q2, row.board_q3, row.board_q4]
            .map(|p| Points(p.unwrap_or_default())),
        board_balance: [
            row.board_balance_q1,
            row.board_balance_q2,
            row.board_balance_q3,
            row.board_balance_q4,
        ]
        .map(|p| Points(p.unwrap_or_default())),
    }
}

/// The maintained figures of a household for a points-year (zero when it has no entries).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn year_totals<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
    points_year: PointsYear,
) -> Result<YearTotals, StoreError> {
    Ok(household_year_totals::Entity::find_by_id((
        household.get(),
        points_year.label().to_string(),
    ))
    .one(db)
    .await?
    .map(|r| totals_of(&r))
    .unwrap_or_default())
}

/// The maintained figures of every household of a village with entries in the points-year.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village_year_totals<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    points_year: PointsYear,
) -> Result<HashMap<HouseholdId, YearTotals>, StoreError> {
    Ok(household_year_totals::Entity::find()
        .filter(household_year_totals::Column::VillageId.eq(village.get()))
        .filter(household_year_totals::Column::PointsYear.eq(points_year.label().to_string()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (HouseholdId(r.household_id), totals_of(&r)))
        .collect())
}

/// Folds the ledger of a village the way the writers do, entry by entry in booking order:
/// (household, points-year) → figures.
async fn fold_village<C: ConnectionTrait>(
    db: &C,
    village: i64,
    calendar: PointsYearConfig,
) -> Result<BTreeMap<(i64, String), YearTotals>, StoreError> {
    type Row = (i64, String, String, i64, NaiveDate, Option<i64>);
    let rows: Vec<Row> = ledger_entries::Entity::find()
        .select_only()
        .column(ledger_entries::Column::HouseholdId)
        .column(ledger_entries::Column::PointsYear)
        .column(ledger_entries::Column::Kind)
        .column(ledger_entries::Column::Amount)
        .column(ledger_entries::Column::OccurredOn)
        .column(ledger_entries::Column::ObjectionId)
        .filter(ledger_entries::Column::VillageId.eq(village))
        .order_by_asc(ledger_entries::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    // The quarter each of the village's objections was about (R17: its correction counts there).
    let objection_quarters: HashMap<i64, Quarter> = objections::Entity::find()
        .select_only()
        .column(objections::Column::Id)
        .column(objections::Column::Quarter)
        .filter(objections::Column::VillageId.eq(village))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, q)| Some((id, q.parse().ok()?)))
        .collect();
    let mut out: BTreeMap<(i64, String), YearTotals> = BTreeMap::new();
    for (household, year, kind, amount, on, objection) in rows {
        let points_year = year
            .parse::<i32>()
            .map(PointsYear)
            .map_err(|_| StoreError::Corrupt(format!("points year {year:?}")))?;
        let kind = parse_kind(&kind)?;
        let delta = TotalsDelta::of_date(kind, Points(amount), on, points_year, calendar)
            .with_objection_quarter(
                kind,
                objection.and_then(|o| objection_quarters.get(&o).copied()),
                points_year,
            );
        out.entry((household, year))
            .or_default()
            .apply(delta)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    Ok(out)
}

/// Refolds a village's ledger and compares it with the maintained figures, both ways (a row
/// without entries is a mismatch too).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn check_totals<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<TotalsCheck, StoreError> {
    let calendar = village_calendar(db, village).await?;
    let folded = fold_village(db, village.get(), calendar).await?;
    let mut maintained: BTreeMap<(i64, String), YearTotals> = household_year_totals::Entity::find()
        .filter(household_year_totals::Column::VillageId.eq(village.get()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| ((r.household_id, r.points_year.clone()), totals_of(&r)))
        .collect();
    let mut check = TotalsCheck::default();
    for ((household, year), ledger) in folded {
        check.household_years += 1;
        check.entries += ledger.entries;
        check.score += ledger.score.get();
        check.balance += ledger.balance.get();
        let kept = maintained
            .remove(&(household, year.clone()))
            .unwrap_or_default();
        if kept != ledger {
            check.mismatches.push(TotalsMismatch {
                household: HouseholdId(household),
                points_year: year,
                ledger,
                maintained: kept,
            });
        }
    }
    for ((household, year), kept) in maintained {
        check.mismatches.push(TotalsMismatch {
            household: HouseholdId(household),
            points_year: year,
            ledger: YearTotals::default(),
            maintained: kept,
        });
    }
    Ok(check)
}

/// Rewrites a village's maintained figures from its ledger.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn rebuild_village_totals<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<usize, StoreError> {
    let calendar = village_calendar(db, village).await?;
    let folded = fold_village(db, village.get(), calendar).await?;
    household_year_totals::Entity::delete_many()
        .filter(household_year_totals::Column::VillageId.eq(village.get()))
        .exec(db)
        .await?;
    let rows: Vec<household_year_totals::ActiveModel> = folded
        .into_iter()
        .map(
            |((household, year), t)| household_year_totals::ActiveModel {
                household_id: Set(household),
                points_year: Set(year),
                village_id: Set(village.get()),
                score: Set(t.score.get()),
                balance: Set(t.balance.get()),
                q1: Set(t.quarter_points[0].get()),
                q2: Set(t.quarter_points[1].get()),
                q3: Set(t.quarter_points[2].get()),
                q4: Set(t.quarter_points[3].get()),
                entries: Set(t.entries),
                board_q1: Set(Some(t.board_points[0].get())),
                board_q2: Set(Some(t.board_points[1].get())),
                board_q3: Set(Some(t.board_points[2].get())),
                board_q4: Set(Some(t.board_points[3].get())),
                board_balance_q1: Set(Some(t.board_balance[0].get())),
                board_balance_q2: Set(Some(t.board_balance[1].get())),
                board_balance_q3: Set(Some(t.board_balance[2].get())),
                board_balance_q4: Set(Some(t.board_balance[3].get())),
            },
        )
        .collect();
    let n = rows.len();
    for chunk in rows.chunks(500) {
        household_year_totals::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(n)
}

fn member_of(m: members::Model) -> Result<Member, StoreError> {
    let kind = match m.kind.as_str() {
        "villager" => aidazu_domain::org::ResidentKind::Villager,
        "non_villager" => aidazu_domain::org::ResidentKind::NonVillager,
        other => {
            return Err(StoreError::Corrupt(format!(
                "member {} kind {other:?}",
                m.id
            )));
        }
    };
    Ok(Member {
        id: MemberId(m.id),
        household: HouseholdId(m.household_id),
        name: m.name,
        kind,
        long_term_absent: m.long_term_absent,
        party_member: m.party_member,
    })
}

fn change_of(c: participation_changes::Model) -> ParticipationChange {
    ParticipationChange {
        member: MemberId(c.member_id),
        opted_in: c.participating,
        effective_on: c.effective_on,
        recorded_by: AccountId(c.recorded_by.unwrap_or_default()),
        reason: c.reason,
    }
}

/// Span rows of one household, from its members and their changes.
fn span_rows(
    village: i64,
    household: i64,
    members: &[Member],
    history: &[ParticipationChange],
) -> Vec<household_participation::ActiveModel> {
    participation_spans(members, history)
        .into_iter()
        .map(|s| household_participation::ActiveModel {
            id: NotSet,
            household_id: Set(household),
            village_id: Set(village),
            from_on: Set(s.from),
            until_on: Set(s.until),
        })
        .collect()
}

/// Rewrites the participation periods of a household from its members and their recorded
/// changes (call it in the transaction that writes either).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn refresh_household_participation<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<(), StoreError> {
    let Some(row) = households::Entity::find_by_id(household.get())
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let members: Vec<Member> = members::Entity::find()
        .filter(members::Column::HouseholdId.eq(household.get()))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(member_of)
        .collect::<Result<_, _>>()?;
    let history: Vec<ParticipationChange> = participation_changes::Entity::find()
        .filter(participation_changes::Column::HouseholdId.eq(household.get()))
        .order_by_asc(participation_changes::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(change_of)
        .collect();
    household_participation::Entity::delete_many()
        .filter(household_participation::Column::HouseholdId.eq(household.get()))
        .exec(db)
        .await?;
    let rows = span_rows(row.village_id, row.id, &members, &history);
    if !rows.is_empty() {
        household_participation::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Rewrites the participation periods of every household of a village.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn rebuild_village_participation<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<(), StoreError> {
    let mut by_household: BTreeMap<i64, Vec<Member>> = households::Entity::find()
        .filter(households::Column::VillageId.eq(village.get()))
        .all(db)
        .await?
        .into_iter()
        .map(|h| (h.id, Vec::new()))
        .collect();
    for m in members::Entity::find()
        .filter(members::Column::VillageId.eq(village.get()))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?
    {
        let member = member_of(m)?;
        by_household
            .entry(member.household.get())
            .or_default()
            .push(member);
    }
    let mut history: HashMap<i64, Vec<ParticipationChange>> = HashMap::new();
    for c in participation_changes::Entity::find()
        .filter(participation_changes::Column::VillageId.eq(village.get()))
        .order_by_asc(participation_changes::Column::Id)
        .all(db)
        .await?
    {
        history
            .entry(c.household_id)
            .or_default()
            .push(change_of(c));
    }
    household_participation::Entity::delete_many()
        .filter(household_participation::Column::VillageId.eq(village.get()))
        .exec(db)
        .await?;
    let rows: Vec<_> = by_household
        .iter()
        .flat_map(|(h, members)| {
            span_rows(
                village.get(),
                *h,
                members,
                history.get(h).map_or(&[][..], Vec::as_slice),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        household_participation::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Fills the read models of a database written before they existed (after the schema
/// migrations): every village when a table is empty while its sources are not.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn rebuild_missing<C: ConnectionTrait>(db: &C) -> Result<usize, StoreError> {
    let totals_missing = household_year_totals::Entity::find().count(db).await? == 0
        && ledger_entries::Entity::find().count(db).await? > 0;
    let spans_missing = household_participation::Entity::find().count(db).await? == 0
        && members::Entity::find().count(db).await? > 0;
    // Rows written before the board columns existed (migration m20261208_200): their
    // villages are refolded.
    let board_missing: Vec<i64> = household_year_totals::Entity::find()
        .select_only()
        .column(household_year_totals::Column::VillageId)
        .filter(household_year_totals::Column::BoardQ1.is_null())
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    if !totals_missing && !spans_missing && board_missing.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = villages::Entity::find()
        .select_only()
        .column(villages::Column::Id)
        .order_by_asc(villages::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut rebuilt = 0;
    for id in &ids {
        let board = board_missing.contains(id);
        if totals_missing || board {
            rebuild_village_totals(db, VillageId(*id)).await?;
        }
        if spans_missing {
            rebuild_village_participation(db, VillageId(*id)).await?;
        }
        if totals_missing || spans_missing || board {
            rebuilt += 1;
        }
    }
    Ok(rebuilt)
}

/// The households of a village that take part on `on` (R3), by their participation periods
/// (one indexed query, no history fold), ordered by id.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn participating_households<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    on: NaiveDate,
) -> Result<Vec<HouseholdId>, StoreError> {
    use household_participation::Column as P;
    let mut ids: Vec<i64> = household_participation::Entity::find()
        .select_only()
        .column(P::HouseholdId)
        .filter(P::VillageId.eq(village.get()))
        .filter(P::FromOn.is_null().or(P::FromOn.lte(on)))
        .filter(P::UntilOn.is_null().or(P::UntilOn.gt(on)))
        .into_tuple()
        .all(db)
        .await?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids.into_iter().map(HouseholdId).collect())
}

/// Binds `$n` placeholders for the backend (`?n` on SQLite).
pub(crate) fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = if backend == DatabaseBackend::Sqlite {
        sql.replace('$', "?")
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

const STANDING_SQL: &str = r#"
SELECT h.id, h.village_id, h.code, h.address,
       g.id AS group_id, g.code AS group_code, g.name AS group_name,
       COALESCE(t.score, 0) AS score, COALESCE(t.balance, 0) AS balance,
       COALESCE(t.q1, 0) AS q1, COALESCE(t.q2, 0) AS q2, COALESCE(t.q3, 0) AS q3,
       COALESCE(t.q4, 0) AS q4, COALESCE(t.entries, 0) AS entries,
       (SELECT COUNT(*) FROM household_participation p
         WHERE p.household_id = h.id
           AND (p.from_on IS NULL OR p.from_on <= $3)
           AND (p.until_on IS NULL OR p.until_on > $3)) AS own_spans,
       (SELECT COUNT(*) FROM household_participation p
         WHERE p.village_id = h.village_id
           AND (p.from_on IS NULL OR p.from_on <= $3)
           AND (p.until_on IS NULL OR p.until_on > $3)) AS ranked,
       (SELECT COUNT(*) FROM household_participation p
         LEFT JOIN household_year_totals o
           ON o.household_id = p.household_id AND o.points_year = $2
         WHERE p.village_id = h.village_id
           AND (p.from_on IS NULL OR p.from_on <= $3)
           AND (p.until_on IS NULL OR p.until_on > $3)
           AND COALESCE(o.score, 0) > COALESCE(t.score, 0)) AS higher
  FROM households h
  LEFT JOIN village_groups g ON g.id = h.group_id
  LEFT JOIN household_year_totals t ON t.household_id = h.id AND t.points_year = $2
 WHERE h.id = $1
"#;

/// A household's [`Standing`] on `on` for `points_year`, in one statement (the rank is counted
/// over the village's participation periods and maintained scores, never by loading the
/// village's ledger). Periods of one household never overlap, so each participating household
/// counts once.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn standing<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
    points_year: PointsYear,
    on: NaiveDate,
) -> Result<Option<Standing>, StoreError> {
    let Some(row) = db
        .query_one(statement(
            db,
            STANDING_SQL,
            vec![
                household.get().into(),
                points_year.label().to_string().into(),
                on.into(),
            ],
        ))
        .await?
    else {
        return Ok(None);
    };
    let get = |col: &str| row.try_get::<i64>("", col);
    let group = match row.try_get::<Option<i64>>("", "group_id")? {
        Some(id) => Some(crate::households::GroupRef {
            id: aidazu_domain::GroupId(id),
            code: row.try_get("", "group_code")?,
            name: row.try_get("", "group_name")?,
        }),
        None => None,
    };
    let count =
        |col: &str| -> Result<u64, StoreError> { Ok(u64::try_from(get(col)?).unwrap_or_default()) };
    Ok(Some(Standing {
        household: HouseholdId(get("id")?),
        village: VillageId(get("village_id")?),
        group,
        code: row.try_get("", "code")?,
        address: row.try_get("", "address")?,
        totals: YearTotals {
            score: Points(get("score")?),
            balance: Points(get("balance")?),
            quarter_points: [
                Points(get("q1")?),
                Points(get("q2")?),
                Points(get("q3")?),
                Points(get("q4")?),
            ],
            entries: get("entries")?,
            // The boards' per-quarter figures are not part of a standing (the publication
            // reads them with `village_year_totals`).
            ..YearTotals::default()
        },
        participating: count("own_spans")? > 0,
        strictly_higher: count("higher")?,
        ranked: count("ranked")?,
    }))
}
