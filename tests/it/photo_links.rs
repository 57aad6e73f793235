//! Issue 7 point 8, "reviewers see the evidence", over the real service and its embedded DingTalk
//! simulator, on SQLite and PostgreSQL: the photo links of the approval form and the card are
//! signed and expiring (F2); they open without our token and serve only the location-free copy;
//! they are refused with the error envelope once expired (410) or when any part is altered (403);
//! a photo whose content is on another declaration carries the R11 flag in the form and card.
//! Time moves through the injected clock, never by sleeping.

use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use reqwest::StatusCode;
use serde_json::Value;

use crate::kit::*;
use crate::support::{approval_form, fast_workers, sim_get};

/// The EXIF/GPS byte builders of the photo pipeline's own tests, shared rather than copied.
#[allow(dead_code)]
#[path = "../../crates/aidazu-photos/tests/it/support/bytes_builders.rs"]
mod bytes_builders;

use bytes_builders::{exif_tiff, jpeg_segments, jpeg_with_exif};

/// The result of a sent outbox message (waits for the worker).
async fn sent_result(t: &TestApp, key: &str) -> Value {
    let message = outbox_settled(t, key).await;
    assert_eq!(message.status, "sent", "{message:?}");
    message.result.expect("a sent message has its result")
}

/// The 照片 field of the approval form DingTalk holds for a declaration, one line each.
async fn photo_field(t: &TestApp, declaration: i64) -> Vec<String> {
    let result = sent_result(t, &format!("approval.create:{declaration}")).await;
    let instance = result["processInstanceId"].as_str().unwrap().to_owned();
    let form = approval_form(&sim_get(t, &format!("/sim/approvals/{instance}")).await);
    let (_, value) = form
        .iter()
        .find(|(name, _)| name == "照片")
        .unwrap_or_else(|| panic!("no 照片 field: {form:?}"));
    value.lines().map(str::to_owned).collect()
}

/// The card data DingTalk holds for a declaration's admins' card, once the card is sent.
async fn card_data(t: &TestApp, declaration: i64) -> Value {
    sent_result(t, &format!("card.send:{declaration}")).await;
    card_of(t, declaration).await["cardData"].clone()
}

/// The signed links among `lines`.
fn signed_links(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.contains("/signed?"))
        .cloned()
        .collect()
}

/// Opens `url` with no token at all.
async fn open(t: &TestApp, url: &str) -> reqwest::Response {
    t.http.get(url).send().await.unwrap()
}

/// Opens `url` with no token and expects the error envelope with `status` and `code`.
async fn refused(t: &TestApp, url: &str, status: StatusCode, code: &str) -> Value {
    let resp = open(t, url).await;
    let got = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_envelope(got, &body, status, code);
    body
}

/// `url` with query parameter `name` set to `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k == name => format!("{k}={value}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

fn param<'a>(url: &'a str, name: &str) -> &'a str {
    url.split_once('?')
        .unwrap()
        .1
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap()
}

