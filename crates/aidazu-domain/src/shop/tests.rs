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
