//! Issue 2's "done when": health, readiness, OpenAPI, the four pilot villages, 和平村's catalogue
//! (25 norms in three categories, both lists), the one error envelope, restart keeps data, and
//! seeding twice creates no duplicates.

use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::kit::*;

dual_db_test!(
    async fn health_readiness_and_openapi(db: TestDb) {
        let app = TestApp::spawn(db).await;
        let (status, body) = get(&app, "/healthz", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");

        let (status, body) = get(&app, "/readyz", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["database"], true);
        assert_eq!(body["pendingMigrations"], serde_json::json!([]));

        let resp = get_response(&app, "/openapi.json", None).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers().contains_key("x-request-id"));
        let doc: Value = resp.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/healthz",
            "/readyz",
            "/api/v1/villages",
            "/api/v1/villages/{id}/catalogue",
        ] {
            assert!(doc["paths"].get(path).is_some(), "OpenAPI documents {path}");
        }
        assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
    }
);

dual_db_test!(
    async fn r1_the_four_pilot_villages_are_listed(db: TestDb) {
        let app = TestApp::spawn(db).await;
        let (status, body) = get(&app, "/api/v1/villages", None).await;
        assert_eq!(status, StatusCode::OK);
        let villages = body["villages"].as_array().unwrap();
        assert_eq!(villages.len(), 4, "{body}");
        let mut names: Vec<(String, String, String)> = villages
            .iter()
            .map(|v| {
                assert_eq!(v["district"], "大足区");
                assert!(v["id"].as_i64().is_some());
                (
                    v["name"].as_str().unwrap().to_owned(),
                    v["town"].as_str().unwrap().to_owned(),
                    v["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        names.sort();
        let mut expected = vec![
            (
                "和平村".to_owned(),
                "棠香街道".to_owned(),
                "heping".to_owned(),
            ),
            (
                "慈航社区".to_owned(),
                "宝顶镇".to_owned(),
                "cihang".to_owned(),
            ),
            (
                "长虹村".to_owned(),
                "拾万镇".to_owned(),
                "changhong".to_owned(),
            ),
            (
                "旭光村".to_owned(),
                "高升镇".to_owned(),
                "xuguang".to_owned(),
            ),
        ];
        expected.sort();
        assert_eq!(names, expected);
    }
);

dual_db_test!(
    async fn r5_r6_heping_catalogue_has_25_norms_in_three_categories(db: TestDb) {
        let app = TestApp::spawn(db).await;
        let id = village_id(&app, "heping").await;
        let (status, body) = get(&app, &format!("/api/v1/villages/{id}/catalogue"), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["village"]["name"], "和平村");
        assert_eq!(body["itemCount"], 25);
        assert_eq!(body["version"], 1);
        // R7: a version takes effect on the first day of a quarter.
        let from = body["effectiveFrom"].as_str().unwrap();
        assert!(
            ["-01-01", "-04-01", "-07-01", "-10-01"]
                .iter()
                .any(|q| from.ends_with(q)),
            "{from}"
        );
        let cats = body["categories"].as_array().unwrap();
        let names: Vec<&str> = cats.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["平安建设", "道德建设", "美丽建设"]);
        let (mut pos, mut neg) = (0, 0);
        for cat in cats {
            for item in cat["positive"].as_array().unwrap() {
                assert_eq!(item["direction"], "positive");
                assert!(item["points"]["min"].as_i64().unwrap() > 0);
                pos += 1;
            }
            for item in cat["negative"].as_array().unwrap() {
                assert_eq!(item["direction"], "negative");
                assert!(item["points"]["max"].as_i64().unwrap() < 0);
                // R6: negative items are never self-declared.
                assert_eq!(item["selfDeclarable"], false, "{item}");
                neg += 1;
            }
        }
        assert_eq!((pos, neg), (15, 10));
        // A range item carries its range; an item with a cap shows it.
        let all: Vec<&Value> = cats
            .iter()
            .flat_map(|c| {
                c["positive"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .chain(c["negative"].as_array().unwrap())
            })
            .collect();
        // Who records each item (the 入户检查 screen offers the inspection group's items, G).
        let ml02 = all.iter().find(|i| i["code"] == "ML-02").unwrap();
        assert_eq!(ml02["recorders"], "C,G,S");
        let de01 = all.iter().find(|i| i["code"] == "DE-01").unwrap();
        assert_eq!(de01["recorders"], "G");
        let pa03 = all.iter().find(|i| i["code"] == "PA-03").unwrap();
        assert_eq!(pa03["points"]["range"], true);
        assert_eq!(pa03["points"]["min"], 20);
        assert_eq!(pa03["points"]["max"], 30);
        let ml01 = all.iter().find(|i| i["code"] == "ML-01").unwrap();
        assert_eq!(ml01["evidence"]["photoRequired"], true);
        assert!(ml01["cap"].is_object(), "{ml01}");
    }
);

dual_db_test!(
    async fn bad_input_gets_the_one_error_envelope(db: TestDb) {
        let app = TestApp::spawn(db).await;
        let (status, body) = get(&app, "/api/v1/villages/999999/catalogue", None).await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "village.not_found");

        let (status, body) = get(&app, "/api/v1/villages/abc/catalogue", None).await;
        assert_envelope(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "request.invalid_path",
        );

        let (status, body) = get(&app, "/api/v1/no-such-thing", None).await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "route.not_found");

        let (status, body) = send(&app, Method::DELETE, "/api/v1/villages", None, json!({})).await;
        assert_envelope(
            status,
            &body,
            StatusCode::METHOD_NOT_ALLOWED,
            "route.method_not_allowed",
        );
    }
);

dual_db_test!(
    async fn request_ids_are_set_or_propagated(db: TestDb) {
        let app = TestApp::spawn(db).await;
        let resp = app
            .http
            .get(app.url("/healthz"))
            .header("x-request-id", "req-from-client-42")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["x-request-id"], "req-from-client-42");
        let resp = get_response(&app, "/healthz", None).await;
        let generated = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(generated.len(), 36, "a UUID: {generated}");
    }
);

dual_db_test!(
    async fn restart_keeps_the_data_and_seeding_again_adds_nothing(db: TestDb) {
        let app = TestApp::spawn(db).await;
        let (_, before) = get(&app, "/api/v1/villages", None).await;

        // Seed again with the instance's own settings and secrets: nothing new is inserted.
        let settings = TestApp::settings_for(&app.database_url(), &app.data_dir(), &[]);
        let secrets = aidazu_server::secrets::Secrets::resolve(&settings).unwrap();
        let store = aidazu_store::Store::connect(&app.database_url())
            .await
            .unwrap();
        let report = aidazu_server::commands::seed(&store, &secrets, chrono::Utc::now())
            .await
            .unwrap();
        let inserted = serde_json::to_value(report.inserted).unwrap();
        for (table, n) in inserted.as_object().unwrap() {
            assert_eq!(n, 0, "a second seed inserts no {table}");
        }
        assert_eq!(report.totals.villages, 4);
        assert_eq!(report.totals.catalogue_items, 25);
        store.close().await.unwrap();

        let app = app.restart().await;
        let (status, after) = get(&app, "/api/v1/villages", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(before, after, "same villages, same ids after restart");
        let (status, body) = get(&app, "/readyz", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
);

dual_db_test!(
    async fn issue11_catalogue_and_village_list_answer_304_to_their_own_etag(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let heping = village_id(&t, "heping").await;
        let path = format!("/api/v1/villages/{heping}/catalogue");
        let first = get_response(&t, &path, None).await;
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()["cache-control"], "no-cache");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let body: Value = first.json().await.unwrap();
        assert_eq!(body["itemCount"], 25, "{body}");

        // The same tag back: 304, no body; another tag: the whole answer, the same bytes.
        let again = t
            .http
            .get(t.url(&path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.bytes().await.unwrap().is_empty());
        let stale = t
            .http
            .get(t.url(&path))
            .header("if-none-match", "\"not-this-one\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::OK);
        assert_eq!(stale.json::<Value>().await.unwrap(), body);

        // The village list: cached until an organisation write in this replica.
        let list = get_response(&t, "/api/v1/villages", None).await;
        let list_tag = list.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(
            list.json::<Value>().await.unwrap()["villages"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        let unchanged = t
            .http
            .get(t.url("/api/v1/villages"))
            .header("if-none-match", &list_tag)
            .send()
            .await
            .unwrap();
        assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

        let district = login_as(&t, "demo-district", "console").await;
        let (_, villages) = get(&t, "/api/v1/villages", None).await;
        let town = villages["villages"][0]["townId"].as_i64().unwrap();
        let (status, created) = post(
            &t,
            &format!("/api/v1/admin/towns/{town}/villages"),
            Some(&district.token),
            json!({"code": "etag-test", "name": "新村"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let changed = t
            .http
            .get(t.url("/api/v1/villages"))
            .header("if-none-match", &list_tag)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        assert_ne!(changed.headers()["etag"], list_tag.as_str());
        let now: Value = changed.json().await.unwrap();
        assert_eq!(now["villages"].as_array().unwrap().len(), 5, "{now}");
    }
);
