//! Files kept in this browser, by choice: the files a reviewer loads are copied into the
//! page's origin-private storage (OPFS, or IndexedDB where OPFS cannot be written), so a
//! reload, a crash or a closed tab brings the review back without finding every file
//! again. The copies never leave the machine: both stores are private to this page's
//! origin in this browser profile.
//!
//! A small manifest in local storage keeps the order, the names, the sizes and the
//! SHA-256 of the kept files; the copies themselves are stored under short keys. The
//! choice itself (on by default) is kept beside it.

mod idb;
mod opfs;

use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::File;

const MANIFEST_KEY: &str = "spend-reconciler.kept-files.v1";
const CHOICE_KEY: &str = "spend-reconciler.keep-files";
const NEXT_KEY: &str = "spend-reconciler.kept-files.next";

/// What the page shows about the kept files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeepStatus {
    pub on: bool,
    pub files: usize,
    pub bytes: f64,
    /// How much this browser lets the page store, when it says.
    pub quota: Option<f64>,
    /// Where the copies are ("this browser's private file storage", "IndexedDB").
    pub store: Option<&'static str>,
    /// The last thing that could not be kept, restored or forgotten, as a sentence.
    pub problem: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Entry {
    key: String,
    name: String,
    size: f64,
    last_modified: f64,
    #[serde(default)]
    sha256: Option<String>,
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn manifest() -> Vec<Entry> {
    local_storage()
        .and_then(|s| s.get_item(MANIFEST_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn save_manifest(entries: &[Entry]) {
    if let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(entries)) {
        let _ = storage.set_item(MANIFEST_KEY, &text);
    }
}

/// Whether files are kept: on unless the reviewer turned it off.
pub fn enabled() -> bool {
    local_storage()
        .and_then(|s| s.get_item(CHOICE_KEY).ok().flatten())
        .is_none_or(|choice| choice != "off")
}

pub fn set_enabled(on: bool) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(CHOICE_KEY, if on { "on" } else { "off" });
    }
}

thread_local! {
    static FOUND: std::cell::Cell<Option<Option<Store>>> = const { std::cell::Cell::new(None) };
}

/// The two stores, OPFS first: it writes a large file without holding it in memory.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Store {
    Opfs,
    IndexedDb,
}

impl Store {
    /// The first store this page may use, found once per visit: a browser can offer a
    /// store and still refuse it (OPFS on a page opened from a file, IndexedDB in some
    /// private windows), so each is opened once before it is chosen.
    async fn find() -> Option<Store> {
        if let Some(found) = FOUND.with(|f| f.get()) {
            return found;
        }
        let found = if opfs::available() && opfs::usable().await {
            Some(Store::Opfs)
        } else if idb::available() && idb::usable().await {
            Some(Store::IndexedDb)
        } else {
            None
        };
        FOUND.with(|f| f.set(Some(found)));
        found
    }

    fn describe(self) -> &'static str {
        match self {
            Store::Opfs => "this browser's private file storage for this page",
            Store::IndexedDb => "this browser's private database for this page (IndexedDB)",
        }
    }

    async fn put(self, key: &str, file: &File) -> Result<(), JsValue> {
        match self {
            Store::Opfs => opfs::put(key, file).await,
            Store::IndexedDb => idb::put(key, file).await,
        }
    }

    async fn get(self, key: &str) -> Result<File, JsValue> {
        match self {
            Store::Opfs => opfs::get(key).await,
            Store::IndexedDb => idb::get(key).await,
        }
    }

    async fn delete(self, key: &str) -> Result<(), JsValue> {
        match self {
            Store::Opfs => opfs::delete(key).await,
            Store::IndexedDb => idb::delete(key).await,
        }
    }

    async fn clear(self) -> Result<(), JsValue> {
        match self {
            Store::Opfs => opfs::clear().await,
            Store::IndexedDb => idb::clear().await,
        }
    }
}

const NO_STORE: &str = "This browser does not let this page keep files (it may have been opened from a file, or in a private window): after a reload, drop the files again. Your settings are kept.";

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// Why a file could not be kept, as a sentence: a full store is said as such.
fn not_kept(name: &str, size: f64, error: &JsValue) -> String {
    let quota = error
        .dyn_ref::<web_sys::DomException>()
        .is_some_and(|e| e.name() == "QuotaExceededError");
    if quota {
        format!(
            "{name} ({}) could not be kept: this browser has no room left for this page. It stays loaded for now, but after a reload it must be dropped again. Forget files you no longer need, or turn keeping off.",
            megabytes(size)
        )
    } else {
        format!(
            "{name} could not be kept in this browser ({}). It stays loaded for now, but after a reload it must be dropped again.",
            describe_error(error)
        )
    }
}

fn describe_error(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "the browser refused".to_string())
}

/// Copies the files into the store, replacing kept files of the same names. The first
/// that cannot be kept is said; the others are still tried.
///
/// Several of these may run at once (a second drop while a large file is still being
/// written): each reads and writes the manifest only between awaits, where nothing else
/// runs, and each copy has a key no other has taken.
pub async fn store(files: Vec<File>) -> Option<String> {
    let store = Store::find().await?;
    let mut problem = None;
    for file in files {
        let name = file.name();
        let key = take_key();
        if let Err(error) = store.put(&key, &file).await {
            let _ = store.delete(&key).await;
            problem.get_or_insert_with(|| not_kept(&name, file.size(), &error));
            continue;
        }
        let mut entries = manifest();
        let replaced: Vec<String> = entries
            .iter()
            .filter(|e| e.name == name)
            .map(|e| e.key.clone())
            .collect();
        entries.retain(|e| e.name != name);
        entries.push(Entry {
            key,
            name,
            size: file.size(),
            last_modified: file.last_modified(),
            sha256: None,
        });
        // Saved after each file: a crash mid-way keeps what was written.
        save_manifest(&entries);
        for old in replaced {
            let _ = store.delete(&old).await;
        }
    }
    problem
}

