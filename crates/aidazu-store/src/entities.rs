//! sea-orm entities, one module per table. Private to the crate: callers get domain types and
//! read models, never rows.

pub(crate) mod accounts;
pub(crate) mod activities;
pub(crate) mod activity_attendance;
pub(crate) mod activity_stories;
pub(crate) mod audit_log;
pub(crate) mod catalogue_items;
pub(crate) mod catalogue_versions;
pub(crate) mod declaration_photos;
pub(crate) mod declarations;
pub(crate) mod dingtalk_events;
pub(crate) mod dingtalk_state;
pub(crate) mod districts;
pub(crate) mod fund_entries;
pub(crate) mod honour_nominations;
pub(crate) mod honours_lists;
pub(crate) mod households;
pub(crate) mod job_runs;
pub(crate) mod ledger_entries;
pub(crate) mod members;
pub(crate) mod objections;
pub(crate) mod outbox;
pub(crate) mod participation_changes;
pub(crate) mod past_bindings;
pub(crate) mod photo_uploads;
pub(crate) mod photos;
pub(crate) mod publications;
pub(crate) mod refresh_tokens;
pub(crate) mod role_grants;
pub(crate) mod shop_items;
pub(crate) mod shop_orders;
pub(crate) mod towns;
pub(crate) mod village_groups;
pub(crate) mod village_notice_groups;
pub(crate) mod villages;
