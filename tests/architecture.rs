//! The shape of the crate, kept: the pipeline's stages import only from the floors
//! below them, and no two top-level modules import each other, however indirectly; the
//! same inside `ingest`, whose wings stand on floors of their own.
//! docs/architecture.md draws the same floors.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its floor, from the ground up. A module may use
/// modules on lower floors only (the shell — `web`, `bin` — is outside the core).
const FLOORS: &[(&str, u32)] = &[
    ("decimal", 0),
    ("error", 0),
    ("fast_hash", 0),
    ("sanitize", 0),
    ("money", 0),
    ("wire", 0),
    ("policy", 1),
    ("ingest", 2),
    ("ratecard", 3),
    ("settings", 4),
    ("price", 5),
    ("reconcile", 6),
    ("classify", 7),
    ("confidence", 7),
    ("crosscheck", 8),
    ("figures", 9),
    ("authority", 9),
    ("dual_ledger", 8),
    ("closure", 10),
    ("charts", 10),
    ("record", 11),
    ("outputs", 11),
    ("pipeline", 12),
    ("budget", 12),
    ("native", 13),
    ("verify", 13),
];

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

/// The text a module's code depends on, test modules left out (a test may use anything):
/// a `tests.rs` file, and a file's `#[cfg(test)]` module at its end.
fn code_of(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Every `crate::name` a text mentions, including `use crate::{a, b::c}` groups.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found
}

/// Top-level module → the top-level modules its code names.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if ["lib", "bin", "web"].contains(&name.as_str()) {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        let uses = graph.entry(name.clone()).or_default();
        for file in files {
            uses.extend(crate_paths(&code_of(&file)));
        }
        uses.remove(&name);
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|u| modules.contains(u));
    }
    graph
}

