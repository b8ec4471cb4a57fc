//! The messages between the page and its file-reading worker, as plain JS objects
//! (structured-cloneable: a File goes by reference, the rows buffer is transferred).

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::File;

pub enum Message {
    /// worker → page: the worker's WebAssembly is running; files can be sent.
    Ready,
    /// page → worker: read `file` under the ingest rules (`Rules::to_wire`).
    Read {
        job: u32,
        file: File,
        rules: String,
    },
    /// page → worker: stop every job up to and including `upto`.
    Cancel {
        upto: u32,
    },
    Progress {
        job: u32,
        done: f64,
        total: f64,
        rows: f64,
        ms: f64,
    },
    /// `report` is `FileReport::to_wire`'s JSON, `rows` its bytes.
    Done {
        job: u32,
        report: String,
        rows: Uint8Array,
    },
    Cancelled {
        job: u32,
    },
    Failed {
        job: u32,
        message: String,
    },
}

fn object(kind: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"kind".into(), &kind.into());
    for (name, value) in fields {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object.into()
}

pub fn ready() -> JsValue {
    object("ready", &[])
}

pub fn read_file(job: u32, file: &File, rules: &str) -> JsValue {
    object(
        "read",
        &[
            ("job", job.into()),
            ("file", file.into()),
            ("rules", rules.into()),
        ],
    )
}

pub fn cancel(upto: u32) -> JsValue {
    object("cancel", &[("upto", upto.into())])
}

pub fn progress(job: u32, done: f64, total: f64, rows: u64, ms: f64) -> JsValue {
    object(
        "progress",
        &[
            ("job", job.into()),
            ("done", done.into()),
            ("total", total.into()),
            ("rows", (rows as f64).into()),
            ("ms", ms.into()),
        ],
    )
}

pub fn done(job: u32, report: &str, rows: &Uint8Array) -> JsValue {
    object(
        "done",
        &[
            ("job", job.into()),
            ("report", report.into()),
            ("rows", rows.into()),
        ],
    )
}

pub fn cancelled(job: u32) -> JsValue {
    object("cancelled", &[("job", job.into())])
}

pub fn failed(job: u32, message: &str) -> JsValue {
    object(
        "failed",
        &[("job", job.into()), ("message", message.into())],
    )
}

/// Reads a message; None for anything else (a message this version does not know).
pub fn read(value: &JsValue) -> Option<Message> {
    let get = |name: &str| Reflect::get(value, &name.into()).ok();
    let number = |name: &str| get(name)?.as_f64();
    let job = || number("job").map(|n| n as u32);
    let text = |name: &str| get(name)?.as_string();
    let message = match text("kind")?.as_str() {
        "ready" => Message::Ready,
        "read" => Message::Read {
            job: job()?,
            file: get("file")?.dyn_into().ok()?,
            rules: text("rules")?,
        },
        "cancel" => Message::Cancel {
            upto: number("upto")? as u32,
        },
        "progress" => Message::Progress {
            job: job()?,
            done: number("done")?,
            total: number("total")?,
            rows: number("rows")?,
            ms: number("ms")?,
        },
        "done" => Message::Done {
            job: job()?,
            report: text("report")?,
            rows: get("rows")?.dyn_into().ok()?,
        },
        "cancelled" => Message::Cancelled { job: job()? },
        "failed" => Message::Failed {
            job: job()?,
            message: text("message")?,
        },
        _ => return None,
    };
    Some(message)
}
