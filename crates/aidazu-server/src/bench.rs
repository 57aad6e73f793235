//! `aidazu bench …` (hidden): the drivers of the issue 11 benchmarks that need more than wrk
//! (`scripts/bench/run.sh p2 p3`). Each prints one line of `key=value` figures the script puts in
//! its table. Not part of the service; no test measures time.
//!
//! - `decisions`: P2, approve-and-credit through the application's use case
//!   (`aidazu_app::decisions::decide`, no HTTP): decision, ledger entry, totals, outbox and audit
//!   in one transaction, for the `in_review` declarations of a synthetic district, `--clients`
//!   at a time, taken village by village in turn (appends of one village are serialised by its
//!   hash chain, so decisions in one village at once would measure that lock).
//! - `inserts`: P2's floor on SQLite: one-row `INSERT` transactions through the same pool.
//! - `callbacks`: P3, encrypted DingTalk events posted to the real HTTP callback endpoint of a
//!   running `aidazu serve` (`--url`), unique events then the same events again (the retry
//!   storm), `--concurrency` requests in flight.
//! - `photo`: P5's upload: a JPEG of camera noise of about `--bytes` (a phone photo's size;
//!   noise keeps it from compressing, so the pixel count is that of a real photo of that size).
//! - `callback-crypto`: P3's ceiling: the same events through `CallbackCrypto` only (open the
//!   request, seal the `success` reply), one core.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aidazu_app::decisions::{DecisionInput, Outcome, decide};
use aidazu_domain::DeclarationId;
use aidazu_domain::channel::Channel;
use anyhow::Context as _;
use futures::StreamExt as _;
use sea_orm::{ConnectionTrait, Statement};

use crate::settings::Settings;

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark driver reports wall-clock durations"
)]
fn started() -> std::time::Instant {
    std::time::Instant::now()
}

/// `aidazu bench decisions`.
pub async fn decisions(settings: Settings, clients: usize, limit: u64) -> anyhow::Result<()> {
    let (app, store) =
        crate::application::command_parts(&settings, Arc::new(aidazu_app::SystemClock)).await?;
    let db = store.connection();
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT d.id, a.dingtalk_user_id FROM declarations d \
                 JOIN role_grants g ON g.scope_kind = 'village' AND g.scope_id = d.village_id \
                   AND g.role = 'village_admin' \
                 JOIN accounts a ON a.id = g.account_id \
                 WHERE d.state = 'in_review' \
                 ORDER BY (SELECT COUNT(*) FROM declarations e WHERE e.village_id = d.village_id \
                   AND e.state = 'in_review' AND e.id < d.id), d.village_id LIMIT {limit}"
            ),
        ))
        .await?;
    let mut work = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("", "id")?;
        let user: String = row.try_get("", "dingtalk_user_id")?;
        work.push((id, user));
    }
    anyhow::ensure!(
        !work.is_empty(),
        "no in_review declarations with a village admin: seed a synthetic district first"
    );
    // Actors are resolved before the clock starts (the approval channel resolves them too, but
    // that is the callback's cost, measured in P3).
    let mut actors = std::collections::HashMap::new();
    for (_, user) in &work {
        if !actors.contains_key(user) {
            let actor = app
                .actor_of_dingtalk_user(user, Channel::Console)
                .await?
                .with_context(|| format!("no account {user}"))?;
            actors.insert(user.clone(), actor);
        }
    }
    let statements_before = app.store().statements();
    let t0 = started();
    let results: Vec<Result<(), String>> = futures::stream::iter(work.iter().map(|(id, user)| {
        let app = &app;
        let actor = actors.get(user).cloned();
        async move {
            let actor = actor.ok_or_else(|| "actor".to_owned())?;
            decide(
                app,
                DecisionInput {
                    declaration_id: DeclarationId(*id),
                    outcome: Outcome::Approve { points: None },
                    actor,
                    channel: Channel::Console,
                    source_ref: Some("bench".into()),
                },
            )
            .await
            .map(|_| ())
            .map_err(|e| e.code().to_owned())
        }
    }))
    .buffer_unordered(clients.max(1))
    .collect()
    .await;
    let elapsed = t0.elapsed();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let mut errors: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        *errors.entry(e.clone()).or_default() += 1;
    }
    let statements = app.store().statements() - statements_before;
    println!(
        "decisions={} approved={ok} errors={errors:?} seconds={:.2} per_second={:.0} clients={clients} statements_per_decision={:.1}",
        work.len(),
        elapsed.as_secs_f64(),
        rate(ok, elapsed),
        statements as f64 / work.len().max(1) as f64,
    );
    Ok(())
}

