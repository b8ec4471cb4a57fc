//! Where a worker's chunks of a File come from. Where the browser gives a File's bytes
//! as a byte stream (`Blob.stream()` read with a "byob" reader), each chunk is read into
//! one of two ArrayBuffers that go round and round; otherwise each chunk is a fresh
//! ArrayBuffer of a `Blob.slice`. Every fresh buffer is garbage once copied into the
//! WebAssembly memory, and a worker reading a 363 MB file that way left enough of it
//! uncollected to raise the tab's peak by 70–90 MB (docs/benchmarks.md).

use std::future::Future;
use std::pin::Pin;

use js_sys::{ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// A chunk on its way: its buffer and how many bytes of it were read (0 at the end).
pub type Pending = Pin<Box<dyn Future<Output = Result<(ArrayBuffer, u32), JsValue>>>>;

pub enum Source {
    Sliced {
        file: File,
        size: f64,
    },
    Streamed {
        reader: JsValue,
        read: Function,
        size: u32,
        /// A buffer given back after its bytes were copied, for the next chunk.
        spare: Option<ArrayBuffer>,
    },
}

impl Source {
    /// The bytes of `file` from `start` on, `size` at a time.
    pub fn open(file: &File, start: f64, size: f64) -> Source {
        streamed(file, start, size).unwrap_or_else(|| Source::Sliced {
            file: file.clone(),
            size,
        })
    }

    /// Asks for the chunk that starts at `at` (the one after the last asked for, when
    /// streamed); the read starts now, so it overlaps whatever the caller does next.
    pub fn request(&mut self, at: f64) -> Pending {
        match self {
            Source::Sliced { file, size } => {
                let end = (at + *size).min(file.size());
                let blob = file.slice_with_f64_and_f64(at, end);
                Box::pin(async move {
                    let buffer: ArrayBuffer =
                        JsFuture::from(blob?.array_buffer()).await?.dyn_into()?;
                    let length = buffer.byte_length();
                    Ok((buffer, length))
                })
            }
            Source::Streamed {
                reader,
                read,
                size,
                spare,
            } => {
                let buffer = spare.take().unwrap_or_else(|| ArrayBuffer::new(*size));
                fill(reader.clone(), read.clone(), buffer)
            }
        }
    }

    /// The buffer of a chunk whose bytes were copied out: the next chunk reuses it.
    pub fn give_back(&mut self, buffer: ArrayBuffer) {
        if let Source::Streamed { spare, .. } = self {
            *spare = Some(buffer);
        }
    }

    /// No more chunks are wanted: the browser can stop reading.
    pub fn stop(&self) {
        if let Source::Streamed { reader, .. } = self {
            let cancel = Reflect::get(reader, &"cancel".into());
            if let Ok(cancel) = cancel.and_then(|c| c.dyn_into::<Function>()) {
                let _ = cancel.call0(reader);
            }
        }
    }
}

/// A "byob" reader of the file's bytes from `start`, if the browser has one.
fn streamed(file: &File, start: f64, size: f64) -> Option<Source> {
    let blob = file.slice_with_f64(start).ok()?;
    let method = |target: &JsValue, name: &str| -> Option<Function> {
        Reflect::get(target, &name.into()).ok()?.dyn_into().ok()
    };
    let stream = method(&blob, "stream")?.call0(&blob).ok()?;
    let options = Object::new();
    Reflect::set(&options, &"mode".into(), &"byob".into()).ok()?;
    // Throws where the stream is not a byte stream: the slices then.
    let reader = method(&stream, "getReader")?
        .call1(&stream, &options)
        .ok()?;
    let read = method(&reader, "read")?;
    Some(Source::Streamed {
        reader,
        read,
        size: size as u32,
        spare: None,
    })
}

/// Reads into `buffer` from `from` on; the buffer comes back in the answer.
fn read_into(
    reader: &JsValue,
    read: &Function,
    buffer: &ArrayBuffer,
    from: u32,
) -> Result<Promise, JsValue> {
    let view =
        Uint8Array::new_with_byte_offset_and_length(buffer, from, buffer.byte_length() - from);
    read.call1(reader, &view)?.dyn_into()
}

/// Fills `buffer` from the stream (less only at its end). Each read hands the buffer to
/// the browser and back, so the answer's view holds the buffer to use next.
fn fill(reader: JsValue, read: Function, buffer: ArrayBuffer) -> Pending {
    let size = buffer.byte_length();
    let first = read_into(&reader, &read, &buffer, 0);
    Box::pin(async move {
        let mut promise = first?;
        let mut filled = 0;
        loop {
            let answer = JsFuture::from(promise).await?;
            let done = Reflect::get(&answer, &"done".into())?
                .as_bool()
                .unwrap_or(true);
            let value = Reflect::get(&answer, &"value".into())?;
            let Some(view) = value.dyn_ref::<Uint8Array>() else {
                // A stream that closes without handing the view back: nothing was lost
                // only if nothing was read into it.
                return match (done, filled) {
                    (true, 0) => Ok((ArrayBuffer::new(size), 0)),
                    _ => Err(value),
                };
            };
            let buffer = view.buffer();
            filled += view.byte_length();
            if done || filled == size {
                return Ok((buffer, filled));
            }
            promise = read_into(&reader, &read, &buffer, filled)?;
        }
    })
}
