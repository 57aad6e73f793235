#![doc = include_str!("../README.md")]

mod postgres;
mod sqlite;

use std::path::PathBuf;

/// Environment variable naming a PostgreSQL server to create test databases on.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// Which database a [`TestDb`] lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database that disappears when the value is dropped.
#[derive(Debug)]
pub struct TestDb {
    url: String,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Sqlite {
        path: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        dropped: bool,
    },
}

impl TestDb {
    /// A new SQLite database file in the system temp directory (created on first connect).
    pub fn sqlite() -> TestDb {
        let path = sqlite::fresh_path();
        TestDb {
            url: sqlite::url_for(&path),
            kind: Kind::Sqlite { path },
        }
    }

    /// A new, uniquely named database on the server in `TEST_DATABASE_URL`; `None` when unset.
    ///
    /// # Panics
    /// When the variable is set but the server refuses to create the database: a test environment
    /// that promises PostgreSQL and does not deliver it must fail loudly.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = std::env::var(TEST_DATABASE_URL).ok()?;
        let admin_url = admin_url.trim().to_owned();
        if admin_url.is_empty() {
            return None;
        }
        let name = format!("aidazu_test_{}", uuid::Uuid::new_v4().simple());
        if let Err(err) = postgres::create_database(&admin_url, &name).await {
            panic!("cannot create test database {name}: {err}");
        }
        Some(TestDb {
            url: postgres::url_with_database(&admin_url, &name),
            kind: Kind::Postgres {
                admin_url,
                name,
                dropped: false,
            },
        })
    }

    /// The URL to connect to this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend this database is on.
    pub fn backend(&self) -> TestBackend {
        match self.kind {
            Kind::Sqlite { .. } => TestBackend::Sqlite,
            Kind::Postgres { .. } => TestBackend::Postgres,
        }
    }

    /// The SQLite file, for tests that reopen it; `None` on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        match &self.kind {
            Kind::Sqlite { path } => Some(path),
            Kind::Postgres { .. } => None,
        }
    }

    /// Drops the database now (PostgreSQL) or deletes the files (SQLite). Dropping the value does
    /// the same; this form lets an async test wait for it.
    pub async fn cleanup(mut self) {
        match &mut self.kind {
            Kind::Sqlite { path } => sqlite::remove_files(path),
            Kind::Postgres {
                admin_url,
                name,
                dropped,
            } => {
                if let Err(err) = postgres::drop_database(admin_url, name).await {
                    eprintln!("aidazu-testdb: could not drop {name}: {err}");
                }
                *dropped = true;
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.kind {
            Kind::Sqlite { path } => sqlite::remove_files(path),
            Kind::Postgres {
                admin_url,
                name,
                dropped,
            } => {
                if !*dropped {
                    postgres::drop_database_blocking(admin_url, name);
                }
            }
        }
    }
}

/// Writes one async test case twice: on SQLite (always) and on PostgreSQL (when
/// `TEST_DATABASE_URL` is set at build time; otherwise the variant is ignored, so test runners
/// report it as skipped).
///
/// ```rust,ignore
/// dual_db_test!(async fn seed_is_idempotent(db: TestDb) { /* … */ });
/// ```
/// expands to a module `seed_is_idempotent` with tests `sqlite` and `postgres`.
#[macro_export]
macro_rules! dual_db_test {
    ($(#[$meta:meta])* async fn $name:ident($db:ident : $ty:ty $(,)?) $body:block) => {
        $(#[$meta])*
        #[cfg(test)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn case($db: $ty) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                case($crate::TestDb::sqlite()).await;
            }

            // Reported as skipped (not passed) when the crate was built without
            // TEST_DATABASE_URL: its build script sets `aidazu_pg` when the variable is set.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(aidazu_pg), ignore = "PostgreSQL variant: TEST_DATABASE_URL is not set")]
            async fn postgres() {
                match $crate::TestDb::postgres().await {
                    Some(db) => case(db).await,
                    None => eprintln!(
                        "{}::postgres skipped: {} is not set",
                        stringify!($name),
                        $crate::TEST_DATABASE_URL
                    ),
                }
            }
        }
    };
}
