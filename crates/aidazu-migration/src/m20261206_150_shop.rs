//! The points shop and its fund (R19, R20): `shop_items`, `shop_orders`, `fund_entries`.
//!
//! Stock never goes below zero (a CHECK, besides the conditional decrement of the store);
//! pick-up codes are unique per village; the fund ledger is append-only like the points ledger
//! (UPDATE and DELETE refused by a trigger).

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ShopItems {
    Table,
    Id,
    VillageId,
    Name,
    Kind,
    Price,
    Stock,
    HouseholdLimit,
    LimitPeriod,
    Paused,
    PhotoId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ShopOrders {
    Table,
    Id,
    VillageId,
    HouseholdId,
    MemberId,
    ItemId,
    ItemName,
    Kind,
    Quantity,
    Total,
    PickupCode,
    Status,
    PlacedBy,
    PlacedAt,
    PlacedOn,
    DueOn,
    DeliveredBy,
    DeliveredAt,
    DeliveryPhotoId,
    MemberConfirmedAt,
    CancelledBy,
    CancelledAt,
    CancelReason,
}

#[derive(DeriveIden)]
enum FundEntries {
    Table,
    Id,
    VillageId,
    Kind,
    AmountFen,
    Reason,
    Donor,
    ReceiptPhotoId,
    OccurredOn,
    ActorAccountId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ShopItems::Table)
                    .col(big_integer(ShopItems::Id).auto_increment().primary_key())
                    .col(big_integer(ShopItems::VillageId))
                    .col(string_len(ShopItems::Name, 100))
                    .col(string_len(ShopItems::Kind, 20))
                    .col(big_integer(ShopItems::Price))
                    .col(integer(ShopItems::Stock).check(Expr::col(ShopItems::Stock).gte(0)))
                    .col(integer_null(ShopItems::HouseholdLimit))
                    .col(string_len(ShopItems::LimitPeriod, 10))
                    .col(boolean(ShopItems::Paused))
                    .col(big_integer_null(ShopItems::PhotoId))
                    .col(timestamp_with_time_zone(ShopItems::CreatedAt))
                    .col(timestamp_with_time_zone(ShopItems::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("shop_items_village")
                    .table(ShopItems::Table)
                    .col(ShopItems::VillageId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShopOrders::Table)
                    .col(big_integer(ShopOrders::Id).auto_increment().primary_key())
                    .col(big_integer(ShopOrders::VillageId))
                    .col(big_integer(ShopOrders::HouseholdId))
                    .col(big_integer(ShopOrders::MemberId))
                    .col(big_integer(ShopOrders::ItemId))
                    .col(string_len(ShopOrders::ItemName, 100))
                    .col(string_len(ShopOrders::Kind, 20))
                    .col(integer(ShopOrders::Quantity))
                    .col(big_integer(ShopOrders::Total))
                    .col(string_len(ShopOrders::PickupCode, 12))
                    .col(string_len(ShopOrders::Status, 12))
                    .col(big_integer(ShopOrders::PlacedBy))
                    .col(timestamp_with_time_zone(ShopOrders::PlacedAt))
                    .col(date(ShopOrders::PlacedOn))
                    .col(date(ShopOrders::DueOn))
                    .col(big_integer_null(ShopOrders::DeliveredBy))
                    .col(timestamp_with_time_zone_null(ShopOrders::DeliveredAt))
                    .col(big_integer_null(ShopOrders::DeliveryPhotoId))
                    .col(timestamp_with_time_zone_null(ShopOrders::MemberConfirmedAt))
                    .col(big_integer_null(ShopOrders::CancelledBy))
                    .col(timestamp_with_time_zone_null(ShopOrders::CancelledAt))
                    .col(string_len_null(ShopOrders::CancelReason, 500))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "shop_orders_pickup_code",
                vec![ShopOrders::VillageId, ShopOrders::PickupCode],
                true,
            ),
            (
                "shop_orders_household_item",
                vec![
                    ShopOrders::HouseholdId,
                    ShopOrders::ItemId,
                    ShopOrders::PlacedOn,
                ],
                false,
            ),
            (
                "shop_orders_village_status",
                vec![ShopOrders::VillageId, ShopOrders::Status, ShopOrders::DueOn],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(ShopOrders::Table);
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(FundEntries::Table)
                    .col(big_integer(FundEntries::Id).auto_increment().primary_key())
                    .col(big_integer(FundEntries::VillageId))
                    .col(string_len(FundEntries::Kind, 20))
                    .col(big_integer(FundEntries::AmountFen))
                    .col(string_len(FundEntries::Reason, 500))
                    .col(string_len_null(FundEntries::Donor, 100))
                    .col(big_integer_null(FundEntries::ReceiptPhotoId))
                    .col(date(FundEntries::OccurredOn))
                    .col(big_integer(FundEntries::ActorAccountId))
                    .col(timestamp_with_time_zone(FundEntries::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("fund_entries_village_date")
                    .table(FundEntries::Table)
                    .col(FundEntries::VillageId)
                    .col(FundEntries::OccurredOn)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for op in ["UPDATE", "DELETE"] {
                    let lower = op.to_lowercase();
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER trg_fund_entries_no_{lower} BEFORE {op} ON fund_entries \
                         BEGIN SELECT RAISE(ABORT, 'fund_entries is append-only'); END;"
                    ))
                    .await?;
                }
            }
            _ => {
                // `aidazu_refuse_change()` comes from the append-only guards migration.
                db.execute_unprepared(
                    "CREATE TRIGGER trg_fund_entries_append_only BEFORE UPDATE OR DELETE \
                     ON fund_entries FOR EACH ROW EXECUTE FUNCTION aidazu_refuse_change();",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["fund_entries", "shop_orders", "shop_items"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
