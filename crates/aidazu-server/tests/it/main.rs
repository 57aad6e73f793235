//! The `aidazu` binary as an operator meets it: help, bad configuration, a missing database,
//! migrate and seed-demo on a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::path::Path;
use std::process::{Command, Output};

fn aidazu(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aidazu"));
    cmd.current_dir(dir).args(args).env_remove("RUST_LOG").env(
        "AIDAZU_CONFIG_DIR",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"),
    );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run aidazu")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn help_explains_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = aidazu(dir.path(), &["--help"], &[]);
    assert!(out.status.success());
    let help = text(&out);
    for sub in ["serve", "migrate", "seed-demo", "dingtalk-sim"] {
        assert!(help.contains(sub), "help lacks {sub}: {help}");
    }
    let out = aidazu(dir.path(), &["serve", "--help"], &[]);
    assert!(text(&out).contains("--no-demo"));
}

#[test]
fn bad_configuration_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = aidazu(
        dir.path(),
        &["serve"],
        &[("AIDAZU__SERVER__BIND", "nowhere")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let msg = text(&out);
    assert!(msg.contains("bind"), "{msg}");
    assert!(!msg.contains("panicked"), "{msg}");

    let out = aidazu(dir.path(), &["migrate"], &[("AIDAZU__STORAGE__SIZE", "1")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("size"), "{}", text(&out));
}

#[test]
fn a_missing_database_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let out = aidazu(
        dir.path(),
        &["migrate"],
        // Nothing listens on port 1.
        &[(
            "AIDAZU__DATABASE__URL",
            "postgres://nobody@127.0.0.1:1/none",
        )],
    );
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(msg.contains("database.url"), "{msg}");
    assert!(!msg.contains("panicked"), "{msg}");
}

#[test]
fn migrate_then_seed_demo_twice_on_a_fresh_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/aidazu.db", dir.path().display());
    let env = [
        ("AIDAZU__DATABASE__URL", db.as_str()),
        ("AIDAZU__DATABASE__AUTO_MIGRATE", "false"),
    ];
    let out = aidazu(dir.path(), &["migrate"], &env);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("applied"), "{}", text(&out));
    let out = aidazu(dir.path(), &["migrate"], &env);
    assert!(text(&out).contains("nothing to apply"), "{}", text(&out));

    let first = aidazu(dir.path(), &["seed-demo"], &env);
    assert!(first.status.success(), "{}", text(&first));
    let second = aidazu(dir.path(), &["seed-demo"], &env);
    assert!(second.status.success(), "{}", text(&second));
    // Dev secrets were generated next to the data on first use and reused after.
    assert!(dir.path().join("data/dev-secrets.toml").is_file());
}
