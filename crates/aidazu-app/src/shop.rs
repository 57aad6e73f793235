//! The village points shop (积分超市, R19): items managed by the village admin, orders placed by
//! villagers against their balance, cancelled (refund), handed over and confirmed, and overdue
//! orders reminded and escalated.
//!
//! Every change is load → `aidazu_domain::shop` decides → one transaction writes the order, its
//! ledger entry (redeem or refund), the stock, the audit record and the outbox messages. The
//! balance check is the domain's `HouseholdYearLedger::append` under the household lock; stock is
//! taken by one conditional statement, so neither ever goes below zero.

use aidazu_domain::calendar::business_date;
use aidazu_domain::ledger::{HouseholdYearLedger, LedgerEntry};
use aidazu_domain::org::{Action, Role, Scope};
use aidazu_domain::shop::{
    LimitPeriod, Order, OrderRequest, OrderStatus, OverdueStage, ShopItem, ShopItemKind,
};
use aidazu_domain::{DomainError, HouseholdId, MemberId, OrderId, Points, ShopItemId, VillageId};
use aidazu_ports::declarations::scope_role_holders;
use aidazu_ports::ledger::{self, NewLedgerEntry};
use aidazu_ports::shop::{self as store_shop, NewShopItem};
/// The shop's view types, as the store returns them (the API renders these).
pub use aidazu_ports::shop::{ShopItemPatch, StoredFundEntry, StoredOrder, StoredShopItem};
use aidazu_ports::{AsRepo, audit, outbox, photos};
use rand::Rng;
use serde_json::json;

use crate::auth::Actor;
use crate::messages::{self, About};
use crate::{App, AppError};

/// Longest item name, in characters.
pub const ITEM_NAME_MAX_CHARS: usize = 50;

/// Attempts at a free pick-up code before giving up (a village with a million orders).
const PICKUP_CODE_ATTEMPTS: usize = 8;

/// A new item as the admin enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInput {
    pub name: String,
    pub kind: ShopItemKind,
    pub price: Points,
    pub stock: u32,
    pub household_limit: Option<u32>,
    pub limit_period: LimitPeriod,
    pub photo_id: Option<i64>,
}

/// The villager's shop page: the balance beside the items in stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopView {
    pub village: VillageId,
    /// The household's balance (可用积分) this points-year.
    pub balance: Points,
    pub items: Vec<StoredShopItem>,
}

/// What a cancel, hand-over or confirmation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderChange {
    pub order: StoredOrder,
    /// `false` when the order was already in that state (a retried request changes nothing).
    pub changed: bool,
}

fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > ITEM_NAME_MAX_CHARS {
        return Err(AppError::InvalidField {
            field: "name",
            message: "商品名称不能为空，且不超过 50 个字",
        });
    }
    Ok(name.to_owned())
}

/// A six-digit pick-up code, easy to read out and type at the counter.
fn pickup_code() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

impl App {
    async fn require_village_photo(&self, village: VillageId, id: i64) -> Result<(), AppError> {
        let found = photos::photos_by_ids(self.store(), &[id]).await?;
        if found.iter().any(|p| p.id == id && p.village == village) {
            Ok(())
        } else {
            Err(AppError::PhotoNotUsable(id))
        }
    }

    async fn item_in_scope(
        &self,
        actor: &Actor,
        id: ShopItemId,
        action: Action,
    ) -> Result<(StoredShopItem, Role), AppError> {
        let stored = store_shop::item(self.store(), id, false)
            .await?
            .ok_or(AppError::ShopItemNotFound(id.get()))?;
        let location = self.village_location(stored.item.village).await?;
        let role = actor.require(action, &location, AppError::ShopItemNotFound(id.get()))?;
        Ok((stored, role))
    }

