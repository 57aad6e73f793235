//! The village points shop and its fund (R19, R20): items, orders, fund entries.
//!
//! Repositories return domain types (`ShopItem`, `Order`) wrapped with what the domain does not
//! carry (photo, pick-up code, due date). Stock is taken with one conditional statement
//! (`UPDATE … SET stock = stock − q WHERE id = ? AND stock >= q`), so it never goes below zero
//! however many order at once; the caller's transaction holds the household lock for the balance.

use aidazu_domain::shop::funds::{FundEntryDraft, FundEntryKind};
use aidazu_domain::shop::{LimitPeriod, Order, ShopItem, ShopItemKind};
use aidazu_domain::{AccountId, HouseholdId, OrderId, Points, ShopItemId, VillageId};
use chrono::{DateTime, NaiveDate, Utc};

use crate::{AsRepo, StoreError};

/// Order states as stored.
pub mod status {
    /// Placed, not yet delivered.
    pub const PLACED: &str = "placed";
    /// Handed over.
    pub const DELIVERED: &str = "delivered";
    /// Cancelled (refunded).
    pub const CANCELLED: &str = "cancelled";
}

/// A stored item: the domain item and its photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredShopItem {
    pub item: ShopItem,
    pub photo_id: Option<i64>,
}

/// An item to add to a village's shelf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShopItem {
    pub village: VillageId,
    pub name: String,
    pub kind: ShopItemKind,
    pub price: Points,
    pub stock: u32,
    pub household_limit: Option<u32>,
    pub limit_period: LimitPeriod,
    pub photo_id: Option<i64>,
}

/// What an admin may change on an item (`None`: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopItemPatch {
    pub name: Option<String>,
    pub price: Option<Points>,
    pub stock: Option<u32>,
    /// `Some(None)` removes the limit.
    pub household_limit: Option<Option<u32>>,
    pub limit_period: Option<LimitPeriod>,
    pub paused: Option<bool>,
    pub photo_id: Option<Option<i64>>,
}

/// A stored order: the domain order and what the counter needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    pub order: Order,
    pub village: VillageId,
    pub item_name: String,
    pub pickup_code: String,
    pub due_on: NaiveDate,
}

/// A stored fund entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFundEntry {
    pub id: i64,
    pub village: VillageId,
    pub kind: FundEntryKind,
    pub amount_fen: i64,
    pub reason: String,
    pub donor: Option<String>,
    pub receipt_photo_id: Option<i64>,
    pub occurred_on: NaiveDate,
    pub actor: AccountId,
    pub created_at: DateTime<Utc>,
}

