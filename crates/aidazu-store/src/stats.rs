//! What the statistics and fairness signals of a village are computed from (issue 12, points 3
//! and 4): plain reads, one query per table, turned into `aidazu_domain::stats::VillageFacts`.
//! The domain does every count and figure.

use std::collections::{BTreeSet, HashMap};

use aidazu_domain::calendar::{PointsYear, business_date, shanghai_instant};
use aidazu_domain::catalogue::Direction;
use aidazu_domain::objection::ObjectionState;
use aidazu_domain::org::{Member, ParticipationChange, ResidentKind, member_participates};
use aidazu_domain::stats::{
    DeclarationFact, EntryFact, HouseholdFact, MemberFact, ObjectionFact, OrderFact, OrderState,
    Period, ReviewerFact, VillageFacts,
};
use aidazu_domain::{AccountId, HouseholdId, MemberId, VillageId};
use chrono::{Days, NaiveTime};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{
    accounts, catalogue_items, declarations, households, ledger_entries, members, objections,
    participation_changes, shop_orders, village_groups,
};
use crate::error::StoreError;

/// The facts of `village` for `period`, whose points-year is `year`: members' participation on the
/// period's last day, the year's entries up to that day, and the declarations, orders and
/// objections of the period.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`] for a stored value the domain does not know.
pub async fn village_facts<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    period: &Period,
    year: PointsYear,
) -> Result<VillageFacts, StoreError> {
    let v = village.get();
    let corrupt = |what: String| StoreError::Corrupt(what);

    let groups = village_groups::Entity::find()
        .filter(village_groups::Column::VillageId.eq(v))
        .order_by_asc(village_groups::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let households: Vec<HouseholdFact> = households::Entity::find()
        .filter(households::Column::VillageId.eq(v))
        .order_by_asc(households::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|h| HouseholdFact {
            id: h.id,
            code: h.code,
            group: h.group_id,
        })
        .collect();

    let history: Vec<ParticipationChange> = participation_changes::Entity::find()
        .filter(participation_changes::Column::VillageId.eq(v))
        .order_by_asc(participation_changes::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| ParticipationChange {
            member: MemberId(c.member_id),
            opted_in: c.participating,
            effective_on: c.effective_on,
            recorded_by: AccountId(c.recorded_by.unwrap_or_default()),
            reason: c.reason,
        })
        .collect();
    let mut member_rows = Vec::new();
    for m in members::Entity::find()
        .filter(members::Column::VillageId.eq(v))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?
    {
        let kind = match m.kind.as_str() {
            "villager" => ResidentKind::Villager,
            "non_villager" => ResidentKind::NonVillager,
            other => return Err(corrupt(format!("member {} kind {other:?}", m.id))),
        };
        let domain = Member {
            id: MemberId(m.id),
            household: HouseholdId(m.household_id),
            name: m.name.clone(),
            kind,
            long_term_absent: m.long_term_absent,
            party_member: m.party_member,
        };
        member_rows.push(MemberFact {
            id: m.id,
            household: m.household_id,
            participating: member_participates(&domain, &history, period.to),
            name: m.name,
            birth_year: m.birth_year,
            kind,
            long_term_absent: m.long_term_absent,
        });
    }

    let entry_rows = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::VillageId.eq(v))
        .filter(ledger_entries::Column::PointsYear.eq(year.label().to_string()))
        .filter(ledger_entries::Column::OccurredOn.lte(period.to))
        .order_by_asc(ledger_entries::Column::Id)
        .all(db)
        .await?;
    let item_ids: BTreeSet<i64> = entry_rows
        .iter()
        .filter_map(|e| e.catalogue_item_id)
        .collect();
    let items: HashMap<i64, catalogue_items::Model> = if item_ids.is_empty() {
        HashMap::new()
    } else {
        catalogue_items::Entity::find()
            .filter(catalogue_items::Column::Id.is_in(item_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect()
    };
    let mut entries = Vec::with_capacity(entry_rows.len());
    for e in entry_rows {
        let item = e.catalogue_item_id.and_then(|id| items.get(&id));
        entries.push(EntryFact {
            household: e.household_id,
            member: e.member_id,
            kind: crate::ledger::parse_kind(&e.kind)?,
            amount: e.amount,
            item_code: e.item_code.clone(),
            item_title: item.map(|i| i.title.clone()),
            category: item.map(|i| i.category_name.clone()),
            direction: item.map(|i| {
                if i.direction == "negative" {
                    Direction::Negative
                } else {
                    Direction::Positive
                }
            }),
            occurred_on: e.occurred_on,
            actor: e.actor_account_id,
            from_declaration: e.declaration_id.is_some(),
        });
    }

    let midnight = NaiveTime::MIN;
    let start = shanghai_instant(period.from, midnight);
    let end = shanghai_instant(
        period
            .to
            .checked_add_days(Days::new(1))
            .unwrap_or(period.to),
        midnight,
    );
    let mut declaration_rows = Vec::new();
    for d in declarations::Entity::find()
        .filter(declarations::Column::VillageId.eq(v))
        .filter(declarations::Column::SubmittedAt.gte(start))
        .filter(declarations::Column::SubmittedAt.lt(end))
        .order_by_asc(declarations::Column::Id)
        .all(db)
        .await?
    {
        let state = crate::declarations::state_from_str(&d.state)
            .ok_or_else(|| corrupt(format!("declaration {} state {:?}", d.id, d.state)))?;
        declaration_rows.push(DeclarationFact {
            id: d.id,
            household: d.household_id,
            member: d.member_id,
            state,
            submitted_at: d.submitted_at,
            review_deadline: d.review_deadline,
            decided_at: d.decided_at,
            decided_on: d.decided_at.map(business_date),
            decider: d.decider_account_id,
            points: d.points,
        });
    }

    let mut orders = Vec::new();
    for o in shop_orders::Entity::find()
        .filter(shop_orders::Column::VillageId.eq(v))
        .filter(shop_orders::Column::PlacedOn.gte(period.from))
        .filter(shop_orders::Column::PlacedOn.lte(period.to))
        .all(db)
        .await?
    {
        let state = match o.status.as_str() {
            crate::shop::status::PLACED => OrderState::Placed,
            crate::shop::status::DELIVERED => OrderState::Delivered,
            crate::shop::status::CANCELLED => OrderState::Cancelled,
            other => return Err(corrupt(format!("order {} status {other:?}", o.id))),
        };
        orders.push(OrderFact {
            state,
            total: o.total,
            placed_on: o.placed_on,
            due_on: o.due_on,
            delivered_on: o.delivered_at.map(business_date),
        });
    }

    let mut objection_rows = Vec::new();
    for o in objections::Entity::find()
        .filter(objections::Column::VillageId.eq(v))
        .filter(objections::Column::FiledOn.gte(period.from))
        .filter(objections::Column::FiledOn.lte(period.to))
        .all(db)
        .await?
    {
        let state = [
            ObjectionState::Open,
            ObjectionState::Upheld,
            ObjectionState::Rejected,
            ObjectionState::Escalated,
            ObjectionState::TownUpheld,
            ObjectionState::TownRejected,
        ]
        .into_iter()
        .find(|s| s.to_string() == o.state)
        .ok_or_else(|| corrupt(format!("objection {} state {:?}", o.id, o.state)))?;
        objection_rows.push(ObjectionFact {
            state,
            filed_on: o.filed_on,
        });
    }

    // Reviewers: whoever decided a declaration of the period or scored directly in it.
    let reviewer_ids: BTreeSet<i64> = declaration_rows
        .iter()
        .filter_map(|d| d.decider)
        .chain(
            entries
                .iter()
                .filter(|e| !e.from_declaration && period.contains(e.occurred_on))
                .filter(|e| {
                    matches!(
                        e.kind,
                        aidazu_domain::ledger::EntryKind::Award
                            | aidazu_domain::ledger::EntryKind::Penalty
                    )
                })
                .filter_map(|e| e.actor),
        )
        .collect();
    let mut reviewers = Vec::new();
    if !reviewer_ids.is_empty() {
        let rows = accounts::Entity::find()
            .filter(accounts::Column::Id.is_in(reviewer_ids))
            .order_by_asc(accounts::Column::Id)
            .all(db)
            .await?;
        let member_ids: Vec<i64> = rows.iter().filter_map(|a| a.member_id).collect();
        let member_households: HashMap<i64, i64> = if member_ids.is_empty() {
            HashMap::new()
        } else {
            members::Entity::find()
                .filter(members::Column::Id.is_in(member_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|m| (m.id, m.household_id))
                .collect()
        };
        for a in rows {
            reviewers.push(ReviewerFact {
                account: a.id,
                household: a.member_id.and_then(|m| member_households.get(&m).copied()),
                name: a.name,
            });
        }
    }

    Ok(VillageFacts {
        groups,
        households,
        members: member_rows,
        entries,
        declarations: declaration_rows,
        orders,
        objections: objection_rows,
        reviewers,
    })
}
