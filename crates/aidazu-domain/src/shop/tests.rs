use super::*;
use crate::calendar::{PointsYear, PointsYearConfig};
use crate::catalogue::ItemRef;
use crate::ids::ItemCode;
use crate::ledger::HouseholdYearLedger;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn soap() -> ShopItem {
    ShopItem {
        id: ShopItemId(1),
        village: VillageId(1),
        name: "洗衣粉".into(),
        kind: ShopItemKind::DailyGoods,
        price: Points(8),
        stock: 5,
        household_limit: Some(3),
        limit_period: LimitPeriod::Year,
        paused: false,
    }
}

fn request(quantity: u32, already_ordered: u32) -> OrderRequest {
    OrderRequest {
        id: OrderId(100),
        household: HouseholdId(1),
        member: MemberId(10),
        quantity,
        already_ordered,
        placed_by: AccountId(10),
        placed_at: at("2025-05-01T02:00:00Z"),
    }
}

fn ledger_with(points: i64) -> HouseholdYearLedger {
    let mut l = HouseholdYearLedger::new(
        HouseholdId(1),
        PointsYear(2025),
        PointsYearConfig::default(),
    );
    l.append(LedgerEntry {
        household: HouseholdId(1),
        member: Some(MemberId(10)),
        kind: EntryKind::Award,
        amount: Points(points),
        source: EntrySource::Item(ItemRef {
            code: ItemCode::parse("PA-01").unwrap(),
            version: 1,
        }),
        declaration: None,
        actor: AccountId(1),
        occurred_at: at("2025-04-01T02:00:00Z"),
        reason: String::new(),
    })
    .unwrap();
    l
}

#[test]
fn r19_ordering_deducts_the_balance_at_once() {
    let mut l = ledger_with(20);
    let (order, redeem) = Order::place(&soap(), request(2, 0)).unwrap();
    assert_eq!(order.total, Points(16));
    assert_eq!(
        (redeem.kind, redeem.amount),
        (EntryKind::Redeem, Points(-16))
    );
    l.append(redeem).unwrap();
    assert_eq!((l.score(), l.balance()), (Points(20), Points(4)));
    // A second order beyond the balance is refused by the ledger.
    let (_, too_much) = Order::place(
        &soap(),
        OrderRequest {
            id: OrderId(101),
            ..request(1, 2)
        },
    )
    .unwrap();
    assert!(matches!(
        l.append(too_much),
        Err(DomainError::InsufficientBalance { .. })
    ));
}

#[test]
fn r19_cancel_before_delivery_refunds_once() {
    let mut l = ledger_with(20);
    let (mut order, redeem) = Order::place(&soap(), request(2, 0)).unwrap();
    l.append(redeem).unwrap();
    let refund = order
        .cancel(AccountId(5), at("2025-05-01T05:00:00Z"), "村民改主意")
        .unwrap()
        .unwrap();
    assert_eq!(
        (refund.kind, refund.amount),
        (EntryKind::Refund, Points(16))
    );
    l.append(refund).unwrap();
    assert_eq!(l.balance(), Points(20));
    assert_eq!(
        order.cancel(AccountId(5), at("2025-05-01T06:00:00Z"), "重复"),
        Ok(None)
    );
    assert_eq!(
        order.deliver(AccountId(5), at("2025-05-02T02:00:00Z"), None),
        Err(DomainError::OrderCancelled)
    );
}

#[test]
fn r19_delivered_orders_cannot_be_cancelled() {
    let (mut order, _) = Order::place(&soap(), request(1, 0)).unwrap();
    assert_eq!(
        order.deliver(
            AccountId(5),
            at("2025-05-02T02:00:00Z"),
            Some("sha256-x".into())
        ),
        Ok(DecisionOutcome::Applied)
    );
    assert_eq!(
        order.deliver(AccountId(5), at("2025-05-02T03:00:00Z"), None),
        Ok(DecisionOutcome::AlreadyApplied)
    );
    assert_eq!(
        order.cancel(AccountId(5), at("2025-05-02T04:00:00Z"), "x"),
        Err(DomainError::OrderAlreadyDelivered)
    );
    assert_eq!(
        order.confirm_receipt(MemberId(11), at("2025-05-02T05:00:00Z")),
        Err(DomainError::NotOrderer)
    );
    assert_eq!(
        order.confirm_receipt(MemberId(10), at("2025-05-02T05:00:00Z")),
        Ok(DecisionOutcome::Applied)
    );
    assert_eq!(
        order.confirm_receipt(MemberId(10), at("2025-05-02T06:00:00Z")),
        Ok(DecisionOutcome::AlreadyApplied)
    );
}

