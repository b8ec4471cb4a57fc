//! IndexedDB, where the origin-private file system cannot be written: one database,
//! one object store of Files by key (IndexedDB keeps a File as itself, name included).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    File, IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransactionMode,
};

const DATABASE: &str = "spend-reconciler";
const FILES: &str = "kept-files";

pub fn available() -> bool {
    web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .is_some()
}

/// The database opens (some private windows refuse it).
pub async fn usable() -> bool {
    database().await.is_ok()
}

/// A request's result once it succeeds, or its error.
async fn done(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise =
        js_sys::Promise::new(&mut |resolve: js_sys::Function, reject: js_sys::Function| {
            let succeeded = request.clone();
            let on_success = Closure::once_into_js(move |_: web_sys::Event| {
                let result = succeeded.result().unwrap_or(JsValue::UNDEFINED);
                let _ = resolve.call1(&JsValue::NULL, &result);
            });
            let failed = request.clone();
            let on_error = Closure::once_into_js(move |_: web_sys::Event| {
                let error = failed.error().ok().flatten().map(JsValue::from);
                let _ = reject.call1(&JsValue::NULL, &error.unwrap_or(JsValue::UNDEFINED));
            });
            request.set_onsuccess(Some(on_success.unchecked_ref()));
            request.set_onerror(Some(on_error.unchecked_ref()));
        });
    JsFuture::from(promise).await
}

async fn database() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| JsValue::from_str("IndexedDB is not available"))?;
    let open: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1)?;
    let upgrading = open.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(db) = upgrading.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(FILES) {
                let _ = db.create_object_store(FILES);
            }
        }
    });
    open.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    Ok(done(&open).await?.unchecked_into())
}

async fn files(mode: IdbTransactionMode) -> Result<IdbObjectStore, JsValue> {
    database()
        .await?
        .transaction_with_str_and_mode(FILES, mode)?
        .object_store(FILES)
}

pub async fn put(key: &str, file: &File) -> Result<(), JsValue> {
    let store = files(IdbTransactionMode::Readwrite).await?;
    done(&store.put_with_key(file, &key.into())?)
        .await
        .map(drop)
}

pub async fn get(key: &str) -> Result<File, JsValue> {
    let store = files(IdbTransactionMode::Readonly).await?;
    let value = done(&store.get(&key.into())?).await?;
    value
        .dyn_into::<File>()
        .map_err(|_| JsValue::from_str("the kept copy is missing"))
}

pub async fn delete(key: &str) -> Result<(), JsValue> {
    let store = files(IdbTransactionMode::Readwrite).await?;
    done(&store.delete(&key.into())?).await.map(drop)
}

pub async fn clear() -> Result<(), JsValue> {
    let store = files(IdbTransactionMode::Readwrite).await?;
    done(&store.clear()?).await.map(drop)
}
