//! People who log in (F1) and what they may do where (R1): accounts and role grants.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    DingtalkUserId,
    Name,
    MemberId,
    MobileCiphertext,
    MobileKeyId,
    MobileLookup,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoleGrants {
    Table,
    Id,
    AccountId,
    Role,
    ScopeKind,
    ScopeId,
    GrantedBy,
    GrantedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(big_integer(Accounts::Id).auto_increment().primary_key())
                    .col(string_uniq(Accounts::DingtalkUserId))
                    .col(string(Accounts::Name))
                    .col(big_integer_null(Accounts::MemberId))
                    .col(blob_null(Accounts::MobileCiphertext))
                    .col(string_null(Accounts::MobileKeyId))
                    .col(string_null(Accounts::MobileLookup))
                    .col(boolean(Accounts::Active).default(true))
                    .col(
                        timestamp_with_time_zone(Accounts::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .col(
                        timestamp_with_time_zone(Accounts::UpdatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_member")
                            .from(Accounts::Table, Accounts::MemberId)
                            .to(Members::Table, Members::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_accounts_member")
                    .table(Accounts::Table)
                    .col(Accounts::MemberId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_accounts_mobile_lookup")
                    .table(Accounts::Table)
                    .col(Accounts::MobileLookup)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleGrants::Table)
                    .col(big_integer(RoleGrants::Id).auto_increment().primary_key())
                    .col(big_integer(RoleGrants::AccountId))
                    .col(
                        string(RoleGrants::Role).check(Expr::col(RoleGrants::Role).is_in([
                            "villager",
                            "village_admin",
                            "village_committee",
                            "town_officer",
                            "district_officer",
                        ])),
                    )
                    .col(string(RoleGrants::ScopeKind).check(
                        Expr::col(RoleGrants::ScopeKind).is_in(["village", "town", "district"]),
                    ))
                    .col(big_integer(RoleGrants::ScopeId))
                    .col(big_integer_null(RoleGrants::GrantedBy))
                    .col(
                        timestamp_with_time_zone(RoleGrants::GrantedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_grants_account")
                            .from(RoleGrants::Table, RoleGrants::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_grants_granted_by")
                            .from(RoleGrants::Table, RoleGrants::GrantedBy)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_role_grants_account_role_scope")
                    .table(RoleGrants::Table)
                    .col(RoleGrants::AccountId)
                    .col(RoleGrants::Role)
                    .col(RoleGrants::ScopeKind)
                    .col(RoleGrants::ScopeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_role_grants_scope")
                    .table(RoleGrants::Table)
                    .col(RoleGrants::ScopeKind)
                    .col(RoleGrants::ScopeId)
                    .col(RoleGrants::Role)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoleGrants::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Accounts::Table).to_owned())
            .await
    }
}
