//! Known-answer tests: every vector of `tests/fixtures/callback-vectors.json` (the first four are
//! DingTalk's own published samples, API.md §3.4).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dingtalk::callback::{CallbackCrypto, CallbackQuery, CryptoError, SealedMessage};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Vector {
    name: String,
    token: String,
    encoding_aes_key: String,
    owner_key: String,
    timestamp: String,
    nonce: String,
    encrypt: String,
    msg_signature: String,
    plaintext: String,
}

fn vectors() -> Vec<Vector> {
    let raw = include_str!("../fixtures/callback-vectors.json");
    serde_json::from_str(raw).expect("fixture parses")
}

fn crypto(v: &Vector) -> CallbackCrypto {
    CallbackCrypto::new(&v.token, &v.encoding_aes_key, &v.owner_key).expect("vector key is valid")
}

/// The instant the vector was sent (timestamps are seconds or milliseconds).
fn sent_at(v: &Vector) -> SystemTime {
    let value: u64 = v.timestamp.parse().expect("numeric timestamp");
    if value > 100_000_000_000 {
        UNIX_EPOCH + Duration::from_millis(value)
    } else {
        UNIX_EPOCH + Duration::from_secs(value)
    }
}

fn query(v: &Vector) -> CallbackQuery {
    CallbackQuery {
        signature: v.msg_signature.clone(),
        timestamp: v.timestamp.clone(),
        nonce: v.nonce.clone(),
    }
}

#[test]
fn fixture_holds_the_four_official_vectors_and_more() {
    let names: Vec<String> = vectors().into_iter().map(|v| v.name).collect();
    assert!(names.len() >= 7, "{names:?}");
    for official in [
        "official-repo-check-url",
        "official-doc-check-create-suite-url",
        "official-doc-success-reply",
        "official-go-sample-success",
    ] {
        assert!(names.iter().any(|n| n == official), "missing {official}");
    }
}

#[test]
fn every_vector_signature_matches() {
    for v in vectors() {
        assert_eq!(
            crypto(&v).signature(&v.timestamp, &v.nonce, &v.encrypt),
            v.msg_signature,
            "vector {}",
            v.name
        );
    }
}

#[test]
fn every_vector_decrypts_to_its_plaintext() {
    for v in vectors() {
        assert_eq!(
            crypto(&v).decrypt(&v.encrypt).as_deref(),
            Ok(v.plaintext.as_str()),
            "vector {}",
            v.name
        );
    }
}

#[test]
fn every_vector_opens_at_its_own_timestamp() {
    for v in vectors() {
        let opened = crypto(&v).open(&query(&v), &v.encrypt, sent_at(&v));
        assert_eq!(
            opened.as_deref(),
            Ok(v.plaintext.as_str()),
            "vector {}",
            v.name
        );
    }
}

#[test]
fn every_vector_is_stale_a_day_later() {
    for v in vectors() {
        let later = sent_at(&v) + Duration::from_secs(86_400);
        assert_eq!(
            crypto(&v).open(&query(&v), &v.encrypt, later),
            Err(CryptoError::StaleTimestamp),
            "vector {}",
            v.name
        );
    }
}

#[test]
fn official_vectors_re_encrypt_byte_for_byte_with_their_known_prefix() {
    // Random prefixes recovered in API.md §3.4 (all four re-verified there).
    let prefixes = [
        ("official-doc-check-create-suite-url", b"hU3bEfGZZewzhG5a"),
        ("official-doc-success-reply", b"dICkEDLj0eb6yAbc"),
        ("official-repo-check-url", b"l7Y3EcX2CU5w8av3"),
        ("official-go-sample-success", b"WelUQl6bCqcBa2fM"),
    ];
    let all = vectors();
    for (name, prefix) in prefixes {
        let v = all.iter().find(|v| v.name == name).expect("vector present");
        assert_eq!(
            crypto(v).encrypt_with_prefix(&v.plaintext, prefix),
            v.encrypt,
            "vector {name}"
        );
    }
}

#[test]
fn every_vector_wrong_owner_key_is_rejected() {
    for v in vectors() {
        let other = CallbackCrypto::new(&v.token, &v.encoding_aes_key, "ding-someone-else")
            .expect("valid key");
        assert_eq!(
            other.decrypt(&v.encrypt),
            Err(CryptoError::OwnerKeyMismatch),
            "vector {}",
            v.name
        );
    }
}

#[test]
fn query_accepts_both_spellings_and_both_at_once() {
    let plain: CallbackQuery =
        serde_json::from_str(r#"{"signature":"ab","timestamp":"1","nonce":"n"}"#).unwrap();
    let legacy: CallbackQuery =
        serde_json::from_str(r#"{"msg_signature":"ab","timeStamp":"1","nonce":"n"}"#).unwrap();
    let both: CallbackQuery = serde_json::from_str(
        r#"{"signature":"ab","msg_signature":"cd","timestamp":"1","timeStamp":"2","nonce":"n"}"#,
    )
    .unwrap();
    assert_eq!(plain, legacy);
    assert_eq!(plain, both);
    let missing = serde_json::from_str::<CallbackQuery>(r#"{"timestamp":"1","nonce":"n"}"#);
    assert!(missing.is_err());
}

#[test]
fn sealed_message_has_dingtalk_field_names() {
    let v = &vectors()[0];
    let sealed = crypto(v).seal("success", "1700000000000", "nonce123");
    let json = serde_json::to_value(&sealed).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["encrypt", "msg_signature", "nonce", "timeStamp"]);
    let back: SealedMessage = serde_json::from_value(json).unwrap();
    assert_eq!(back, sealed);
}

#[test]
fn seal_success_is_verifiable_with_ms_timestamp_and_16_char_nonce() {
    let v = &vectors()[0];
    let c = crypto(v);
    let now = UNIX_EPOCH + Duration::from_millis(1_764_000_000_123);
    let reply = c.seal_success(now);
    assert_eq!(reply.time_stamp, "1764000000123");
    assert_eq!(reply.nonce.len(), 16);
    assert!(reply.nonce.chars().all(|ch| ch.is_ascii_alphanumeric()));
    assert_eq!(
        c.open(&reply.query(), &reply.encrypt, now).as_deref(),
        Ok("success")
    );
}

#[test]
fn seal_at_builds_a_push_that_a_receiver_opens() {
    let v = &vectors()[4];
    let sender = crypto(v);
    let now = UNIX_EPOCH + Duration::from_millis(1_764_000_000_000);
    let event = r#"{"EventType":"bpms_instance_change","eventId":"e-1"}"#;
    let push = sender.seal_at(event, now);
    // The receiver sees a URL query and a JSON body.
    let pairs: serde_json::Map<String, serde_json::Value> =
        url::form_urlencoded::parse(push.query_string().as_bytes())
            .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
            .collect();
    let query: CallbackQuery = serde_json::from_value(pairs.into()).unwrap();
    let body = push.push_body();
    let encrypt = body["encrypt"].as_str().unwrap();
    let receiver = crypto(v);
    assert_eq!(receiver.open(&query, encrypt, now).as_deref(), Ok(event));
}
