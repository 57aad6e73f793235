//! Sets `cfg(aidazu_pg)` when `TEST_DATABASE_URL` is set, so the PostgreSQL variants of
//! `dual_db_test!` run, and are reported as skipped (ignored) otherwise.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(aidazu_pg)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var_os("TEST_DATABASE_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=aidazu_pg");
    }
}
