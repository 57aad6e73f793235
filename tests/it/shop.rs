//! R19–R20 and D8: the points shop and its fund through the real service, on both databases —
//! order, cancel within 10 minutes (refund), hand-over by pick-up code, receipt; the 200-for-50
//! race; overdue reminders and the town's escalation; the fund ledger and the liability alert;
//! bad input that changes nothing.

use aidazu_app::funds::send_fund_alerts;
use aidazu_app::shop::send_order_reminders;
use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::kit::*;

/// 10:00 in Shanghai on a Monday, far from day boundaries.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const START: &str = "2026-06-01T02:00:00Z";

/// R10: the admin books PA-03 (+30, no cap) for a member, so the household has points to spend.
async fn give_30_points(t: &TestApp, admin: &Session, member: i64, seed: u8) {
    let evidence = photo_id(t, &admin.token, seed).await;
    let (status, body) = post(
        t,
        "/api/v1/admin/entries",
        Some(&admin.token),
        json!({
            "itemCode": "PA-03",
            "memberId": member,
            "points": 30,
            "reason": "抢险救灾表现突出",
            "photoIds": [evidence],
            "occurredOn": today(t),
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn figures(t: &TestApp, s: &Session) -> (i64, i64) {
    let (status, body) = get(t, "/api/v1/me/household", Some(&s.token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["yearScore"]
            .as_i64()
            .unwrap_or_else(|| panic!("{body}")),
        body["balance"].as_i64().unwrap_or_else(|| panic!("{body}")),
    )
}

async fn create_item(t: &TestApp, admin: &Session, village: i64, body: Value) -> i64 {
    let (status, item) = post(
        t,
        &format!("/api/v1/admin/villages/{village}/shop/items"),
        Some(&admin.token),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    item["id"].as_i64().unwrap()
}

async fn order(t: &TestApp, s: &Session, item: i64, quantity: u32) -> (StatusCode, Value) {
    post(
        t,
        "/api/v1/me/orders",
        Some(&s.token),
        json!({ "itemId": item, "quantity": quantity }),
    )
    .await
}

async fn stock(t: &TestApp, admin: &Session, village: i64, item: i64) -> i64 {
    let (status, body) = get(
        t,
        &format!("/api/v1/admin/villages/{village}/shop/items"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == item)
        .unwrap()["stock"]
        .as_i64()
        .unwrap()
}

dual_db_test!(
    async fn r19_order_cancel_within_ten_minutes_reorder_hand_over_by_code_and_confirm(db: TestDb) {
        let (t, clock) = spawn_at(db, START.parse().unwrap(), vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let heping = village_id(&t, "heping").await;
        let (score0, balance0) = figures(&t, &villager).await;
        give_30_points(&t, &admin, villager.member_id, 1).await;
        let (score, base) = figures(&t, &villager).await;
        assert_eq!((score, base), (score0 + 30, balance0 + 30));
        let soap = create_item(
            &t,
            &admin,
            heping,
            json!({ "name": "洗衣粉", "pointsPrice": 8, "stock": 5, "kind": "daily_goods",
                    "limitPerHousehold": 3, "limitPeriod": "year" }),
        )
        .await;

        let (status, shop) = get(&t, "/api/v1/me/shop/items", Some(&villager.token)).await;
        assert_eq!(status, StatusCode::OK, "{shop}");
        assert_eq!(shop["balance"], base);
        assert!(
            shop["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == soap && i["kindLabel"] == "生活物品" && i["deliveryDays"] == 2)
        );

        // Ordering deducts the balance at once; the score stays (R13).
        let (status, placed) = order(&t, &villager, soap, 2).await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        let code = placed["pickupCode"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
        assert_eq!(placed["totalPoints"], 16);
        assert_eq!(placed["dueOn"], "2026-06-03");
        assert_eq!(placed["status"], "placed");
        assert_eq!(figures(&t, &villager).await, (score, base - 16));
        assert_eq!(stock(&t, &admin, heping, soap).await, 3);
        let first = placed["id"].as_i64().unwrap();
        let (_, svg) = download(
            &t,
            &format!("/api/v1/me/orders/{first}/qr.svg"),
            Some(&villager.token),
            "image/svg+xml",
        )
        .await;
        assert!(String::from_utf8(svg).unwrap().contains("<svg"));
        let (status, body) = get(
            &t,
            &format!("/api/v1/me/orders/{first}/qr.svg"),
            Some(&admin.token),
        )
        .await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "shop.order_not_found");
        let notice = outbox_by_key(&t, &format!("notify.work:order.placed:{first}"))
            .await
            .expect("the admins are told");
        assert_eq!(notice.payload["userIds"], json!(["demo-admin"]));
        assert!(
            notice.payload["markdown"]["text"]
                .as_str()
                .unwrap()
                .contains(&code)
        );

        // Within 10 minutes the orderer cancels: refund once, stock back.
        clock.advance(Duration::minutes(5));
        let path = format!("/api/v1/me/orders/{first}/cancel");
        let (status, cancelled) = post(&t, &path, Some(&villager.token), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");
        assert_eq!(cancelled["changed"], true);
        assert_eq!(cancelled["order"]["status"], "cancelled");
        assert_eq!(figures(&t, &villager).await, (score, base));
        assert_eq!(stock(&t, &admin, heping, soap).await, 5);
        let (status, again) = post(&t, &path, Some(&villager.token), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["changed"], false);
        assert_eq!(figures(&t, &villager).await, (score, base), "refunded once");

        // Ordered again; after 10 minutes only the admin may cancel.
        let (status, placed) = order(&t, &villager, soap, 1).await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        let second = placed["id"].as_i64().unwrap();
        let code = placed["pickupCode"].as_str().unwrap().to_owned();
        assert_eq!(figures(&t, &villager).await, (score, base - 8));
        clock.advance(Duration::minutes(11));
        // Access tokens live 15 minutes: both sessions log in again, as the app would refresh.
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let (status, body) = post(
            &t,
            &format!("/api/v1/me/orders/{second}/cancel"),
            Some(&villager.token),
            json!({}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "shop.cancel_window_passed",
        );
        assert_eq!(figures(&t, &villager).await, (score, base - 8));

        // The admin hands it over by the code the villager reads out.
        let (status, handed) = post(
            &t,
            &format!("/api/v1/admin/villages/{heping}/orders/handover"),
            Some(&admin.token),
            json!({ "pickupCode": code }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{handed}");
        assert_eq!(handed["order"]["status"], "delivered");
        assert_eq!(handed["order"]["id"], second);
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/orders/{second}/cancel"),
            Some(&admin.token),
            json!({ "reason": "误操作" }),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "shop.already_delivered",
        );
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/villages/{heping}/orders/handover"),
            Some(&admin.token),
            json!({ "pickupCode": "000000x" }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "shop.order_not_found");

        // The member confirms receipt.
        let (status, confirmed) = post(
            &t,
            &format!("/api/v1/me/orders/{second}/confirm"),
            Some(&villager.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{confirmed}");
        assert!(
            confirmed["order"]["memberConfirmedAt"].is_string(),
            "{confirmed}"
        );

        let (status, mine) = get(&t, "/api/v1/me/orders", Some(&villager.token)).await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        let states: Vec<&str> = mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["status"].as_str().unwrap())
            .collect();
        assert_eq!(states, vec!["delivered", "cancelled"]);
        let (_, xlsx) = download(
            &t,
            &format!("/api/v1/admin/villages/{heping}/orders.xlsx"),
            Some(&admin.token),
            XLSX,
        )
        .await;
        assert_eq!(&xlsx[..2], b"PK");
        let actions = audit_actions(&t, &admin, villager.household_id).await;
        for action in [
            "shop.order_place",
            "shop.order_cancel",
            "shop.order_deliver",
            "shop.order_confirm",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
        // R22: the same trail is exportable, to the same people.
        let path = format!(
            "/api/v1/admin/audit.xlsx?householdId={}",
            villager.household_id
        );
        let (_, xlsx) = download(&t, &path, Some(&admin.token), XLSX).await;
        assert_eq!(&xlsx[..2], b"PK");
        let (status, body) = get(&t, &path, Some(&villager.token)).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
    }
);

dual_db_test!(
    async fn r19_bad_orders_and_items_are_refused_and_change_nothing(db: TestDb) {
        let (t, _clock) = spawn_at(db, START.parse().unwrap(), vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let cihang_admin = login(&t, "admin-cihang").await;
        let heping = village_id(&t, "heping").await;
        let cihang = village_id(&t, "cihang").await;
        give_30_points(&t, &admin, villager.member_id, 2).await;
        let before = figures(&t, &villager).await;
        let tv = create_item(
            &t,
            &admin,
            heping,
            json!({ "name": "电视机", "pointsPrice": before.1 + 1, "stock": 1, "kind": "electronics" }),
        )
        .await;
        let towel = create_item(
            &t,
            &admin,
            heping,
            json!({ "name": "毛巾", "pointsPrice": 2, "stock": 10, "kind": "daily_goods",
                    "limitPerHousehold": 2, "limitPeriod": "quarter" }),
        )
        .await;
        let elsewhere = create_item(
            &t,
            &cihang_admin,
            cihang,
            json!({ "name": "香皂", "pointsPrice": 1, "stock": 10, "kind": "daily_goods" }),
        )
        .await;

        let (status, body) = order(&t, &villager, tv, 1).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "ledger.insufficient_balance",
        );
        let (status, body) = order(&t, &villager, towel, 3).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "shop.limit_exceeded",
        );
        let (status, body) = order(&t, &villager, towel, 0).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "shop.invalid_quantity",
        );
        let (status, body) = order(&t, &villager, elsewhere, 1).await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "shop.item_not_found");
        let (status, body) = order(&t, &villager, towel, 11).await;
        assert_envelope(status, &body, StatusCode::CONFLICT, "shop.out_of_stock");

        // Paused: hidden from the villager and refused.
        let (status, body) = send(
            &t,
            reqwest::Method::PATCH,
            &format!("/api/v1/admin/shop/items/{towel}"),
            Some(&admin.token),
            json!({ "paused": true }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = order(&t, &villager, towel, 1).await;
        assert_envelope(status, &body, StatusCode::CONFLICT, "shop.item_paused");
        let (_, shop) = get(&t, "/api/v1/me/shop/items", Some(&villager.token)).await;
        assert!(
            !shop["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == towel)
        );

        // Nothing was spent, nothing was ordered.
        assert_eq!(figures(&t, &villager).await, before);
        let (_, mine) = get(&t, "/api/v1/me/orders", Some(&villager.token)).await;
        assert_eq!(mine["items"], json!([]));
        assert_eq!(stock(&t, &admin, heping, tv).await, 1);

        // Items: a negative or fractional price, an empty name; a villager may not stock the shop;
        // another village's admin may not touch this one's.
        let path = format!("/api/v1/admin/villages/{heping}/shop/items");
        let item = |price: Value| json!({ "name": "肥皂", "pointsPrice": price, "stock": 1, "kind": "daily_goods" });
        let (status, body) = post(&t, &path, Some(&admin.token), item(json!(-3))).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "shop.invalid_price",
        );
        let (status, body) = post(&t, &path, Some(&admin.token), item(json!(0))).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "shop.invalid_price",
        );
        let (status, body) = post(&t, &path, Some(&admin.token), item(json!(2.5))).await;
        assert_envelope(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "request.invalid_body",
        );
        let (status, body) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({ "name": " ", "pointsPrice": 1, "stock": 1, "kind": "daily_goods" }),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );
        let (status, body) = post(&t, &path, Some(&villager.token), item(json!(1))).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (status, body) = post(&t, &path, Some(&cihang_admin.token), item(json!(1))).await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "village.not_found");
        let (_, items) = get(&t, &path, Some(&admin.token)).await;
        assert_eq!(items["items"].as_array().unwrap().len(), 2, "{items}");
    }
);

dual_db_test!(
    async fn r19_two_hundred_orders_for_fifty_in_stock_give_exactly_fifty(db: TestDb) {
        let (t, _clock) = spawn_at(db, START.parse().unwrap(), vec![]).await;
        let admin = login(&t, "demo-admin").await;
        let heping = village_id(&t, "heping").await;
        let mut buyers = Vec::new();
        for (i, user) in [
            "demo-villager",
            "u-heping-01-003-2",
            "u-heping-01-006-1",
            "u-heping-01-009-1",
        ]
        .into_iter()
        .enumerate()
        {
            let s = login(&t, user).await;
            give_30_points(&t, &admin, s.member_id, 10 + u8::try_from(i).unwrap()).await;
            let before = figures(&t, &s).await;
            buyers.push((s, before));
        }
        let pen = create_item(
            &t,
            &admin,
            heping,
            json!({ "name": "圆珠笔", "pointsPrice": 1, "stock": 50, "kind": "daily_goods" }),
        )
        .await;
        let attempts = (0..200).map(|i| {
            let (buyer, _) = &buyers[i % buyers.len()];
            let t = &t;
            async move { order(t, buyer, pen, 1).await }
        });
        let results = futures::future::join_all(attempts).await;
        let placed = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        for (status, body) in &results {
            if *status != StatusCode::CREATED {
                assert_envelope(*status, body, StatusCode::CONFLICT, "shop.out_of_stock");
            }
        }
        assert_eq!(placed, 50);
        assert_eq!(stock(&t, &admin, heping, pen).await, 0);
        let mut spent = 0;
        for (buyer, (score0, balance0)) in &buyers {
            let (score, balance) = figures(&t, buyer).await;
            assert_eq!(score, *score0, "spending never lowers the score (R13)");
            assert!(balance >= 0, "balance {balance}");
            spent += balance0 - balance;
        }
        assert_eq!(spent, 50, "every order paid once");
    }
);

dual_db_test!(
    async fn r19_an_overdue_order_reminds_the_admin_then_escalates_to_the_town_once(db: TestDb) {
        let (t, clock) = spawn_at(db, START.parse().unwrap(), vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let heping = village_id(&t, "heping").await;
        give_30_points(&t, &admin, villager.member_id, 3).await;
        let fan = create_item(
            &t,
            &admin,
            heping,
            json!({ "name": "电风扇", "pointsPrice": 20, "stock": 2, "kind": "electronics" }),
        )
        .await;
        let (status, placed) = order(&t, &villager, fan, 1).await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        assert_eq!(placed["dueOn"], "2026-06-08", "electronics: 7 days");
        let id = placed["id"].as_i64().unwrap();
        let remind = format!("notify.work:order.remind:{id}");
        let escalate = format!("notify.work:order.escalate:{id}");

        clock.advance(Duration::days(7));
        let report = send_order_reminders(&t.app).await.unwrap();
        assert_eq!(
            (report.reminded, report.escalated),
            (0, 0),
            "due today is on time"
        );

        clock.advance(Duration::days(1));
        let report = send_order_reminders(&t.app).await.unwrap();
        assert_eq!((report.reminded, report.escalated), (1, 0));
        let reminder = outbox_by_key(&t, &remind).await.unwrap();
        assert_eq!(reminder.payload["userIds"], json!(["demo-admin"]));
        assert!(outbox_by_key(&t, &escalate).await.is_none());
        let again = send_order_reminders(&t.app).await.unwrap();
        assert_eq!((again.reminded, again.escalated), (0, 0), "once");

        clock.advance(Duration::days(3));
        let report = send_order_reminders(&t.app).await.unwrap();
        assert_eq!((report.reminded, report.escalated), (0, 1));
        let escalation = outbox_by_key(&t, &escalate).await.unwrap();
        assert_eq!(escalation.payload["userIds"], json!(["demo-town"]));

        // Delivered: no more reminders.
        let admin = login(&t, "demo-admin").await;
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/orders/{id}/deliver"),
            Some(&admin.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        clock.advance(Duration::days(1));
        assert_eq!(send_order_reminders(&t.app).await.unwrap().checked, 0);
    }
);

dual_db_test!(
    async fn r20_fund_ledger_report_and_the_liability_alert(db: TestDb) {
        // The workers stay off: the reminder worker would run the alert pass as it starts (the
        // fund is empty then), and the calls below are the test.
        let (t, _clock) = spawn_at(
            db,
            START.parse().unwrap(),
            vec![crate::support::env(
                "AIDAZU__DINGTALK__WORKERS__ENABLED",
                "false",
            )],
        )
        .await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let town = login_as(&t, "demo-town", "console").await;
        let heping = village_id(&t, "heping").await;
        give_30_points(&t, &admin, villager.member_id, 4).await;
        let entries = format!("/api/v1/admin/villages/{heping}/funds/entries");
        let report = format!("/api/v1/admin/villages/{heping}/funds/report");

        let heping_alerts = || async {
            aidazu_store::outbox::list(t.store().connection(), Some("notify.work"))
                .await
                .unwrap()
                .into_iter()
                .filter(|m| {
                    m.dedupe_key
                        .starts_with(&format!("notify.work:fund.alert:{heping}:"))
                })
                .collect::<Vec<_>>()
        };

        // The demo seeds the pilot's district allocation (¥24,000): the points are covered.
        let (status, r) = get(&t, &report, Some(&town.token)).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let outstanding = r["outstandingPoints"].as_i64().unwrap();
        assert!(outstanding >= 30, "{r}");
        assert!(r["pointsIssued"].as_i64().unwrap() >= 30, "{r}");
        assert_eq!(r["fenPerPoint"], 100);
        assert_eq!(r["liabilityFen"], outstanding * 100);
        assert_eq!(r["fundBalanceFen"], 2_400_000);
        assert_eq!(r["liabilityExceedsFund"], false);
        send_fund_alerts(&t.app).await.unwrap();
        assert!(heping_alerts().await.is_empty(), "covered: no alert");

        // A donation names its donor.
        let (status, body) = post(
            &t,
            &entries,
            Some(&admin.token),
            json!({ "kind": "donation", "amountFen": 50_000, "reason": "乡贤捐赠", "donor": "张*明" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["kindLabel"], "社会捐赠");

        // Refusals change nothing.
        for (bad, code) in [
            (
                json!({ "kind": "donation", "amountFen": 500, "reason": "捐赠" }),
                "fund.donor_required",
            ),
            (
                json!({ "kind": "purchase", "amountFen": -500, "reason": "采购" }),
                "fund.receipt_required",
            ),
            (
                json!({ "kind": "allocation", "amountFen": -500, "reason": "拨付" }),
                "fund.wrong_sign",
            ),
            (
                json!({ "kind": "adjustment", "amountFen": 100, "reason": "  " }),
                "declaration.reason_required",
            ),
        ] {
            let (status, body) = post(&t, &entries, Some(&admin.token), bad).await;
            assert_envelope(status, &body, StatusCode::UNPROCESSABLE_ENTITY, code);
        }
        let (status, body) = post(
            &t,
            &entries,
            Some(&villager.token),
            json!({ "kind": "allocation", "amountFen": 1, "reason": "x" }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (_, list) = get(&t, &entries, Some(&admin.token)).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");

        // A purchase at cost, with its receipt, leaves ¥10 less than the liability: the alert.
        let held = 2_400_000 + 50_000;
        let spend = held - outstanding * 100 + 1_000;
        let receipt = photo_id(&t, &admin.token, 5).await;
        let (status, body) = post(
            &t,
            &entries,
            Some(&admin.token),
            json!({ "kind": "purchase", "amountFen": -spend, "reason": "采购洗衣粉、毛巾等", "receiptPhotoId": receipt }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, r) = get(&t, &report, Some(&admin.token)).await;
        assert_eq!(r["moneySpentFen"], spend);
        assert_eq!(r["fundBalanceFen"], outstanding * 100 - 1_000);
        assert_eq!(r["liabilityExceedsFund"], true);
        send_fund_alerts(&t.app).await.unwrap();
        send_fund_alerts(&t.app).await.unwrap();
        let alerts = heping_alerts().await;
        assert_eq!(alerts.len(), 1, "once a month");
        assert_eq!(
            alerts[0].payload["userIds"],
            json!(["demo-admin", "demo-town"])
        );

        // The ledger as Excel; the town's and the district's roll-ups.
        let (_, xlsx) = download(
            &t,
            &format!("/api/v1/admin/villages/{heping}/funds/entries.xlsx"),
            Some(&town.token),
            XLSX,
        )
        .await;
        assert_eq!(&xlsx[..2], b"PK");
        let district = login_as(&t, "demo-district", "console").await;
        let summary = t
            .store()
            .village(aidazu_domain::VillageId(heping))
            .await
            .unwrap()
            .unwrap();
        let (town_id, district_id) = (summary.town.id.get(), summary.district.id.get());
        let (status, town_sum) = get(
            &t,
            &format!("/api/v1/admin/funds/report?townId={town_id}"),
            Some(&town.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{town_sum}");
        assert_eq!(town_sum["villages"].as_array().unwrap().len(), 1);
        assert_eq!(town_sum["villagesInAlert"], 1);
        let (status, all) = get(
            &t,
            &format!("/api/v1/admin/funds/report?districtId={district_id}"),
            Some(&district.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{all}");
        assert_eq!(all["villages"].as_array().unwrap().len(), 4);
        let sum: i64 = all["villages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["report"]["fundBalanceFen"].as_i64().unwrap())
            .sum();
        assert_eq!(all["fundBalanceFen"], sum);
        assert_eq!(all["villagesInAlert"], 1);
        let (status, body) = get(&t, "/api/v1/admin/funds/report", Some(&district.token)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/funds/report?districtId={district_id}"),
            Some(&villager.token),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");

        // The villager sees no fund report.
        let (status, body) = get(&t, &report, Some(&villager.token)).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
    }
);