    /// R19: the village admin puts an item on the shelf.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::InvalidField`] (name), [`AppError::Rule`] (price, limit),
    /// [`AppError::PhotoNotUsable`].
    pub async fn create_shop_item(
        &self,
        actor: &Actor,
        village: VillageId,
        input: ItemInput,
    ) -> Result<StoredShopItem, AppError> {
        let location = self.village_location(village).await?;
        let role = actor.require(
            Action::RunShop,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let name = check_name(&input.name)?;
        let candidate = ShopItem {
            id: ShopItemId(0),
            village,
            name: name.clone(),
            kind: input.kind,
            price: input.price,
            stock: input.stock,
            household_limit: input.household_limit,
            limit_period: input.limit_period,
            paused: false,
        };
        candidate.check()?;
        if let Some(photo) = input.photo_id {
            self.require_village_photo(village, photo).await?;
        }
        let txn = self.store().begin().await?;
        let id = store_shop::insert_item(
            &txn,
            &NewShopItem {
                village,
                name,
                kind: input.kind,
                price: input.price,
                stock: input.stock,
                household_limit: input.household_limit,
                limit_period: input.limit_period,
                photo_id: input.photo_id,
            },
        )
        .await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "shop.item_create",
                "shop_item",
                Some(id.get().to_string()),
                Some(village),
                None,
                json!({
                    "name": candidate.name,
                    "kind": input.kind.as_str(),
                    "price": input.price.get(),
                    "stock": input.stock,
                    "limitPerHousehold": input.household_limit,
                    "limitPeriod": input.limit_period.as_str(),
                    "photoId": input.photo_id,
                }),
            ),
        )
        .await?;
        let stored = store_shop::item(&txn, id, false)
            .await?
            .ok_or(AppError::ShopItemNotFound(id.get()))?;
        txn.commit().await?;
        Ok(stored)
    }

    /// R19: the village admin changes an item (price, stock, limit, pause, name, photo).
    ///
    /// # Errors
    /// As [`App::create_shop_item`], and [`AppError::ShopItemNotFound`].
    pub async fn update_shop_item(
        &self,
        actor: &Actor,
        id: ShopItemId,
        patch: ShopItemPatch,
    ) -> Result<StoredShopItem, AppError> {
        let (stored, role) = self.item_in_scope(actor, id, Action::RunShop).await?;
        let mut patch = patch;
        if let Some(name) = &patch.name {
            patch.name = Some(check_name(name)?);
        }
        let mut candidate = stored.item.clone();
        if let Some(name) = &patch.name {
            candidate.name.clone_from(name);
        }
        if let Some(price) = patch.price {
            candidate.price = price;
        }
        if let Some(limit) = patch.household_limit {
            candidate.household_limit = limit;
        }
        candidate.check()?;
        if let Some(Some(photo)) = patch.photo_id {
            self.require_village_photo(stored.item.village, photo)
                .await?;
        }
        let txn = self.store().begin().await?;
        let saved = store_shop::update_item(&txn, id, &patch).await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "shop.item_update",
                "shop_item",
                Some(id.get().to_string()),
                Some(stored.item.village),
                None,
                json!({
                    "name": patch.name,
                    "price": patch.price.map(Points::get),
                    "stock": patch.stock,
                    "limitPerHousehold": patch.household_limit,
                    "limitPeriod": patch.limit_period.map(LimitPeriod::as_str),
                    "paused": patch.paused,
                    "photoId": patch.photo_id,
                    "before": {
                        "price": stored.item.price.get(),
                        "stock": stored.item.stock,
                        "paused": stored.item.paused,
                    },
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// The admin's view of a village shop: every item, paused ones too.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`].
    pub async fn shop_items_for_admin(
        &self,
        actor: &Actor,
        village: VillageId,
    ) -> Result<Vec<StoredShopItem>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::RunShop,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        Ok(store_shop::village_items(self.store(), village, true).await?)
    }

    /// The villager's shop: items not paused and in stock, with the household's balance.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::Forbidden`].
    pub async fn my_shop(&self, actor: &Actor) -> Result<ShopView, AppError> {
        let (household, village) = actor_household(actor)?;
        let location = self.village_location(village).await?;
        actor.require(Action::Redeem, &location, AppError::NoHousehold)?;
        let today = business_date(self.clock().now());
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let db = self.store();
        let totals =
            ledger::household_totals(db, household, calendar.points_year_of(today)).await?;
        let items = store_shop::village_items(db, village, false)
            .await?
            .into_iter()
            .filter(|s| s.item.stock > 0)
            .collect();
        Ok(ShopView {
            village,
            balance: totals.balance,
            items,
        })
    }

    /// R19: a villager orders; the balance and the stock drop at once, atomically, and the order
    /// gets a pick-up code. The village admins are told by work notification.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::ShopItemNotFound`] (also another village's item),
    /// [`AppError::Forbidden`], [`AppError::Rule`]: `shop.item_paused`, `shop.invalid_quantity`,
    /// `shop.out_of_stock`, `shop.limit_exceeded`, `ledger.insufficient_balance`.
    #[tracing::instrument(skip(self, actor), fields(account.id = actor.account_id.get()))]
    pub async fn place_order(
        &self,
        actor: &Actor,
        item_id: ShopItemId,
        quantity: u32,
    ) -> Result<StoredOrder, AppError> {
        let (household, village) = actor_household(actor)?;
        let member = actor.member_id.ok_or(AppError::NoHousehold)?;
        let (stored, role) = self.item_in_scope(actor, item_id, Action::Redeem).await?;
        if stored.item.village != village {
            return Err(AppError::ShopItemNotFound(item_id.get()));
        }
        let now = self.clock().now();
        let today = business_date(now);
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let year = calendar.points_year_of(today);

        let txn = self.store().begin().await?;
        ledger::lock_household(&txn, household).await?;
        let item = store_shop::item(&txn, item_id, true)
            .await?
            .ok_or(AppError::ShopItemNotFound(item_id.get()))?
            .item;
        let (first, last) = item.limit_period.window(calendar, today);
        let already_ordered =
            store_shop::ordered_in_window(&txn, household, item_id, first, last).await?;
        let mut household_ledger = HouseholdYearLedger::from_entries(
            household,
            year,
            calendar,
            ledger::household_entries(&txn, household, year)
                .await?
                .into_iter()
                .map(|stored| stored.entry),
        )?;
        let id = store_shop::reserve_order_id(&txn).await?;
        let (order, redeem) = Order::place(
            &item,
            OrderRequest {
                id,
                household,
                member,
                quantity,
                already_ordered,
                placed_by: actor.account_id,
                placed_at: now,
            },
        )?;
        household_ledger.append(redeem.clone())?;
        if !store_shop::take_stock(&txn, item_id, quantity).await? {
            return Err(DomainError::OutOfStock {
                available: item.stock,
            }
            .into());
        }
        let mut code = None;
        for _ in 0..PICKUP_CODE_ATTEMPTS {
            let candidate = pickup_code();
            if store_shop::insert_order(&txn, &order, village, &item.name, &candidate).await? {
                code = Some(candidate);
                break;
            }
        }
        let Some(code) = code else {
            return Err(AppError::Database(aidazu_ports::StoreError::Conflict(
                "no free pick-up code".into(),
            )));
        };
        let entry_id = self
            .book(
                &txn,
                actor,
                redeem,
                year,
                format!("order:{}:redeem", id.get()),
            )
            .await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "shop.order_place",
                "shop_order",
                Some(id.get().to_string()),
                Some(village),
                Some(household),
                json!({
                    "itemId": item_id.get(),
                    "itemName": item.name,
                    "quantity": quantity,
                    "total": order.total.get(),
                    "ledgerEntryId": entry_id.get(),
                    "dueOn": order.delivery_due(),
                }),
            ),
        )
        .await?;
        let admins = role_user_ids(&txn, Scope::Village(village), Role::VillageAdmin).await?;
        if !admins.is_empty() {
            outbox::enqueue(
                &txn,
                messages::work_notice(
                    messages::key::order_notice("placed", id),
                    village,
                    admins,
                    "新的积分兑换订单",
                    format!(
                        "村民兑换“{}”× {}（{} 分），取货码 {}，请在 {} 前交付。",
                        item.name,
                        quantity,
                        order.total,
                        code,
                        order.delivery_due()
                    ),
                    About::Entry(entry_id),
                ),
            )
            .await?;
        }
        let placed = store_shop::order(&txn, id, false)
            .await?
            .ok_or(AppError::OrderNotFound(id.get()))?;
        txn.commit().await?;
        self.wake_workers();
        Ok(placed)
    }

    /// Appends a redeem or refund entry the domain produced, idempotently by `key`.
    async fn book<C: AsRepo + ?Sized>(
        &self,
        db: &C,
        actor: &Actor,
        entry: LedgerEntry,
        year: aidazu_domain::calendar::PointsYear,
        key: String,
    ) -> Result<aidazu_domain::LedgerEntryId, AppError> {
        Ok(ledger::append_entry(
            db,
            &NewLedgerEntry {
                entry,
                points_year: year,
                channel: actor.channel,
                request_id: actor.request_id.clone(),
                idempotency_key: Some(key),
            },
        )
        .await?)
    }

    /// The household's orders, newest first.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`].
    pub async fn my_orders(&self, actor: &Actor) -> Result<Vec<StoredOrder>, AppError> {
        let (household, _) = actor_household(actor)?;
        Ok(store_shop::household_orders(self.store(), household).await?)
    }

    /// A village's orders for the admin, newest first, optionally in one state.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::InvalidField`] (state).
    pub async fn village_orders(
        &self,
        actor: &Actor,
        village: VillageId,
        state: Option<&str>,
    ) -> Result<Vec<StoredOrder>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::RunShop,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        if let Some(state) = state
            && ![
                store_shop::status::PLACED,
                store_shop::status::DELIVERED,
                store_shop::status::CANCELLED,
            ]
            .contains(&state)
        {
            return Err(AppError::InvalidField {
                field: "status",
                message: "订单状态只能是 placed、delivered 或 cancelled",
            });
        }
        Ok(store_shop::village_orders(self.store(), village, state).await?)
    }

    /// One of the household's orders.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::OrderNotFound`] (also another household's).
    pub async fn my_order(&self, actor: &Actor, id: OrderId) -> Result<StoredOrder, AppError> {
        let (household, _) = actor_household(actor)?;
        store_shop::order(self.store(), id, false)
            .await?
            .filter(|o| o.order.household == household)
            .ok_or(AppError::OrderNotFound(id.get()))
    }

    async fn order_for_admin(
        &self,
        actor: &Actor,
        id: OrderId,
    ) -> Result<(StoredOrder, Role), AppError> {
        let stored = store_shop::order(self.store(), id, false)
            .await?
            .ok_or(AppError::OrderNotFound(id.get()))?;
        let location = self.village_location(stored.village).await?;
        let role = actor.require(
            Action::RunShop,
            &location,
            AppError::OrderNotFound(id.get()),
        )?;
        Ok((stored, role))
    }

    /// R19: the ordering member cancels within 10 minutes; the points come back (refund) and the
    /// goods go back on the shelf. A retried cancel changes nothing.
    ///
    /// # Errors
    /// [`AppError::OrderNotFound`], [`AppError::Rule`]: `shop.not_orderer`,
    /// `shop.cancel_window_passed`, `shop.already_delivered`.
    pub async fn cancel_my_order(
        &self,
        actor: &Actor,
        id: OrderId,
    ) -> Result<OrderChange, AppError> {
        let stored = self.my_order(actor, id).await?;
        let member = actor.member_id.ok_or(AppError::NoHousehold)?;
        let now = self.clock().now();
        self.cancel(actor, stored, None, move |order| {
            order.cancel_by_orderer(member, actor.account_id, now)
        })
        .await
    }

    /// R19: the village admin cancels an order before delivery, with a reason; the member is told.
    ///
    /// # Errors
    /// [`AppError::OrderNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::Rule`]: `declaration.reason_required`, `shop.already_delivered`.
    pub async fn cancel_order_as_admin(
        &self,
        actor: &Actor,
        id: OrderId,
        reason: &str,
    ) -> Result<OrderChange, AppError> {
        let (stored, role) = self.order_for_admin(actor, id).await?;
        let now = self.clock().now();
        self.cancel(actor, stored, Some(role), move |order| {
            order.cancel(actor.account_id, now, reason)
        })
        .await
    }

    async fn cancel(
        &self,
        actor: &Actor,
        stored: StoredOrder,
        admin_role: Option<Role>,
        decide: impl FnOnce(&mut Order) -> Result<Option<LedgerEntry>, DomainError>,
    ) -> Result<OrderChange, AppError> {
        let id = stored.order.id;
        let household = stored.order.household;
        let calendar = aidazu_ports::org::village_calendar(self.store(), stored.village).await?;
        let year = calendar.points_year_of(business_date(stored.order.placed_at));
        let txn = self.store().begin().await?;
        ledger::lock_household(&txn, household).await?;
        let mut current = store_shop::order(&txn, id, true)
            .await?
            .ok_or(AppError::OrderNotFound(id.get()))?;
        let Some(refund) = decide(&mut current.order)? else {
            return Ok(OrderChange {
                order: current,
                changed: false,
            });
        };
        // The domain ledger checks the refund against what this order redeemed.
        let mut household_ledger = HouseholdYearLedger::from_entries(
            household,
            year,
            calendar,
            ledger::household_entries(&txn, household, year)
                .await?
                .into_iter()
                .map(|stored| stored.entry),
        )?;
        household_ledger.append(refund.clone())?;
        let entry_id = self
            .book(
                &txn,
                actor,
                refund,
                year,
                format!("order:{}:refund", id.get()),
            )
            .await?;
        store_shop::return_stock(&txn, current.order.item, current.order.quantity).await?;
        store_shop::save_order_state(&txn, &current.order, None).await?;
        let reason = match current.order.status() {
            OrderStatus::Cancelled { reason, .. } => reason.clone(),
            _ => String::new(),
        };
        audit::record(
            &txn,
            &actor.audit(
                admin_role.or(Some(Role::Villager)),
                "shop.order_cancel",
                "shop_order",
                Some(id.get().to_string()),
                Some(current.village),
                Some(household),
                json!({
                    "reason": reason,
                    "refund": current.order.total.get(),
                    "ledgerEntryId": entry_id.get(),
                    "byAdmin": admin_role.is_some(),
                }),
            ),
        )
        .await?;
        if admin_role.is_some() {
            let members = member_user_ids(&txn, current.order.member, household).await?;
            if !members.is_empty() {
                outbox::enqueue(
                    &txn,
                    messages::work_notice(
                        messages::key::order_notice("cancelled", id),
                        current.village,
                        members,
                        "积分兑换订单已取消",
                        format!(
                            "您兑换的“{}”订单已由村管理员取消，{} 分已退回。原因：{}",
                            current.item_name, current.order.total, reason
                        ),
                        About::Entry(entry_id),
                    ),
                )
                .await?;
            }
        }
        txn.commit().await?;
        self.wake_workers();
        Ok(OrderChange {
            order: current,
            changed: true,
        })
    }

    /// R19: the admin hands an order over, found by id, optionally with a photo of the hand-over.
    ///
    /// # Errors
    /// [`AppError::OrderNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::PhotoNotUsable`], [`AppError::Rule`] (`shop.order_cancelled`).
    pub async fn deliver_order(
        &self,
        actor: &Actor,
        id: OrderId,
        photo_id: Option<i64>,
    ) -> Result<OrderChange, AppError> {
        let (stored, role) = self.order_for_admin(actor, id).await?;
        if let Some(photo) = photo_id {
            self.require_village_photo(stored.village, photo).await?;
        }
        let now = self.clock().now();
        self.change_order(
            actor,
            stored,
            role,
            "shop.order_deliver",
            photo_id,
            |order| order.deliver(actor.account_id, now, photo_id.map(|p| p.to_string())),
        )
        .await
    }

    /// R19: the admin hands an order over by the pick-up code the villager shows or reads out.
    ///
    /// # Errors
    /// As [`App::deliver_order`]; an unknown code is [`AppError::OrderNotFound`].
    pub async fn deliver_by_pickup_code(
        &self,
        actor: &Actor,
        village: VillageId,
        code: &str,
        photo_id: Option<i64>,
    ) -> Result<OrderChange, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::RunShop,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let stored = store_shop::order_by_pickup_code(self.store(), village, code.trim())
            .await?
            .ok_or(AppError::OrderNotFound(0))?;
        self.deliver_order(actor, stored.order.id, photo_id).await
    }

    /// R19: the member confirms receipt of their own order.
    ///
    /// # Errors
    /// [`AppError::OrderNotFound`], [`AppError::Rule`] (`shop.not_orderer`,
    /// `shop.order_cancelled`).
    pub async fn confirm_my_order(
        &self,
        actor: &Actor,
        id: OrderId,
    ) -> Result<OrderChange, AppError> {
        let stored = self.my_order(actor, id).await?;
        let member = actor.member_id.ok_or(AppError::NoHousehold)?;
        let now = self.clock().now();
        self.change_order(
            actor,
            stored,
            Role::Villager,
            "shop.order_confirm",
            None,
            |order| order.confirm_receipt(member, now),
        )
        .await
    }

    /// R19: the admin confirms receipt for a member without a phone.
    ///
    /// # Errors
    /// As [`App::deliver_order`].
    pub async fn confirm_order_for_member(
        &self,
        actor: &Actor,
        id: OrderId,
    ) -> Result<OrderChange, AppError> {
        let (stored, role) = self.order_for_admin(actor, id).await?;
        let member: MemberId = stored.order.member;
        let now = self.clock().now();
        self.change_order(actor, stored, role, "shop.order_confirm", None, |order| {
            order.confirm_receipt(member, now)
        })
        .await
    }

    async fn change_order(
        &self,
        actor: &Actor,
        stored: StoredOrder,
        role: Role,
        action: &str,
        photo_id: Option<i64>,
        decide: impl FnOnce(
            &mut Order,
        ) -> Result<aidazu_domain::declaration::DecisionOutcome, DomainError>,
    ) -> Result<OrderChange, AppError> {
        let id = stored.order.id;
        let txn = self.store().begin().await?;
        let mut current = store_shop::order(&txn, id, true)
            .await?
            .ok_or(AppError::OrderNotFound(id.get()))?;
        let outcome = decide(&mut current.order)?;
        if outcome == aidazu_domain::declaration::DecisionOutcome::AlreadyApplied {
            return Ok(OrderChange {
                order: current,
                changed: false,
            });
        }
        store_shop::save_order_state(&txn, &current.order, photo_id).await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                action,
                "shop_order",
                Some(id.get().to_string()),
                Some(current.village),
                Some(current.order.household),
                json!({ "photoId": photo_id, "pickupCode": current.pickup_code }),
            ),
        )
        .await?;
        let saved = store_shop::order(&txn, id, false)
            .await?
            .ok_or(AppError::OrderNotFound(id.get()))?;
        txn.commit().await?;
        Ok(OrderChange {
            order: saved,
            changed: true,
        })
    }
}

