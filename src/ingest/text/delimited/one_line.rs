//! The common record split without the state machine: a record on one line, ended by
//! `\n` or `\r\n`, its quoted cells closed on that line. `csv_core` steps through a
//! table for every byte and copies every cell; this finds the line's end with `memchr`
//! and each cell's end eight bytes at a time ([`to_stop`]), and copies nothing: a cell is
//! a span of the line, and a quoted cell whose quotes are doubled inside (a gateway log's
//! JSON `other`) is a span still doubled ([`Span::doubled`]), which its reader reads in
//! place or unescapes. Copying each cell and undoing each doubled quote as it went was
//! the largest single cost of reading a log's CSV (docs/benchmarks.md). Anything else (a
//! quoted cell that spans lines, text after a closing quote, a lone `\r`, a line not
//! complete yet) is left to `csv_core`, so the records, their cells and their lines are
//! `csv_core`'s in every case (a property test below holds the two to each other).

use crate::ingest::text::word::{self, WORD};

/// One cell of a record: its bytes `start..end` of the record's text; `doubled` when it
/// was quoted and holds doubled quotes (`""` for each `"`) still to be undone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub doubled: bool,
}

/// What [`one_line`] found at the start of its input.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line {
    /// A record of `line` bytes (no line break) and `consumed` bytes with its line
    /// break, its cells the first `cells` spans.
    Record {
        consumed: usize,
        line: usize,
        cells: usize,
    },
    /// An empty line (`\n` or `\r\n`), which `csv_core` skips: `consumed` bytes.
    Empty { consumed: usize },
    /// Not a case this reads: `csv_core` reads the record.
    Unsure,
}

const QUOTE: u8 = b'"';

/// Splits the record at the start of `input` (where a record starts) into `spans`,
/// growing it as needed, as `csv_core` with `delimiter` (quote `"`, quotes doubled
/// inside quoted cells, any of `\r`, `\n`, `\r\n` ending a record) would.
pub(super) fn one_line(input: &[u8], delimiter: u8, spans: &mut Vec<Span>) -> Line {
    let Some(newline) = memchr::memchr(b'\n', input) else {
        return Line::Unsure;
    };
    let mut line = &input[..newline];
    if let [rest @ .., b'\r'] = line {
        line = rest;
    }
    match line.first() {
        None => {
            return Line::Empty {
                consumed: newline + 1,
            }
        }
        // A line that starts with a lone '\r' (an empty record of its own first).
        Some(b'\r') => return Line::Unsure,
        Some(_) => {}
    }
    let (mut at, mut cells) = (0, 0);
    loop {
        let span = if line.get(at) == Some(&QUOTE) {
            // A quoted cell: up to the quote that is not doubled.
            let start = at + 1;
            let mut doubled = false;
            at = start;
            loop {
                at = to_stop(line, at, |x| word::equal(x, QUOTE), |b| b == QUOTE);
                if at == line.len() {
                    // The quoted cell goes on past the line.
                    return Line::Unsure;
                }
                if line.get(at + 1) != Some(&QUOTE) {
                    break;
                }
                doubled = true;
                at += 2;
            }
            let end = at;
            at += 1;
            // csv_core appends what follows a closing quote to the cell: left to it.
            if line.get(at).is_some_and(|&b| b != delimiter) {
                return Line::Unsure;
            }
            Span {
                start,
                end,
                doubled,
            }
        } else {
            // Unquoted: up to a delimiter or the line's end (a quote here is a character
            // like any other).
            let start = at;
            at = to_stop(
                line,
                at,
                |x| word::equal(x, delimiter) | word::equal(x, b'\r'),
                |b| b == delimiter || b == b'\r',
            );
            Span {
                start,
                end: at,
                doubled: false,
            }
        };
        if cells == spans.len() {
            spans.resize((spans.len() * 2).max(16), Span::default());
        }
        spans[cells] = span;
        cells += 1;
        match line.get(at) {
            None => {
                return Line::Record {
                    consumed: newline + 1,
                    line: line.len(),
                    cells,
                }
            }
            Some(&b) if b == delimiter => at += 1,
            // A lone '\r' ends this record and starts a line of its own.
            Some(_) => return Line::Unsure,
        }
    }
}

