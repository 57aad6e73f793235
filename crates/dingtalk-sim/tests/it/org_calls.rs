//! The organisation and login calls the product makes next (issue 13, point 3), with
//! DingTalk's field names: departments (`listsub`, `get`), users of a department (`user/list`,
//! paged), the OAuth2 web login (login page → code → `userAccessToken`) and `contact/users/me`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{APP_KEY, APP_SECRET, TestSim, VILLAGER, start};

#[tokio::test]
async fn departments_list_their_children_and_answer_details() {
    let sim = start().await;
    let body = sim
        .oapi("/topapi/v2/department/listsub", json!({"dept_id": 10}))
        .await;
    assert_eq!(body["errcode"], 0, "{body}");
    assert!(body["request_id"].is_string());
    assert_eq!(
        body["result"],
        json!([{"dept_id": 100, "name": "和平村", "parent_id": 10, "create_dept_group": false, "auto_add_user": false}])
    );
    // Without dept_id: the root's children.
    let root = sim.oapi("/topapi/v2/department/listsub", json!({})).await;
    assert_eq!(root["result"][0]["dept_id"], 2, "{root}");

    let body = sim
        .oapi(
            "/topapi/v2/department/get",
            json!({"dept_id": "100", "language": "zh_CN"}),
        )
        .await;
    let result = &body["result"];
    assert_eq!(result["dept_id"], 100);
    assert_eq!(result["name"], "和平村");
    assert_eq!(result["parent_id"], 10);
    assert!(
        result["dept_manager_userid_list"]
            .as_array()
            .is_some_and(|l| l.iter().any(|u| u == "u-admin-heping")),
        "{result}"
    );

    for path in ["/topapi/v2/department/listsub", "/topapi/v2/department/get"] {
        let body = sim.oapi(path, json!({"dept_id": 999_999})).await;
        assert_eq!(
            (body["errcode"].as_i64(), body["errmsg"].as_str()),
            (Some(60003), Some("部门不存在")),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn users_of_a_department_come_in_pages_with_a_cursor() {
    let sim = start().await;
    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let body = sim
            .oapi(
                "/topapi/v2/user/list",
                json!({"dept_id": 1000, "cursor": cursor, "size": 1, "language": "zh_CN"}),
            )
            .await;
        assert_eq!(body["errcode"], 0, "{body}");
        let result = &body["result"];
        let list = result["list"].as_array().expect("list");
        assert_eq!(list.len(), 1);
        assert!(
            list[0]["dept_id_list"]
                .as_array()
                .is_some_and(|d| d.contains(&json!(1000)))
        );
        seen.push(list[0]["userid"].as_str().expect("userid").to_owned());
        if result["has_more"] == false {
            assert!(result.get("next_cursor").is_none(), "{result}");
            break;
        }
        cursor = result["next_cursor"].as_i64().expect("next_cursor");
    }
    seen.sort();
    assert_eq!(
        seen,
        ["u-wangqiang", "u-zhangming"],
        "only the department's own users"
    );

    let too_big = sim
        .oapi(
            "/topapi/v2/user/list",
            json!({"dept_id": 1000, "cursor": 0, "size": 101}),
        )
        .await;
    assert_ne!(too_big["errcode"], 0);
    let unknown = sim
        .oapi(
            "/topapi/v2/user/list",
            json!({"dept_id": 999_999, "cursor": 0, "size": 10}),
        )
        .await;
    assert_eq!(unknown["errcode"], 60003);
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn user_token(sim: &TestSim, body: Value) -> (u16, Value) {
    let response = sim
        .http
        .post(sim.url("/v1.0/oauth2/userAccessToken"))
        .json(&body)
        .send()
        .await
        .expect("userAccessToken");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

async fn me(sim: &TestSim, token: &str) -> (u16, Value) {
    let response = sim
        .http
        .get(sim.url("/v1.0/contact/users/me"))
        .header("x-acs-dingtalk-access-token", token)
        .send()
        .await
        .expect("users/me");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn web_login_page_redirects_with_a_code_that_buys_a_user_token_once() {
    let sim = start().await;
    let redirect = "http://127.0.0.1:9/console/login";
    let page = sim
        .http
        .get(sim.url("/oauth2/auth"))
        .query(&[
            ("redirect_uri", redirect),
            ("response_type", "code"),
            ("client_id", APP_KEY),
            ("scope", "openid"),
            ("state", "s-1"),
            ("prompt", "consent"),
        ])
        .send()
        .await
        .expect("login page");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains(VILLAGER));

    let confirmed = no_redirects()
        .post(sim.url("/oauth2/auth"))
        .form(&[
            ("client_id", APP_KEY),
            ("redirect_uri", redirect),
            ("state", "s-1"),
            ("user_id", VILLAGER),
        ])
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status(), 302);
    let location = confirmed.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let url = url::Url::parse(&location).expect("url");
    assert!(location.starts_with(redirect));
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some("s-1"));
    let code = param("authCode").expect("authCode");
    assert_eq!(param("code").as_deref(), Some(code.as_str()));

    let exchange = json!({"clientId": APP_KEY, "clientSecret": APP_SECRET, "code": code, "grantType": "authorization_code"});
    let (status, tokens) = user_token(&sim, exchange.clone()).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["expireIn"], 7200);
    assert_eq!(tokens["corpId"], "dingtestcorp");
    let access = tokens["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned();
    let refresh = tokens["refreshToken"]
        .as_str()
        .expect("refreshToken")
        .to_owned();

    let (status, profile) = me(&sim, &access).await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["nick"], "王强");
    assert_eq!(profile["mobile"], "13800000003");
    assert!(profile["unionId"].is_string() && profile["openId"].is_string());

    // The code is single use; the app token is not a user token.
    let (status, body) = user_token(&sim, exchange).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalidAuthCode"))
    );
    let (status, body) = me(&sim, &sim.api_token().await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("InvalidAuthentication"))
    );

    // Refresh gives a new pair; the user token expires with the clock.
    let (status, renewed) = user_token(
        &sim,
        json!({"clientId": APP_KEY, "clientSecret": APP_SECRET, "refreshToken": refresh, "grantType": "refresh_token"}),
    )
    .await;
    assert_eq!(status, 200, "{renewed}");
    let renewed_access = renewed["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned();
    sim.advance(7201).await;
    assert_eq!(me(&sim, &renewed_access).await.0, 400);

    let (status, body) = user_token(
        &sim,
        json!({"clientId": APP_KEY, "clientSecret": "wrong", "code": "x", "grantType": "authorization_code"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalidClientIdOrSecret"))
    );
}

#[tokio::test]
async fn login_page_refuses_a_foreign_client_id_and_control_codes_work() {
    let sim = start().await;
    let page = sim
        .http
        .get(sim.url("/oauth2/auth"))
        .query(&[
            ("redirect_uri", "http://x/cb"),
            ("response_type", "code"),
            ("client_id", "other"),
        ])
        .send()
        .await
        .expect("login page");
    assert_eq!(page.status(), 400);
    let code = sim
        .post("/sim/oauth2/codes", json!({"userId": VILLAGER}))
        .await;
    let (status, _) = user_token(
        &sim,
        json!({"clientId": APP_KEY, "clientSecret": APP_SECRET, "code": code["code"], "grantType": "authorization_code"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = sim.api(Method::GET, "/v1.0/contact/users/me", None).await;
    assert_eq!(status, 400, "an app token is refused");
}
