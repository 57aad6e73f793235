//! Throw-away PostgreSQL databases created through the server in `TEST_DATABASE_URL`.

use sea_orm::{ConnectionTrait, Database, DbErr};

/// Replaces the database part of a `postgres://…/db?params` URL, keeping credentials and params.
pub(crate) fn url_with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

pub(crate) async fn create_database(admin_url: &str, name: &str) -> Result<(), DbErr> {
    let admin = Database::connect(admin_url).await?;
    let result = admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .map(|_| ());
    let _ = admin.close().await;
    result
}

pub(crate) async fn drop_database(admin_url: &str, name: &str) -> Result<(), DbErr> {
    let admin = Database::connect(admin_url).await?;
    let result = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .map(|_| ());
    let _ = admin.close().await;
    result
}

/// Drops the database from a synchronous context (`Drop`), on a thread with its own runtime so it
/// works inside and outside a Tokio runtime.
pub(crate) fn drop_database_blocking(admin_url: &str, name: &str) {
    let admin_url = admin_url.to_owned();
    let name = name.to_owned();
    let joined = std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(err) => {
                eprintln!("aidazu-testdb: no runtime to drop {name}: {err}");
                return;
            }
        };
        if let Err(err) = runtime.block_on(drop_database(&admin_url, &name)) {
            eprintln!("aidazu-testdb: could not drop {name}: {err}");
        }
    })
    .join();
    if joined.is_err() {
        eprintln!("aidazu-testdb: the thread dropping a test database panicked");
    }
}

#[cfg(test)]
mod tests {
    use super::url_with_database;

    #[test]
    fn replaces_the_database_and_keeps_credentials_and_params() {
        assert_eq!(
            url_with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            url_with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            url_with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
