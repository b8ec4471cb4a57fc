//! [`ingest_in_two`]: a file read in two parts at once on threads, with the SHA-256 on
//! a third. The parts and their join are the ingestor's ([`Ingestor::start_tail`],
//! [`Ingestor::join_tail`]); the web worker drives the same steps across two workers.

use std::io;
use std::ops::Range;

use super::ingest_hashing_apart;
use crate::ingest::{line_start, FileHasher, FileReport, Hashing, Ingestor, Rules, SentTail, Tail};
use crate::price::groups::{FiledAsRead, Groups};
use crate::settings::ValidSettings;

/// What the two readers and the hash read, each on its own thread (natively only).
pub trait Source: Sync {
    fn size(&self) -> u64;
    /// Hands the bytes of `range` to `each` in order, in pieces of at most [`PIECE`]
    /// bytes, until `each` answers false.
    fn read(&self, range: Range<u64>, each: &mut dyn FnMut(&[u8]) -> bool) -> io::Result<()>;
}

/// The pieces a [`Source`] hands over: the web worker's chunk size.
pub const PIECE: usize = 8 << 20;

impl Source for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read(&self, range: Range<u64>, each: &mut dyn FnMut(&[u8]) -> bool) -> io::Result<()> {
        let range = range.start as usize..range.end as usize;
        for piece in self[range].chunks(PIECE) {
            if !each(piece) {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
impl Source for std::fs::File {
    fn size(&self) -> u64 {
        self.metadata().map_or(0, |m| m.len())
    }

    fn read(&self, range: Range<u64>, each: &mut dyn FnMut(&[u8]) -> bool) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        let mut buffer = vec![0; PIECE.min((range.end - range.start) as usize)];
        let mut at = range.start;
        while at < range.end {
            let want = buffer.len().min((range.end - at) as usize);
            let read = self.read_at(&mut buffer[..want], at)?;
            if read == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            at += read as u64;
            if !each(&buffer[..read]) {
                break;
            }
        }
        Ok(())
    }
}

/// Files smaller than this are read in one piece: a second reader would cost more than
/// it saves.
pub const SPLIT_FROM: u64 = 1 << 20;

/// Bytes of the file's start a tail reader reads at a time until it knows how the file
/// is read (usually the first piece is enough).
const START_STEP: usize = 64 << 10;

/// Reads `source` in two parts at once, cut at the first line start at or after `cut`
/// (the tail on a second thread), with the SHA-256 on a third: the report reading it in
/// one pass gives. Falls back to one reader wherever a tail cannot be joined.
/// With `file_under`, the two parts' rows are also filed in groups under those
/// settings, each on its own thread, and joined (`Groups::then`), as the page's two
/// workers do: `pipeline::Kept::with_parts` prices them without filing the rows again.
pub fn ingest_in_two<S: Source + ?Sized>(
    name: &str,
    source: &S,
    rules: Rules,
    cut: u64,
    file_under: Option<&ValidSettings>,
) -> io::Result<(FileReport, Option<Groups>)> {
    let size = source.size();
    let mut start = None;
    if cut < size {
        let mut seen = cut;
        source.read(cut..size, &mut |piece| {
            start = line_start(piece).map(|at| seen + at as u64);
            seen += piece.len() as u64;
            start.is_none()
        })?;
    }
    let start = start.filter(|s| *s < size);
    std::thread::scope(|scope| {
        let hashing = scope.spawn(|| {
            let mut hasher = FileHasher::new();
            source.read(0..size, &mut |piece| {
                hasher.push(piece);
                true
            })?;
            Ok::<_, io::Error>(hasher.finish())
        });
        let tail_rules = rules.clone();
        let tail = start.map(|start| {
            scope.spawn(move || read_tail(name, source, tail_rules, start, file_under))
        });
        let mut head = Ingestor::with_hashing(name, rules, Hashing::Elsewhere);
        // The head's lists hold the tail's rows too once joined: room for the whole file.
        head.expect_total(size);
        // Each piece's rows filed as soon as they are stored, as the page's reader does.
        let mut filed = file_under.map(|settings| FiledAsRead::new(settings.clone()));
        let end = start.unwrap_or(size);
        source.read(0..end, &mut |piece| {
            head.push(piece);
            if let Some(filed) = &mut filed {
                filed.file(|mark| head.rows_from(mark));
            }
            true
        })?;
        let (tail, later) = match tail.map(|t| t.join()) {
            Some(Ok(tail)) => tail?,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => (None, None),
        };
        let head_rows = head.rows_stored();
        let earlier = filed.and_then(|filed| filed.finish(|mark| head.rows_from(mark)));
        let tail = tail.map(SentTail::from);
        let tail_rows = tail.as_ref().map(SentTail::rows);
        if !tail.is_some_and(|tail| head.join_tail(tail)) {
            source.read(end..size, &mut |piece| {
                head.push(piece);
                true
            })?;
        }
        let mut report = head.finish();
        let joined = tail_rows.is_some_and(|rows| head_rows + rows == report.rows.len());
        let groups = match (earlier, later) {
            (Some(earlier), Some(later)) if joined => earlier.then(later),
            _ => None,
        };
        report.fingerprint = match hashing.join() {
            Ok(fingerprint) => fingerprint?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        Ok((report, groups))
    })
}

/// [`ingest_in_two`] on bytes in memory, cut in the middle; in one piece when small
/// (then not filed: one pass files it as soon).
pub fn ingest_in_parts(
    name: &str,
    bytes: &[u8],
    rules: Rules,
    file_under: Option<&ValidSettings>,
) -> (FileReport, Option<Groups>) {
    if bytes.len() as u64 >= SPLIT_FROM {
        let cut = bytes.len() as u64 / 2;
        if let Ok(read) = ingest_in_two(name, bytes, rules.clone(), cut, file_under) {
            return read;
        }
    }
    (ingest_hashing_apart(name, bytes, rules), None)
}

/// The tail from `start` (a line start): the file's start first, to decide how it reads.
/// With `file_under`, its rows too, filed in groups as they are read.
fn read_tail<S: Source + ?Sized>(
    name: &str,
    source: &S,
    rules: Rules,
    start: u64,
    file_under: Option<&ValidSettings>,
) -> io::Result<(Option<Tail>, Option<Groups>)> {
    let mut tail = Ingestor::with_hashing(name, rules, Hashing::Elsewhere);
    // Past `start` if need be: the decision may need more than the head's text.
    source.read(0..source.size(), &mut |piece| {
        let mut deciding = true;
        for step in piece.chunks(START_STEP) {
            tail.push(step);
            deciding = tail.deciding();
            if !deciding {
                break;
            }
        }
        deciding
    })?;
    if !tail.start_tail() {
        return Ok((None, None));
    }
    tail.expect_total(tail.bytes_read() + (source.size() - start));
    let mut filed = file_under.map(|settings| FiledAsRead::new(settings.clone()));
    source.read(start..source.size(), &mut |piece| {
        tail.push(piece);
        if let Some(filed) = &mut filed {
            filed.file(|mark| tail.rows_from(mark));
        }
        true
    })?;
    let tail = tail.finish_tail();
    let groups = (filed.zip(tail.as_ref())).and_then(|(f, t)| f.finish(|m| t.rows().iter_from(m)));
    Ok((tail, groups))
}
