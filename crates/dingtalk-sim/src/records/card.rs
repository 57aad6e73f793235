//! Interactive cards (互动卡片, API.md §6): instances, where they were delivered, and the
//! callback routes registered for HTTP-mode actions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One delivery target parsed from an `openSpaceId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenSpace {
    /// `IM_GROUP`, `IM_ROBOT`, `IM_SINGLE`, `ONE_BOX`... (upper case).
    pub space_type: String,
    /// Conversation id, user id...
    pub space_id: String,
}

/// Parses `dtv1.card//IM_GROUP.cid...;IM_ROBOT.user...` (either case). `None` when malformed.
pub fn parse_open_space_id(text: &str) -> Option<Vec<OpenSpace>> {
    const PREFIX: &str = "dtv1.card//";
    let head = text.get(..PREFIX.len())?;
    if !head.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let spaces: Option<Vec<OpenSpace>> = text[PREFIX.len()..]
        .split(';')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (kind, id) = part.split_once('.')?;
            let kind_ok =
                !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphabetic() || c == '_');
            (kind_ok && !id.is_empty()).then(|| OpenSpace {
                space_type: kind.to_ascii_uppercase(),
                space_id: id.to_owned(),
            })
        })
        .collect();
    spaces.filter(|list| !list.is_empty())
}

/// A card instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// Caller-chosen unique id.
    pub out_track_id: String,
    /// Template.
    pub card_template_id: String,
    /// `STREAM` or `HTTP`.
    pub callback_type: String,
    /// Route key of HTTP-mode callbacks.
    pub callback_route_key: Option<String>,
    /// Public card data (`cardParamMap`).
    pub card_data: BTreeMap<String, String>,
    /// Per-user private data as received.
    pub private_data: Value,
    /// Where it was delivered.
    pub spaces: Vec<OpenSpace>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update (API or callback answer).
    pub updated_at: DateTime<Utc>,
    /// Number of updates.
    pub update_count: u32,
    /// Button presses simulated so far, with their outcome.
    pub actions: Vec<Value>,
}

/// `POST /v1.0/card/callbacks/register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardCallbackRoute {
    /// Route key cards name in `callbackRouteKey`.
    pub callback_route_key: String,
    /// Where DingTalk posts actions.
    pub callback_url: String,
    /// Secret of the `x-ddpaas-signature` header (not shown by control endpoints).
    #[serde(skip)]
    pub api_secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_space_ids_parse_in_both_cases() {
        let spaces =
            parse_open_space_id("dtv1.card//IM_GROUP.cid123==;im_robot.manager01").expect("valid");
        assert_eq!(
            spaces,
            vec![
                OpenSpace {
                    space_type: "IM_GROUP".into(),
                    space_id: "cid123==".into()
                },
                OpenSpace {
                    space_type: "IM_ROBOT".into(),
                    space_id: "manager01".into()
                },
            ]
        );
        assert_eq!(parse_open_space_id("IM_GROUP.cid"), None);
        assert_eq!(parse_open_space_id("dtv1.card//"), None);
        assert_eq!(parse_open_space_id("dtv1.card//IM_GROUP"), None);
    }
}
