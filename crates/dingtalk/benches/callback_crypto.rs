//! Cost of the callback crypto on the hot path of every DingTalk event: verifying and decrypting
//! an approval event (`open`) and sealing the `success` reply. Figures: docs/benchmarks.md.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use dingtalk::callback::{CallbackCrypto, CallbackQuery};

const EVENT: &str = r#"{"EventType":"bpms_instance_change","processInstanceId":"PI-7f3a","corpId":"dingb1a2c3d4e5f60718","createTime":1700000000000,"title":"张三提交的积分申报","type":"finish","result":"agree","staffId":"manager001","processCode":"PROC-AIDAZU-CLAIM","eventId":"e-1"}"#;

fn bench(c: &mut Criterion) {
    let crypto = CallbackCrypto::new(
        "aidazu-token",
        "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus",
        "dingb1a2c3d4e5f60718",
    )
    .unwrap();
    let now = SystemTime::now();
    let ts = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis()
        .to_string();
    let nonce = "n0nce001";
    let encrypt = crypto.encrypt(EVENT);
    let signature = crypto.signature(&ts, nonce, &encrypt);
    let query: CallbackQuery = serde_json::from_value(serde_json::json!({
        "signature": signature, "timestamp": ts, "nonce": nonce
    }))
    .unwrap();

    c.bench_function("callback_open_approval_event", |b| {
        b.iter(|| {
            crypto
                .open(black_box(&query), black_box(&encrypt), now)
                .unwrap()
        })
    });
    c.bench_function("callback_seal_success", |b| {
        b.iter(|| crypto.seal_success(black_box(now)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
