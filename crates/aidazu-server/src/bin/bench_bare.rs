//! `bench-bare`: the ceiling the read benchmarks compare against (issue 11, P1). A bare axum
//! server on the same runtime settings as `aidazu serve` that answers each configured path with
//! fixed bytes captured from the real service: no database, no auth, no JSON work.
//!
//! `bench-bare --bind 127.0.0.1:18090 /api/v1/villages=villages.json [PATH=FILE]…`

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::IntoResponse;

type Bodies = Arc<HashMap<String, Bytes>>;

async fn answer(State(bodies): State<Bodies>, uri: Uri) -> impl IntoResponse {
    match bodies.get(uri.path()) {
        Some(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut bind = "127.0.0.1:18090".to_owned();
    let mut bodies = HashMap::new();
    while let Some(arg) = args.next() {
        if arg == "--bind" {
            bind = args.next().context("--bind needs an address")?;
            continue;
        }
        let (path, file) = arg
            .split_once('=')
            .with_context(|| format!("expected PATH=FILE, got {arg:?}"))?;
        let body = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
        bodies.insert(path.to_owned(), Bytes::from(body));
    }
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(Arc::new(bodies));
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
