//! The village points shop (积分超市, R19): items, orders and the ledger entries they book.
//!
//! Ordering books a redemption at once (the household ledger refuses it beyond the balance);
//! cancelling before delivery books a refund of the same amount. Stock here is a check on the
//! figure the caller read; the store must decrement it atomically so it never goes below zero
//! however many order at once.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{PointsYearConfig, business_date};
use crate::declaration::DecisionOutcome;
use crate::error::DomainError;
use crate::ids::{AccountId, HouseholdId, MemberId, OrderId, Points, ShopItemId, VillageId};
use crate::ledger::{EntryKind, EntrySource, LedgerEntry};

pub mod funds;

/// What kind of goods, which sets the delivery deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShopItemKind {
    /// 生活物品: deliver within 2 days.
    DailyGoods,
    /// 电子产品、电器: deliver within 7 days.
    Electronics,
}

impl ShopItemKind {
    /// Stable snake-case name (stored, and in the API).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DailyGoods => "daily_goods",
            Self::Electronics => "electronics",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::DailyGoods, Self::Electronics]
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    /// Days to deliver after ordering.
    #[must_use]
    pub const fn delivery_days(self) -> u32 {
        match self {
            Self::DailyGoods => 2,
            Self::Electronics => 7,
        }
    }

    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::DailyGoods => "生活物品",
            Self::Electronics => "电子产品、电器",
        }
    }
}

/// How long the ordering member may cancel by themselves (the 适老化 rule that money-like
/// submissions can be undone); after that only the admin cancels, before delivery.
pub const ORDERER_CANCEL_MINUTES: i64 = 10;

/// Calendar days after the delivery deadline at which an undelivered order is escalated to the
/// town (the village admins are reminded from the first day past the deadline).
pub const ESCALATE_AFTER_OVERDUE_DAYS: u64 = 3;

/// The period a per-household limit counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitPeriod {
    /// The quarter (of the points-year) containing the order date.
    Quarter,
    /// The points-year containing the order date.
    Year,
}

impl LimitPeriod {
    /// Stable snake-case name (stored, and in the API).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Quarter, Self::Year]
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    /// First and last business date of the period containing `on`.
    #[must_use]
    pub fn window(self, calendar: PointsYearConfig, on: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Self::Quarter => {
                let quarter = calendar.quarter_of(on);
                (
                    calendar.quarter_first_day(quarter),
                    calendar.quarter_last_day(quarter),
                )
            }
            Self::Year => {
                let year = calendar.points_year_of(on);
                (calendar.year_first_day(year), calendar.year_last_day(year))
            }
        }
    }
}

/// An item on a village's shelf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopItem {
    pub id: ShopItemId,
    pub village: VillageId,
    pub name: String,
    pub kind: ShopItemKind,
    /// Price in points (positive, D8).
    pub price: Points,
    pub stock: u32,
    /// Most a household may order per `limit_period`; `None` for no limit.
    pub household_limit: Option<u32>,
    /// The period `household_limit` counts over.
    pub limit_period: LimitPeriod,
    /// Paused by the admin: shown to nobody, ordered by nobody.
    pub paused: bool,
}

impl ShopItem {
    /// Checks what the admin sets: a positive whole-point price (D8), a per-household limit of at
    /// least 1 when there is one.
    ///
    /// # Errors
    /// [`DomainError::InvalidPrice`], [`DomainError::InvalidQuantity`].
    pub fn check(&self) -> Result<(), DomainError> {
        if !self.price.is_positive() {
            return Err(DomainError::InvalidPrice);
        }
        if self.household_limit == Some(0) {
            return Err(DomainError::InvalidQuantity);
        }
        Ok(())
    }
}

/// What an undelivered order past its deadline calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverdueStage {
    /// Remind the village admins.
    RemindAdmins,
    /// Escalate to the town.
    EscalateToTown,
}

impl OverdueStage {
    /// Stable key of the stage (dedupe keys, logs).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::RemindAdmins => "remind",
            Self::EscalateToTown => "escalate",
        }
    }
}

/// Order states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Delivered {
        by: AccountId,
        at: DateTime<Utc>,
        /// Content hash of the delivery photo, if one was taken.
        photo: Option<String>,
        /// When the member confirmed receipt.
        member_confirmed_at: Option<DateTime<Utc>>,
    },
    Cancelled {
        by: AccountId,
        at: DateTime<Utc>,
        reason: String,
    },
}

