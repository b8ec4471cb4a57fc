//! JSON as the files hold it, read as the text arrives: JSON lines ([`Lines`], one row
//! per line), a JSON array of rows or a log-API page around them ([`Document`]), each
//! row read by the export's own [`RowReader`]; the one-pass object scanner they share
//! ([`scan`]), the buffer a document reader holds with serde_json's errors moved to file
//! coordinates ([`buffer`]), and raw values as cell text ([`value`]).

pub mod buffer;
pub mod document;
pub mod lines;
pub mod scan;
pub mod value;

use serde_json::{Deserializer, Map, Value};

pub use document::Document;
pub use lines::{looks_like_lines, Lines};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonLayout {
    LogPage,
    Array,
    Lines,
}

/// A JSON object read whole, as serde_json reads it (numbers keep their text).
pub type Object = Map<String, Value>;

/// Reads the rows of a JSON file one object at a time, for [`Lines`] and [`Document`]:
/// the export's own reader (new-api's log rows, with a one-pass fast path), or
/// [`Objects`] (each row a whole object). Whatever the fast path reads, serde_json would
/// read the same way; what it leaves, serde_json reads, with its verdict and its words.
pub trait RowReader: Default + 'static {
    /// A row as read, borrowing from the text.
    type Row<'a>;

    /// The row whose object starts `text`, and the offset just past it; None leaves it
    /// to [`RowReader::parse`].
    fn scan<'a>(&mut self, text: &'a str) -> Option<(Self::Row<'a>, usize)>;

    /// The row whose object starts `text`, as serde_json reads it, and the offset just
    /// past it; None when no value starts there (only whitespace).
    fn parse(text: &str) -> Option<Result<(Self::Row<'_>, usize), serde_json::Error>>;

    /// A JSON line that is one object and nothing else; None when it is not.
    fn parse_line(line: &str) -> Option<Self::Row<'_>>;

    /// What stands for a line or element that is not a JSON object: a row rejected whole.
    fn not_an_object<'a>() -> Self::Row<'a>;

    /// [`RowReader::scan`] for a row that must be all of `line` (whitespace aside).
    fn scan_line<'a>(&mut self, line: &'a str) -> Option<Self::Row<'a>> {
        let (row, end) = self.scan(line)?;
        scan::only_whitespace(&line.as_bytes()[end..]).then_some(row)
    }
}

/// Rows that are whole JSON objects (the records of an export other than a gateway log),
/// None for an element that is not an object.
#[derive(Default)]
pub struct Objects;

impl RowReader for Objects {
    type Row<'a> = Option<Object>;

    fn scan<'a>(&mut self, _: &'a str) -> Option<(Self::Row<'a>, usize)> {
        None
    }

    fn parse(text: &str) -> Option<Result<(Self::Row<'_>, usize), serde_json::Error>> {
        let mut stream = Deserializer::from_str(text).into_iter::<Object>();
        Some(match stream.next()? {
            Ok(object) => Ok((Some(object), stream.byte_offset())),
            Err(e) => Err(e),
        })
    }

    fn parse_line(line: &str) -> Option<Self::Row<'_>> {
        serde_json::from_str(line).ok().map(Some)
    }

    fn not_an_object<'a>() -> Self::Row<'a> {
        None
    }
}
