//! Who uploaded a photo: one row per (photo, uploading account). The same content uploaded by
//! another household of the village shares the photo row (unique per village and sha256) and gets
//! its own upload row, so each household may see and use what it uploaded, and the reuse shows up
//! as R11's flag instead of blocking the second household.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PhotoUploads {
    Table,
    Id,
    PhotoId,
    HouseholdId,
    UploaderAccountId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Photos {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PhotoUploads::Table)
                    .col(big_integer(PhotoUploads::Id).auto_increment().primary_key())
                    .col(big_integer(PhotoUploads::PhotoId))
                    .col(big_integer_null(PhotoUploads::HouseholdId))
                    .col(big_integer(PhotoUploads::UploaderAccountId))
                    .col(
                        timestamp_with_time_zone(PhotoUploads::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_photo_uploads_photo")
                            .from(PhotoUploads::Table, PhotoUploads::PhotoId)
                            .to(Photos::Table, Photos::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_photo_uploads_uploader")
                            .from(PhotoUploads::Table, PhotoUploads::UploaderAccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_photo_uploads_photo_uploader")
                    .table(PhotoUploads::Table)
                    .col(PhotoUploads::PhotoId)
                    .col(PhotoUploads::UploaderAccountId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Photos recorded before this table: their first uploader.
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO photo_uploads (photo_id, household_id, uploader_account_id, created_at) \
             SELECT id, household_id, uploader_account_id, created_at FROM photos",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PhotoUploads::Table).to_owned())
            .await
    }
}
