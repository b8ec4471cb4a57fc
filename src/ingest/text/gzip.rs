//! gzip-compressed files (`.gz`, magic bytes 1f 8b), inflated as they stream in, so a
//! compressed log is read exactly like the plain one. The fingerprint stays over the bytes
//! as given (see `parts::Ingestor`): it identifies the file the user chose.

use std::io::Write;

use flate2::write::MultiGzDecoder;

use crate::error::{Error, Position};

/// Whether the bytes start like a gzip stream.
pub fn is_gzip(start: &[u8]) -> bool {
    start.starts_with(&[0x1f, 0x8b])
}

/// Compressed input is fed in slices this long and the output handed on after each, so
/// one chunk of a highly compressible file never becomes one giant buffer (deflate
/// inflates at most about 1:1032, so a slice yields at most a few MiB).
const SLICE: usize = 4096;

pub struct Gunzip {
    /// `MultiGzDecoder`: `cat a.gz b.gz` is a valid gzip file holding both texts.
    inflater: MultiGzDecoder<Vec<u8>>,
}

impl Gunzip {
    pub fn new() -> Gunzip {
        Gunzip {
            inflater: MultiGzDecoder::new(Vec::new()),
        }
    }

    /// Inflates `chunk`, handing the text bytes to `out` as they come.
    pub fn push(&mut self, chunk: &[u8], out: &mut dyn FnMut(&[u8])) -> Result<(), Error> {
        for slice in chunk.chunks(SLICE) {
            self.inflater.write_all(slice).map_err(|_| damaged())?;
            let inflated = self.inflater.get_mut();
            if !inflated.is_empty() {
                out(inflated);
                inflated.clear();
            }
        }
        Ok(())
    }

    /// The end of the compressed bytes: hands on what remains, or says the stream was cut.
    pub fn finish(mut self, out: &mut dyn FnMut(&[u8])) -> Result<(), Error> {
        let finished = self.inflater.try_finish();
        let inflated = self.inflater.get_mut();
        if !inflated.is_empty() {
            out(inflated);
            inflated.clear();
        }
        finished.map_err(|_| cut_short())
    }
}

fn damaged() -> Error {
    let message = "expected gzip-compressed data, but found a damaged gzip stream";
    Error::syntax(Position::default(), message)
}

fn cut_short() -> Error {
    let message = "expected a complete gzip-compressed file, but found it cut short";
    Error::syntax(Position::default(), message)
}
