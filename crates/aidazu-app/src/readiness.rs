//! Readiness: is the database reachable and is the schema current?

use serde::Serialize;

use crate::App;

/// The answer of a readiness check.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    /// The database answered a ping.
    pub database: bool,
    /// Migrations not yet applied (empty when current).
    pub pending_migrations: Vec<String>,
    /// Why it is not ready, for operators (never secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Readiness {
    /// Ready to serve traffic.
    pub fn is_ready(&self) -> bool {
        self.database && self.pending_migrations.is_empty() && self.problem.is_none()
    }
}

impl App {
    /// Checks the database and the migration state.
    #[tracing::instrument(skip(self))]
    pub async fn readiness(&self) -> Readiness {
        if let Err(e) = self.store().ping().await {
            tracing::warn!(error = %e, "readiness: database ping failed");
            return Readiness {
                database: false,
                pending_migrations: Vec::new(),
                problem: Some("database unreachable".to_owned()),
            };
        }
        match self.store().pending_migrations().await {
            Ok(pending) => Readiness {
                database: true,
                pending_migrations: pending,
                problem: None,
            },
            Err(e) => {
                tracing::warn!(error = %e, "readiness: migration status unknown");
                Readiness {
                    database: true,
                    pending_migrations: Vec::new(),
                    problem: Some("migration status unknown".to_owned()),
                }
            }
        }
    }
}
