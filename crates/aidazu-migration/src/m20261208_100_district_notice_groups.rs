//! Each district's own robot settings (issue 12 point 6, F5): `district_notice_groups`, the
//! DingTalk group (openConversationId) and robot code the district's quarterly summary goes to,
//! set by its officers; a district without a row keeps the deployment's work notification to its
//! officers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DistrictNoticeGroups {
    Table,
    DistrictId,
    OpenConversationId,
    RobotCode,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DistrictNoticeGroups::Table)
                    .col(big_integer(DistrictNoticeGroups::DistrictId).primary_key())
                    .col(string(DistrictNoticeGroups::OpenConversationId))
                    .col(string(DistrictNoticeGroups::RobotCode))
                    .col(big_integer_null(DistrictNoticeGroups::UpdatedBy))
                    .col(timestamp_with_time_zone(DistrictNoticeGroups::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DistrictNoticeGroups::Table).to_owned())
            .await
    }
}
