//! Builds the front end before `serve` when its built files are missing or older than its
//! sources (`web.build = "auto"`), so the README's one run command works on a fresh clone:
//! `npm ci` (when `node_modules` is missing or older than `package-lock.json`), then
//! `npm run build`. Without npm it says what to install and serves what there is.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::Context as _;

use crate::settings::{WebBuild, WebSettings};

/// Folders of the source tree that are outputs or tools, not sources.
const SKIP: [&str; 5] = ["node_modules", "dist", "artifacts", "coverage", ".vite"];

/// What [`ensure_built`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildOutcome {
    /// `web.build = "never"`, no `web.dir`, or no sources next to it.
    NotManaged,
    /// The built files are newer than every source.
    UpToDate,
    /// Built now.
    Built,
    /// Stale or missing, but npm is not installed: served as it is.
    NoNpm,
}

/// The newest modification time of the source files under `dir` (outputs skipped).
pub fn newest_source(dir: &Path) -> Option<SystemTime> {
    let mut newest: Option<SystemTime> = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIP.contains(&name.as_ref()) && !name.starts_with('.') {
                    stack.push(entry.path());
                }
            } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                newest = Some(newest.map_or(modified, |n| n.max(modified)));
            }
        }
    }
    newest
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Whether the build in `dist` is missing or older than the sources in `source`.
pub fn is_stale(source: &Path, dist: &Path) -> bool {
    let built = modified(&dist.join("index.html"))
        .into_iter()
        .chain(modified(&dist.join("console").join("index.html")))
        .min();
    match (built, newest_source(source)) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(built), Some(source)) => source > built,
    }
}

fn npm() -> Command {
    Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

fn run(mut command: Command, dir: &Path, what: &str) -> anyhow::Result<()> {
    let status = command
        .current_dir(dir)
        .status()
        .with_context(|| format!("cannot run {what} in {}", dir.display()))?;
    if !status.success() {
        anyhow::bail!(
            "{what} failed in {} ({status}); fix it or set web.build = \"never\"",
            dir.display()
        );
    }
    Ok(())
}

/// Builds the front end when stale (see the module doc).
pub fn ensure_built(web: &WebSettings) -> anyhow::Result<BuildOutcome> {
    let source: PathBuf = web.source_dir.clone();
    if web.build == WebBuild::Never
        || web.dir.as_os_str().is_empty()
        || !source.join("package.json").is_file()
    {
        return Ok(BuildOutcome::NotManaged);
    }
    if !is_stale(&source, &web.dir) {
        return Ok(BuildOutcome::UpToDate);
    }
    if npm().arg("--version").output().is_err() {
        tracing::warn!(
            "the front end in {} is missing or stale and npm is not installed: install Node 20 \
             and npm, or build it elsewhere; serving what there is",
            web.dir.display()
        );
        return Ok(BuildOutcome::NoNpm);
    }
    let lock = modified(&source.join("package-lock.json"));
    let installed = modified(&source.join("node_modules").join(".package-lock.json"));
    if installed.is_none() || lock > installed {
        println!("building the front end: npm ci in {}", source.display());
        let mut ci = npm();
        ci.args(["ci", "--no-audit", "--no-fund"]);
        run(ci, &source, "npm ci")?;
    }
    println!(
        "building the front end: npm run build in {}",
        source.display()
    );
    let mut build = npm();
    build.args(["run", "build"]);
    run(build, &source, "npm run build")?;
    Ok(BuildOutcome::Built)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path, at: SystemTime) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"x").unwrap();
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(at)
            .unwrap();
    }

    #[test]
    fn stale_when_missing_or_older_than_a_source() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path();
        let dist = src.join("dist");
        let t0 = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let t1 = t0 + std::time::Duration::from_secs(10);
        touch(&src.join("src/main.ts"), t0);
        assert!(is_stale(src, &dist), "nothing built");
        touch(&dist.join("index.html"), t1);
        touch(&dist.join("console/index.html"), t1);
        assert!(!is_stale(src, &dist), "built after the sources");
        // Outputs and tools do not count as sources.
        touch(
            &src.join("node_modules/x/index.js"),
            t1 + std::time::Duration::from_secs(5),
        );
        touch(
            &src.join("artifacts/shot.png"),
            t1 + std::time::Duration::from_secs(5),
        );
        assert!(!is_stale(src, &dist));
        touch(
            &src.join("src/App.vue"),
            t1 + std::time::Duration::from_secs(5),
        );
        assert!(is_stale(src, &dist), "a source changed after the build");
    }

    #[test]
    fn never_is_not_managed() {
        let web = WebSettings {
            build: WebBuild::Never,
            ..WebSettings::default()
        };
        assert_eq!(ensure_built(&web).unwrap(), BuildOutcome::NotManaged);
    }
}
