//! Wire types of the points shop and its fund (R19, R20).

use aidazu_app::funds::VillageFundReport;
use aidazu_app::shop::{ITEM_NAME_MAX_CHARS, ShopView};
use aidazu_app::shop::{StoredFundEntry, StoredOrder, StoredShopItem};
use aidazu_domain::shop::funds::FundEntryKind;
use aidazu_domain::shop::{LimitPeriod, OrderStatus, ShopItemKind};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::ApiError;

/// Largest price, stock and per-household limit an item may have (the schema says so too).
pub const MAX_ITEM_NUMBER: u32 = 1_000_000;
/// Most items one order may take.
pub const MAX_ORDER_QUANTITY: u32 = 99;
/// Largest fund movement, in fen (¥10 million).
pub const MAX_FUND_FEN: i64 = 1_000_000_000;

/// 生活物品 (deliver within 2 days) or 电子产品、电器 (within 7 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKindDto {
    DailyGoods,
    Electronics,
}

impl From<ItemKindDto> for ShopItemKind {
    fn from(kind: ItemKindDto) -> Self {
        match kind {
            ItemKindDto::DailyGoods => Self::DailyGoods,
            ItemKindDto::Electronics => Self::Electronics,
        }
    }
}

impl From<ShopItemKind> for ItemKindDto {
    fn from(kind: ShopItemKind) -> Self {
        match kind {
            ShopItemKind::DailyGoods => Self::DailyGoods,
            ShopItemKind::Electronics => Self::Electronics,
        }
    }
}

/// The period a per-household limit counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitPeriodDto {
    Quarter,
    Year,
}

impl From<LimitPeriodDto> for LimitPeriod {
    fn from(period: LimitPeriodDto) -> Self {
        match period {
            LimitPeriodDto::Quarter => Self::Quarter,
            LimitPeriodDto::Year => Self::Year,
        }
    }
}

impl From<LimitPeriod> for LimitPeriodDto {
    fn from(period: LimitPeriod) -> Self {
        match period {
            LimitPeriod::Quarter => Self::Quarter,
            LimitPeriod::Year => Self::Year,
        }
    }
}

fn at_most(value: u32, field: &'static str, message: &'static str) -> Result<u32, ApiError> {
    if value > MAX_ITEM_NUMBER {
        return Err(aidazu_app::AppError::InvalidField { field, message }.into());
    }
    Ok(value)
}

/// `POST /api/v1/admin/villages/{id}/shop/items`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewItemRequest {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// Points per item: a whole number above 0 (D8).
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub points_price: i64,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub stock: u32,
    pub kind: ItemKindDto,
    /// Most a household may order per `limitPeriod` (none when absent).
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub limit_per_household: Option<u32>,
    /// Default `year`.
    pub limit_period: Option<LimitPeriodDto>,
    /// A photo uploaded through `POST /api/v1/photos`.
    pub photo_id: Option<i64>,
}

impl NewItemRequest {
    /// The use case's input, with the bounds the schema states.
    ///
    /// # Errors
    /// 422 `request.invalid_field`.
    pub fn into_input(self) -> Result<aidazu_app::shop::ItemInput, ApiError> {
        check_price(self.points_price)?;
        Ok(aidazu_app::shop::ItemInput {
            name: self.name,
            kind: self.kind.into(),
            price: aidazu_domain::Points(self.points_price),
            stock: at_most(self.stock, "stock", "库存不能超过 1000000")?,
            household_limit: self
                .limit_per_household
                .map(|l| at_most(l, "limitPerHousehold", "每户限兑数量不能超过 1000000"))
                .transpose()?,
            limit_period: self.limit_period.map_or(LimitPeriod::Year, Into::into),
            photo_id: self.photo_id,
        })
    }
}

fn check_price(price: i64) -> Result<(), ApiError> {
    if price > i64::from(MAX_ITEM_NUMBER) {
        return Err(aidazu_app::AppError::InvalidField {
            field: "pointsPrice",
            message: "积分价格不能超过 1000000",
        }
        .into());
    }
    // Zero and negative prices are the domain's rule (shop.invalid_price).
    Ok(())
}

/// `PATCH /api/v1/admin/shop/items/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemPatchRequest {
    #[schema(min_length = 1, max_length = 50)]
    pub name: Option<String>,
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub points_price: Option<i64>,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub stock: Option<u32>,
    /// A number sets the limit; `0` removes it.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub limit_per_household: Option<u32>,
    pub limit_period: Option<LimitPeriodDto>,
    /// `true` takes the item off the shelf, `false` puts it back.
    pub paused: Option<bool>,
    pub photo_id: Option<i64>,
}

