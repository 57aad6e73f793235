//! `POST /media/upload?access_token=` (API.md §9): multipart, field `type`, file part `media`.

use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use serde_json::json;

use crate::extract::OapiToken;
use crate::ids;
use crate::records::Media;
use crate::state::Sim;
use crate::wire::oapi;

/// Largest accepted request (20 MB files plus multipart overhead).
pub const MAX_UPLOAD_BYTES: usize = 21 * 1024 * 1024;

fn cap_for(media_type: &str) -> Option<usize> {
    match media_type {
        "image" | "video" | "file" => Some(20 * 1024 * 1024),
        "voice" => Some(2 * 1024 * 1024),
        _ => None,
    }
}

/// Stores the file's metadata and answers `{"media_id","created_at","type"}`.
pub async fn upload(
    State(sim): State<Sim>,
    _token: OapiToken,
    Query(query): Query<Vec<(String, String)>>,
    mut multipart: Multipart,
) -> Response {
    // `type` may come as a form field or, as in older docs, in the query string.
    let mut media_type: Option<String> =
        query.into_iter().find(|(k, _)| k == "type").map(|(_, v)| v);
    let mut file: Option<(String, String, usize)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                if name == "type" {
                    media_type = field.text().await.ok();
                } else if name == "media" {
                    let file_name = field.file_name().unwrap_or("").to_owned();
                    let content_type = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_owned();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((file_name, content_type, bytes.len())),
                        Err(_) => return oapi::error(40035, "缺少参数 media"),
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return oapi::error(40035, "缺少参数 media"),
        }
    }
    let Some(media_type) = media_type else {
        return oapi::error(40035, "缺少参数 type");
    };
    let Some(cap) = cap_for(&media_type) else {
        return oapi::error(40004, "不合法的媒体文件类型");
    };
    let Some((file_name, content_type, size)) = file else {
        return oapi::error(40035, "缺少参数 media");
    };
    if size == 0 {
        return oapi::error(40005, "不合法的文件类型");
    }
    if size > cap {
        return oapi::error(40006, "不合法的文件大小");
    }
    let media_id = format!("@{}", ids::alnum(22));
    let created_at = sim.clock().now_ms();
    sim.with_data(|data| {
        data.media.push(Media {
            media_id: media_id.clone(),
            media_type: media_type.clone(),
            file_name,
            content_type,
            size,
            created_at,
        });
    });
    oapi::ok(json!({ "media_id": media_id, "created_at": created_at, "type": media_type }))
}