impl App {
    /// A village's orders (optionally in one state) as an Excel workbook.
    ///
    /// # Errors
    /// As [`App::village_orders`]; [`AppError::Document`].
    pub async fn orders_xlsx(
        &self,
        actor: &Actor,
        village: VillageId,
        state: Option<&str>,
    ) -> Result<Vec<u8>, AppError> {
        let orders = self.village_orders(actor, village, state).await?;
        let db = self.store();
        let mut rows = Vec::with_capacity(orders.len());
        for o in &orders {
            let household = aidazu_ports::households::household(db, o.order.household)
                .await?
                .map(|h| h.code)
                .unwrap_or_default();
            let (label, done) = match o.order.status() {
                OrderStatus::Placed => ("待交付", String::new()),
                OrderStatus::Delivered { at, .. } => ("已交付", shanghai(*at)),
                OrderStatus::Cancelled { at, reason, .. } => {
                    ("已取消", format!("{}（{reason}）", shanghai(*at)))
                }
            };
            rows.push(vec![
                o.order.id.get().into(),
                shanghai(o.order.placed_at).into(),
                household.into(),
                o.item_name.as_str().into(),
                i64::from(o.order.quantity).into(),
                o.order.total.get().into(),
                o.pickup_code.as_str().into(),
                label.into(),
                o.due_on.to_string().into(),
                done.into(),
            ]);
        }
        let name = aidazu_ports::org::village(self.store(), village)
            .await?
            .map(|v| v.name)
            .unwrap_or_default();
        crate::spreadsheet::table_xlsx(
            "兑换订单",
            &format!("{name}积分超市兑换订单"),
            &[
                "订单号",
                "下单时间",
                "户号",
                "商品",
                "数量",
                "积分",
                "取货码",
                "状态",
                "应交付日期",
                "交付或取消",
            ],
            &rows,
        )
    }
}

