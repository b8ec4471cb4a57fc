//! Starting a worker: the reader's WebAssembly is fetched and compiled once, by the page,
//! and the compiled module is each worker's first message (its loader,
//! tools/post-build.mjs, waits for it), so two workers cost one download and one
//! compile, and a fresh second worker (`second`) none.

use js_sys::WebAssembly;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Response, Worker};

use super::answers::{answer, broken};
use super::peer::Peer;
use super::{message, Loader, Role};
use crate::web::browser;

impl Loader {
    /// Fetches and compiles the reader's module, once; where the loader starts the
    /// module itself (the single-file copy), there is nothing to do.
    pub(super) fn compile_reader(&mut self) {
        let (_, Some(wasm)) = browser::worker_loader() else {
            return;
        };
        if self.module.is_some() || self.compiling {
            return;
        }
        self.compiling = true;
        let me = self.me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match compile(&wasm).await {
                Ok(module) => {
                    if let Some(loader) = me.upgrade() {
                        loader.borrow_mut().compiled(module);
                    }
                }
                // Not fetched or not compiled: the page cannot read files, and says so.
                Err(_) => broken(&me),
            }
        });
    }

    fn compiled(&mut self, module: JsValue) {
        self.compiling = false;
        for peer in [&self.reader, &self.hasher] {
            if let Some(worker) = &peer.worker {
                let _ = worker.post_message(&module);
            }
        }
        self.module = Some(module);
    }

    pub(super) fn spawn(&mut self, role: Role) -> Option<Peer> {
        // A classic worker: its loader imports the reader's wasm-bindgen JS with
        // importScripts, which works from a blob: URL of a page opened from a file too.
        let (url, _) = browser::worker_loader();
        let worker = Worker::new(&url).ok()?;
        let me = self.me.clone();
        let on_message = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
            let data = event.unchecked_into::<MessageEvent>().data();
            answer(&me, role, message::read(&data));
        });
        let me = self.me.clone();
        let on_error = Closure::<dyn Fn(JsValue)>::new(move |_| broken(&me));
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // Compiled already (a fresh second worker): its first message. Otherwise it
        // comes when the page has compiled it (`compiled`).
        if let Some(module) = &self.module {
            let _ = worker.post_message(module);
        }
        Some(Peer::new(worker, vec![on_message, on_error]))
    }
}

/// The module at `wasm`, compiled as it downloads; from its bytes when the host serves it
/// with another type than `application/wasm`, which a streamed compile refuses.
async fn compile(wasm: &str) -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let streamed =
        JsFuture::from(WebAssembly::compile_streaming(&window.fetch_with_str(wasm))).await;
    if streamed.is_ok() {
        return streamed;
    }
    let response: Response = JsFuture::from(window.fetch_with_str(wasm))
        .await?
        .dyn_into()?;
    let bytes = JsFuture::from(response.array_buffer()?).await?;
    JsFuture::from(WebAssembly::compile(&bytes)).await
}
