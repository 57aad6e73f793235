//! What each stored event does. Called inside the applying transaction.

use aidazu_store::DatabaseTransaction;
use aidazu_store::inbox::InboundEvent;

use crate::{App, AppError};

/// Applies one event inside `txn`; returns the outcome to record.
pub(crate) async fn apply(
    _app: &App,
    _txn: &DatabaseTransaction,
    event: &InboundEvent,
) -> Result<String, AppError> {
    Ok(match event.event_type.as_str() {
        "bpms_task_change" => "recorded: approval task change".to_owned(),
        "bpms_instance_change" => "recorded: approval instance change".to_owned(),
        other => format!("ignored: event type {other} has no effect here"),
    })
}