/// An instant as Shanghai wall time, to the minute.
fn shanghai(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn actor_household(actor: &Actor) -> Result<(HouseholdId, VillageId), AppError> {
    match (actor.household_id, actor.village_id) {
        (Some(household), Some(village)) => Ok((household, village)),
        _ => Err(AppError::NoHousehold),
    }
}

async fn role_user_ids<C: AsRepo + ?Sized>(
    db: &C,
    scope: Scope,
    role: Role,
) -> Result<Vec<String>, AppError> {
    Ok(scope_role_holders(db, scope, role)
        .await?
        .into_iter()
        .map(|r| r.dingtalk_user_id)
        .collect())
}

/// The member's own DingTalk users, or the household's when the member has none.
async fn member_user_ids<C: AsRepo + ?Sized>(
    db: &C,
    member: MemberId,
    household: HouseholdId,
) -> Result<Vec<String>, AppError> {
    let own: Vec<String> = aidazu_ports::accounts::accounts_of_member(db, member)
        .await?
        .into_iter()
        .map(|(_, user)| user)
        .collect();
    if !own.is_empty() {
        return Ok(own);
    }
    Ok(
        aidazu_ports::declarations::household_recipients(db, household)
            .await?
            .into_iter()
            .map(|r| r.dingtalk_user_id)
            .collect(),
    )
}

/// What one pass of the overdue-order job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderReminderReport {
    /// Overdue orders looked at.
    pub checked: usize,
    /// Reminders to village admins enqueued by this pass.
    pub reminded: usize,
    /// Escalations to the town enqueued by this pass.
    pub escalated: usize,
}