/// A household's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub household: HouseholdId,
    pub member: MemberId,
    pub item: ShopItemId,
    pub kind: ShopItemKind,
    pub quantity: u32,
    /// Points paid in all (positive).
    pub total: Points,
    pub placed_by: AccountId,
    pub placed_at: DateTime<Utc>,
    status: OrderStatus,
}

/// The fields of a stored order besides its state (see [`Order::restore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFields {
    pub id: OrderId,
    pub household: HouseholdId,
    pub member: MemberId,
    pub item: ShopItemId,
    pub kind: ShopItemKind,
    pub quantity: u32,
    pub total: Points,
    pub placed_by: AccountId,
    pub placed_at: DateTime<Utc>,
}

/// Who orders what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderRequest {
    pub id: OrderId,
    pub household: HouseholdId,
    pub member: MemberId,
    pub quantity: u32,
    /// How many of this item the household already ordered (not cancelled) in the item's limit
    /// period ([`LimitPeriod::window`] around the order date).
    pub already_ordered: u32,
    pub placed_by: AccountId,
    pub placed_at: DateTime<Utc>,
}

impl Order {
    /// Places an order: checks quantity, price, stock and the household limit, and returns the
    /// order with the redemption entry to append to the household's ledger.
    ///
    /// # Errors
    /// [`DomainError::InvalidQuantity`], [`DomainError::InvalidPrice`],
    /// [`DomainError::OutOfStock`], [`DomainError::PurchaseLimitExceeded`],
    /// [`DomainError::PointsOverflow`].
    pub fn place(
        item: &ShopItem,
        request: OrderRequest,
    ) -> Result<(Self, LedgerEntry), DomainError> {
        if item.paused {
            return Err(DomainError::ItemPaused);
        }
        if request.quantity == 0 {
            return Err(DomainError::InvalidQuantity);
        }
        if !item.price.is_positive() {
            return Err(DomainError::InvalidPrice);
        }
        if request.quantity > item.stock {
            return Err(DomainError::OutOfStock {
                available: item.stock,
            });
        }
        if let Some(limit) = item.household_limit
            && request.already_ordered.saturating_add(request.quantity) > limit
        {
            return Err(DomainError::PurchaseLimitExceeded { limit });
        }
        let total = item
            .price
            .checked_mul(i64::from(request.quantity))
            .ok_or(DomainError::PointsOverflow)?;
        let order = Self {
            id: request.id,
            household: request.household,
            member: request.member,
            item: item.id,
            kind: item.kind,
            quantity: request.quantity,
            total,
            placed_by: request.placed_by,
            placed_at: request.placed_at,
            status: OrderStatus::Placed,
        };
        let redeem = order.entry(
            EntryKind::Redeem,
            total.checked_neg().ok_or(DomainError::PointsOverflow)?,
            request.placed_by,
            request.placed_at,
            format!("兑换 {} × {}", item.name, request.quantity),
        );
        Ok((order, redeem))
    }

    /// Rebuilds an order from storage, in the state it was saved in.
    #[must_use]
    pub fn restore(fields: OrderFields, status: OrderStatus) -> Self {
        Self {
            id: fields.id,
            household: fields.household,
            member: fields.member,
            item: fields.item,
            kind: fields.kind,
            quantity: fields.quantity,
            total: fields.total,
            placed_by: fields.placed_by,
            placed_at: fields.placed_at,
            status,
        }
    }

    /// Rebuilds a stored order in any state.
    #[must_use]
    pub fn with_status(mut self, status: OrderStatus) -> Self {
        self.status = status;
        self
    }

    #[must_use]
    pub const fn status(&self) -> &OrderStatus {
        &self.status
    }

    /// The delivery deadline: 2 or 7 days after the order's business date.
    #[must_use]
    pub fn delivery_due(&self) -> NaiveDate {
        let day = business_date(self.placed_at);
        day.checked_add_days(Days::new(u64::from(self.kind.delivery_days())))
            .unwrap_or(day)
    }

