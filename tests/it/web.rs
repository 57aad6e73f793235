//! The built front end served by `aidazu serve` (issue 10): the villager app at `/`, the console
//! at `/console/`, client routes falling back to their app's `index.html`, hashed assets cached
//! for a year, pages `no-cache`, precompressed files sent when accepted, and the API's paths
//! keeping the JSON error envelope. Runs on a small built tree the test writes (the real build
//! is exercised by `dingtalk-miniapp/scripts/test`); also `GET /api/v1/client-config`.

use aidazu_testkit::{TestApp, TestAppOptions, TestDb};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};

use crate::kit::*;

const VILLAGER_HTML: &str = "<!doctype html><title>爱大足</title><div id=app></div>villager";
const CONSOLE_HTML: &str = "<!doctype html><title>管理后台</title><div id=app></div>console";
const ASSET_JS: &str = "console.log('villager app');";

fn built_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("console")).unwrap();
    std::fs::create_dir_all(root.join("assets")).unwrap();
    std::fs::write(root.join("index.html"), VILLAGER_HTML).unwrap();
    std::fs::write(root.join("console/index.html"), CONSOLE_HTML).unwrap();
    std::fs::write(root.join("assets/villager-AbC123.js"), ASSET_JS).unwrap();
    // What scripts/precompress.mjs writes beside it (content irrelevant to the server).
    std::fs::write(
        root.join("assets/villager-AbC123.js.gz"),
        b"\x1f\x8bgzipped",
    )
    .unwrap();
    dir
}

async fn spawn_with_web(dir: &std::path::Path) -> TestApp {
    TestApp::spawn_with(
        TestDb::sqlite(),
        TestAppOptions {
            env: vec![("AIDAZU__WEB__DIR".to_owned(), dir.display().to_string())],
            ..TestAppOptions::default()
        },
    )
    .await
}

async fn page(t: &TestApp, path: &str) -> (StatusCode, String, String, String) {
    let response = t
        .http
        .get(t.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (ctype, cache) = (header(CONTENT_TYPE), header(CACHE_CONTROL));
    (status, ctype, cache, response.text().await.unwrap())
}

#[tokio::test]
async fn the_villager_app_and_the_console_answer_html_with_cache_headers() {
    let tree = built_tree();
    let t = spawn_with_web(tree.path()).await;

    for (path, body) in [
        ("/", VILLAGER_HTML),
        ("/ledger", VILLAGER_HTML),
        ("/declare?demoUser=demo-villager", VILLAGER_HTML),
        ("/console/", CONSOLE_HTML),
        ("/console/review", CONSOLE_HTML),
        ("/console/audit?householdId=1", CONSOLE_HTML),
    ] {
        let (status, ctype, cache, text) = page(&t, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(ctype.starts_with("text/html"), "{path}: {ctype}");
        assert_eq!(cache, "no-cache", "{path}");
        assert_eq!(text, body, "{path}");
    }

    let (status, ctype, cache, text) = page(&t, "/assets/villager-AbC123.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.contains("javascript"), "{ctype}");
    assert_eq!(cache, "public, max-age=31536000, immutable");
    assert_eq!(text, ASSET_JS);

    // The precompressed copy when the client accepts gzip.
    let response = t
        .http
        .get(t.url("/assets/villager-AbC123.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(
        response.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    // A missing file is a 404 in the envelope, never a page.
    let (status, body) = get(&t, "/assets/missing-123.js", None).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "route.not_found");
}

#[tokio::test]
async fn api_and_service_paths_keep_the_json_envelope() {
    let tree = built_tree();
    let t = spawn_with_web(tree.path()).await;
    for path in [
        "/api/unknown",
        "/api/v1/nothing/here",
        "/api",
        "/dingtalk/x",
    ] {
        let (status, body) = get(&t, path, None).await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "route.not_found");
    }
    let (status, body) = get(&t, "/healthz", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = t.http.get(t.url("/openapi.json")).send().await.unwrap();
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    // Writing to a page path is no page either.
    let response = t.http.post(t.url("/ledger")).send().await.unwrap();
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(
        status,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "route.method_not_allowed",
    );
}

#[tokio::test]
async fn client_config_tells_the_front_end_how_to_log_in() {
    let t = TestApp::spawn(TestDb::sqlite()).await;
    let (status, body) = get(&t, "/api/v1/client-config", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dingtalkMode"], "sim");
    assert_eq!(body["simUrl"].as_str(), t.sim_url.as_deref());
    assert_eq!(body["corpId"], "dingaidazudemo0001");
    assert_eq!(body["clientId"], "dingaidazudemoapp");
    // The simulator's control API answers the browser's cross-origin login (CORS).
    let sim = t.sim_url.clone().unwrap();
    let preflight = t
        .http
        .request(reqwest::Method::OPTIONS, format!("{sim}/sim/auth-codes"))
        .header("origin", t.base_url.clone())
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn without_a_build_the_root_is_an_envelope_not_a_crash() {
    let empty = tempfile::tempdir().unwrap();
    let t = spawn_with_web(empty.path()).await;
    let (status, body) = get(&t, "/", None).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "route.not_found");
}