/// R19: overdue orders remind the village admins, then escalate to the town — each stage once per
/// order (dedupe key), safe with two replicas.
///
/// # Errors
/// Storage errors.
#[tracing::instrument(skip(app))]
pub async fn send_order_reminders(app: &App) -> Result<OrderReminderReport, AppError> {
    let today = business_date(app.clock().now());
    let db = app.store();
    let mut report = OrderReminderReport::default();
    for stored in store_shop::overdue_orders(db, today).await? {
        report.checked += 1;
        let location = app.village_location(stored.village).await?;
        for stage in stored.order.overdue_stages(today) {
            let key = messages::key::order_reminder(stage.key(), stored.order.id);
            if outbox::get_by_key(db, &key).await?.is_some() {
                continue;
            }
            let (scope, role, title) = match stage {
                OverdueStage::RemindAdmins => (
                    Scope::Village(stored.village),
                    Role::VillageAdmin,
                    "积分兑换订单超期未交付",
                ),
                OverdueStage::EscalateToTown => (
                    Scope::Town(location.town),
                    Role::TownOfficer,
                    "积分兑换订单超期未交付（督办）",
                ),
            };
            let users = role_user_ids(db, scope, role).await?;
            if users.is_empty() {
                tracing::warn!(order.id = stored.order.id.get(), ?stage, "nobody to remind");
                continue;
            }
            let text = format!(
                "订单 {}（“{}”× {}，取货码 {}）应于 {} 前交付，至今未交付，请尽快处理。",
                stored.order.id,
                stored.item_name,
                stored.order.quantity,
                stored.pickup_code,
                stored.due_on
            );
            outbox::enqueue(
                db,
                messages::work_notice(
                    key,
                    stored.village,
                    users,
                    title,
                    text,
                    About::Order(stored.order.id),
                ),
            )
            .await?;
            match stage {
                OverdueStage::RemindAdmins => report.reminded += 1,
                OverdueStage::EscalateToTown => report.escalated += 1,
            }
        }
    }
    if report.reminded + report.escalated > 0 {
        app.wake_workers();
        tracing::info!(?report, "order reminders enqueued");
    }
    Ok(report)
}
