#![doc = include_str!("../README.md")]

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_org;
mod m20261129_000002_accounts;
mod m20261129_000003_catalogue;
mod m20261129_000004_ledger;
mod m20261129_000005_audit;
mod m20261129_000006_append_only_guards;
mod m20261129_000007_domain_fields;
mod m20261129_101_refresh_tokens;
mod m20261129_110_outbox_inbox;
mod m20261129_111_declarations;
mod m20261129_112_photo_uploads;
mod m20261129_121_dingtalk_state;
mod m20261202_130_past_bindings;
mod m20261206_140_quarterly;
mod m20261206_141_honours;
mod m20261206_142_ledger_chain;
mod m20261206_150_shop;
mod m20261206_151_activities;
mod m20261206_152_objection_approval;
mod m20261207_160_read_models;
mod m20261207_170_governance;
mod m20261207_190_district_calendar;
mod m20261208_100_district_notice_groups;
mod m20261208_200_board_figures;

/// The ordered, append-only list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_org::Migration),
            Box::new(m20261129_000002_accounts::Migration),
            Box::new(m20261129_000003_catalogue::Migration),
            Box::new(m20261129_000004_ledger::Migration),
            Box::new(m20261129_000005_audit::Migration),
            Box::new(m20261129_000006_append_only_guards::Migration),
            Box::new(m20261129_000007_domain_fields::Migration),
            Box::new(m20261129_101_refresh_tokens::Migration),
            Box::new(m20261129_110_outbox_inbox::Migration),
            Box::new(m20261129_111_declarations::Migration),
            Box::new(m20261129_112_photo_uploads::Migration),
            Box::new(m20261129_121_dingtalk_state::Migration),
            Box::new(m20261202_130_past_bindings::Migration),
            Box::new(m20261206_140_quarterly::Migration),
            Box::new(m20261206_141_honours::Migration),
            Box::new(m20261206_142_ledger_chain::Migration),
            Box::new(m20261206_150_shop::Migration),
            Box::new(m20261206_151_activities::Migration),
            Box::new(m20261206_152_objection_approval::Migration),
            Box::new(m20261207_160_read_models::Migration),
            Box::new(m20261207_170_governance::Migration),
            Box::new(m20261207_190_district_calendar::Migration),
            Box::new(m20261208_100_district_notice_groups::Migration),
            Box::new(m20261208_200_board_figures::Migration),
        ]
    }
}