impl ItemPatchRequest {
    /// The store patch, with the bounds the schema states.
    ///
    /// # Errors
    /// 422 `request.invalid_field`.
    pub fn into_patch(self) -> Result<aidazu_app::shop::ShopItemPatch, ApiError> {
        if let Some(price) = self.points_price {
            check_price(price)?;
        }
        Ok(aidazu_app::shop::ShopItemPatch {
            name: self.name,
            price: self.points_price.map(aidazu_domain::Points),
            stock: self
                .stock
                .map(|s| at_most(s, "stock", "库存不能超过 1000000"))
                .transpose()?,
            household_limit: self
                .limit_per_household
                .map(|l| at_most(l, "limitPerHousehold", "每户限兑数量不能超过 1000000"))
                .transpose()?
                .map(|l| (l > 0).then_some(l)),
            limit_period: self.limit_period.map(Into::into),
            paused: self.paused,
            photo_id: self.photo_id.map(Some),
        })
    }
}

/// An item on the shelf.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShopItemDto {
    pub id: i64,
    pub village_id: i64,
    pub name: String,
    pub kind: ItemKindDto,
    /// 生活物品 / 电子产品、电器.
    pub kind_label: String,
    /// Days to deliver after ordering (2 or 7).
    pub delivery_days: u32,
    pub points_price: i64,
    pub stock: u32,
    pub limit_per_household: Option<u32>,
    pub limit_period: LimitPeriodDto,
    pub paused: bool,
    pub photo_id: Option<i64>,
}

impl From<StoredShopItem> for ShopItemDto {
    fn from(s: StoredShopItem) -> Self {
        let item = s.item;
        Self {
            id: item.id.get(),
            village_id: item.village.get(),
            name: item.name,
            kind: item.kind.into(),
            kind_label: item.kind.label_zh().to_owned(),
            delivery_days: item.kind.delivery_days(),
            points_price: item.price.get(),
            stock: item.stock,
            limit_per_household: item.household_limit,
            limit_period: item.limit_period.into(),
            paused: item.paused,
            photo_id: s.photo_id,
        }
    }
}

/// A list of items.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShopItemListDto {
    pub items: Vec<ShopItemDto>,
}

/// The villager's shop: the balance beside the items in stock.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyShopDto {
    pub village_id: i64,
    /// 可用积分 of the household this points-year.
    pub balance: i64,
    pub items: Vec<ShopItemDto>,
}

impl From<ShopView> for MyShopDto {
    fn from(v: ShopView) -> Self {
        Self {
            village_id: v.village.get(),
            balance: v.balance.get(),
            items: v.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// `POST /api/v1/me/orders`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOrderRequest {
    pub item_id: i64,
    #[schema(minimum = 1, maximum = 99)]
    pub quantity: u32,
}

/// Order states: `placed` (待交付), `delivered` (已交付), `cancelled` (已取消).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatusDto {
    Placed,
    Delivered,
    Cancelled,
}

/// An order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderDto {
    pub id: i64,
    pub village_id: i64,
    pub household_id: i64,
    pub member_id: i64,
    pub item_id: i64,
    pub item_name: String,
    pub quantity: u32,
    /// Points paid in all.
    pub total_points: i64,
    /// Six digits the villager shows or reads out at the counter.
    pub pickup_code: String,
    pub status: OrderStatusDto,
    /// 待交付 / 已交付 / 已取消.
    pub status_label: String,
    pub placed_at: DateTime<Utc>,
    /// Deliver by this day (Asia/Shanghai).
    pub due_on: NaiveDate,
    /// The villager may still cancel by themselves until this instant (placed orders only).
    pub cancellable_until: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub member_confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
}

impl From<StoredOrder> for OrderDto {
    fn from(s: StoredOrder) -> Self {
        let o = &s.order;
        let (status, label, delivered_at, confirmed, cancelled_at, reason, cancellable) = match o
            .status()
        {
            OrderStatus::Placed => (
                OrderStatusDto::Placed,
                "待交付",
                None,
                None,
                None,
                None,
                Some(
                    o.placed_at
                        + chrono::TimeDelta::minutes(aidazu_domain::shop::ORDERER_CANCEL_MINUTES),
                ),
            ),
            OrderStatus::Delivered {
                at,
                member_confirmed_at,
                ..
            } => (
                OrderStatusDto::Delivered,
                "已交付",
                Some(*at),
                *member_confirmed_at,
                None,
                None,
                None,
            ),
            OrderStatus::Cancelled { at, reason, .. } => (
                OrderStatusDto::Cancelled,
                "已取消",
                None,
                None,
                Some(*at),
                Some(reason.clone()),
                None,
            ),
        };
        Self {
            id: o.id.get(),
            village_id: s.village.get(),
            household_id: o.household.get(),
            member_id: o.member.get(),
            item_id: o.item.get(),
            item_name: s.item_name.clone(),
            quantity: o.quantity,
            total_points: o.total.get(),
            pickup_code: s.pickup_code.clone(),
            status,
            status_label: label.to_owned(),
            placed_at: o.placed_at,
            due_on: s.due_on,
            cancellable_until: cancellable,
            delivered_at,
            member_confirmed_at: confirmed,
            cancelled_at,
            cancel_reason: reason,
        }
    }
}

