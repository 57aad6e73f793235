//! The village points shop and its fund (R19, R20): items, orders, fund entries.
//!
//! Repositories return domain types (`ShopItem`, `Order`) wrapped with what the domain does not
//! carry (photo, pick-up code, due date). Stock is taken with one conditional statement
//! (`UPDATE … SET stock = stock − q WHERE id = ? AND stock >= q`), so it never goes below zero
//! however many order at once; the caller's transaction holds the household lock for the balance.

use aidazu_domain::shop::funds::{FundEntryDraft, FundEntryKind};
use aidazu_domain::shop::{LimitPeriod, Order, OrderFields, OrderStatus, ShopItem, ShopItemKind};
use aidazu_domain::{AccountId, HouseholdId, MemberId, OrderId, Points, ShopItemId, VillageId};
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, Func, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use crate::entities::{fund_entries, shop_items, shop_orders};
use crate::error::StoreError;

pub use aidazu_ports::shop::{
    NewShopItem, ShopItemPatch, StoredFundEntry, StoredOrder, StoredShopItem, status,
};

fn corrupt(what: &str, id: i64) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}"))
}

fn to_u32(value: i32, what: &str, id: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(what, id))
}

fn item_from_row(row: shop_items::Model) -> Result<StoredShopItem, StoreError> {
    let id = row.id;
    Ok(StoredShopItem {
        item: ShopItem {
            id: ShopItemId(row.id),
            village: VillageId(row.village_id),
            name: row.name,
            kind: ShopItemKind::parse(&row.kind).ok_or_else(|| corrupt("shop item kind", id))?,
            price: Points(row.price),
            stock: to_u32(row.stock, "shop item stock", id)?,
            household_limit: row
                .household_limit
                .map(|l| to_u32(l, "shop item limit", id))
                .transpose()?,
            limit_period: LimitPeriod::parse(&row.limit_period)
                .ok_or_else(|| corrupt("shop item limit period", id))?,
            paused: row.paused,
        },
        photo_id: row.photo_id,
    })
}

/// Adds an item.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_item<C: ConnectionTrait>(
    db: &C,
    new: &NewShopItem,
) -> Result<ShopItemId, StoreError> {
    let now = crate::stamp::now();
    let row = shop_items::ActiveModel {
        id: NotSet,
        village_id: Set(new.village.get()),
        name: Set(new.name.clone()),
        kind: Set(new.kind.as_str().to_owned()),
        price: Set(new.price.get()),
        stock: Set(
            i32::try_from(new.stock).map_err(|_| StoreError::Invalid("stock too large".into()))?
        ),
        household_limit: Set(new
            .household_limit
            .map(i32::try_from)
            .transpose()
            .map_err(|_| StoreError::Invalid("limit too large".into()))?),
        limit_period: Set(new.limit_period.as_str().to_owned()),
        paused: Set(false),
        photo_id: Set(new.photo_id),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = shop_items::Entity::insert(row).exec(db).await?;
    Ok(ShopItemId(inserted.last_insert_id))
}

/// One item (`for_update`: locked until the transaction ends, on PostgreSQL).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn item<C: ConnectionTrait>(
    db: &C,
    id: ShopItemId,
    for_update: bool,
) -> Result<Option<StoredShopItem>, StoreError> {
    let mut query = shop_items::Entity::find_by_id(id.get());
    if for_update && db.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(db).await?.map(item_from_row).transpose()
}

/// A village's items, by name; paused ones only when `include_paused`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_items<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    include_paused: bool,
) -> Result<Vec<StoredShopItem>, StoreError> {
    let mut query = shop_items::Entity::find()
        .filter(shop_items::Column::VillageId.eq(village.get()))
        .order_by_asc(shop_items::Column::Id);
    if !include_paused {
        query = query.filter(shop_items::Column::Paused.eq(false));
    }
    query
        .all(db)
        .await?
        .into_iter()
        .map(item_from_row)
        .collect()
}

