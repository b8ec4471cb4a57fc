//! Starting a worker: the reader's WebAssembly is fetched and compiled once, by the page,
//! and the compiled module is each worker's first message (its loader,
//! tools/post-build.mjs, waits for it), so two workers cost one download and one
//! compile, and a fresh second worker (`second`) none.
//!
//! The page loads the reader when the first file is given, so a page opened online and
//! used after the connection went may not get it. Then the files given are not read, the
//! page says why, and the next file tries again.

use std::cell::RefCell;
use std::rc::Weak;

use js_sys::WebAssembly;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Response, Worker};

use super::answers::{answer, broken};
use super::peer::Peer;
use super::{message, Loader, Role};
use crate::web::browser;
use crate::web::state::{Action, Verifying};

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
                Err(_) => unavailable(&me, &wasm),
            }
        });
    }

    fn compiled(&mut self, module: JsValue) {
        self.compiling = false;
        self.verify_waiting = false;
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
        // Before the reader's module reached it, an error is the reader not loading
        // (its JS not fetched, offline); after, the worker stopped.
        let on_error = Closure::<dyn Fn(JsValue)>::new(move |_| {
            let loaded = me.upgrade().is_some_and(|l| l.borrow().module.is_some());
            match browser::worker_loader() {
                (_, Some(wasm)) if !loaded => unavailable(&me, &wasm),
                _ => broken(&me),
            }
        });
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

/// The reader's module could not be fetched or compiled (offline, most likely): its
/// workers go, the files given are not read (nor a record checked), the page says why,
/// and the next file given starts the reader again.
fn unavailable(loader: &Weak<RefCell<Loader>>, wasm: &str) {
    let Some(loader) = loader.upgrade() else {
        return;
    };
    let mut borrowed = loader.borrow_mut();
    let this = &mut *borrowed;
    this.compiling = false;
    for peer in [&mut this.reader, &mut this.hasher] {
        let mut peer = std::mem::take(peer);
        if let Some(worker) = peer.worker.take() {
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
        // This may run inside one of these workers' error handlers: kept, not dropped.
        this.retired_handlers.append(&mut peer.handlers);
    }
    this.hasher_retired = false;
    let names: Vec<String> = this.jobs.iter().map(|j| j.name.clone()).collect();
    this.files.retain(|f| !names.contains(&f.name()));
    this.jobs.clear();
    this.finished = 0;
    let verify = std::mem::take(&mut this.verify_waiting);
    let dispatch = this.dispatch.clone();
    drop(borrowed);
    let file = wasm.trim_start_matches("./");
    let problem = format!(
        "The file reader ({file}) could not be loaded, so nothing was read. This page \
         loads it when the first file is given: check the connection and give the files \
         again. (For use without a connection, the single-file copy holds everything.)"
    );
    if verify {
        dispatch.emit(Action::Verify(Verifying::Failed(problem.clone())));
    }
    dispatch.emit(Action::Cancelled(names));
    dispatch.emit(Action::Notice(Some(problem)));
}
