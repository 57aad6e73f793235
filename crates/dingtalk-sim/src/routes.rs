//! DingTalk API routes of both families, one module per area.

pub mod card;
pub mod contact;
pub mod fallback;
pub mod gateway;
pub mod media;
pub mod message;
pub mod oauth;
pub mod token;
pub mod workflow;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::Sim;

/// Every DingTalk path the simulator serves (both hosts on one listener).
pub fn dingtalk_routes() -> Router<Sim> {
    Router::new()
        // oapi host
        .route("/gettoken", get(token::gettoken))
        .route("/topapi/v2/user/getuserinfo", post(contact::getuserinfo))
        .route("/topapi/v2/user/get", post(contact::user_get))
        .route("/topapi/v2/user/list", post(contact::user_list))
        .route("/topapi/user/getbyunionid", post(contact::user_by_union_id))
        .route(
            "/topapi/v2/department/listsub",
            post(contact::department_listsub),
        )
        .route("/topapi/v2/department/get", post(contact::department_get))
        .route(
            "/topapi/message/corpconversation/asyncsend_v2",
            post(message::asyncsend),
        )
        .route(
            "/topapi/message/corpconversation/getsendresult",
            post(message::getsendresult),
        )
        .route(
            "/media/upload",
            post(media::upload).layer(DefaultBodyLimit::max(media::MAX_UPLOAD_BYTES)),
        )
        .route(
            "/call_back/get_call_back_failed_result",
            get(message::failed_callbacks),
        )
        // api host
        .route("/v1.0/oauth2/accessToken", post(token::access_token))
        .route(
            "/v1.0/oauth2/userAccessToken",
            post(oauth::user_access_token),
        )
        .route("/v1.0/contact/users/me", get(oauth::users_me))
        .route(
            "/v1.0/workflow/processInstances",
            post(workflow::create).get(workflow::get_instance),
        )
        .route(
            "/v1.0/workflow/processInstances/terminate",
            post(workflow::terminate),
        )
        .route(
            "/v1.0/workflow/processInstances/execute",
            post(workflow::execute),
        )
        .route("/v1.0/workflow/forms", post(workflow::save_form))
        .route("/v1.0/card/instances", post(card::create).put(card::update))
        .route("/v1.0/card/instances/deliver", post(card::deliver))
        .route(
            "/v1.0/card/instances/createAndDeliver",
            post(card::create_and_deliver),
        )
        .route(
            "/v1.0/card/callbacks/register",
            post(card::register_callback),
        )
        .route("/v1.0/robot/groupMessages/send", post(message::group_send))
        .route("/v1.0/gateway/connections/open", post(gateway::open))
}
