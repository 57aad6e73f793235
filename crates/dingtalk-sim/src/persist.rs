//! The state file: what the simulator knows survives a restart, as DingTalk never forgets a
//! form template, an approval or a user (issue 7, point 7).
//!
//! One JSON document ([`Snapshot`]): organisation (departments and users), approval templates
//! and instances, cards and their callback routes, work notifications, group messages, media,
//! groups, and the failed pushes not yet fetched. Not kept: tokens, 免登 and OAuth codes,
//! Stream tickets and connections, the event log with its attempts, fault knobs and the clock
//! offset (all short-lived in DingTalk too, or test knobs).
//!
//! Every call that may have changed the state wakes the writer; it waits a few milliseconds to
//! coalesce bursts, serialises the snapshot and, when it differs from the last one written,
//! writes it atomically (a temporary file in the same folder, flushed, then renamed over the
//! old one). `SimHandle::shutdown` writes once more after the server stopped, so no mutation
//! acknowledged before a clean shutdown is lost.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;

use crate::error::SimError;
use crate::org::Organisation;
use crate::records::{
    Approval, Card, CardCallbackRoute, Form, Group, GroupMessage, Media, WorkNotification,
};
use crate::state::Data;

/// Format version of the file.
const VERSION: u32 = 1;
/// How long the writer waits after a change before writing (bursts become one write).
pub const DEBOUNCE: Duration = Duration::from_millis(20);

/// A card callback route with its secret (the control API never shows the secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredRoute {
    callback_route_key: String,
    callback_url: String,
    api_secret: String,
}

/// What the state file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    version: u32,
    organisation: Organisation,
    forms: BTreeMap<String, Form>,
    approvals: Vec<Approval>,
    next_task_id: i64,
    cards: Vec<Card>,
    card_routes: Vec<StoredRoute>,
    work_notifications: Vec<WorkNotification>,
    next_notification_task_id: i64,
    group_messages: Vec<GroupMessage>,
    media: Vec<Media>,
    groups: BTreeMap<String, Group>,
    failed_events: Vec<Value>,
}

impl Snapshot {
    /// Copies the persistent part of `data`.
    pub fn of(data: &Data) -> Self {
        Self {
            version: VERSION,
            organisation: data.org.clone(),
            forms: data.forms.clone(),
            approvals: data.approvals.clone(),
            next_task_id: data.next_task_id,
            cards: data.cards.clone(),
            card_routes: data
                .card_routes
                .values()
                .map(|r| StoredRoute {
                    callback_route_key: r.callback_route_key.clone(),
                    callback_url: r.callback_url.clone(),
                    api_secret: r.api_secret.clone(),
                })
                .collect(),
            work_notifications: data.work_notifications.clone(),
            next_notification_task_id: data.next_notification_task_id,
            group_messages: data.group_messages.clone(),
            media: data.media.clone(),
            groups: data.groups.clone(),
            failed_events: data.failed_events.clone(),
        }
    }

    /// Puts the snapshot's content into `data` (what is not persisted stays as it is).
    pub fn restore(self, data: &mut Data) {
        data.org = self.organisation;
        data.forms = self.forms;
        data.approvals = self.approvals;
        data.next_task_id = data.next_task_id.max(self.next_task_id);
        data.cards = self.cards;
        data.card_routes = self
            .card_routes
            .into_iter()
            .map(|r| {
                (
                    r.callback_route_key.clone(),
                    CardCallbackRoute {
                        callback_route_key: r.callback_route_key,
                        callback_url: r.callback_url,
                        api_secret: r.api_secret,
                    },
                )
            })
            .collect();
        data.work_notifications = self.work_notifications;
        data.next_notification_task_id = data
            .next_notification_task_id
            .max(self.next_notification_task_id);
        data.group_messages = self.group_messages;
        data.media = self.media;
        data.groups = self.groups;
        data.failed_events = self.failed_events;
    }
}

/// Reads the state file: `Ok(None)` when it does not exist yet.
///
/// # Errors
/// [`SimError::State`] when it cannot be read or is not a snapshot.
pub fn load(path: &Path) -> Result<Option<Snapshot>, SimError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SimError::StateRead {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| SimError::StateParse {
            path: path.to_path_buf(),
            source,
        })
}

/// Writes `bytes` to `path` atomically: temporary file in the same folder, flushed to disk,
/// renamed over `path`.
///
/// # Errors
/// The I/O error of any step (the old file is then untouched).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dingtalk-sim.json".to_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Writes the state file when told the state may have changed.
pub struct Persister {
    path: PathBuf,
    /// The bytes last written (writes are serialised through this lock).
    last: Mutex<Vec<u8>>,
    wake: Notify,
}

impl std::fmt::Debug for Persister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persister")
            .field("path", &self.path)
            .finish()
    }
}

impl Persister {
    /// A writer for `path`.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            last: Mutex::new(Vec::new()),
            wake: Notify::new(),
        }
    }

    /// The state may have changed.
    pub fn touch(&self) {
        self.wake.notify_one();
    }

    /// Waits for the next change.
    pub async fn changed(&self) {
        self.wake.notified().await;
    }

    /// Writes `snapshot` unless it equals what was written last.
    pub fn write(&self, snapshot: &Snapshot) {
        let bytes = match serde_json::to_vec_pretty(snapshot) {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::error!(%error, "cannot serialise the simulator state");
                return;
            }
        };
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if *last == bytes {
            return;
        }
        match write_atomic(&self.path, &bytes) {
            Ok(()) => *last = bytes,
            Err(error) => {
                tracing::error!(%error, path = %self.path.display(), "cannot write the simulator state file");
            }
        }
    }

    /// Remembers `bytes` as written (the content just loaded).
    pub fn loaded(&self, snapshot: &Snapshot) {
        if let Ok(bytes) = serde_json::to_vec_pretty(snapshot) {
            *self.last.lock().unwrap_or_else(|p| p.into_inner()) = bytes;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("sim-persist-{}", crate::ids::hex_lower(8)));
        let path = dir.join("state.json");
        write_atomic(&path, b"{\"a\":1}").expect("first write");
        write_atomic(&path, b"{\"a\":2}").expect("second write");
        assert_eq!(std::fs::read(&path).expect("read"), b"{\"a\":2}");
        let names: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["state.json"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_file_is_no_state_and_a_corrupt_one_an_error() {
        let dir = std::env::temp_dir().join(format!("sim-persist-{}", crate::ids::hex_lower(8)));
        let path = dir.join("state.json");
        assert!(matches!(load(&path), Ok(None)));
        write_atomic(&path, b"not json").expect("write");
        assert!(matches!(load(&path), Err(SimError::StateParse { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn snapshot_round_trips_through_data() {
        let mut data = Data::default();
        data.forms.insert(
            "PROC-1".into(),
            Form {
                process_code: "PROC-1".into(),
                name: "积分申报".into(),
                description: String::new(),
                components: Vec::new(),
            },
        );
        data.card_routes.insert(
            "route".into(),
            CardCallbackRoute {
                callback_route_key: "route".into(),
                callback_url: "http://x".into(),
                api_secret: "secret".into(),
            },
        );
        data.next_task_id = 42;
        let text = serde_json::to_string(&Snapshot::of(&data)).expect("serialises");
        let snapshot: Snapshot = serde_json::from_str(&text).expect("parses");
        let mut restored = Data::default();
        snapshot.restore(&mut restored);
        assert!(restored.forms.contains_key("PROC-1"));
        assert_eq!(restored.card_routes["route"].api_secret, "secret");
        assert_eq!(restored.next_task_id, 42);
    }
}
