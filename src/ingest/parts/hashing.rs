//! The fingerprint's SHA-256, computed where the caller wants it: on the thread that
//! reads (the default), or elsewhere (a second thread natively, `native::HashThread`;
//! the page's second web worker, which hashes the same File).

use sha2::{Digest, Sha256};

use crate::ingest::store::report::Fingerprint;

/// Where an [`super::Ingestor`] computes the SHA-256 of the bytes pushed into it. Every
/// choice gives the same report; they differ only in which thread pays for the hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hashing {
    /// On the thread that pushes the chunks.
    Inline,
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
    Elsewhere,
}

impl Hasher {
    pub(super) fn new(hashing: Hashing) -> Hasher {
        match hashing {
            Hashing::Inline => Hasher::Inline(Sha256::new()),
            Hashing::Elsewhere => Hasher::Elsewhere,
        }
    }

    pub(super) fn push(&mut self, chunk: &[u8]) {
        match self {
            Hasher::Inline(sha256) => sha256.update(chunk),
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
            Hasher::Elsewhere => String::new(),
        }
    }
}