/// Applies `patch` to an item; returns the item as stored after it.
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Invalid`], [`StoreError::Query`].
pub async fn update_item<C: ConnectionTrait>(
    db: &C,
    id: ShopItemId,
    patch: &ShopItemPatch,
) -> Result<StoredShopItem, StoreError> {
    let row = shop_items::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "shop item",
            key: id.to_string(),
        })?;
    let mut active: shop_items::ActiveModel = row.into();
    let too_large = |_| StoreError::Invalid("number too large".into());
    if let Some(name) = &patch.name {
        active.name = Set(name.clone());
    }
    if let Some(price) = patch.price {
        active.price = Set(price.get());
    }
    if let Some(stock) = patch.stock {
        active.stock = Set(i32::try_from(stock).map_err(too_large)?);
    }
    if let Some(limit) = patch.household_limit {
        active.household_limit = Set(limit.map(i32::try_from).transpose().map_err(too_large)?);
    }
    if let Some(period) = patch.limit_period {
        active.limit_period = Set(period.as_str().to_owned());
    }
    if let Some(paused) = patch.paused {
        active.paused = Set(paused);
    }
    if let Some(photo) = patch.photo_id {
        active.photo_id = Set(photo);
    }
    active.updated_at = Set(crate::stamp::now());
    let saved = sea_orm::ActiveModelTrait::update(active, db).await?;
    item_from_row(saved)
}

/// Takes `quantity` from the item's stock in one conditional statement. `false` when the stock is
/// smaller (nothing changed).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn take_stock<C: ConnectionTrait>(
    db: &C,
    id: ShopItemId,
    quantity: u32,
) -> Result<bool, StoreError> {
    let q = i32::try_from(quantity).map_err(|_| StoreError::Invalid("quantity".into()))?;
    let result = shop_items::Entity::update_many()
        .col_expr(
            shop_items::Column::Stock,
            Expr::col(shop_items::Column::Stock).sub(q),
        )
        .filter(shop_items::Column::Id.eq(id.get()))
        .filter(shop_items::Column::Stock.gte(q))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Puts `quantity` back on the shelf (a cancelled order).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn return_stock<C: ConnectionTrait>(
    db: &C,
    id: ShopItemId,
    quantity: u32,
) -> Result<(), StoreError> {
    let q = i32::try_from(quantity).map_err(|_| StoreError::Invalid("quantity".into()))?;
    shop_items::Entity::update_many()
        .col_expr(
            shop_items::Column::Stock,
            Expr::col(shop_items::Column::Stock).add(q),
        )
        .filter(shop_items::Column::Id.eq(id.get()))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct NextId {
    id: i64,
}

/// Reserves the id of a new order, so the domain can name it in the redemption entry before the
/// row is written. PostgreSQL: the column's sequence; SQLite: the next id under the store's single
/// writer (the caller's transaction).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn reserve_order_id<C: ConnectionTrait>(db: &C) -> Result<OrderId, StoreError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT nextval(pg_get_serial_sequence('shop_orders', 'id')) AS id"
        }
        _ => "SELECT COALESCE(MAX(id), 0) + 1 AS id FROM shop_orders",
    };
    let next = NextId::find_by_statement(Statement::from_string(backend, sql))
        .one(db)
        .await?
        .ok_or_else(|| StoreError::Corrupt("no next order id".into()))?;
    Ok(OrderId(next.id))
}

/// Writes a new order (placed). `false` when the pick-up code is already used in the village
/// (nothing written; choose another code).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_order<C: ConnectionTrait>(
    db: &C,
    order: &Order,
    village: VillageId,
    item_name: &str,
    pickup_code: &str,
) -> Result<bool, StoreError> {
    let placed_on = aidazu_domain::calendar::business_date(order.placed_at);
    let row = shop_orders::ActiveModel {
        id: Set(order.id.get()),
        village_id: Set(village.get()),
        household_id: Set(order.household.get()),
        member_id: Set(order.member.get()),
        item_id: Set(order.item.get()),
        item_name: Set(item_name.to_owned()),
        kind: Set(order.kind.as_str().to_owned()),
        quantity: Set(
            i32::try_from(order.quantity).map_err(|_| StoreError::Invalid("quantity".into()))?
        ),
        total: Set(order.total.get()),
        pickup_code: Set(pickup_code.to_owned()),
        status: Set(status::PLACED.to_owned()),
        placed_by: Set(order.placed_by.get()),
        placed_at: Set(order.placed_at),
        placed_on: Set(placed_on),
        due_on: Set(order.delivery_due()),
        delivered_by: Set(None),
        delivered_at: Set(None),
        delivery_photo_id: Set(None),
        member_confirmed_at: Set(None),
        cancelled_by: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
    };
    let written = shop_orders::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                shop_orders::Column::VillageId,
                shop_orders::Column::PickupCode,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(written == 1)
}

/// Writes the order's state (delivered, confirmed, cancelled) as the domain left it.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn save_order_state<C: ConnectionTrait>(
    db: &C,
    order: &Order,
    delivery_photo_id: Option<i64>,
) -> Result<(), StoreError> {
    let mut update =
        shop_orders::Entity::update_many().filter(shop_orders::Column::Id.eq(order.id.get()));
    match order.status() {
        OrderStatus::Placed => {
            update = update.col_expr(shop_orders::Column::Status, Expr::value(status::PLACED));
        }
        OrderStatus::Delivered {
            by,
            at,
            member_confirmed_at,
            ..
        } => {
            update = update
                .col_expr(shop_orders::Column::Status, Expr::value(status::DELIVERED))
                .col_expr(shop_orders::Column::DeliveredBy, Expr::value(by.get()))
                .col_expr(shop_orders::Column::DeliveredAt, Expr::value(*at))
                .col_expr(
                    shop_orders::Column::MemberConfirmedAt,
                    Expr::value(*member_confirmed_at),
                );
            if let Some(photo) = delivery_photo_id {
                update = update.col_expr(shop_orders::Column::DeliveryPhotoId, Expr::value(photo));
            }
        }
        OrderStatus::Cancelled { by, at, reason } => {
            update = update
                .col_expr(shop_orders::Column::Status, Expr::value(status::CANCELLED))
                .col_expr(shop_orders::Column::CancelledBy, Expr::value(by.get()))
                .col_expr(shop_orders::Column::CancelledAt, Expr::value(*at))
                .col_expr(
                    shop_orders::Column::CancelReason,
                    Expr::value(reason.clone()),
                );
        }
    }
    update.exec(db).await?;
    Ok(())
}

fn order_from_row(row: shop_orders::Model) -> Result<StoredOrder, StoreError> {
    let id = row.id;
    let status = match row.status.as_str() {
        status::PLACED => OrderStatus::Placed,
        status::DELIVERED => OrderStatus::Delivered {
            by: AccountId(
                row.delivered_by
                    .ok_or_else(|| corrupt("order deliverer", id))?,
            ),
            at: row
                .delivered_at
                .ok_or_else(|| corrupt("order delivery time", id))?,
            photo: row.delivery_photo_id.map(|p| p.to_string()),
            member_confirmed_at: row.member_confirmed_at,
        },
        status::CANCELLED => OrderStatus::Cancelled {
            by: AccountId(
                row.cancelled_by
                    .ok_or_else(|| corrupt("order canceller", id))?,
            ),
            at: row
                .cancelled_at
                .ok_or_else(|| corrupt("order cancel time", id))?,
            reason: row.cancel_reason.unwrap_or_default(),
        },
        _ => return Err(corrupt("order status", id)),
    };
    let fields = OrderFields {
        id: OrderId(row.id),
        household: HouseholdId(row.household_id),
        member: MemberId(row.member_id),
        item: ShopItemId(row.item_id),
        kind: ShopItemKind::parse(&row.kind).ok_or_else(|| corrupt("order kind", id))?,
        quantity: to_u32(row.quantity, "order quantity", id)?,
        total: Points(row.total),
        placed_by: AccountId(row.placed_by),
        placed_at: row.placed_at,
    };
    Ok(StoredOrder {
        order: Order::restore(fields, status),
        village: VillageId(row.village_id),
        item_name: row.item_name,
        pickup_code: row.pickup_code,
        due_on: row.due_on,
    })
}

/// One order (`for_update`: locked until the transaction ends, on PostgreSQL).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn order<C: ConnectionTrait>(
    db: &C,
    id: OrderId,
    for_update: bool,
) -> Result<Option<StoredOrder>, StoreError> {
    let mut query = shop_orders::Entity::find_by_id(id.get());
    if for_update && db.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(db).await?.map(order_from_row).transpose()
}

/// The order with this pick-up code in the village.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn order_by_pickup_code<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    code: &str,
) -> Result<Option<StoredOrder>, StoreError> {
    shop_orders::Entity::find()
        .filter(shop_orders::Column::VillageId.eq(village.get()))
        .filter(shop_orders::Column::PickupCode.eq(code))
        .one(db)
        .await?
        .map(order_from_row)
        .transpose()
}

/// A household's orders, newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn household_orders<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<Vec<StoredOrder>, StoreError> {
    shop_orders::Entity::find()
        .filter(shop_orders::Column::HouseholdId.eq(household.get()))
        .order_by_desc(shop_orders::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(order_from_row)
        .collect()
}

/// A village's orders, newest first, optionally in one state (`status::…`).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_orders<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    state: Option<&str>,
) -> Result<Vec<StoredOrder>, StoreError> {
    let mut query = shop_orders::Entity::find()
        .filter(shop_orders::Column::VillageId.eq(village.get()))
        .order_by_desc(shop_orders::Column::Id);
    if let Some(state) = state {
        query = query.filter(shop_orders::Column::Status.eq(state));
    }
    query
        .all(db)
        .await?
        .into_iter()
        .map(order_from_row)
        .collect()
}

/// Undelivered orders due before `today` (overdue), every village, oldest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn overdue_orders<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
) -> Result<Vec<StoredOrder>, StoreError> {
    shop_orders::Entity::find()
        .filter(shop_orders::Column::Status.eq(status::PLACED))
        .filter(shop_orders::Column::DueOn.lt(today))
        .order_by_asc(shop_orders::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(order_from_row)
        .collect()
}

/// How many of `item` the household ordered (not cancelled) with order dates in
/// `first..=last` — the count a per-household limit is checked against.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn ordered_in_window<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
    item: ShopItemId,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<u32, StoreError> {
    let total: Option<Option<i64>> = shop_orders::Entity::find()
        .select_only()
        .column_as(
            Expr::expr(Func::sum(Expr::col(shop_orders::Column::Quantity)))
                .cast_as(Alias::new("BIGINT")),
            "total",
        )
        .filter(shop_orders::Column::HouseholdId.eq(household.get()))
        .filter(shop_orders::Column::ItemId.eq(item.get()))
        .filter(shop_orders::Column::Status.ne(status::CANCELLED))
        .filter(shop_orders::Column::PlacedOn.gte(first))
        .filter(shop_orders::Column::PlacedOn.lte(last))
        .into_tuple()
        .one(db)
        .await?;
    let total = total.flatten().unwrap_or(0);
    u32::try_from(total).map_err(|_| StoreError::Corrupt("ordered quantity".into()))
}

/// Appends a validated fund entry.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn append_fund_entry<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    entry: &FundEntryDraft,
    occurred_on: NaiveDate,
    actor: AccountId,
) -> Result<i64, StoreError> {
    let row = fund_entries::ActiveModel {
        id: NotSet,
        village_id: Set(village.get()),
        kind: Set(entry.kind.as_str().to_owned()),
        amount_fen: Set(entry.amount_fen),
        reason: Set(entry.reason.clone()),
        donor: Set(entry.donor.clone()),
        receipt_photo_id: Set(entry.receipt_photo),
        occurred_on: Set(occurred_on),
        actor_account_id: Set(actor.get()),
        created_at: Set(crate::stamp::now()),
    };
    Ok(fund_entries::Entity::insert(row)
        .exec(db)
        .await?
        .last_insert_id)
}

/// A village's fund entries with dates in `first..=last` (all when `None`), in booking order.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn fund_entries<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
) -> Result<Vec<StoredFundEntry>, StoreError> {
    let mut query = fund_entries::Entity::find()
        .filter(fund_entries::Column::VillageId.eq(village.get()))
        .order_by_asc(fund_entries::Column::Id);
    if let Some(first) = first {
        query = query.filter(fund_entries::Column::OccurredOn.gte(first));
    }
    if let Some(last) = last {
        query = query.filter(fund_entries::Column::OccurredOn.lte(last));
    }
    query
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(StoredFundEntry {
                id: row.id,
                village: VillageId(row.village_id),
                kind: FundEntryKind::parse(&row.kind)
                    .ok_or_else(|| corrupt("fund entry kind", row.id))?,
                amount_fen: row.amount_fen,
                reason: row.reason,
                donor: row.donor,
                receipt_photo_id: row.receipt_photo_id,
                occurred_on: row.occurred_on,
                actor: AccountId(row.actor_account_id),
                created_at: row.created_at,
            })
        })
        .collect()
}

/// Net points per ledger kind of a village with dates in `first..=last` (the fund report's
/// points issued and redeemed; the caller classifies kinds through the domain).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_points_by_kind<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(aidazu_domain::ledger::EntryKind, i64)>, StoreError> {
    use crate::entities::ledger_entries;
    let sums: Vec<(String, Option<i64>)> = ledger_entries::Entity::find()
        .select_only()
        .column(ledger_entries::Column::Kind)
        .column_as(
            Expr::expr(Func::sum(Expr::col(ledger_entries::Column::Amount)))
                .cast_as(Alias::new("BIGINT")),
            "total",
        )
        .filter(ledger_entries::Column::VillageId.eq(village.get()))
        .filter(ledger_entries::Column::OccurredOn.gte(first))
        .filter(ledger_entries::Column::OccurredOn.lte(last))
        .group_by(ledger_entries::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    sums.into_iter()
        .map(|(kind, total)| Ok((crate::ledger::parse_kind(&kind)?, total.unwrap_or(0))))
        .collect()
}