/// The shop repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait ShopRepo: Send + Sync {
    /// Adds an item.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn insert_item(&self, new: &NewShopItem) -> Result<ShopItemId, StoreError>;
    /// One item (`for_update`: locked until the transaction ends, on PostgreSQL).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn item(
        &self,
        id: ShopItemId,
        for_update: bool,
    ) -> Result<Option<StoredShopItem>, StoreError>;
    /// A village's items, by name; paused ones only when `include_paused`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn village_items(
        &self,
        village: VillageId,
        include_paused: bool,
    ) -> Result<Vec<StoredShopItem>, StoreError>;
    /// Applies `patch` to an item; returns the item as stored after it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Invalid`], [`StoreError::Query`].
    async fn update_item(
        &self,
        id: ShopItemId,
        patch: &ShopItemPatch,
    ) -> Result<StoredShopItem, StoreError>;
    /// Takes `quantity` from the item's stock in one conditional statement. `false` when the stock is
    /// smaller (nothing changed).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn take_stock(&self, id: ShopItemId, quantity: u32) -> Result<bool, StoreError>;
    /// Puts `quantity` back on the shelf (a cancelled order).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn return_stock(&self, id: ShopItemId, quantity: u32) -> Result<(), StoreError>;
    /// Reserves the id of a new order, so the domain can name it in the redemption entry before the
    /// row is written. PostgreSQL: the column's sequence; SQLite: the next id under the store's single
    /// writer (the caller's transaction).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn reserve_order_id(&self) -> Result<OrderId, StoreError>;
    /// Writes a new order (placed). `false` when the pick-up code is already used in the village
    /// (nothing written; choose another code).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn insert_order(
        &self,
        order: &Order,
        village: VillageId,
        item_name: &str,
        pickup_code: &str,
    ) -> Result<bool, StoreError>;
    /// Writes the order's state (delivered, confirmed, cancelled) as the domain left it.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn save_order_state(
        &self,
        order: &Order,
        delivery_photo_id: Option<i64>,
    ) -> Result<(), StoreError>;
    /// One order (`for_update`: locked until the transaction ends, on PostgreSQL).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn order(&self, id: OrderId, for_update: bool)
    -> Result<Option<StoredOrder>, StoreError>;
    /// The order with this pick-up code in the village.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn order_by_pickup_code(
        &self,
        village: VillageId,
        code: &str,
    ) -> Result<Option<StoredOrder>, StoreError>;
    /// A household's orders, newest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn household_orders(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<StoredOrder>, StoreError>;
    /// A village's orders, newest first, optionally in one state (`status::…`).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn village_orders(
        &self,
        village: VillageId,
        state: Option<&str>,
    ) -> Result<Vec<StoredOrder>, StoreError>;
    /// Undelivered orders due before `today` (overdue), every village, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn overdue_orders(&self, today: NaiveDate) -> Result<Vec<StoredOrder>, StoreError>;
    /// How many of `item` the household ordered (not cancelled) with order dates in
    /// `first..=last` — the count a per-household limit is checked against.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn ordered_in_window(
        &self,
        household: HouseholdId,
        item: ShopItemId,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<u32, StoreError>;
    /// Appends a validated fund entry.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn append_fund_entry(
        &self,
        village: VillageId,
        entry: &FundEntryDraft,
        occurred_on: NaiveDate,
        actor: AccountId,
    ) -> Result<i64, StoreError>;
    /// A village's fund entries with dates in `first..=last` (all when `None`), in booking order.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn fund_entries(
        &self,
        village: VillageId,
        first: Option<NaiveDate>,
        last: Option<NaiveDate>,
    ) -> Result<Vec<StoredFundEntry>, StoreError>;
    /// Net points per ledger kind of a village with dates in `first..=last` (the fund report's
    /// points issued and redeemed; the caller classifies kinds through the domain).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn village_points_by_kind(
        &self,
        village: VillageId,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(aidazu_domain::ledger::EntryKind, i64)>, StoreError>;
}

/// Adds an item.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_item(
    db: &(impl AsRepo + ?Sized),
    new: &NewShopItem,
) -> Result<ShopItemId, StoreError> {
    ShopRepo::insert_item(db.repo(), new).await
}

/// One item (`for_update`: locked until the transaction ends, on PostgreSQL).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn item(
    db: &(impl AsRepo + ?Sized),
    id: ShopItemId,
    for_update: bool,
) -> Result<Option<StoredShopItem>, StoreError> {
    ShopRepo::item(db.repo(), id, for_update).await
}

/// A village's items, by name; paused ones only when `include_paused`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_items(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    include_paused: bool,
) -> Result<Vec<StoredShopItem>, StoreError> {
    ShopRepo::village_items(db.repo(), village, include_paused).await
}

