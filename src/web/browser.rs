//! Browser glue: reading files, saving downloads, local persistence, the panic hook.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use crate::pipeline::InputFile;
use crate::settings::Settings;

const SETTINGS_KEY: &str = "spend-reconciler.settings.v1";

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Where the worker's loader is: a classic script that starts the file reader's own
/// WebAssembly module (`src/bin/reader.rs`), and where that module is, when the page is
/// to compile it once and hand it to each worker (None: the loader starts it itself).
/// The build names both by their content hash and writes them in
/// `<meta name="spend-reconciler-worker" content="…" data-wasm="…">`
/// (tools/post-build.mjs); the single-file copy puts there a blob: URL holding the reader
/// and its bytes, with no `data-wasm`, before the app starts.
pub fn worker_loader() -> (String, Option<String>) {
    let meta = document().and_then(|d| {
        d.query_selector("meta[name=\"spend-reconciler-worker\"]")
            .ok()
            .flatten()
    });
    let url = meta
        .as_ref()
        .and_then(|meta| meta.get_attribute("content"))
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "./worker_loader.js".to_string());
    let wasm = meta
        .and_then(|meta| meta.get_attribute("data-wasm"))
        .filter(|url| !url.is_empty());
    (url, wasm)
}

/// Shows the panic in the page's alert box: the user sees what happened, and what
/// they typed is still in local storage for the reload.
pub fn install_panic_hook() {
    // Through yew: it replaces any hook set with std::panic::set_hook when the app renders.
    yew::set_custom_panic_hook(Box::new(|info| {
        let Some(element) = document().and_then(|d| d.get_element_by_id("panic")) else {
            return;
        };
        let kept = if super::keep::enabled() {
            "Your settings and the files you loaded are kept in this browser"
        } else {
            "Your settings are kept in this browser (the files are not: keeping them is off)"
        };
        element.set_text_content(Some(&format!(
            "Something went wrong inside the calculator and it stopped: {info}. \
             {kept}; reload the page to continue."
        )));
        let _ = element.remove_attribute("hidden");
    }));
    listen_for_test_panic();
}

/// The crash-recovery test (tests/e2e/keep.test.mjs) needs a real panic inside the
/// page, and no input should be able to cause one: it sends this event instead. Only a
/// script running in the page can send it, and the CSP admits none but ours.
fn listen_for_test_panic() {
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let panic = Closure::<dyn Fn()>::new(|| panic!("a panic forced by the crash-recovery test"));
    let _ = window.add_event_listener_with_callback(
        "spend-reconciler-test-panic",
        panic.as_ref().unchecked_ref(),
    );
    panic.forget();
}

/// Takes the files out of a FileList right away: clearing the input (so the same file
/// can be picked again) empties the list in place.
pub fn take_files(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A File made of bytes the page holds (the bundled sample), as if picked.
pub fn file_of(name: &str, bytes: &[u8]) -> Result<web_sys::File, String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    web_sys::File::new_with_u8_array_sequence(&parts, name)
        .map_err(|_| format!("{name} could not be made into a file in this browser"))
}

/// Reads every picked or dropped file, in order.
pub async fn read_files(list: Vec<web_sys::File>) -> Vec<Result<InputFile, String>> {
    let mut files = Vec::new();
    for file in list {
        let name = file.name();
        let file = gloo_file::File::from(file);
        let read = gloo_file::futures::read_as_bytes(&file).await;
        files.push(
            read.map(|bytes| InputFile {
                name: name.clone(),
                bytes,
            })
            .map_err(|e| format!("{name}: cannot be read: {e}")),
        );
    }
    files
}

/// Offers `text` as a file download; nothing is sent anywhere.
pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |what: &str| format!("the download could not be prepared ({what})");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| fail("blob"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|_| fail("object URL"))?;
    let document = document().ok_or_else(|| fail("document"))?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("link"))?
        .dyn_into()
        .map_err(|_| fail("link"))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = Url::revoke_object_url(&url);
    Ok(())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The settings the user typed last time, if any.
pub fn load_settings() -> Option<Settings> {
    let text = storage()?.get_item(SETTINGS_KEY).ok()??;
    Settings::from_json(&text).ok()
}

pub fn save_settings(settings: &Settings) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(SETTINGS_KEY, &settings.to_json());
    }
}

/// Now, to the second, for `generated_at`; the core never reads a clock.
pub fn now() -> jiff::Timestamp {
    let millis = js_sys::Date::now() as i64;
    jiff::Timestamp::from_second(millis.div_euclid(1000)).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Runs `task` in a task after the next frame, once the browser has laid out and painted
/// what the page shows now (a frame callback, then a zero timeout from it); at once
/// where there is no window.
pub fn after_paint(task: impl FnOnce() + 'static) {
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else {
        return task();
    };
    let in_frame = Closure::once_into_js(move || {
        let later = Closure::once_into_js(task);
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 0);
        }
    });
    let _ = window.request_animation_frame(in_frame.unchecked_ref());
}