fn rate(n: usize, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// `aidazu bench inserts`: `count` one-row INSERT transactions on the service's database.
pub async fn inserts(settings: Settings, count: usize) -> anyhow::Result<()> {
    let store = crate::application::connect_store(&settings).await?;
    let db = store.connection();
    let backend = db.get_database_backend();
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS bench_insert (id INTEGER PRIMARY KEY, household_id BIGINT NOT NULL, \
         amount BIGINT NOT NULL, reason TEXT NOT NULL)",
    )
    .await?;
    db.execute_unprepared("DELETE FROM bench_insert").await?;
    let sql = if backend == sea_orm::DatabaseBackend::Sqlite {
        "INSERT INTO bench_insert (id, household_id, amount, reason) VALUES (?, ?, ?, ?)"
    } else {
        "INSERT INTO bench_insert (id, household_id, amount, reason) VALUES ($1, $2, $3, $4)"
    };
    let t0 = started();
    for i in 0..count {
        use sea_orm::TransactionTrait as _;
        let n = i64::try_from(i).unwrap_or_default();
        let txn = db.begin().await?;
        txn.execute(Statement::from_sql_and_values(
            backend,
            sql,
            [
                (n + 1).into(),
                (n % 400).into(),
                3i64.into(),
                "村民申报审核通过".into(),
            ],
        ))
        .await?;
        txn.commit().await?;
    }
    let elapsed = t0.elapsed();
    println!(
        "inserts={count} seconds={:.2} per_second={:.0}",
        elapsed.as_secs_f64(),
        rate(count, elapsed)
    );
    Ok(())
}

fn event_plaintext(i: usize) -> String {
    format!(
        r#"{{"EventType":"bpms_instance_change","processInstanceId":"PI-bench-{i:08}","corpId":"dingbench","createTime":1700000000000,"title":"张三提交的积分申报","type":"finish","result":"agree","staffId":"manager001","processCode":"PROC-AIDAZU-CLAIM","eventId":"bench-{i:08}"}}"#
    )
}

fn crypto_of(settings: &Settings) -> anyhow::Result<dingtalk::callback::CallbackCrypto> {
    use secrecy::ExposeSecret as _;
    let dt = &settings.dingtalk;
    dingtalk::callback::CallbackCrypto::new(
        dt.callback.token.expose_secret(),
        dt.callback.aes_key.expose_secret(),
        dt.callback.owner_key_or(&dt.app_key),
    )
    .context("invalid key `dingtalk.callback.aes_key`")
}

/// One signed request: (query string, JSON body).
fn sealed_request(
    crypto: &dingtalk::callback::CallbackCrypto,
    i: usize,
    now_ms: u128,
) -> (String, String) {
    let encrypt = crypto.encrypt(&event_plaintext(i));
    let ts = now_ms.to_string();
    let nonce = format!("n{i:08}");
    let signature = crypto.signature(&ts, &nonce, &encrypt);
    let query = format!("signature={signature}&timestamp={ts}&nonce={nonce}");
    let body = serde_json::json!({ "encrypt": encrypt }).to_string();
    (query, body)
}

fn now_ms() -> u128 {
    #[expect(
        clippy::disallowed_methods,
        reason = "DingTalk signs with the wall clock; the receiver checks freshness against it"
    )]
    let now = SystemTime::now();
    now.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis()
}

