//! Interactive cards (互动卡片, API.md §6): create-and-deliver and update.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json_endpoint;
use crate::Client;
use crate::error::DingTalkError;
use crate::ids::{OpenConversationId, OutTrackId, RobotCode, UserId};

/// Card variables: `cardParamMap` values are strings only (key ≤ 100 B, value ≤ 1 KB).
pub type CardParams = BTreeMap<String, String>;

/// `{"cardParamMap": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardData {
    /// The variables.
    pub card_param_map: CardParams,
}

impl From<CardParams> for CardData {
    fn from(card_param_map: CardParams) -> Self {
        Self { card_param_map }
    }
}

/// Builds an `openSpaceId`: `dtv1.card//<SPACE_TYPE>.<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSpaceId(String);

impl OpenSpaceId {
    /// A group chat: `dtv1.card//IM_GROUP.<openConversationId>`.
    pub fn group(conversation: &OpenConversationId) -> Self {
        Self(format!("dtv1.card//IM_GROUP.{conversation}"))
    }

    /// The robot's one-to-one chat with a user: `dtv1.card//IM_ROBOT.<userId>`.
    pub fn robot_chat(user: &UserId) -> Self {
        Self(format!("dtv1.card//IM_ROBOT.{user}"))
    }

    /// The raw value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Group delivery options (`imGroupOpenDeliverModel`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImGroupOpenDeliverModel {
    /// The robot that posts the card.
    pub robot_code: RobotCode,
    /// `{userId: name}` or `{"@ALL": "@ALL"}`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub at_user_ids: BTreeMap<String, String>,
    /// Only these members see the card (empty = everyone).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<UserId>,
}

/// Group space options (`imGroupOpenSpaceModel`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImGroupOpenSpaceModel {
    /// Whether the card may be forwarded.
    pub support_forward: bool,
}

/// Robot one-to-one delivery options (`imRobotOpenDeliverModel`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImRobotOpenDeliverModel {
    /// Always `IM_ROBOT`.
    pub space_type: String,
    /// The robot.
    pub robot_code: RobotCode,
}

/// Robot one-to-one space options (`imRobotOpenSpaceModel`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImRobotOpenSpaceModel {
    /// Whether the card may be forwarded.
    pub support_forward: bool,
}

/// `POST /v1.0/card/instances/createAndDeliver`.
///
/// Idempotent by `out_track_id` and therefore retried automatically: a repeat never creates a
/// second card. If an earlier attempt got through, the repeat answers `param.cardAlreadyExist`
/// (see [`DingTalkError::is_card_already_exists`](crate::DingTalkError)), which callers should
/// treat as delivered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAndDeliverCard {
    /// The published card template.
    pub card_template_id: String,
    /// Caller-chosen unique id of this card.
    pub out_track_id: OutTrackId,
    /// `STREAM` (actions arrive on the Stream connection) or `HTTP`.
    pub callback_type: String,
    /// HTTP mode: the registered callback route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_route_key: Option<String>,
    /// Public variables.
    pub card_data: CardData,
    /// Per-user variables: `{userId: {"cardParamMap": {...}}}`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub private_data: BTreeMap<UserId, CardData>,
    /// Where to deliver.
    pub open_space_id: String,
    /// Group space options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub im_group_open_space_model: Option<ImGroupOpenSpaceModel>,
    /// Group delivery options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub im_group_open_deliver_model: Option<ImGroupOpenDeliverModel>,
    /// Robot chat space options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub im_robot_open_space_model: Option<ImRobotOpenSpaceModel>,
    /// Robot chat delivery options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub im_robot_open_deliver_model: Option<ImRobotOpenDeliverModel>,
    /// `1` = user ids are userid (default), `2` = unionid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id_type: Option<i32>,
}

impl CreateAndDeliverCard {
    /// A card posted by `robot` into a group chat, with Stream-mode action callbacks.
    pub fn to_group(
        card_template_id: impl Into<String>,
        out_track_id: OutTrackId,
        conversation: &OpenConversationId,
        robot: RobotCode,
        params: CardParams,
    ) -> Self {
        Self {
            card_template_id: card_template_id.into(),
            out_track_id,
            callback_type: "STREAM".into(),
            callback_route_key: None,
            card_data: params.into(),
            private_data: BTreeMap::new(),
            open_space_id: OpenSpaceId::group(conversation).0,
            im_group_open_space_model: Some(ImGroupOpenSpaceModel {
                support_forward: false,
            }),
            im_group_open_deliver_model: Some(ImGroupOpenDeliverModel {
                robot_code: robot,
                at_user_ids: BTreeMap::new(),
                recipients: Vec::new(),
            }),
            im_robot_open_space_model: None,
            im_robot_open_deliver_model: None,
            user_id_type: None,
        }
    }

    /// A card sent by `robot` to one user's robot chat, with Stream-mode action callbacks.
    pub fn to_user(
        card_template_id: impl Into<String>,
        out_track_id: OutTrackId,
        user: &UserId,
        robot: RobotCode,
        params: CardParams,
    ) -> Self {
        Self {
            card_template_id: card_template_id.into(),
            out_track_id,
            callback_type: "STREAM".into(),
            callback_route_key: None,
            card_data: params.into(),
            private_data: BTreeMap::new(),
            open_space_id: OpenSpaceId::robot_chat(user).0,
            im_group_open_space_model: None,
            im_group_open_deliver_model: None,
            im_robot_open_space_model: Some(ImRobotOpenSpaceModel {
                support_forward: false,
            }),
            im_robot_open_deliver_model: Some(ImRobotOpenDeliverModel {
                space_type: "IM_ROBOT".into(),
                robot_code: robot,
            }),
            user_id_type: None,
        }
    }
}