/// A list of orders, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderListDto {
    pub items: Vec<OrderDto>,
}

/// A cancel, hand-over or confirmation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderChangeDto {
    pub order: OrderDto,
    /// `false` when the order was already in that state (nothing changed).
    pub changed: bool,
}

impl From<aidazu_app::shop::OrderChange> for OrderChangeDto {
    fn from(c: aidazu_app::shop::OrderChange) -> Self {
        Self {
            order: c.order.into(),
            changed: c.changed,
        }
    }
}

/// `GET /api/v1/admin/villages/{id}/orders`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    /// `placed`, `delivered` or `cancelled`.
    pub status: Option<OrderStatusDto>,
}

impl OrderStatusDto {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Placed => "placed",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
        }
    }
}

/// `POST /api/v1/admin/orders/{id}/cancel`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminCancelRequest {
    /// Why (told to the member).
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

/// `POST /api/v1/admin/orders/{id}/deliver`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliverRequest {
    /// A photo of the hand-over.
    pub photo_id: Option<i64>,
}

/// `POST /api/v1/admin/villages/{id}/orders/handover`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HandoverRequest {
    /// The six digits the villager shows or reads out.
    #[schema(min_length = 1, max_length = 12)]
    pub pickup_code: String,
    pub photo_id: Option<i64>,
}

/// Kinds of fund movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundKindDto {
    /// 区级拨付 (+).
    Allocation,
    /// 集体经济收入 (+).
    CollectiveIncome,
    /// 社会捐赠 (+, with the donor).
    Donation,
    /// 采购支出 (−, with a receipt photo).
    Purchase,
    /// 调整 (±, with the reason).
    Adjustment,
}

impl From<FundKindDto> for FundEntryKind {
    fn from(kind: FundKindDto) -> Self {
        match kind {
            FundKindDto::Allocation => Self::Allocation,
            FundKindDto::CollectiveIncome => Self::CollectiveIncome,
            FundKindDto::Donation => Self::Donation,
            FundKindDto::Purchase => Self::Purchase,
            FundKindDto::Adjustment => Self::Adjustment,
        }
    }
}

impl From<FundEntryKind> for FundKindDto {
    fn from(kind: FundEntryKind) -> Self {
        match kind {
            FundEntryKind::Allocation => Self::Allocation,
            FundEntryKind::CollectiveIncome => Self::CollectiveIncome,
            FundEntryKind::Donation => Self::Donation,
            FundEntryKind::Purchase => Self::Purchase,
            FundEntryKind::Adjustment => Self::Adjustment,
        }
    }
}

/// `POST /api/v1/admin/villages/{id}/funds/entries`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FundEntryRequest {
    pub kind: FundKindDto,
    /// Signed fen (分): + money in, − money out (a purchase is negative).
    #[schema(minimum = -1_000_000_000, maximum = 1_000_000_000)]
    pub amount_fen: i64,
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
    #[schema(max_length = 50)]
    pub donor: Option<String>,
    pub receipt_photo_id: Option<i64>,
    /// Default today.
    pub occurred_on: Option<NaiveDate>,
}

impl FundEntryRequest {
    /// The domain draft, with the bound the schema states.
    ///
    /// # Errors
    /// 422 `request.invalid_field`.
    pub fn into_draft(
        self,
    ) -> Result<
        (
            aidazu_domain::shop::funds::FundEntryDraft,
            Option<NaiveDate>,
        ),
        ApiError,
    > {
        if self.amount_fen.abs() > MAX_FUND_FEN {
            return Err(aidazu_app::AppError::InvalidField {
                field: "amountFen",
                message: "金额不能超过 1000 万元",
            }
            .into());
        }
        Ok((
            aidazu_domain::shop::funds::FundEntryDraft {
                kind: self.kind.into(),
                amount_fen: self.amount_fen,
                reason: self.reason,
                donor: self.donor,
                receipt_photo: self.receipt_photo_id,
            },
            self.occurred_on,
        ))
    }
}