/// Where the first stop byte at or after `at` is in `line` (or its end): `stops` marks
/// them in a word, `is_stop` tells one byte. Eight bytes at a time while a whole word is
/// left.
#[inline(always)]
fn to_stop(
    line: &[u8],
    mut at: usize,
    stops: impl Fn(u64) -> u64,
    is_stop: impl Fn(u8) -> bool,
) -> usize {
    while let Some(bytes) = line.get(at..at + WORD) {
        let mut eight = [0u8; WORD];
        eight.copy_from_slice(bytes);
        let found = stops(u64::from_le_bytes(eight));
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += WORD;
    }
    while let Some(&b) = line.get(at) {
        if is_stop(b) {
            break;
        }
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::super::Delimited;
    use super::*;
    use proptest::prelude::*;

    /// What [`one_line`] answers for `text`, and each cell's bytes as a span holds them
    /// (doubled quotes still doubled), with whether they are.
    fn split(text: &str, delimiter: u8) -> (Line, Vec<(&str, bool)>) {
        let mut spans = Vec::new();
        let line = one_line(text.as_bytes(), delimiter, &mut spans);
        let cells = match line {
            Line::Record { cells, .. } => spans[..cells]
                .iter()
                .map(|s| (&text[s.start..s.end], s.doubled))
                .collect(),
            _ => Vec::new(),
        };
        (line, cells)
    }

    #[test]
    fn what_it_reads_and_what_it_leaves() {
        let record = |consumed, line, cells| Line::Record {
            consumed,
            line,
            cells,
        };
        type Cells<'c> = &'c [(&'c str, bool)];
        let cases: [(&str, Line, Cells); 13] = [
            // Runs longer than a word, a doubled quote across a word's edge.
            (
                "0123456789,\"{\"\"model_ratio\"\":1.5}\",x\r\n",
                record(38, 36, 3),
                &[
                    ("0123456789", false),
                    ("{\"\"model_ratio\"\":1.5}", true),
                    ("x", false),
                ],
            ),
            ("a,b\n", record(4, 3, 2), &[("a", false), ("b", false)]),
            (
                "a,\"x\"\"y\",c\r\nnext",
                record(12, 10, 3),
                &[("a", false), ("x\"\"y", true), ("c", false)],
            ),
            // Quoted without doubled quotes: the text between the quotes as it is.
            (
                "\"a,b\",,\"\"\n",
                record(10, 9, 3),
                &[("a,b", false), ("", false), ("", false)],
            ),
            // A quote inside an unquoted cell is a character; the last cell may be empty.
            ("a\"b,\n", record(5, 4, 2), &[("a\"b", false), ("", false)]),
            ("\n", Line::Empty { consumed: 1 }, &[]),
            ("\r\n", Line::Empty { consumed: 2 }, &[]),
            ("a,b", Line::Unsure, &[]),
            ("a,\"b\nc\"\n", Line::Unsure, &[]),
            ("a\rb\n", Line::Unsure, &[]),
            ("\ra\n", Line::Unsure, &[]),
            // Text after a closing quote (csv_core's cell is `ab`), a quote left open.
            ("\"a\"b,c\n", Line::Unsure, &[]),
            ("a,\"b\"\"\n", Line::Unsure, &[]),
        ];
        for (text, want, cells) in cases {
            assert_eq!(split(text, b','), (want, cells.to_vec()), "{text:?}");
        }
    }

    /// Every record `Delimited` hands on (its cells and line) until the sink has taken
    /// `upto` (as a refused header, it then reads no further: no more is pushed), and the
    /// line it then stands on.
    fn records(
        text: &str,
        cuts: &[usize],
        (delimiter, separator_line, upto): (u8, bool, usize),
        fast: bool,
    ) -> (Vec<(Vec<String>, u64)>, u64) {
        let mut reader = Delimited::new(delimiter, separator_line);
        reader.fast = fast;
        let mut out = Vec::new();
        let mut sink = |r: super::super::Record| {
            out.push((r.cells().map(|c| c.into_owned()).collect(), r.line));
            out.len() < upto
        };
        let mut from = 0;
        let mut stopped = false;
        for &cut in cuts.iter().chain([&text.len()]) {
            // Text arrives decoded, in whole characters.
            let mut cut = cut.clamp(from, text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            reader.push(&text[from..cut], &mut |r| {
                stopped = !sink(r);
                !stopped
            });
            from = cut;
            if stopped {
                break;
            }
        }
        if !stopped {
            reader.finish(&mut sink);
        }
        (out, reader.line())
    }

    proptest! {
        /// Split by lines or by the state machine alone, chunk by chunk at any cuts: the
        /// same records, cells and lines.
        #[test]
        fn the_records_are_csv_cores(
            text in proptest::collection::vec(
                prop_oneof![
                    4 => Just("a"), 2 => Just("bc"), 3 => Just(","), 1 => Just(";"),
                    3 => Just("\""), 2 => Just("\n"), 1 => Just("\r\n"), 1 => Just("\r"),
                    1 => Just("é"), 1 => Just("\"\""), 1 => Just(" "),
                    2 => Just("0123456789"), 1 => Just("{\"\"k\"\":1.5,\"\"v\"\":\"\"x\"\"}"),
                ],
                0..120,
            ).prop_map(|parts| parts.concat()),
            cuts in proptest::collection::vec(0usize..200, 0..4),
            semicolon in any::<bool>(),
            separator_line in any::<bool>(),
            upto in prop_oneof![Just(usize::MAX), 1usize..6],
        ) {
            let mut cuts = cuts;
            cuts.sort_unstable();
            let how = (if semicolon { b';' } else { b',' }, separator_line, upto);
            prop_assert_eq!(records(&text, &cuts, how, true), records(&text, &cuts, how, false));
        }
    }
}
