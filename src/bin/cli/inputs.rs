//! The command line's FILE arguments as the files they name: a file, every file directly
//! in a folder (by name, hidden ones left out), the files a glob pattern matches in its
//! folder, or standard input (`-`).

use std::io::Read;
use std::path::{Path, PathBuf};

use spend_reconciler::native::Input;
use spend_reconciler::pipeline::InputFile;

/// The name standard input is listed under in the record and the summary.
pub const STDIN_NAME: &str = "standard-input";

/// What one of the arguments names: standard input (read whole here), or a file.
enum Named {
    Stdin(InputFile),
    File(PathBuf),
}

/// Everything the arguments name, in order; an argument that names nothing is an error
/// naming it.
fn named(arguments: &[String]) -> Result<Vec<Named>, String> {
    let mut found = Vec::new();
    let mut stdin_taken = false;
    for argument in arguments {
        if argument == "-" {
            if stdin_taken {
                return Err("expected standard input (-) once, but found it twice".into());
            }
            stdin_taken = true;
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("standard input: cannot be read: {e}"))?;
            found.push(Named::Stdin(InputFile {
                name: STDIN_NAME.into(),
                bytes,
            }));
            continue;
        }
        found.extend(expand(argument)?.into_iter().map(Named::File));
    }
    Ok(found)
}

/// Every file the arguments name, in order, opened to be read where it lies (reconcile
/// and verify read a large file in parts from the disk, never whole); a file that
/// cannot be opened is an error naming it.
pub fn open_inputs(arguments: &[String]) -> Result<Vec<Input>, String> {
    let open = |named| match named {
        Named::Stdin(file) => Ok(Input::Bytes(file)),
        #[cfg(unix)]
        Named::File(path) => Ok(Input::Disk {
            name: file_name(&path),
            file: std::fs::File::open(&path)
                .map_err(|e| format!("{}: cannot be read: {e}", path.display()))?,
        }),
        #[cfg(not(unix))]
        Named::File(path) => Ok(Input::Bytes(InputFile {
            name: file_name(&path),
            bytes: std::fs::read(&path)
                .map_err(|e| format!("{}: cannot be read: {e}", path.display()))?,
        })),
    };
    named(arguments)?.into_iter().map(open).collect()
}

/// The page only ever sees a file's name, so the record uses the name alone here too.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The paths one argument names.
fn expand(argument: &str) -> Result<Vec<PathBuf>, String> {
    let path = Path::new(argument);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if let Some(pattern) = name.filter(|n| n.contains(['*', '?'])) {
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        let folder = folder.unwrap_or(Path::new("."));
        let found = files_in(folder, |n| matches(&pattern, n))?;
        if found.is_empty() {
            return Err(format!(
                "{argument}: expected files matching the pattern, but found none"
            ));
        }
        return Ok(found);
    }
    if path.is_dir() {
        let found = files_in(path, |_| true)?;
        if found.is_empty() {
            return Err(format!(
                "{argument}: expected files in the folder, but found none"
            ));
        }
        return Ok(found);
    }
    Ok(vec![path.to_path_buf()])
}

/// The regular files directly in `folder` whose names `keep` accepts, sorted by name;
/// hidden files (a leading dot) are left out.
fn files_in(folder: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(folder)
        .map_err(|e| format!("{}: cannot be read: {e}", folder.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: cannot be read: {e}", folder.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !keep(&name) || !entry.path().is_file() {
            continue;
        }
        found.push(entry.path());
    }
    found.sort();
    Ok(found)
}

/// Glob matching for one file name: `*` is any run of characters, `?` any one.
fn matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic two-pointer match with backtracking to the last star.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_patterns_match_names() {
        let cases = [
            ("*.jsonl", "logs.jsonl", true),
            ("*.jsonl", "logs.json", false),
            ("page-?.json", "page-1.json", true),
            ("page-?.json", "page-10.json", false),
            ("*-2026-*.csv", "usage-2026-01.csv", true),
            ("*", "anything", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(matches(pattern, name), want, "{pattern} vs {name}");
        }
    }
}