/// `{"success", "result": {"outTrackId", "deliverResults"}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateAndDeliverResponse {
    /// The outcome.
    pub result: CreateAndDeliverResult,
}

/// Per-space delivery outcome.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAndDeliverResult {
    /// The card.
    #[serde(default)]
    pub out_track_id: Option<OutTrackId>,
    /// One entry per space of the `openSpaceId`.
    #[serde(default)]
    pub deliver_results: Vec<DeliverResult>,
}

/// Delivery to one space.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverResult {
    /// `IM_GROUP`, `IM_ROBOT`, ...
    #[serde(default)]
    pub space_type: String,
    /// The conversation or user.
    #[serde(default)]
    pub space_id: String,
    /// Whether it was delivered.
    #[serde(default)]
    pub success: bool,
    /// Message carrier id.
    #[serde(default)]
    pub carrier_id: Option<String>,
    /// Why it failed.
    #[serde(default)]
    pub error_msg: Option<String>,
}

json_endpoint!(CreateAndDeliverCard => CreateAndDeliverResponse, Api, POST, "/v1.0/card/instances/createAndDeliver", Idempotent);

/// `cardUpdateOptions`: by default both maps are overwritten.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardUpdateOptions {
    /// Merge `cardData` by key instead of overwriting.
    pub update_card_data_by_key: bool,
    /// Merge `privateData` by key instead of overwriting.
    pub update_private_data_by_key: bool,
}

/// `PUT /v1.0/card/instances`: changes a card's variables. Idempotent (same data, same card).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCard {
    /// The card.
    pub out_track_id: OutTrackId,
    /// New public variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_data: Option<CardData>,
    /// New per-user variables.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub private_data: BTreeMap<UserId, CardData>,
    /// Overwrite or merge.
    pub card_update_options: CardUpdateOptions,
}

impl UpdateCard {
    /// Merges `params` into the card's public variables.
    pub fn merge(out_track_id: OutTrackId, params: CardParams) -> Self {
        Self {
            out_track_id,
            card_data: Some(params.into()),
            private_data: BTreeMap::new(),
            card_update_options: CardUpdateOptions {
                update_card_data_by_key: true,
                update_private_data_by_key: true,
            },
        }
    }
}

/// `{"success", "result"}` of a card update.
#[derive(Debug, Clone, Deserialize)]
pub struct UpdateCardResponse {
    /// Whether DingTalk accepted it.
    #[serde(default)]
    pub success: bool,
    /// Anything else DingTalk answered.
    #[serde(default)]
    pub result: Value,
}

json_endpoint!(UpdateCard => UpdateCardResponse, Api, PUT, "/v1.0/card/instances", Idempotent);

/// `POST /v1.0/card/callbacks/register`: where DingTalk posts button presses of HTTP-mode cards
/// (`callbackType = "HTTP"`, `callbackRouteKey`), signed with `apiSecret`
/// (`x-ddpaas-signature`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterCardCallback {
    /// The route key cards name in `callbackRouteKey`.
    pub callback_route_key: String,
    /// The HTTPS URL DingTalk posts to.
    pub callback_url: String,
    /// The secret of `x-ddpaas-signature = base64(HmacSHA256(apiSecret, timestamp))`.
    pub api_secret: String,
    /// Replace an existing registration of the same key.
    pub force_update: bool,
}

/// Answer of [`RegisterCardCallback`].
#[derive(Debug, Clone, Deserialize)]
pub struct RegisterCardCallbackResponse {
    /// Whether DingTalk accepted it.
    #[serde(default)]
    pub success: bool,
}

json_endpoint!(RegisterCardCallback => RegisterCardCallbackResponse, Api, POST, "/v1.0/card/callbacks/register", Idempotent);

impl Client {
    /// Creates a card and delivers it in one call; answers the per-space outcome.
    ///
    /// # Errors
    /// [`DingTalkError::Api`], e.g. `param.cardAlreadyExist` or `param.templateNotExist`.
    pub async fn create_and_deliver_card(
        &self,
        request: &CreateAndDeliverCard,
    ) -> Result<CreateAndDeliverResult, DingTalkError> {
        Ok(self.send(request).await?.result)
    }

    /// Updates a card's variables.
    ///
    /// # Errors
    /// [`DingTalkError::Api`], e.g. `param.cardNotExist`.
    pub async fn update_card(&self, request: &UpdateCard) -> Result<(), DingTalkError> {
        self.send(request).await.map(|_| ())
    }

    /// Registers (or with `force_update` replaces) the HTTP callback route of cards.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] (e.g. `callbackRouteKeyExist` without `force_update`).
    pub async fn register_card_callback(
        &self,
        request: &RegisterCardCallback,
    ) -> Result<bool, DingTalkError> {
        Ok(self.send(request).await?.success)
    }
}
