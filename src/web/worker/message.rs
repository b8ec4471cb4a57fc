//! The messages between the page and its worker, as plain JS objects (structured-cloneable:
//! a File goes by reference; reports and figures go as bytes in the wire form,
//! `crate::wire`).

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::File;

pub enum Message {
    /// worker → page: the worker's WebAssembly is running; files can be sent.
    Ready,
    /// page → worker: read `file` under the ingest rules (`Rules::to_wire`); `hash` false
    /// when a second worker hashes it (the report's sha256 is then empty until `Fingerprint`).
    /// With `split`, `settings` (JSON) are those of the moment: the reader files its
    /// rows under them as soon as it has them all, and joins the second worker's.
    Read {
        job: u32,
        file: File,
        rules: Vec<u8>,
        hash: bool,
        split: Option<f64>,
        settings: Option<String>,
    },
    /// page → worker: read `file` with hashing off (`hash` false: a second worker hashes
    /// it) and, with `split`, only up to the first line start at or after that byte; the
    /// rest comes from the second worker as a `Tail`, awaited there.
    /// page → second worker: the SHA-256 of `file` (answered by `Hashed`) unless `hash`
    /// is false (the page knows it); first, with `split`, the file's rows from the first
    /// line start at or after `split` on, under `rules` (answered by `Tail`), filed under
    /// `settings` (JSON) when they are valid.
    Hash {
        job: u32,
        file: File,
        hash: bool,
        split: Option<(f64, Vec<u8>)>,
        settings: Option<String>,
    },
    /// second worker → page → worker: the rows after the cut of `job`
    /// (`Tail::to_bytes` in an ArrayBuffer), or null when they could not be read apart.
    Tail {
        job: u32,
        part: JsValue,
    },
    /// second worker → page → worker, after `Tail` when the read came with settings:
    /// those rows filed in groups (`Groups::to_wire`) under the settings text `under`;
    /// no groups when they could not be filed.
    Filed {
        job: u32,
        groups: Option<Vec<u8>>,
        under: String,
    },
    /// second worker → page: how far the SHA-256 of the file of `job` is (bytes hashed
    /// of `total`); it runs after any rows the reader waits for, so it may still run
    /// once the file is loaded.
    Hashing {
        job: u32,
        done: f64,
        total: f64,
    },
    /// second worker → page: the SHA-256 of the file of `job`, in lowercase hex.
    Hashed {
        job: u32,
        sha256: String,
    },
    /// page → worker: the SHA-256 of the file it read for `job` without hashing it.
    Fingerprint {
        job: u32,
        sha256: String,
    },
    /// page → worker: stop every job up to and including `upto`.
    Cancel {
        upto: u32,
    },
    /// page → worker: compute the review of the files read by `jobs` (in that order) under
    /// `settings` (`Settings::to_json`); answered by `Figures` with the same generation.
    Compute {
        generation: u32,
        settings: String,
        jobs: Vec<u32>,
    },
    /// page → worker: the page still shows the files read by `jobs`; the rows of every
    /// other job up to `upto` (whose answer the page has had) can go.
    Keep {
        jobs: Vec<u32>,
        upto: u32,
    },
    Progress {
        job: u32,
        done: f64,
        total: f64,
        rows: f64,
        ms: f64,
    },
    /// `report` is `FileReport::to_wire`'s report and `models` the labels its rows use;
    /// the rows stay in the worker.
    Done {
        job: u32,
        report: Vec<u8>,
        models: Vec<String>,
    },
    /// `review` is `Review::to_wire`'s bytes, or a sentence saying why there is none;
    /// `budget` the budget review's figures (`budget::wire`), when the settings ask for one.
    Figures {
        generation: u32,
        review: Result<Vec<u8>, String>,
        budget: Option<Vec<u8>>,
    },
    Cancelled {
        job: u32,
    },
    /// page → worker: check the reconciliation record in `record` against `files`
    /// ([`crate::verify::verify`]); answered by `Verified` with the same id.
    Verify {
        id: u32,
        record: File,
        files: Vec<File>,
    },
    /// worker → page: `Verification` in the wire form, or a sentence saying why the
    /// record could not be checked.
    Verified {
        id: u32,
        answer: Result<Vec<u8>, String>,
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

fn text_or_null(text: Option<&str>) -> JsValue {
    text.map_or(JsValue::NULL, JsValue::from)
}

pub fn read_file(
    job: u32,
    file: &File,
    rules: &[u8],
    hash: bool,
    split: Option<f64>,
    settings: Option<&str>,
) -> JsValue {
    object(
        "read",
        &[
            ("job", job.into()),
            ("file", file.into()),
            ("rules", bytes(rules)),
            ("hash", hash.into()),
            ("split", split.map_or(JsValue::NULL, JsValue::from)),
            ("settings", text_or_null(settings)),
        ],
    )
}

pub fn hash_file(
    job: u32,
    file: &File,
    hash: bool,
    split: Option<(f64, &[u8])>,
    settings: Option<&str>,
) -> JsValue {
    let (at, rules) = split.map_or((JsValue::NULL, JsValue::NULL), |(at, rules)| {
        (at.into(), bytes(rules))
    });
    object(
        "hash",
        &[
            ("job", job.into()),
            ("file", file.into()),
            ("hash", hash.into()),
            ("split", at),
            ("rules", rules),
            ("settings", text_or_null(settings)),
        ],
    )
}

pub fn tail(job: u32, part: &JsValue) -> JsValue {
    object("tail", &[("job", job.into()), ("part", part.clone())])
}

pub fn filed(job: u32, groups: Option<&[u8]>, under: &str) -> JsValue {
    object(
        "filed",
        &[
            ("job", job.into()),
            ("groups", groups.map_or(JsValue::NULL, bytes)),
            ("under", under.into()),
        ],
    )
}

pub fn hashing(job: u32, done: f64, total: f64) -> JsValue {
    object(
        "hashing",
        &[
            ("job", job.into()),
            ("done", done.into()),
            ("total", total.into()),
        ],
    )
}

pub fn hashed(job: u32, sha256: &str) -> JsValue {
    object("hashed", &[("job", job.into()), ("sha256", sha256.into())])
}

pub fn fingerprint(job: u32, sha256: &str) -> JsValue {
    object(
        "fingerprint",
        &[("job", job.into()), ("sha256", sha256.into())],
    )
}

pub fn cancel(upto: u32) -> JsValue {
    object("cancel", &[("upto", upto.into())])
}

pub fn compute(generation: u32, settings: &str, jobs: &[u32]) -> JsValue {
    object(
        "compute",
        &[
            ("generation", generation.into()),
            ("settings", settings.into()),
            ("jobs", numbers(jobs)),
        ],
    )
}

pub fn keep(jobs: &[u32], upto: u32) -> JsValue {
    object("keep", &[("jobs", numbers(jobs)), ("upto", upto.into())])
}

fn numbers(values: &[u32]) -> JsValue {
    values
        .iter()
        .map(|&n| JsValue::from(n))
        .collect::<Array>()
        .into()
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

/// Bytes as a JS `Uint8Array` (a copy: the worker's memory is not shared).
fn bytes(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

pub fn done(job: u32, report: &[u8], models: &[String]) -> JsValue {
    let models: Array = models.iter().map(|m| JsValue::from(m.as_str())).collect();
    object(
        "done",
        &[
            ("job", job.into()),
            ("report", bytes(report)),
            ("models", models.into()),
        ],
    )
}

pub fn figures(generation: u32, review: Result<&[u8], &str>, budget: Option<&[u8]>) -> JsValue {
    let (field, value) = match review {
        Ok(review) => ("review", bytes(review)),
        Err(problem) => ("problem", problem.into()),
    };
    let budget = budget.map_or(JsValue::NULL, bytes);
    object(
        "figures",
        &[
            ("generation", generation.into()),
            (field, value),
            ("budget", budget),
        ],
    )
}

pub fn verify(id: u32, record: &File, files: &[File]) -> JsValue {
    let files: Array = files.iter().map(JsValue::from).collect();
    object(
        "verify",
        &[
            ("id", id.into()),
            ("record", record.into()),
            ("files", files.into()),
        ],
    )
}

pub fn verified(id: u32, answer: Result<&[u8], &str>) -> JsValue {
    let (field, value) = match answer {
        Ok(answer) => ("answer", bytes(answer)),
        Err(problem) => ("problem", problem.into()),
    };
    object("verified", &[("id", id.into()), (field, value)])
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
    let array = |name: &str| get(name)?.dyn_into::<Array>().ok();
    let bytes = |name: &str| Some(get(name)?.dyn_into::<Uint8Array>().ok()?.to_vec());
    let jobs = |name: &str| -> Option<Vec<u32>> {
        array(name)?
            .iter()
            .map(|n| n.as_f64().map(|n| n as u32))
            .collect()
    };
    let message = match text("kind")?.as_str() {
        "ready" => Message::Ready,
        "read" => Message::Read {
            job: job()?,
            file: get("file")?.dyn_into().ok()?,
            rules: bytes("rules")?,
            // Absent from a page that predates the hashing worker: the reader hashes.
            hash: get("hash")?.as_bool().unwrap_or(true),
            split: number("split"),
            settings: text("settings"),
        },
        "hash" => Message::Hash {
            job: job()?,
            file: get("file")?.dyn_into().ok()?,
            hash: get("hash")?.as_bool().unwrap_or(true),
            split: number("split").zip(bytes("rules")),
            settings: text("settings"),
        },
        "tail" => Message::Tail {
            job: job()?,
            part: get("part")?,
        },
        "filed" => Message::Filed {
            job: job()?,
            groups: bytes("groups"),
            under: text("under")?,
        },
        "hashing" => Message::Hashing {
            job: job()?,
            done: number("done")?,
            total: number("total")?,
        },
        "hashed" => Message::Hashed {
            job: job()?,
            sha256: text("sha256")?,
        },
        "fingerprint" => Message::Fingerprint {
            job: job()?,
            sha256: text("sha256")?,
        },
        "cancel" => Message::Cancel {
            upto: number("upto")? as u32,
        },
        "compute" => Message::Compute {
            generation: number("generation")? as u32,
            settings: text("settings")?,
            jobs: jobs("jobs")?,
        },
        "keep" => Message::Keep {
            jobs: jobs("jobs")?,
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
            report: bytes("report")?,
            models: array("models")?
                .iter()
                .map(|m| m.as_string())
                .collect::<Option<_>>()?,
        },
        "figures" => Message::Figures {
            generation: number("generation")? as u32,
            review: match bytes("review") {
                Some(review) => Ok(review),
                None => Err(text("problem")?),
            },
            budget: bytes("budget"),
        },
        "cancelled" => Message::Cancelled { job: job()? },
        "verify" => Message::Verify {
            id: number("id")? as u32,
            record: get("record")?.dyn_into().ok()?,
            files: array("files")?
                .iter()
                .map(|f| f.dyn_into().ok())
                .collect::<Option<_>>()?,
        },
        "verified" => Message::Verified {
            id: number("id")? as u32,
            answer: match bytes("answer") {
                Some(answer) => Ok(answer),
                None => Err(text("problem")?),
            },
        },
        "failed" => Message::Failed {
            job: job()?,
            message: text("message")?,
        },
        _ => return None,
    };
    Some(message)
}
