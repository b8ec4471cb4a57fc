//! The SHA-256 of a file on a thread of its own: SHA-256 is the largest single cost of
//! reading a file, and a second core takes it off the reading thread. The ingestor then
//! hashes nothing itself ([`Hashing::Elsewhere`]) and the thread's fingerprint is put in
//! its report: the very report hashing inline gives.

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use crate::ingest::{ingest, FileHasher, FileReport, Fingerprint, Hashing, Ingestor, Rules};

/// Small pushes are gathered up to this before they cross to the hashing thread, so a
/// caller pushing a few bytes at a time does not pay a channel message per push.
const BATCH: usize = 1 << 20;

/// Batches waiting for the hashing thread. Two: the reader runs at most two batches
/// ahead of the hash (memory stays bounded) and neither side waits while both keep up.
const WAITING: usize = 2;

/// A thread that hashes the batches sent to it, in order, and hands each buffer back
/// for reuse (the copy into a reused buffer costs the reader far less than the hash).
pub struct HashThread {
    batch: Vec<u8>,
    batches: SyncSender<Vec<u8>>,
    spare: Receiver<Vec<u8>>,
    thread: JoinHandle<Fingerprint>,
}

impl HashThread {
    pub fn spawn() -> std::io::Result<HashThread> {
        let (batches, inbox) = mpsc::sync_channel::<Vec<u8>>(WAITING);
        let (give_back, spare) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("sha256".into())
            .spawn(move || {
                let mut hasher = FileHasher::new();
                for batch in inbox {
                    hasher.push(&batch);
                    // The reader may have finished already; then the buffer just goes.
                    let _ = give_back.send(batch);
                }
                hasher.finish()
            })?;
        Ok(HashThread {
            batch: Vec::new(),
            batches,
            spare,
            thread,
        })
    }

    pub fn push(&mut self, chunk: &[u8]) {
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

    pub fn finish(mut self) -> Fingerprint {
        if !self.batch.is_empty() {
            self.send();
        }
        drop(self.batches);
        match self.thread.join() {
            Ok(fingerprint) => fingerprint,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

/// An [`Ingestor`] with the SHA-256 on a [`HashThread`] given the same chunks; where no
/// thread can be started, it hashes inline.
pub struct ThreadedIngestor {
    ingestor: Ingestor,
    hash: Option<HashThread>,
}

impl ThreadedIngestor {
    pub fn new(name: &str, rules: Rules) -> ThreadedIngestor {
        match HashThread::spawn() {
            Ok(hash) => ThreadedIngestor {
                ingestor: Ingestor::with_hashing(name, rules, Hashing::Elsewhere),
                hash: Some(hash),
            },
            Err(_) => ThreadedIngestor {
                ingestor: Ingestor::new(name, rules),
                hash: None,
            },
        }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        if let Some(hash) = &mut self.hash {
            hash.push(chunk);
        }
        self.ingestor.push(chunk);
    }

    pub fn finish(self) -> FileReport {
        let mut report = self.ingestor.finish();
        if let Some(hash) = self.hash {
            report.fingerprint = hash.finish();
        }
        report
    }
}

/// [`ingest`] with the SHA-256 computed on a second thread while this one parses (the
/// bytes are shared, not copied); where no thread can start, as `ingest` does.
pub fn ingest_hashing_apart(name: &str, bytes: &[u8], rules: Rules) -> FileReport {
    std::thread::scope(|scope| {
        let hashing = std::thread::Builder::new().spawn_scoped(scope, || {
            let mut hasher = FileHasher::new();
            hasher.push(bytes);
            hasher.finish()
        });
        let Ok(hashing) = hashing else {
            return ingest(name, bytes, rules);
        };
        let mut ingestor = Ingestor::with_hashing(name, rules, Hashing::Elsewhere);
        ingestor.push(bytes);
        let mut report = ingestor.finish();
        match hashing.join() {
            Ok(fingerprint) => report.fingerprint = fingerprint,
            Err(panic) => std::panic::resume_unwind(panic),
        }
        report
    })
}