/// Applies `patch` to an item; returns the item as stored after it.
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Invalid`], [`StoreError::Query`].
pub async fn update_item(
    db: &(impl AsRepo + ?Sized),
    id: ShopItemId,
    patch: &ShopItemPatch,
) -> Result<StoredShopItem, StoreError> {
    ShopRepo::update_item(db.repo(), id, patch).await
}

/// Takes `quantity` from the item's stock in one conditional statement. `false` when the stock is
/// smaller (nothing changed).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn take_stock(
    db: &(impl AsRepo + ?Sized),
    id: ShopItemId,
    quantity: u32,
) -> Result<bool, StoreError> {
    ShopRepo::take_stock(db.repo(), id, quantity).await
}

/// Puts `quantity` back on the shelf (a cancelled order).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn return_stock(
    db: &(impl AsRepo + ?Sized),
    id: ShopItemId,
    quantity: u32,
) -> Result<(), StoreError> {
    ShopRepo::return_stock(db.repo(), id, quantity).await
}

/// Reserves the id of a new order, so the domain can name it in the redemption entry before the
/// row is written. PostgreSQL: the column's sequence; SQLite: the next id under the store's single
/// writer (the caller's transaction).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn reserve_order_id(db: &(impl AsRepo + ?Sized)) -> Result<OrderId, StoreError> {
    ShopRepo::reserve_order_id(db.repo()).await
}

/// Writes a new order (placed). `false` when the pick-up code is already used in the village
/// (nothing written; choose another code).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_order(
    db: &(impl AsRepo + ?Sized),
    order: &Order,
    village: VillageId,
    item_name: &str,
    pickup_code: &str,
) -> Result<bool, StoreError> {
    ShopRepo::insert_order(db.repo(), order, village, item_name, pickup_code).await
}

/// Writes the order's state (delivered, confirmed, cancelled) as the domain left it.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn save_order_state(
    db: &(impl AsRepo + ?Sized),
    order: &Order,
    delivery_photo_id: Option<i64>,
) -> Result<(), StoreError> {
    ShopRepo::save_order_state(db.repo(), order, delivery_photo_id).await
}

/// One order (`for_update`: locked until the transaction ends, on PostgreSQL).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn order(
    db: &(impl AsRepo + ?Sized),
    id: OrderId,
    for_update: bool,
) -> Result<Option<StoredOrder>, StoreError> {
    ShopRepo::order(db.repo(), id, for_update).await
}

/// The order with this pick-up code in the village.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn order_by_pickup_code(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    code: &str,
) -> Result<Option<StoredOrder>, StoreError> {
    ShopRepo::order_by_pickup_code(db.repo(), village, code).await
}

/// A household's orders, newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn household_orders(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
) -> Result<Vec<StoredOrder>, StoreError> {
    ShopRepo::household_orders(db.repo(), household).await
}

/// A village's orders, newest first, optionally in one state (`status::…`).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_orders(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    state: Option<&str>,
) -> Result<Vec<StoredOrder>, StoreError> {
    ShopRepo::village_orders(db.repo(), village, state).await
}

/// Undelivered orders due before `today` (overdue), every village, oldest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn overdue_orders(
    db: &(impl AsRepo + ?Sized),
    today: NaiveDate,
) -> Result<Vec<StoredOrder>, StoreError> {
    ShopRepo::overdue_orders(db.repo(), today).await
}

/// How many of `item` the household ordered (not cancelled) with order dates in
/// `first..=last` — the count a per-household limit is checked against.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn ordered_in_window(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
    item: ShopItemId,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<u32, StoreError> {
    ShopRepo::ordered_in_window(db.repo(), household, item, first, last).await
}

/// Appends a validated fund entry.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn append_fund_entry(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    entry: &FundEntryDraft,
    occurred_on: NaiveDate,
    actor: AccountId,
) -> Result<i64, StoreError> {
    ShopRepo::append_fund_entry(db.repo(), village, entry, occurred_on, actor).await
}

/// A village's fund entries with dates in `first..=last` (all when `None`), in booking order.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn fund_entries(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
) -> Result<Vec<StoredFundEntry>, StoreError> {
    ShopRepo::fund_entries(db.repo(), village, first, last).await
}

/// Net points per ledger kind of a village with dates in `first..=last` (the fund report's
/// points issued and redeemed; the caller classifies kinds through the domain).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_points_by_kind(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(aidazu_domain::ledger::EntryKind, i64)>, StoreError> {
    ShopRepo::village_points_by_kind(db.repo(), village, first, last).await
}