/// A cycle through `from`, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        target: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in &graph[at] {
            if next == target {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, target, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_string()];
    walk(graph, from, from, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_module_imports_a_later_stage_or_closes_a_cycle() {
    let graph = module_graph();
    assert!(graph.len() >= 14, "modules found: {:?}", graph.keys());
    let floor: BTreeMap<&str, u32> = FLOORS.iter().copied().collect();
    let mut problems = Vec::new();
    for (module, uses) in &graph {
        let Some(own) = floor.get(module.as_str()) else {
            problems.push(format!("{module} has no floor: add it to FLOORS"));
            continue;
        };
        for used in uses {
            match floor.get(used.as_str()) {
                Some(f) if f < own => {}
                Some(_) => problems.push(format!(
                    "{module} (floor {own}) uses {used} (floor {}), which is not below it",
                    floor[used.as_str()]
                )),
                None => {}
            }
        }
        if let Some(path) = cycle(&graph, module) {
            problems.push(format!("a cycle: {}", path.join(" → ")));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_scanner_sees_grouped_and_plain_paths() {
    let text = "use crate::{decimal::quote, error::Error};\nlet x = crate::price::quota::f();";
    let found: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(found, ["decimal", "error", "price"]);
}

/// `ingest`'s wings and their floors, from the ground up: the text readers (bytes to
/// text, text to records; CSV and JSON, no export named), the formats (what each
/// export's records mean, the typed row), the row store and the ledger (compact rows,
/// the ledger, a file's report, rows several files hold), the filing of a file's records
/// under the reading rules, and the reading of a file in parts (the streaming
/// `Ingestor`, a tail read apart and joined). A wing uses the wings below it by their
/// paths (`crate::ingest::text::…`; `super::` within itself), never an item of ingest's
/// root: the root only re-exports, for the other stages.
const WINGS: &[(&str, u32)] = &[
    ("text", 0),
    ("formats", 1),
    ("store", 2),
    ("filing", 3),
    ("parts", 4),
];

/// The leading names of a path's continuation: `a::b` gives `a`, `{a::b, c}` gives
/// `a` and `c` (at any depth of braces, only the first level counts).
fn leading_names(rest: &str) -> Vec<String> {
    let name = |text: &str| -> String {
        text.trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![name(rest)];
    };
    let (mut depth, mut start, mut names) = (0, 0, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                names.push(name(&group[start..i]));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                names.push(name(&group[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

/// What a file of `ingest` at `module` (its path below `ingest`: `["text", "json",
/// "lines"]`) names of `ingest`'s top level, through `crate::ingest::` or `super::`
/// chains that climb to it: a wing's name, or an item of the root.
fn ingest_names(text: &str, module: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("crate::ingest::") {
        found.extend(leading_names(&text[at + "crate::ingest::".len()..]));
    }
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices("super::") {
        // Only where a chain starts: not the second `super::` of `super::super::`.
        let before = &text[..at];
        if before.ends_with("::")
            || bytes
                .get(at.wrapping_sub(1))
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            continue;
        }
        let mut rest = &text[at..];
        let mut up = 0;
        while let Some(after) = rest.strip_prefix("super::") {
            up += 1;
            rest = after;
        }
        // `super` of a module is its parent; the path below `ingest` that remains.
        let Some(left) = module.len().checked_sub(up) else {
            continue;
        };
        match module[..left].first() {
            Some(wing) => {
                found.insert(wing.clone());
            }
            None => found.extend(leading_names(rest)),
        }
    }
    found
}

/// The module path below `ingest` of a file: `text/json/lines.rs` is text::json::lines,
/// `text/json/mod.rs` is text::json.
fn module_path(file: &Path, ingest: &Path) -> Vec<String> {
    let relative = file.strip_prefix(ingest).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

#[test]
fn ingest_wings_stand_on_their_floors_without_a_cycle() {
    let ingest = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ingest");
    let floor: BTreeMap<&str, u32> = WINGS.iter().copied().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&ingest).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let wing = path.file_name().unwrap().to_string_lossy().into_owned();
        if !floor.contains_key(wing.as_str()) {
            problems.push(format!("ingest/{wing} has no floor: add it to WINGS"));
            continue;
        }
        let mut files = Vec::new();
        rust_files(&path, &mut files);
        let uses = graph.entry(wing.clone()).or_default();
        for file in files {
            let module = module_path(&file, &ingest);
            for name in ingest_names(&code_of(&file), &module) {
                if floor.contains_key(name.as_str()) {
                    uses.insert(name);
                } else {
                    problems.push(format!(
                        "{} uses ingest::{name}, an item of ingest's root: name its wing",
                        file.strip_prefix(&ingest).unwrap().display()
                    ));
                }
            }
        }
        uses.remove(&wing);
    }
    assert_eq!(graph.len(), WINGS.len(), "wings found: {:?}", graph.keys());
    for (wing, uses) in &graph {
        let own = floor[wing.as_str()];
        for used in uses {
            if floor[used.as_str()] >= own {
                problems.push(format!(
                    "ingest/{wing} (floor {own}) uses {used} (floor {}), which is not below it",
                    floor[used.as_str()]
                ));
            }
        }
        if let Some(path) = cycle(&graph, wing) {
            problems.push(format!("a cycle: {}", path.join(" → ")));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_ingest_scanner_climbs_super_chains() {
    let module: Vec<String> = ["text", "json", "lines"].map(String::from).to_vec();
    let cases: [(&str, &[&str]); 6] = [
        ("use super::scan;", &["text"]),
        ("use super::super::decode::Pos;", &["text"]),
        ("use super::super::super::store::rows;", &["store"]),
        (
            "use super::super::super::{Format, store::rows};",
            &["Format", "store"],
        ),
        (
            "use crate::ingest::{formats::{row::Parts, Format}, store};",
            &["formats", "store"],
        ),
        ("// not_super::x, xsuper::y", &[]),
    ];
    for (text, want) in cases {
        let found: Vec<String> = ingest_names(text, &module).into_iter().collect();
        assert_eq!(found, want, "{text}");
    }
}