/// A fund entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FundEntryDto {
    pub id: i64,
    pub village_id: i64,
    pub kind: FundKindDto,
    pub kind_label: String,
    pub amount_fen: i64,
    pub reason: String,
    pub donor: Option<String>,
    pub receipt_photo_id: Option<i64>,
    pub occurred_on: NaiveDate,
    pub actor_account_id: i64,
    pub created_at: DateTime<Utc>,
}

impl From<StoredFundEntry> for FundEntryDto {
    fn from(e: StoredFundEntry) -> Self {
        Self {
            id: e.id,
            village_id: e.village.get(),
            kind: e.kind.into(),
            kind_label: e.kind.label_zh().to_owned(),
            amount_fen: e.amount_fen,
            reason: e.reason,
            donor: e.donor,
            receipt_photo_id: e.receipt_photo_id,
            occurred_on: e.occurred_on,
            actor_account_id: e.actor.get(),
            created_at: e.created_at,
        }
    }
}

/// The fund ledger of a village.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FundEntryListDto {
    pub items: Vec<FundEntryDto>,
}

/// `from` / `to` of a fund query (dates, Asia/Shanghai, both included).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Default: the first day of the current points-year (report) or the beginning (ledger).
    pub from: Option<NaiveDate>,
    /// Default: today.
    pub to: Option<NaiveDate>,
}

/// `GET /api/v1/admin/funds/report`: exactly one of `townId`, `districtId`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RollupQuery {
    pub town_id: Option<i64>,
    pub district_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One village's line of a roll-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VillageFundLineDto {
    pub village_code: String,
    pub village_name: String,
    pub report: FundReportDto,
}

/// The fund reports of a town's or the district's villages and their sum.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FundRollupDto {
    pub villages: Vec<VillageFundLineDto>,
    pub points_issued: i64,
    pub points_redeemed: i64,
    pub money_spent_fen: i64,
    pub fund_balance_fen: i64,
    pub outstanding_points: i64,
    pub liability_fen: i64,
    pub liability_exceeds_fund: bool,
    /// Villages whose own liability exceeds their own fund.
    pub villages_in_alert: u32,
}

impl From<aidazu_app::funds::FundRollup> for FundRollupDto {
    fn from(r: aidazu_app::funds::FundRollup) -> Self {
        let in_alert = r
            .villages
            .iter()
            .filter(|(_, v)| v.report.liability_exceeds_fund)
            .count();
        Self {
            points_issued: r.total.points_issued,
            points_redeemed: r.total.points_redeemed,
            money_spent_fen: r.total.money_spent_fen,
            fund_balance_fen: r.total.fund_balance_fen,
            outstanding_points: r.total.outstanding_points,
            liability_fen: r.total.liability_fen,
            liability_exceeds_fund: r.total.liability_exceeds_fund,
            villages_in_alert: u32::try_from(in_alert).unwrap_or(u32::MAX),
            villages: r
                .villages
                .into_iter()
                .map(|(v, report)| VillageFundLineDto {
                    village_code: v.code,
                    village_name: v.name,
                    report: report.into(),
                })
                .collect(),
        }
    }
}

/// The fund report of R20 with the liability of D8.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FundReportDto {
    pub village_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Net score points booked in the period.
    pub points_issued: i64,
    /// Points spent in the shop in the period, net of refunds.
    pub points_redeemed: i64,
    /// Money spent on purchases in the period (fen).
    pub money_spent_fen: i64,
    /// The fund's balance at `to` (fen).
    pub fund_balance_fen: i64,
    /// Points households may still spend this points-year.
    pub outstanding_points: i64,
    /// The reference conversion (fen per point, D8).
    pub fen_per_point: i64,
    /// Outstanding points × the conversion (fen).
    pub liability_fen: i64,
    /// The alert: the liability exceeds the fund balance.
    pub liability_exceeds_fund: bool,
}

impl From<VillageFundReport> for FundReportDto {
    fn from(r: VillageFundReport) -> Self {
        Self {
            village_id: r.village.get(),
            from: r.from,
            to: r.to,
            points_issued: r.report.points_issued,
            points_redeemed: r.report.points_redeemed,
            money_spent_fen: r.report.money_spent_fen,
            fund_balance_fen: r.report.fund_balance_fen,
            outstanding_points: r.report.outstanding_points,
            fen_per_point: r.report.fen_per_point,
            liability_fen: r.report.liability_fen,
            liability_exceeds_fund: r.report.liability_exceeds_fund,
        }
    }
}

const _: () = assert!(
    ITEM_NAME_MAX_CHARS == 50,
    "keep the schema's max_length in step"
);