/// `aidazu bench callbacks`: `events` unique events, then the same again, to `url`.
pub async fn callbacks(
    settings: Settings,
    url: &str,
    events: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let crypto = crypto_of(&settings)?;
    // Prepared before the clock starts; signed now, fresh for the receiver's 5 minutes.
    let now = now_ms();
    let requests: Vec<(String, String)> = (0..events)
        .map(|i| sealed_request(&crypto, i, now))
        .collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let endpoint = format!("{}/dingtalk/callback", url.trim_end_matches('/'));
    let mut line = format!("events={events} concurrency={concurrency}");
    for pass in ["unique", "duplicate"] {
        let t0 = started();
        let outcomes: Vec<bool> = futures::stream::iter(requests.iter().map(|(query, body)| {
            let client = &client;
            let endpoint = &endpoint;
            async move {
                client
                    .post(format!("{endpoint}?{query}"))
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        }))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
        let elapsed = t0.elapsed();
        let ok = outcomes.iter().filter(|o| **o).count();
        line.push_str(&format!(
            " {pass}_ok={ok} {pass}_seconds={:.2} {pass}_per_second={:.0}",
            elapsed.as_secs_f64(),
            rate(ok, elapsed)
        ));
    }
    println!("{line}");
    Ok(())
}

/// `aidazu bench callback-crypto`: the crypto of `events` callbacks only (open + seal reply).
pub fn callback_crypto(settings: &Settings, events: usize) -> anyhow::Result<()> {
    let crypto = crypto_of(settings)?;
    let now = now_ms();
    let requests: Vec<(dingtalk::callback::CallbackQuery, String)> = (0..events)
        .map(|i| {
            let (query, body) = sealed_request(&crypto, i, now);
            let query: dingtalk::callback::CallbackQuery =
                serde_urlencoded_query(&query).context("query")?;
            let body: serde_json::Value = serde_json::from_str(&body)?;
            Ok((
                query,
                body["encrypt"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the receiver judges freshness against the wall clock"
    )]
    let at = SystemTime::now();
    let t0 = started();
    let mut ok = 0usize;
    for (query, encrypt) in &requests {
        if crypto.open(query, encrypt, at).is_ok() {
            ok += 1;
        }
        std::hint::black_box(crypto.seal_success(at));
    }
    let elapsed = t0.elapsed();
    println!(
        "events={events} ok={ok} seconds={:.3} per_second={:.0}",
        elapsed.as_secs_f64(),
        rate(ok, elapsed)
    );
    Ok(())
}

fn serde_urlencoded_query(query: &str) -> anyhow::Result<dingtalk::callback::CallbackQuery> {
    let map: serde_json::Map<String, serde_json::Value> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect();
    Ok(serde_json::from_value(serde_json::Value::Object(map))?)
}

/// `aidazu bench photo`: writes a 12-megapixel JPEG (4000 × 3000, a phone camera's) of about
/// `bytes` to `out`: a gradient with noise, its amplitude searched until the size fits.
pub fn photo(out: &std::path::Path, bytes: u64) -> anyhow::Result<()> {
    use rand::{Rng as _, SeedableRng as _};
    let (width, height) = (4000u32, 3000u32);
    let target = bytes as f64;
    let (mut lo, mut hi) = (0u8, 255u8);
    let mut best: Option<Vec<u8>> = None;
    for _ in 0..9 {
        let amplitude = lo / 2 + hi / 2;
        let mut rng = rand::rngs::StdRng::seed_from_u64(8);
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            let base = ((x / 16 + y / 16) % 256) as u8;
            let mut noise = || rng.gen_range(0..=amplitude);
            image::Rgb([
                base.wrapping_add(noise()),
                base.wrapping_add(noise()),
                (255 - base).wrapping_add(noise()),
            ])
        });
        let mut buf = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 90).encode_image(&img)?;
        let got = buf.len() as f64;
        let close = (got - target).abs() / target < 0.04;
        if got < target {
            lo = amplitude;
        } else {
            hi = amplitude;
        }
        best = Some(buf);
        if close || hi.saturating_sub(lo) <= 1 {
            break;
        }
    }
    let buf = best.context("no image")?;
    std::fs::write(out, &buf)?;
    println!(
        "photo={} bytes={} width={width} height={height}",
        out.display(),
        buf.len()
    );
    Ok(())
}
