//! The origin-private file system: one folder, `kept-files`, one file per kept file.
//! A file is streamed into it from the File the reviewer gave (not read into memory).

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    File, FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions,
    FileSystemGetFileOptions, FileSystemRemoveOptions, FileSystemWritableFileStream,
    StorageManager,
};

const FOLDER: &str = "kept-files";

fn is_function(target: &JsValue, name: &str) -> bool {
    Reflect::get(target, &name.into()).is_ok_and(|f| f.is_function())
}

/// Both calls exist: the folder (`navigator.storage.getDirectory`) and writing a file
/// from the page's thread (`createWritable`, which some browsers offer only in workers).
/// Checked first because calling a missing method would stop the page.
pub fn available() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let storage = Reflect::get(&window.navigator(), &"storage".into()).unwrap_or_default();
    let handle = Reflect::get(&window, &"FileSystemFileHandle".into()).unwrap_or_default();
    let prototype = Reflect::get(&handle, &"prototype".into()).unwrap_or_default();
    is_function(&storage, "getDirectory") && is_function(&prototype, "createWritable")
}

/// The folder can be opened (a page opened from a file may be refused it).
pub async fn usable() -> bool {
    folder().await.is_ok()
}

async fn root() -> Result<FileSystemDirectoryHandle, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let storage: StorageManager = window.navigator().storage();
    Ok(JsFuture::from(storage.get_directory())
        .await?
        .unchecked_into())
}

async fn folder() -> Result<FileSystemDirectoryHandle, JsValue> {
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(true);
    let root = root().await?;
    let folder = root.get_directory_handle_with_options(FOLDER, &options);
    Ok(JsFuture::from(folder).await?.unchecked_into())
}

async fn handle(key: &str, create: bool) -> Result<FileSystemFileHandle, JsValue> {
    let options = FileSystemGetFileOptions::new();
    options.set_create(create);
    let folder = folder().await?;
    let handle = folder.get_file_handle_with_options(key, &options);
    Ok(JsFuture::from(handle).await?.unchecked_into())
}

pub async fn put(key: &str, file: &File) -> Result<(), JsValue> {
    let handle = handle(key, true).await?;
    let writable: FileSystemWritableFileStream = JsFuture::from(handle.create_writable())
        .await?
        .unchecked_into();
    if let Err(error) = JsFuture::from(writable.write_with_blob(file)?).await {
        let _ = JsFuture::from(writable.abort()).await;
        return Err(error);
    }
    JsFuture::from(writable.close()).await?;
    Ok(())
}

pub async fn get(key: &str) -> Result<File, JsValue> {
    let handle = handle(key, false).await?;
    Ok(JsFuture::from(handle.get_file()).await?.unchecked_into())
}

pub async fn delete(key: &str) -> Result<(), JsValue> {
    JsFuture::from(folder().await?.remove_entry(key)).await?;
    Ok(())
}

pub async fn clear() -> Result<(), JsValue> {
    let options = FileSystemRemoveOptions::new();
    options.set_recursive(true);
    let removed = root().await?.remove_entry_with_options(FOLDER, &options);
    match JsFuture::from(removed).await {
        Ok(_) => Ok(()),
        // Nothing was ever kept: nothing to remove.
        Err(error) if error_name(&error) == "NotFoundError" => Ok(()),
        Err(error) => Err(error),
    }
}

fn error_name(error: &JsValue) -> String {
    error
        .dyn_ref::<web_sys::DomException>()
        .map(|e| e.name())
        .unwrap_or_default()
}
