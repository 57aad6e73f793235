//! Photo evidence (F2), declarations (R8, R9) and the photos each declaration carries.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Photos {
    Table,
    Id,
    VillageId,
    HouseholdId,
    UploaderAccountId,
    Sha256,
    SizeBytes,
    Format,
    Width,
    Height,
    HadLocation,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Declarations {
    Table,
    Id,
    VillageId,
    HouseholdId,
    MemberId,
    DeclarantAccountId,
    ItemCode,
    CatalogueVersionId,
    CatalogueVersion,
    ItemTitle,
    SuggestedPoints,
    MinPoints,
    MaxPoints,
    OccurredOn,
    Text,
    State,
    SubmittedAt,
    ReviewDeadline,
    Channel,
    RequestId,
    DecidedAt,
    DeciderAccountId,
    DecisionChannel,
    Points,
    Reason,
    WithdrawnAt,
    ProcessInstanceId,
    CardOutTrackId,
    LedgerEntryId,
}

#[derive(DeriveIden)]
enum DeclarationPhotos {
    Table,
    DeclarationId,
    PhotoId,
    Position,
}

#[derive(DeriveIden)]
enum Villages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Members {
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
                    .table(Photos::Table)
                    .col(big_integer(Photos::Id).auto_increment().primary_key())
                    .col(big_integer(Photos::VillageId))
                    .col(big_integer_null(Photos::HouseholdId))
                    .col(big_integer(Photos::UploaderAccountId))
                    .col(string_len(Photos::Sha256, 64))
                    .col(big_integer(Photos::SizeBytes))
                    .col(string(Photos::Format))
                    .col(integer(Photos::Width))
                    .col(integer(Photos::Height))
                    .col(boolean(Photos::HadLocation))
                    .col(
                        timestamp_with_time_zone(Photos::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_photos_village")
                            .from(Photos::Table, Photos::VillageId)
                            .to(Villages::Table, Villages::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_photos_household")
                            .from(Photos::Table, Photos::HouseholdId)
                            .to(Households::Table, Households::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_photos_uploader")
                            .from(Photos::Table, Photos::UploaderAccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_photos_village_sha256")
                    .table(Photos::Table)
                    .col(Photos::VillageId)
                    .col(Photos::Sha256)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Declarations::Table)
                    .col(big_integer(Declarations::Id).auto_increment().primary_key())
                    .col(big_integer(Declarations::VillageId))
                    .col(big_integer(Declarations::HouseholdId))
                    .col(big_integer(Declarations::MemberId))
                    .col(big_integer(Declarations::DeclarantAccountId))
                    .col(string(Declarations::ItemCode))
                    .col(big_integer(Declarations::CatalogueVersionId))
                    .col(integer(Declarations::CatalogueVersion))
                    .col(string(Declarations::ItemTitle))
                    .col(big_integer(Declarations::SuggestedPoints))
                    .col(big_integer(Declarations::MinPoints))
                    .col(big_integer(Declarations::MaxPoints))
                    .col(date(Declarations::OccurredOn))
                    .col(text(Declarations::Text))
                    .col(string(Declarations::State))
                    .col(timestamp_with_time_zone(Declarations::SubmittedAt))
                    .col(date(Declarations::ReviewDeadline))
                    .col(string(Declarations::Channel))
                    .col(string_null(Declarations::RequestId))
                    .col(timestamp_with_time_zone_null(Declarations::DecidedAt))
                    .col(big_integer_null(Declarations::DeciderAccountId))
                    .col(string_null(Declarations::DecisionChannel))
                    .col(big_integer_null(Declarations::Points))
                    .col(text_null(Declarations::Reason))
                    .col(timestamp_with_time_zone_null(Declarations::WithdrawnAt))
                    .col(string_null(Declarations::ProcessInstanceId))
                    .col(string(Declarations::CardOutTrackId))
                    .col(big_integer_null(Declarations::LedgerEntryId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declarations_household")
                            .from(Declarations::Table, Declarations::HouseholdId)
                            .to(Households::Table, Households::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declarations_member")
                            .from(Declarations::Table, Declarations::MemberId)
                            .to(Members::Table, Members::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declarations_declarant")
                            .from(Declarations::Table, Declarations::DeclarantAccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "idx_declarations_household_submitted",
                vec![Declarations::HouseholdId, Declarations::SubmittedAt],
                false,
            ),
            (
                "idx_declarations_village_state",
                vec![Declarations::VillageId, Declarations::State],
                false,
            ),
            (
                "uq_declarations_process_instance",
                vec![Declarations::ProcessInstanceId],
                true,
            ),
            (
                "uq_declarations_card_out_track",
                vec![Declarations::CardOutTrackId],
                true,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Declarations::Table);
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
                    .table(DeclarationPhotos::Table)
                    .col(big_integer(DeclarationPhotos::DeclarationId))
                    .col(big_integer(DeclarationPhotos::PhotoId))
                    .col(integer(DeclarationPhotos::Position))
                    .primary_key(
                        Index::create()
                            .col(DeclarationPhotos::DeclarationId)
                            .col(DeclarationPhotos::PhotoId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declaration_photos_declaration")
                            .from(DeclarationPhotos::Table, DeclarationPhotos::DeclarationId)
                            .to(Declarations::Table, Declarations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_declaration_photos_photo")
                            .from(DeclarationPhotos::Table, DeclarationPhotos::PhotoId)
                            .to(Photos::Table, Photos::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_declaration_photos_photo")
                    .table(DeclarationPhotos::Table)
                    .col(DeclarationPhotos::PhotoId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DeclarationPhotos::Table.into_iden(),
            Declarations::Table.into_iden(),
            Photos::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
