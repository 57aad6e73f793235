//! The store handle: connecting, migrating, health.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aidazu_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};

use crate::error::{StoreError, redact_url};

/// How long a SQLite writer waits for the lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub use aidazu_ports::Backend;

/// Pool settings; [`Store::connect`] uses the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectSettings {
    /// How long to wait for a pooled connection, including the first one at start-up
    /// (an unreachable server fails after this long).
    pub acquire_timeout: Duration,
    /// Most PostgreSQL connections per process (SQLite always uses one).
    pub max_connections: u32,
}

impl Default for ConnectSettings {
    fn default() -> Self {
        Self {
            acquire_timeout: Duration::from_secs(10),
            max_connections: 16,
        }
    }
}

/// The storage handle. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
    statements: Arc<AtomicU64>,
    identity_epoch: Arc<AtomicU64>,
    pool_size: u32,
}

/// Tables whose writes change who someone is or what they may see: accounts, grants, sessions,
/// members, households and the organisation tree.
const IDENTITY_TABLES: [&str; 9] = [
    "accounts",
    "role_grants",
    "refresh_tokens",
    "members",
    "households",
    "villages",
    "towns",
    "districts",
    "past_bindings",
];

/// Whether a statement writes one of [`IDENTITY_TABLES`] (a cheap text check; a false positive
/// only costs a cache refill).
fn writes_identity(sql: &str) -> bool {
    let head = sql.trim_start();
    let write = ["INSERT", "UPDATE", "DELETE"].iter().any(|w| {
        head.get(..w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w))
    });
    write && IDENTITY_TABLES.iter().any(|t| sql.contains(t))
}

/// Counts every statement the connection runs (sea-orm's metric callback): the query budget of a
/// request is read from it in tests (`Store::statements`), at the cost of one atomic add each.
/// Writes to the identity tables also move [`Store::identity_epoch`], which the application's
/// per-replica caches of sessions and villages compare against.
fn counted(mut db: DatabaseConnection) -> (DatabaseConnection, Arc<AtomicU64>, Arc<AtomicU64>) {
    let statements = Arc::new(AtomicU64::new(0));
    let epoch = Arc::new(AtomicU64::new(0));
    let counter = statements.clone();
    let identity = epoch.clone();
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::Relaxed);
        if writes_identity(&info.statement.sql) {
            identity.fetch_add(1, Ordering::Relaxed);
        }
    });
    (db, statements, epoch)
}

impl Store {
    /// Opens the database named by `url`.
    ///
    /// - `sqlite://path/to/file.db` (or `sqlite:…`): creates the parent directory and the file,
    ///   WAL journal, `foreign_keys=ON`, a busy timeout, one pooled connection (writes are
    ///   serialised, so read-modify-write transactions cannot deadlock on lock upgrades).
    /// - `postgres://…` / `postgresql://…`: as given.
    ///
    /// # Errors
    /// [`StoreError::UnsupportedUrl`], [`StoreError::Connect`] (the URL in it is redacted).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, ConnectSettings::default()).await
    }

    /// [`Store::connect`] with explicit pool settings.
    ///
    /// # Errors
    /// As [`Store::connect`].
    pub async fn connect_with(url: &str, settings: ConnectSettings) -> Result<Store, StoreError> {
        let url_redacted = redact_url(url);
        let connect_err = |source| StoreError::Connect {
            url_redacted: url_redacted.clone(),
            source,
        };
        if url.starts_with("sqlite:") {
            let parsed: SqliteConnectOptions = url.parse().map_err(|err| {
                connect_err(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(err)))
            })?;
            if let Some(parent) = sqlite_parent_dir(parsed.get_filename()) {
                std::fs::create_dir_all(parent).map_err(|err| {
                    connect_err(sea_orm::DbErr::Custom(format!(
                        "cannot create the directory for the database: {err}"
                    )))
                })?;
            }
            let mut options = ConnectOptions::new(url.to_owned());
            options
                .max_connections(1)
                .min_connections(1)
                .acquire_timeout(settings.acquire_timeout.max(SQLITE_BUSY_TIMEOUT * 2))
                .sqlx_logging(false)
                .map_sqlx_sqlite_opts(|opts| {
                    opts.create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .foreign_keys(true)
                        .busy_timeout(SQLITE_BUSY_TIMEOUT)
                });
            let (db, statements, identity_epoch) =
                counted(Database::connect(options).await.map_err(connect_err)?);
            Ok(Store {
                db,
                backend: Backend::Sqlite,
                statements,
                identity_epoch,
                pool_size: 1,
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut options = ConnectOptions::new(url.to_owned());
            options
                .max_connections(settings.max_connections.max(1))
                .acquire_timeout(settings.acquire_timeout)
                .sqlx_logging(false);
            let (db, statements, identity_epoch) =
                counted(Database::connect(options).await.map_err(connect_err)?);
            Ok(Store {
                db,
                backend: Backend::Postgres,
                statements,
                identity_epoch,
                pool_size: settings.max_connections.max(1),
            })
        } else {
            Err(StoreError::UnsupportedUrl { url_redacted })
        }
    }

    /// Applies every pending migration.
    ///
    /// # Errors
    /// [`StoreError::Migration`].
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None)
            .await
            .map_err(StoreError::Migration)?;
        // Entries written before the hash chain existed are linked once, in id order.
        use sea_orm::TransactionTrait;
        let txn = self.db.begin().await?;
        let linked = crate::chain::chain_unlinked(&txn).await?;
        // Read models of a database written before they existed are filled once.
        let rebuilt = crate::read_models::rebuild_missing(&txn).await?;
        txn.commit().await?;
        if rebuilt > 0 {
            tracing::info!(villages = rebuilt, "read models filled from the ledger");
        }
        if linked > 0 {
            tracing::info!(linked, "ledger entries linked into the hash chain");
        }
        Ok(())
    }

    /// Names of migrations not yet applied, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Migration`].
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        let pending = Migrator::get_pending_migrations(&self.db)
            .await
            .map_err(StoreError::Migration)?;
        Ok(pending.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Round-trips a trivial query.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.map_err(StoreError::Query)
    }

    /// Which database this is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Most connections the pool opens (1 on SQLite): the bound for work run side by side.
    #[must_use]
    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    /// Statements run through this store since it was opened (all connections of its pool).
    #[must_use]
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Moves whenever this process writes accounts, grants, sessions, members, households or the
    /// organisation tree (seen by the statement counter): caches of those compare it and refill
    /// when it moved. Writes by other replicas are not seen; their caches expire instead.
    #[must_use]
    pub fn identity_epoch(&self) -> u64 {
        self.identity_epoch.load(Ordering::Acquire)
    }

    /// Moves [`Store::identity_epoch`] (after a commit that wrote identity tables).
    pub(crate) fn bump_identity_epoch(&self) {
        self.identity_epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// The underlying connection, for queries this crate does not offer yet.
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Starts a transaction; pass it to the free functions of [`crate::ledger`] and commit it.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn begin(&self) -> Result<DatabaseTransaction, StoreError> {
        self.db.begin().await.map_err(StoreError::Query)
    }

    /// Closes the pool (e.g. before reopening the same SQLite file).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await.map_err(StoreError::Query)
    }
}

fn sqlite_parent_dir(file: &Path) -> Option<&Path> {
    let text = file.to_string_lossy();
    if text.is_empty() || text.starts_with(":memory:") {
        return None;
    }
    file.parent().filter(|p| !p.as_os_str().is_empty())
}
