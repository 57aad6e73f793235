//! The two blob stores under test, with a way to list what they hold.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aidazu_photos::{BlobStore, LocalBlobStore, ObjectStoreBlobStore, PhotoConfig, PhotoIntake};
use futures::TryStreamExt;
use tempfile::TempDir;

enum Kind {
    Local(LocalBlobStore),
    ObjectStore(ObjectStoreBlobStore),
}

/// A fresh, empty store plus a private spool folder.
pub struct Backend {
    kind: Kind,
    pub store: Arc<dyn BlobStore>,
    dir: TempDir,
}

impl Backend {
    pub fn local() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().join("blobs"));
        Self {
            store: Arc::new(store.clone()),
            kind: Kind::Local(store),
            dir,
        }
    }

    pub fn object_store() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = ObjectStoreBlobStore::in_memory()
            .with_prefix("aidazu/photos")
            .unwrap();
        Self {
            store: Arc::new(store.clone()),
            kind: Kind::ObjectStore(store),
            dir,
        }
    }

    pub fn spool_dir(&self) -> PathBuf {
        self.dir.path().join("spool")
    }

    /// Default config, spooling into this backend's private folder.
    pub fn config(&self) -> PhotoConfig {
        PhotoConfig::default().with_spool_dir(self.spool_dir())
    }

    pub fn intake(&self) -> PhotoIntake {
        self.intake_with(self.config())
    }

    pub fn intake_with(&self, config: PhotoConfig) -> PhotoIntake {
        PhotoIntake::new(Arc::clone(&self.store), config)
    }

    /// Every stored blob as `<namespace>/<name>`, sorted; temp files would show up too.
    pub async fn stored_keys(&self) -> Vec<String> {
        let mut keys = match &self.kind {
            Kind::Local(store) => {
                let mut files = Vec::new();
                walk(store.root(), &mut files);
                files
                    .into_iter()
                    .map(|path| {
                        let rel = path.strip_prefix(store.root()).unwrap();
                        let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
                        if parts.len() == 4 {
                            format!("{}/{}", parts[0], parts[3])
                        } else {
                            format!("unexpected:{}", rel.display())
                        }
                    })
                    .collect::<Vec<_>>()
            }
            Kind::ObjectStore(store) => store
                .inner()
                .list(None)
                .map_ok(|meta| {
                    meta.location
                        .as_ref()
                        .strip_prefix("aidazu/photos/")
                        .map(str::to_owned)
                        .unwrap_or_else(|| format!("unexpected:{}", meta.location))
                })
                .try_collect::<Vec<_>>()
                .await
                .unwrap(),
        };
        keys.sort();
        keys
    }

    /// Files left in the spool folder (there must be none after any upload, good or bad).
    pub fn spool_leftovers(&self) -> usize {
        match std::fs::read_dir(self.spool_dir()) {
            Ok(entries) => entries.count(),
            Err(_) => 0,
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}
