//! The shape of the crate, kept: the pipeline's stages import only from the floors
//! below them, and no two top-level modules import each other, however indirectly.
//! docs/architecture.md draws the same floors.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its floor, from the ground up. A module may use
/// modules on lower floors only (the shell — `web`, `bin` — is outside the core).
const FLOORS: &[(&str, u32)] = &[
    ("decimal", 0),
    ("error", 0),
    ("sanitize", 0),
    ("policy", 1),
    ("ingest", 2),
    ("ratecard", 3),
    ("settings", 4),
    ("price", 5),
    ("reconcile", 6),
    ("classify", 7),
    ("crosscheck", 8),
    ("figures", 9),
    ("record", 10),
    ("outputs", 10),
    ("charts", 10),
    ("pipeline", 11),
    ("native", 12),
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

/// The text a module's code depends on, test modules left out (a test may use anything).
fn code_of(path: &Path) -> String {
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