    /// Still undelivered after the deadline (remind the admin, then escalate to the town).
    /// Deadlines count calendar days, not working days: the counter is open on weekends in the
    /// pilot villages, and a villager waiting for goods counts days the same way.
    #[must_use]
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        matches!(self.status, OrderStatus::Placed) && today > self.delivery_due()
    }

    /// The stages an overdue order has reached by `today`, in order: none while on time, the
    /// admins' reminder from the first day past the deadline, the town's escalation from
    /// [`ESCALATE_AFTER_OVERDUE_DAYS`] days past it.
    #[must_use]
    pub fn overdue_stages(&self, today: NaiveDate) -> Vec<OverdueStage> {
        if !self.is_overdue(today) {
            return Vec::new();
        }
        let escalate_from = self
            .delivery_due()
            .checked_add_days(Days::new(ESCALATE_AFTER_OVERDUE_DAYS))
            .unwrap_or(NaiveDate::MAX);
        if today >= escalate_from {
            vec![OverdueStage::RemindAdmins, OverdueStage::EscalateToTown]
        } else {
            vec![OverdueStage::RemindAdmins]
        }
    }

    /// The ordering member cancels by themselves, within [`ORDERER_CANCEL_MINUTES`] of ordering;
    /// returns the refund entry (`None` when already cancelled).
    ///
    /// # Errors
    /// [`DomainError::NotOrderer`], [`DomainError::CancelWindowPassed`],
    /// [`DomainError::OrderAlreadyDelivered`].
    pub fn cancel_by_orderer(
        &mut self,
        member: MemberId,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> Result<Option<LedgerEntry>, DomainError> {
        if member != self.member {
            return Err(DomainError::NotOrderer);
        }
        if matches!(self.status, OrderStatus::Placed)
            && at > self.placed_at + TimeDelta::minutes(ORDERER_CANCEL_MINUTES)
        {
            return Err(DomainError::CancelWindowPassed {
                minutes: ORDERER_CANCEL_MINUTES,
            });
        }
        self.cancel(by, at, "下单人自行取消")
    }

    /// The admin confirms delivery, optionally with a photo.
    ///
    /// # Errors
    /// [`DomainError::OrderCancelled`].
    pub fn deliver(
        &mut self,
        by: AccountId,
        at: DateTime<Utc>,
        photo: Option<String>,
    ) -> Result<DecisionOutcome, DomainError> {
        match self.status {
            OrderStatus::Placed => {
                self.status = OrderStatus::Delivered {
                    by,
                    at,
                    photo,
                    member_confirmed_at: None,
                };
                Ok(DecisionOutcome::Applied)
            }
            OrderStatus::Delivered { .. } => Ok(DecisionOutcome::AlreadyApplied),
            OrderStatus::Cancelled { .. } => Err(DomainError::OrderCancelled),
        }
    }

    /// The member confirms receipt (after or instead of the admin; the first confirmation
    /// delivers the order).
    ///
    /// # Errors
    /// [`DomainError::NotOrderer`] for another member, [`DomainError::OrderCancelled`].
    pub fn confirm_receipt(
        &mut self,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<DecisionOutcome, DomainError> {
        if member != self.member {
            return Err(DomainError::NotOrderer);
        }
        match &mut self.status {
            OrderStatus::Placed => {
                self.status = OrderStatus::Delivered {
                    by: self.placed_by,
                    at,
                    photo: None,
                    member_confirmed_at: Some(at),
                };
                Ok(DecisionOutcome::Applied)
            }
            OrderStatus::Delivered {
                member_confirmed_at,
                ..
            } => {
                if member_confirmed_at.is_some() {
                    Ok(DecisionOutcome::AlreadyApplied)
                } else {
                    *member_confirmed_at = Some(at);
                    Ok(DecisionOutcome::Applied)
                }
            }
            OrderStatus::Cancelled { .. } => Err(DomainError::OrderCancelled),
        }
    }

    /// Cancels before delivery; returns the refund entry to append (`None` if it was already
    /// cancelled, so a retried cancel refunds once).
    ///
    /// # Errors
    /// [`DomainError::OrderAlreadyDelivered`], [`DomainError::ReasonRequired`].
    pub fn cancel(
        &mut self,
        by: AccountId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<Option<LedgerEntry>, DomainError> {
        match self.status {
            OrderStatus::Placed => {}
            OrderStatus::Cancelled { .. } => return Ok(None),
            OrderStatus::Delivered { .. } => return Err(DomainError::OrderAlreadyDelivered),
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DomainError::ReasonRequired);
        }
        self.status = OrderStatus::Cancelled {
            by,
            at,
            reason: reason.to_owned(),
        };
        Ok(Some(self.entry(
            EntryKind::Refund,
            self.total,
            by,
            at,
            format!("取消订单退还：{reason}"),
        )))
    }

    fn entry(
        &self,
        kind: EntryKind,
        amount: Points,
        actor: AccountId,
        at: DateTime<Utc>,
        reason: String,
    ) -> LedgerEntry {
        LedgerEntry {
            household: self.household,
            member: Some(self.member),
            kind,
            amount,
            source: EntrySource::Order(self.id),
            declaration: None,
            actor,
            occurred_at: at,
            reason,
        }
    }
}

#[cfg(test)]
mod tests;