#[test]
fn r19_stock_limit_and_quantity_checks() {
    assert_eq!(
        Order::place(&soap(), request(6, 0)).map(|_| ()),
        Err(DomainError::OutOfStock { available: 5 })
    );
    assert_eq!(
        Order::place(&soap(), request(2, 2)).map(|_| ()),
        Err(DomainError::PurchaseLimitExceeded { limit: 3 })
    );
    assert_eq!(
        Order::place(&soap(), request(0, 0)).map(|_| ()),
        Err(DomainError::InvalidQuantity)
    );
    let mut free = soap();
    free.price = Points::ZERO;
    assert_eq!(
        Order::place(&free, request(1, 0)).map(|_| ()),
        Err(DomainError::InvalidPrice)
    );
}

#[test]
fn r19_delivery_deadlines_by_kind() {
    let (daily, _) = Order::place(&soap(), request(1, 0)).unwrap(); // 1 May 10:00 Shanghai
    assert_eq!(
        daily.delivery_due(),
        NaiveDate::from_ymd_opt(2025, 5, 3).unwrap()
    );
    assert!(!daily.is_overdue(NaiveDate::from_ymd_opt(2025, 5, 3).unwrap()));
    assert!(daily.is_overdue(NaiveDate::from_ymd_opt(2025, 5, 4).unwrap()));
    let mut tv = soap();
    tv.kind = ShopItemKind::Electronics;
    let (order, _) = Order::place(&tv, request(1, 0)).unwrap();
    assert_eq!(
        order.delivery_due(),
        NaiveDate::from_ymd_opt(2025, 5, 8).unwrap()
    );
}

#[test]
fn r19_a_paused_item_is_not_ordered() {
    let mut item = soap();
    item.paused = true;
    assert_eq!(
        Order::place(&item, request(1, 0)).unwrap_err(),
        DomainError::ItemPaused
    );
}

#[test]
fn r19_the_orderer_cancels_within_ten_minutes_only() {
    let (order, _) = Order::place(&soap(), request(1, 0)).unwrap();
    let mut late = order.clone();
    assert_eq!(
        late.cancel_by_orderer(MemberId(10), AccountId(10), at("2025-05-01T02:10:01Z"))
            .unwrap_err(),
        DomainError::CancelWindowPassed { minutes: 10 }
    );
    let mut other = order.clone();
    assert_eq!(
        other
            .cancel_by_orderer(MemberId(11), AccountId(11), at("2025-05-01T02:01:00Z"))
            .unwrap_err(),
        DomainError::NotOrderer
    );
    let mut in_time = order;
    let refund = in_time
        .cancel_by_orderer(MemberId(10), AccountId(10), at("2025-05-01T02:10:00Z"))
        .unwrap()
        .unwrap();
    assert_eq!(refund.kind, EntryKind::Refund);
    assert_eq!(refund.amount, Points(8));
    // A retried cancel refunds nothing more, even after the window.
    assert_eq!(
        in_time
            .cancel_by_orderer(MemberId(10), AccountId(10), at("2025-05-01T03:00:00Z"))
            .unwrap(),
        None
    );
}

#[test]
fn r19_limit_windows_follow_the_points_year_calendar() {
    let calendar = PointsYearConfig::new(9).unwrap();
    let day = NaiveDate::from_ymd_opt(2022, 1, 15).unwrap();
    assert_eq!(
        LimitPeriod::Year.window(calendar, day),
        (
            NaiveDate::from_ymd_opt(2021, 9, 1).unwrap(),
            NaiveDate::from_ymd_opt(2022, 8, 31).unwrap()
        )
    );
    let (first, last) = LimitPeriod::Quarter.window(calendar, day);
    assert!(first <= day && day <= last);
    assert_eq!(first, NaiveDate::from_ymd_opt(2021, 12, 1).unwrap());
    assert_eq!(last, NaiveDate::from_ymd_opt(2022, 2, 28).unwrap());
}

#[test]
fn r19_overdue_orders_remind_then_escalate() {
    let (order, _) = Order::place(&soap(), request(1, 0)).unwrap();
    // Placed 2025-05-01 (Shanghai), daily goods: due 2025-05-03.
    let day = |d: u32| NaiveDate::from_ymd_opt(2025, 5, d).unwrap();
    assert!(order.overdue_stages(day(3)).is_empty());
    assert_eq!(
        order.overdue_stages(day(4)),
        vec![OverdueStage::RemindAdmins]
    );
    assert_eq!(
        order.overdue_stages(day(6)),
        vec![OverdueStage::RemindAdmins, OverdueStage::EscalateToTown]
    );
}
