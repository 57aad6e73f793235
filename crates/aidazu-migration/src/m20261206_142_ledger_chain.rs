//! `ledger_chain` (tamper evidence): the ledger entries of a village form a hash chain, one row per
//! entry: its place (`seq`, from 1 per village), the previous link's hash and its own
//! (SHA-256 over the previous hash and the entry's canonical fields, see
//! `aidazu_store::chain`). Written in the transaction that appends the entry. Entries that
//! existed before this migration are chained by the store right after the schema migrations
//! (`Store::migrate`), in id order.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LedgerChain {
    Table,
    EntryId,
    VillageId,
    Seq,
    PrevHash,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LedgerChain::Table)
                    .col(big_integer(LedgerChain::EntryId).primary_key())
                    .col(big_integer(LedgerChain::VillageId))
                    .col(big_integer(LedgerChain::Seq))
                    .col(string(LedgerChain::PrevHash))
                    .col(string(LedgerChain::Hash))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_ledger_chain_village_seq")
                    .table(LedgerChain::Table)
                    .col(LedgerChain::VillageId)
                    .col(LedgerChain::Seq)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LedgerChain::Table).to_owned())
            .await
    }
}
