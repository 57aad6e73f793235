//! Errors of the simulator's Rust API (the wire errors it serves are data, not these).

use thiserror::Error;

/// Why the simulator could not start or load its data.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SimError {
    /// The listener's local address could not be read.
    #[error("cannot read the simulator listener address")]
    Listener {
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The outbound HTTP client (callbacks) could not be built.
    #[error("cannot build the simulator's HTTP client")]
    HttpClient {
        /// Underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The organisation JSON does not match the schema.
    #[error("organisation file is invalid")]
    Organisation {
        /// Parse error with position.
        #[source]
        source: serde_json::Error,
    },
    /// The state file exists but cannot be read.
    #[error("cannot read the simulator state file {}", path.display())]
    StateRead {
        /// The file.
        path: std::path::PathBuf,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The state file is not a simulator snapshot (delete it to start afresh).
    #[error("the simulator state file {} is invalid (delete it to start afresh)", path.display())]
    StateParse {
        /// The file.
        path: std::path::PathBuf,
        /// Parse error with position.
        #[source]
        source: serde_json::Error,
    },
}