/// A key no kept copy has had: a counter kept beside the manifest.
fn take_key() -> String {
    let storage = local_storage();
    let next = storage
        .as_ref()
        .and_then(|s| s.get_item(NEXT_KEY).ok().flatten())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(1);
    if let Some(storage) = storage {
        let _ = storage.set_item(NEXT_KEY, &(next + 1).to_string());
    }
    format!("file-{next}")
}

/// The kept files, in the order they were loaded, as Files with their own names, and
/// what could not be restored.
pub async fn restore() -> (Vec<File>, Option<String>) {
    let entries = manifest();
    if entries.is_empty() {
        return (Vec::new(), None);
    }
    let Some(store) = Store::find().await else {
        return (Vec::new(), Some(NO_STORE.to_string()));
    };
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for entry in entries {
        match store
            .get(&entry.key)
            .await
            .and_then(|f| renamed(&f, &entry))
        {
            Ok(file) => files.push(file),
            Err(_) => missing.push(entry),
        }
    }
    // Read again: a file dropped meanwhile is in it now.
    let mut kept = manifest();
    kept.retain(|e| !missing.iter().any(|m| m.key == e.key));
    save_manifest(&kept);
    let missing: Vec<String> = missing.into_iter().map(|e| e.name).collect();
    let problem = (!missing.is_empty()).then(|| {
        format!(
            "{} could not be brought back from this browser's storage (it was cleared, or the copy is damaged): drop it again.",
            missing.join(", ")
        )
    });
    (files, problem)
}

/// The stored copy under the name the reviewer's file had (OPFS names it by its key).
fn renamed(stored: &File, entry: &Entry) -> Result<File, JsValue> {
    let options = web_sys::FilePropertyBag::new();
    options.set_last_modified(entry.last_modified);
    let parts = js_sys::Array::of1(stored);
    File::new_with_blob_sequence_and_options(&parts, &entry.name, &options)
}

/// Removes the kept copy of one file (removed from the review).
pub async fn remove(name: &str) {
    let mut entries = manifest();
    let Some(at) = entries.iter().position(|e| e.name == name) else {
        return;
    };
    let entry = entries.remove(at);
    save_manifest(&entries);
    if let Some(store) = Store::find().await {
        let _ = store.delete(&entry.key).await;
    }
}

/// Removes every kept copy. The files loaded now stay loaded until the page closes.
pub async fn forget() -> Option<String> {
    save_manifest(&[]);
    let store = Store::find().await?;
    store.clear().await.err().map(|error| {
        format!(
            "The kept files could not all be removed ({}); clearing this site's data in the browser's settings removes them.",
            describe_error(&error)
        )
    })
}

/// Records the SHA-256 the worker computed for each kept file; says which kept copy no
/// longer matches the digest it had when it was first kept.
pub fn note_digests(digests: &[(String, String)]) -> Option<String> {
    let mut entries = manifest();
    let mut changed = Vec::new();
    for entry in &mut entries {
        let Some((_, sha)) = digests.iter().find(|(name, _)| *name == entry.name) else {
            continue;
        };
        match &entry.sha256 {
            Some(kept) if kept != sha => changed.push(entry.name.clone()),
            Some(_) => {}
            None => entry.sha256 = Some(sha.clone()),
        }
    }
    save_manifest(&entries);
    (!changed.is_empty()).then(|| {
        format!(
            "The kept copy of {} no longer has the SHA-256 it had when it was kept: drop the original file again.",
            changed.join(", ")
        )
    })
}

/// Runs `work` (keeping, restoring, forgetting) off the event that asked for it, then
/// tells the page what is kept now and what could not be done.
pub fn report(
    dispatch: yew::Callback<crate::web::state::Action>,
    work: impl std::future::Future<Output = Option<String>> + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let problem = work.await;
        dispatch.emit(crate::web::state::Action::Keep(status(problem).await));
    });
}

/// What is kept now, and how much room this browser gives the page.
pub async fn status(problem: Option<String>) -> KeepStatus {
    let entries = manifest();
    let store = Store::find().await;
    let quota = quota().await;
    KeepStatus {
        // Read after the waits: a switch flipped meanwhile is what the status says.
        on: enabled(),
        files: entries.len(),
        bytes: entries.iter().map(|e| e.size).sum(),
        quota,
        store: store.map(Store::describe),
        problem: problem.or_else(|| store.is_none().then(|| NO_STORE.to_string())),
    }
}

async fn quota() -> Option<f64> {
    let navigator = web_sys::window()?.navigator();
    let storage = js_sys::Reflect::get(&navigator, &"storage".into()).ok()?;
    let estimate = js_sys::Reflect::get(&storage, &"estimate".into()).ok()?;
    let estimate: js_sys::Function = estimate.dyn_into().ok()?;
    let promise: js_sys::Promise = estimate.call0(&storage).ok()?.dyn_into().ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let answer: web_sys::StorageEstimate = answer.unchecked_into();
    answer.get_quota()
}
