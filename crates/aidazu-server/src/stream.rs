//! Stream mode: events and card presses arriving over the Stream connection feed the same
//! inbox as HTTP callbacks. The ACK is sent only after the insert committed.

use aidazu_app::App;
use aidazu_store::inbox::SOURCE_STREAM;
use dingtalk::event::{CardAction, Event, EventHandler, HandlerError};
use serde_json::Value;

/// Stores what the Stream client receives.
pub struct StreamHandler {
    app: App,
}

impl StreamHandler {
    /// A handler storing into `app`'s inbox.
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

impl EventHandler for StreamHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        self.app
            .receive_event(&event, SOURCE_STREAM)
            .await
            .map(|_| ())
            .map_err(HandlerError::from_error)
    }

    async fn handle_card_action(&self, action: CardAction) -> Result<Option<Value>, HandlerError> {
        self.app
            .receive_card_action(&action, SOURCE_STREAM)
            .await
            .map_err(HandlerError::from_error)?;
        Ok(None)
    }
}
