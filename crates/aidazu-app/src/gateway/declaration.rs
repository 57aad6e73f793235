//! Gateway calls that need a declaration's details (approval form, card content, outcome).

use aidazu_store::outbox::OutboxMessage;
use serde_json::Value;

use super::SendError;
use crate::App;

pub(crate) async fn create_approval(_app: &App, _message: &OutboxMessage) -> Result<Value, SendError> {
    Err(SendError::Retry {
        reason: "declarations are not available yet".into(),
        rate_limited: false,
    })
}

pub(crate) async fn send_card(_app: &App, _message: &OutboxMessage) -> Result<Value, SendError> {
    Err(SendError::Retry {
        reason: "declarations are not available yet".into(),
        rate_limited: false,
    })
}

pub(crate) async fn update_card(_app: &App, _message: &OutboxMessage) -> Result<Value, SendError> {
    Err(SendError::Retry {
        reason: "declarations are not available yet".into(),
        rate_limited: false,
    })
}
