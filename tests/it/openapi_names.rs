//! OpenAPI schema names are unique. utoipa keys every schema of `/openapi.json` by its name (the
//! type's name, or `#[schema(as = …)]`); two types with one name silently share one entry, and
//! responses of the other type then violate the published schema (schemathesis found this once:
//! two `GroupDto`). This test reads the sources of the crates and refuses any repeated name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The schema names declared in one source text, each with its line number: every type deriving
/// `ToSchema`, under its `#[schema(as = …)]` name when it has one.
fn schema_names(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim();
        if !(line.starts_with("#[derive(") && line.contains("ToSchema")) {
            continue;
        }
        let mut renamed = None;
        for next in lines.iter().skip(i + 1).take(20) {
            let next = next.trim();
            if let Some(rest) = next.strip_prefix("#[schema(as = ") {
                renamed = rest.split([')', ',']).next().map(|s| s.trim().to_owned());
            }
            let decl = next
                .strip_prefix("pub ")
                .or_else(|| next.strip_prefix("pub(crate) "))
                .unwrap_or(next);
            let name = decl
                .strip_prefix("struct ")
                .or_else(|| decl.strip_prefix("enum "));
            if let Some(name) = name {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push((renamed.unwrap_or(name), i + 1));
                break;
            }
        }
    }
    out
}

#[test]
fn the_scanner_reads_derives_and_renames() {
    let source = "#[derive(Debug, Serialize, ToSchema)]\n/// doc\npub struct GroupDto {\n}\n\
                  #[derive(Serialize, utoipa::ToSchema)]\n#[schema(as = VillageGroup)]\npub(crate) struct GroupDto;\n\
                  #[derive(Serialize)]\npub struct NotASchema;\n";
    assert_eq!(
        schema_names(source),
        vec![("GroupDto".to_owned(), 1), ("VillageGroup".to_owned(), 5)]
    );
}

#[test]
fn openapi_schema_names_are_unique_across_the_crates() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
    let mut files = Vec::new();
    rust_files(&crates, &mut files);
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for (name, line) in schema_names(&source) {
            let at = format!(
                "{}:{line}",
                file.strip_prefix(&crates).unwrap_or(file).display()
            );
            seen.entry(name).or_default().push(at);
        }
    }
    assert!(
        seen.len() > 50,
        "the scan finds the DTOs ({} names)",
        seen.len()
    );
    let repeated: Vec<_> = seen.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(
        repeated.is_empty(),
        "schema names declared more than once (give one a distinct name): {repeated:#?}"
    );
}
