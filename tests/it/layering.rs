//! The dependency direction of the crates (docs/architecture.md), checked over `cargo metadata`:
//! each workspace crate may depend (normal dependencies) only on the workspace crates listed here,
//! and never on the external crates listed as forbidden for it. A new crate or a new edge fails
//! this test until the table — and the architecture — say it is fine.

use std::process::Command;

use serde_json::{Value, json};

/// Workspace crates each crate may depend on.
const ALLOWED: &[(&str, &[&str])] = &[
    ("aidazu-domain", &[]),
    ("aidazu-photos", &[]),
    ("aidazu-migration", &[]),
    ("aidazu-testdb", &[]),
    ("dingtalk", &[]),
    ("dingtalk-sim", &["dingtalk"]),
    ("aidazu-ports", &["aidazu-domain"]),
    (
        "aidazu-store",
        &["aidazu-domain", "aidazu-migration", "aidazu-ports"],
    ),
    (
        "aidazu-app",
        &["aidazu-domain", "aidazu-photos", "aidazu-ports", "dingtalk"],
    ),
    (
        "aidazu-api",
        &["aidazu-app", "aidazu-domain", "aidazu-photos", "dingtalk"],
    ),
    (
        "aidazu-server",
        &[
            "aidazu-api",
            "aidazu-app",
            "aidazu-domain",
            "aidazu-migration",
            "aidazu-photos",
            "aidazu-ports",
            "aidazu-store",
            "dingtalk",
            "dingtalk-sim",
        ],
    ),
    (
        "aidazu-testkit",
        &[
            "aidazu-app",
            "aidazu-server",
            "aidazu-store",
            "aidazu-testdb",
        ],
    ),
    ("aidazu-e2e", &[]),
];

/// External crates a crate must not use: the domain stays pure; the HTTP layer never touches
/// storage; the use cases never speak HTTP.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "aidazu-domain",
        &["sea-orm", "sqlx", "axum", "reqwest", "tokio", "hyper"],
    ),
    ("aidazu-api", &["sea-orm", "sea-orm-migration", "sqlx"]),
    ("aidazu-app", &["axum", "hyper", "sea-orm", "sqlx"]),
    (
        "aidazu-ports",
        &["sea-orm", "sqlx", "axum", "reqwest", "tokio", "hyper"],
    ),
    ("aidazu-store", &["axum", "reqwest", "hyper"]),
];

/// Every dependency edge of `metadata` (cargo metadata, format 1) the tables forbid.
fn violations(metadata: &Value) -> Vec<String> {
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let members: Vec<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let mut out = Vec::new();
    for p in &packages {
        let name = p["name"].as_str().unwrap_or_default();
        let Some((_, allowed)) = ALLOWED.iter().find(|(n, _)| *n == name) else {
            out.push(format!("{name}: not in the layering table"));
            continue;
        };
        let forbidden = FORBIDDEN
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[][..], |(_, f)| *f);
        for dep in p["dependencies"].as_array().into_iter().flatten() {
            if !dep["kind"].is_null() {
                continue; // dev- and build-dependencies do not ship
            }
            let dep_name = dep["name"].as_str().unwrap_or_default();
            if members.iter().any(|m| m == dep_name) && !allowed.contains(&dep_name) {
                out.push(format!("{name} → {dep_name}: workspace edge not allowed"));
            }
            if forbidden.contains(&dep_name) {
                out.push(format!("{name} → {dep_name}: forbidden for this layer"));
            }
        }
    }
    out
}

fn workspace_metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_workspace_follows_the_dependency_direction() {
    let found = violations(&workspace_metadata());
    assert!(
        found.is_empty(),
        "layering violations:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_forbidden_edge_is_caught() {
    let mut metadata = workspace_metadata();
    let api = metadata["packages"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"] == "aidazu-api")
        .unwrap();
    api["dependencies"].as_array_mut().unwrap().extend([
        json!({ "name": "aidazu-store", "kind": null }),
        json!({ "name": "sea-orm", "kind": null }),
    ]);
    assert_eq!(
        violations(&metadata),
        vec![
            "aidazu-api → aidazu-store: workspace edge not allowed".to_owned(),
            "aidazu-api → sea-orm: forbidden for this layer".to_owned(),
        ]
    );
}

/// The workspace crates `root` reaches through normal dependencies (itself included).
fn workspace_closure(metadata: &Value, root: &str) -> Vec<String> {
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let deps_of = |name: &str| -> Vec<String> {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["dependencies"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter(|d| d["kind"].is_null())
            .filter_map(|d| d["name"].as_str().map(str::to_owned))
            .filter(|d| packages.iter().any(|p| p["name"] == d.as_str()))
            .collect()
    };
    let mut seen = vec![root.to_owned()];
    let mut i = 0;
    while i < seen.len() {
        for d in deps_of(&seen[i]) {
            if !seen.contains(&d) {
                seen.push(d);
            }
        }
        i += 1;
    }
    seen
}

/// Issue 7: the HTTP layer reaches storage only through the ports, even indirectly (what
/// `cargo tree -p aidazu-api` shows): no `aidazu-store` in its closure, and no crate in it uses
/// sea-orm or sqlx.
#[test]
fn the_http_layer_reaches_no_storage_crate_even_indirectly() {
    let metadata = workspace_metadata();
    let closure = workspace_closure(&metadata, "aidazu-api");
    assert!(closure.contains(&"aidazu-app".to_owned()));
    assert!(closure.contains(&"aidazu-ports".to_owned()));
    assert!(
        !closure.contains(&"aidazu-store".to_owned()),
        "aidazu-api reaches aidazu-store through {closure:?}"
    );
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    for name in &closure {
        let p = packages
            .iter()
            .find(|p| p["name"] == name.as_str())
            .unwrap();
        for dep in p["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            assert!(
                !(dep["kind"].is_null() && ["sea-orm", "sqlx"].contains(&dep_name)),
                "{name} (reached from aidazu-api) depends on {dep_name}"
            );
        }
    }
}
