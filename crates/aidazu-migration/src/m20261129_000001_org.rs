//! Organisation tree (R1) and people (R2–R4): districts, towns, villages, village groups, households,
//! members and the append-only participation changes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
    Code,
    Name,
    DeptId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Towns {
    Table,
    Id,
    DistrictId,
    Code,
    Name,
    DeptId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Villages {
    Table,
    Id,
    TownId,
    Code,
    Name,
    DeptId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VillageGroups {
    Table,
    Id,
    VillageId,
    Code,
    Name,
    DeptId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    Id,
    VillageId,
    GroupId,
    Code,
    Address,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
    HouseholdId,
    VillageId,
    Code,
    Name,
    Relation,
    Gender,
    BirthYear,
    Kind,
    LongTermAbsent,
    PartyMember,
    MobileCiphertext,
    MobileKeyId,
    MobileLookup,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ParticipationChanges {
    Table,
    Id,
    MemberId,
    HouseholdId,
    VillageId,
    Participating,
    Reason,
    EffectiveOn,
    RecordedBy,
    Channel,
    RecordedAt,
}

fn id_col<T: IntoIden>(name: T) -> ColumnDef {
    big_integer(name).auto_increment().primary_key().take()
}

fn created_at<T: IntoIden>(name: T) -> ColumnDef {
    timestamp_with_time_zone(name)
        .default(Expr::current_timestamp())
        .take()
}

fn fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden),
    to: (impl IntoIden + 'static, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Restrict)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Districts::Table)
                    .col(id_col(Districts::Id))
                    .col(string_uniq(Districts::Code))
                    .col(string(Districts::Name))
                    .col(string_null(Districts::DeptId))
                    .col(created_at(Districts::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Towns::Table)
                    .col(id_col(Towns::Id))
                    .col(big_integer(Towns::DistrictId))
                    .col(string_uniq(Towns::Code))
                    .col(string(Towns::Name))
                    .col(string_null(Towns::DeptId))
                    .col(created_at(Towns::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_towns_district",
                        (Towns::Table, Towns::DistrictId),
                        (Districts::Table, Districts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_towns_district")
                    .table(Towns::Table)
                    .col(Towns::DistrictId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Villages::Table)
                    .col(id_col(Villages::Id))
                    .col(big_integer(Villages::TownId))
                    .col(string_uniq(Villages::Code))
                    .col(string(Villages::Name))
                    .col(string_null(Villages::DeptId))
                    .col(created_at(Villages::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_villages_town",
                        (Villages::Table, Villages::TownId),
                        (Towns::Table, Towns::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_villages_town")
                    .table(Villages::Table)
                    .col(Villages::TownId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VillageGroups::Table)
                    .col(id_col(VillageGroups::Id))
                    .col(big_integer(VillageGroups::VillageId))
                    .col(string(VillageGroups::Code))
                    .col(string(VillageGroups::Name))
                    .col(string_null(VillageGroups::DeptId))
                    .col(created_at(VillageGroups::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_village_groups_village",
                        (VillageGroups::Table, VillageGroups::VillageId),
                        (Villages::Table, Villages::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_village_groups_village_code")
                    .table(VillageGroups::Table)
                    .col(VillageGroups::VillageId)
                    .col(VillageGroups::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Households::Table)
                    .col(id_col(Households::Id))
                    .col(big_integer(Households::VillageId))
                    .col(big_integer_null(Households::GroupId))
                    .col(string(Households::Code))
                    .col(string(Households::Address))
                    .col(created_at(Households::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_households_village",
                        (Households::Table, Households::VillageId),
                        (Villages::Table, Villages::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_households_group",
                        (Households::Table, Households::GroupId),
                        (VillageGroups::Table, VillageGroups::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_households_village_code")
                    .table(Households::Table)
                    .col(Households::VillageId)
                    .col(Households::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_households_group")
                    .table(Households::Table)
                    .col(Households::GroupId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Members::Table)
                    .col(id_col(Members::Id))
                    .col(big_integer(Members::HouseholdId))
                    .col(big_integer(Members::VillageId))
                    .col(string_null(Members::Code))
                    .col(string(Members::Name))
                    .col(string(Members::Relation))
                    .col(string_null(Members::Gender))
                    .col(integer_null(Members::BirthYear))
                    .col(
                        string(Members::Kind)
                            .check(Expr::col(Members::Kind).is_in(["villager", "non_villager"])),
                    )
                    .col(boolean(Members::LongTermAbsent).default(false))
                    .col(boolean(Members::PartyMember).default(false))
                    .col(blob_null(Members::MobileCiphertext))
                    .col(string_null(Members::MobileKeyId))
                    .col(string_null(Members::MobileLookup))
                    .col(created_at(Members::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_members_household",
                        (Members::Table, Members::HouseholdId),
                        (Households::Table, Households::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_members_village",
                        (Members::Table, Members::VillageId),
                        (Villages::Table, Villages::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_members_code")
                    .table(Members::Table)
                    .col(Members::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_members_household")
                    .table(Members::Table)
                    .col(Members::HouseholdId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_members_village")
                    .table(Members::Table)
                    .col(Members::VillageId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_members_mobile_lookup")
                    .table(Members::Table)
                    .col(Members::MobileLookup)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ParticipationChanges::Table)
                    .col(id_col(ParticipationChanges::Id))
                    .col(big_integer(ParticipationChanges::MemberId))
                    .col(big_integer(ParticipationChanges::HouseholdId))
                    .col(big_integer(ParticipationChanges::VillageId))
                    .col(boolean(ParticipationChanges::Participating))
                    .col(string(ParticipationChanges::Reason))
                    .col(date(ParticipationChanges::EffectiveOn))
                    .col(big_integer_null(ParticipationChanges::RecordedBy))
                    .col(string(ParticipationChanges::Channel))
                    .col(created_at(ParticipationChanges::RecordedAt))
                    .foreign_key(&mut fk(
                        "fk_participation_changes_member",
                        (ParticipationChanges::Table, ParticipationChanges::MemberId),
                        (Members::Table, Members::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_participation_changes_household",
                        (
                            ParticipationChanges::Table,
                            ParticipationChanges::HouseholdId,
                        ),
                        (Households::Table, Households::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_participation_changes_village",
                        (ParticipationChanges::Table, ParticipationChanges::VillageId),
                        (Villages::Table, Villages::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_participation_changes_member")
                    .table(ParticipationChanges::Table)
                    .col(ParticipationChanges::MemberId)
                    .col(ParticipationChanges::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_participation_changes_household")
                    .table(ParticipationChanges::Table)
                    .col(ParticipationChanges::HouseholdId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ParticipationChanges::Table.into_iden(),
            Members::Table.into_iden(),
            Households::Table.into_iden(),
            VillageGroups::Table.into_iden(),
            Villages::Table.into_iden(),
            Towns::Table.into_iden(),
            Districts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
