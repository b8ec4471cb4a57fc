//! One of the page's two workers, as the loader talks to it.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Worker;

/// One of the two workers, and what waits for its WebAssembly to start.
#[derive(Default)]
pub(super) struct Peer {
    pub(super) worker: Option<Worker>,
    pub(super) ready: bool,
    waiting: Vec<JsValue>,
    /// Its message and error handlers, which live as long as it does.
    pub(super) handlers: Vec<Closure<dyn Fn(JsValue)>>,
}

impl Peer {
    pub(super) fn new(worker: Worker, handlers: Vec<Closure<dyn Fn(JsValue)>>) -> Peer {
        Peer {
            worker: Some(worker),
            ready: false,
            waiting: Vec::new(),
            handlers,
        }
    }

    pub(super) fn post(&mut self, message: JsValue) {
        match (&self.worker, self.ready) {
            (Some(worker), true) => {
                let _ = worker.post_message(&message);
            }
            _ => self.waiting.push(message),
        }
    }

    /// Posts `message` handing `buffer` over rather than copying it (the rows after a
    /// cut are tens of MB); it is no longer usable here.
    pub(super) fn pass_on(&mut self, message: JsValue, buffer: &JsValue) {
        match (
            &self.worker,
            self.ready,
            buffer.is_instance_of::<js_sys::ArrayBuffer>(),
        ) {
            (Some(worker), true, true) => {
                let _ = worker.post_message_with_transfer(&message, &js_sys::Array::of1(buffer));
            }
            _ => self.post(message),
        }
    }

    pub(super) fn ready(&mut self) {
        self.ready = true;
        for message in std::mem::take(&mut self.waiting) {
            self.post(message);
        }
    }
}