// F2: a reviewer opens the form's and the card's photo links without a token and gets the copy
// without GPS; after the lifetime the link answers 410; any altered part answers 403.
dual_db_test!(
    async fn photo_links_open_without_token_then_expire_and_refuse_tampering(db: TestDb) {
        let (t, clock) = spawn_at(db, chrono::Utc::now(), fast_workers()).await;

        // The route is in the OpenAPI document with every status it answers, without security.
        let (status, doc) = get(&t, "/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK);
        let op = &doc["paths"]["/api/v1/photos/{id}/signed"]["get"];
        for code in ["200", "403", "404", "410"] {
            assert!(op["responses"][code].is_object(), "{code} missing: {op}");
        }
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(params, ["id", "v", "exp", "sig"], "{op}");
        assert!(op.get("security").is_none(), "opens without a token: {op}");

        let villager = login(&t, "demo-villager").await;

        // A phone photo that carries the place it was taken (GPS EXIF).
        let with_gps = jpeg_with_exif(&jpeg(21), &exif_tiff(None, true));
        assert!(with_gps.windows(6).any(|w| w == b"Exif\0\0"));
        let (status, photo) = upload(&t, &villager.token, "IMG_GPS.jpg", with_gps).await;
        assert_eq!(status, StatusCode::CREATED, "{photo}");
        assert_eq!(photo["hadLocation"], true, "{photo}");
        let pid = photo["id"].as_i64().unwrap();
        let other_photo = photo_id(&t, &villager.token, 22).await;

        let (status, decl) = declare(&t, &villager, "ML-03", &[pid], "打扫村道").await;
        assert_eq!(status, StatusCode::CREATED, "{decl}");
        let id = decl["id"].as_i64().unwrap();

        // The form: one signed link, made for the reviewers of this declaration, no R11 flag.
        let lines = photo_field(&t, id).await;
        assert!(!lines.iter().any(|l| l.contains('⚠')), "{lines:?}");
        let links = signed_links(&lines);
        assert_eq!(links.len(), 1, "{lines:?}");
        let link = links[0].clone();
        assert!(
            link.starts_with(&format!("{}/api/v1/photos/{pid}/signed?", t.base_url)),
            "{link}"
        );
        assert_eq!(param(&link, "v"), format!("decl:{id}"));
        let exp: i64 = param(&link, "exp").parse().unwrap();
        let signed_at = t.app.clock().now().timestamp();
        assert_eq!(exp, signed_at + 30 * 86_400, "default lifetime 30 days");

        // The card carries signed links too, and no R11 flag.
        let card = card_data(&t, id).await;
        let card_links: Vec<String> = card["photos"]
            .as_str()
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(signed_links(&card_links).len(), 1, "{card}");
        assert_eq!(card["reusedPhoto"], "false", "{card}");
        assert_eq!(card["photoReuse"], "", "{card}");

        // Opened without any token: the location-free JPEG, private caching.
        for url in [&link, &card_links[0]] {
            let resp = open(&t, url).await;
            assert_eq!(resp.status(), StatusCode::OK, "{url}");
            assert_eq!(resp.headers()["content-type"], "image/jpeg");
            let cache = resp.headers()["cache-control"].to_str().unwrap().to_owned();
            assert!(cache.starts_with("private"), "{cache}");
            assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
            let bytes = resp.bytes().await.unwrap();
            assert!(image::load_from_memory(&bytes).is_ok());
            for (marker, payload) in jpeg_segments(&bytes) {
                assert_ne!(marker, 0xE1, "APP1 (EXIF) segment in the served copy");
                assert!(!payload.starts_with(b"Exif"));
            }
            assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"), "EXIF served");
        }
        // Our plain route still wants the token.
        let resp = open(&t, &t.url(&format!("/api/v1/photos/{pid}"))).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

        // Tampered: another photo (that exists), another viewer, a later expiry, another
        // signature, a missing part, a non-numeric id — each refused, naming no part.
        let sig = param(&link, "sig").to_owned();
        let flipped = format!(
            "{}{}",
            if sig.starts_with('A') { 'B' } else { 'A' },
            &sig[1..]
        );
        let base = t.url("/api/v1/photos");
        let tampered = [
            link.replace(
                &format!("/photos/{pid}/"),
                &format!("/photos/{other_photo}/"),
            ),
            link.replace(&format!("/photos/{pid}/"), "/photos/x1/"),
            with_param(&link, "v", &format!("decl:{}", id + 1)),
            with_param(&link, "v", "dt:demo-admin"),
            with_param(&link, "exp", &(exp + 86_400).to_string()),
            with_param(&link, "exp", &(exp - 1).to_string()),
            with_param(&link, "sig", &flipped),
            with_param(&link, "sig", ""),
            link.replace(&format!("&sig={sig}"), ""),
            format!("{base}/{pid}/signed"),
        ];
        for url in &tampered {
            assert_ne!(url, &link);
            let body = refused(&t, url, StatusCode::FORBIDDEN, "photo.link_invalid").await;
            assert!(body["message"].as_str().unwrap().contains("无效"), "{body}");
        }
        // A valid bearer token does not make a tampered link valid either.
        let resp = t
            .http
            .get(&tampered[0])
            .bearer_auth(&villager.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);

        // The last second of the lifetime still opens; the next is refused as expired.
        clock.advance(chrono::Duration::seconds(exp - signed_at - 1));
        assert_eq!(open(&t, &link).await.status(), StatusCode::OK);
        clock.advance(chrono::Duration::seconds(1));
        let body = refused(&t, &link, StatusCode::GONE, "photo.link_expired").await;
        assert!(body["message"].as_str().unwrap().contains("过期"), "{body}");
        refused(&t, &card_links[0], StatusCode::GONE, "photo.link_expired").await;
        // Expired and tampered: invalid, not "expired" (only genuine links are told apart).
        refused(
            &t,
            &tampered[6],
            StatusCode::FORBIDDEN,
            "photo.link_invalid",
        )
        .await;
    }
);

// R11: a declaration whose photo is also on another declaration shows the flag, in Chinese with
// the other declaration's number, in the form's 照片 field and on the card.
dual_db_test!(
    async fn r11_reused_photo_is_flagged_in_the_form_and_the_card(db: TestDb) {
        let (t, _clock) = spawn_at(db, chrono::Utc::now(), fast_workers()).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 31).await;
        let (status, first) = declare(&t, &villager, "ML-03", &[photo], "第一次").await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let first = first["id"].as_i64().unwrap();
        // The first declaration's form is made before the reuse exists: no flag there.
        let lines = photo_field(&t, first).await;
        assert!(!lines.iter().any(|l| l.contains('⚠')), "{lines:?}");

        let (status, second) = declare(&t, &villager, "ML-03", &[photo], "又用同一张照片").await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        assert_eq!(second["reusedPhoto"], true, "{second}");
        let second = second["id"].as_i64().unwrap();

        let flag = format!("⚠ 照片与其他申报重复（申报 #{first}）");
        let lines = photo_field(&t, second).await;
        assert_eq!(lines.first(), Some(&flag), "{lines:?}");
        let links = signed_links(&lines);
        assert_eq!(links.len(), 1, "{lines:?}");
        assert_eq!(param(&links[0], "v"), format!("decl:{second}"));
        assert_eq!(open(&t, &links[0]).await.status(), StatusCode::OK);

        let card = card_data(&t, second).await;
        assert_eq!(card["reusedPhoto"], "true", "{card}");
        assert_eq!(card["photoReuse"], flag.as_str(), "{card}");
    }
);
