//! The fingerprint's SHA-256, computed where the caller wants it: on the thread that
//! reads (the default), on a second thread (natively; SHA-256 is the largest single cost
//! of ingest), or elsewhere (the page's second web worker, which hashes the same File).

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use crate::ingest::Fingerprint;

/// Where an [`super::Ingestor`] computes the SHA-256 of the bytes pushed into it. Every
/// choice gives the same report; they differ only in which thread pays for the hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hashing {
    /// On the thread that pushes the chunks.
    Inline,
    /// On a second thread fed through a bounded channel; where no thread can be started
    /// (wasm32 has none), inline.
    Thread,
    /// Not at all: the report's `sha256` is empty, for the caller to fill in from a
    /// [`FileHasher`] that was given the same bytes.
    Elsewhere,
}

/// The fingerprint of bytes given in pieces.
pub struct FileHasher {
    sha256: Sha256,
    bytes: u64,
}

impl Default for FileHasher {
    fn default() -> Self {
        FileHasher::new()
    }
}

impl FileHasher {
    pub fn new() -> FileHasher {
        FileHasher {
            sha256: Sha256::new(),
            bytes: 0,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        self.sha256.update(chunk);
        self.bytes += chunk.len() as u64;
    }

    pub fn finish(self) -> Fingerprint {
        Fingerprint {
            sha256: hex(&self.sha256.finalize()),
            bytes: self.bytes,
        }
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What an `Ingestor` hashes with.
pub(super) enum Hasher {
    Inline(Sha256),
    Thread(HashThread),
    Elsewhere,
}

impl Hasher {
    pub(super) fn new(hashing: Hashing) -> Hasher {
        match hashing {
            Hashing::Inline => Hasher::Inline(Sha256::new()),
            Hashing::Thread => match HashThread::spawn() {
                Ok(thread) => Hasher::Thread(thread),
                Err(_) => Hasher::Inline(Sha256::new()),
            },
            Hashing::Elsewhere => Hasher::Elsewhere,
        }
    }

    pub(super) fn push(&mut self, chunk: &[u8]) {
        match self {
            Hasher::Inline(sha256) => sha256.update(chunk),
            Hasher::Thread(thread) => thread.push(chunk),
            Hasher::Elsewhere => {}
        }
    }

    pub(super) fn elsewhere(&self) -> bool {
        matches!(self, Hasher::Elsewhere)
    }

    /// The SHA-256 in lowercase hex; empty when it is computed elsewhere.
    pub(super) fn finish(self) -> String {
        match self {
            Hasher::Inline(sha256) => hex(&sha256.finalize()),
            Hasher::Thread(thread) => thread.finish(),
            Hasher::Elsewhere => String::new(),
        }
    }
}

/// Small pushes are gathered up to this before they cross to the hashing thread, so a
/// caller pushing a few bytes at a time does not pay a channel message per push.
const BATCH: usize = 1 << 20;

/// Batches waiting for the hashing thread. Two: the reader runs at most two batches
/// ahead of the hash (memory stays bounded) and neither side waits while both keep up.
const WAITING: usize = 2;

/// A thread that hashes the batches sent to it, in order, and hands each buffer back
/// for reuse (the copy into a reused buffer costs the reader far less than the hash).
pub(super) struct HashThread {
    batch: Vec<u8>,
    batches: SyncSender<Vec<u8>>,
    spare: Receiver<Vec<u8>>,
    thread: JoinHandle<String>,
}

impl HashThread {
    fn spawn() -> std::io::Result<HashThread> {
        let (batches, inbox) = mpsc::sync_channel::<Vec<u8>>(WAITING);
        let (give_back, spare) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("sha256".into())
            .spawn(move || {
                let mut sha256 = Sha256::new();
                for batch in inbox {
                    sha256.update(&batch);
                    // The reader may have finished already; then the buffer just goes.
                    let _ = give_back.send(batch);
                }
                hex(&sha256.finalize())
            })?;
        Ok(HashThread {
            batch: Vec::new(),
            batches,
            spare,
            thread,
        })
    }

    fn push(&mut self, chunk: &[u8]) {
        if self.batch.capacity() == 0 {
            if let Ok(mut spare) = self.spare.try_recv() {
                spare.clear();
                self.batch = spare;
            }
        }
        self.batch.extend_from_slice(chunk);
        if self.batch.len() >= BATCH {
            self.send();
        }
    }

    fn send(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        // The thread only stops when `batches` is dropped, so this cannot fail while it
        // runs; if the thread panicked, `finish` passes the panic on.
        let _ = self.batches.send(batch);
    }

    fn finish(mut self) -> String {
        if !self.batch.is_empty() {
            self.send();
        }
        drop(self.batches);
        match self.thread.join() {
            Ok(sha256) => sha256,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}
