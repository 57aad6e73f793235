//! Temporary SQLite files.

use std::path::{Path, PathBuf};

pub(crate) fn fresh_path() -> PathBuf {
    std::env::temp_dir().join(format!("aidazu-test-{}.db", uuid::Uuid::new_v4().simple()))
}

pub(crate) fn url_for(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

pub(crate) fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        // Missing files are fine: the database may never have been opened.
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}
