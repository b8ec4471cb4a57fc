//! The common record split without the state machine: a record on one line, ended by
//! `\n` or `\r\n`, its quoted cells closed on that line. `csv_core` steps through a
//! table for every byte; this finds the line's end with `memchr` and the cells eight
//! bytes at a time ([`copy_until`]), which reads a gateway log's CSV (a quoted JSON cell
//! on every row) with far fewer instructions than `csv_core` (docs/benchmarks.md;
//! searching for each quote with `memchr` and copying each run between them cost more:
//! the quotes are too close for a search to pay for its start). Anything
//! else (a quoted cell that spans lines, a lone `\r`, a line not complete yet) is left to
//! `csv_core`, so the records, their cells and their lines are `csv_core`'s in every case
//! (a property test below holds the two to each other).

use crate::ingest::text::word::{self, WORD};

/// What [`one_line`] found at the start of its input.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line {
    /// A record: `consumed` bytes (its line break too), its cells' bytes in the first
    /// `used` of the output, each cell's end in the first `cells` ends.
    Record {
        consumed: usize,
        used: usize,
        cells: usize,
    },
    /// An empty line (`\n` or `\r\n`), which `csv_core` skips: `consumed` bytes.
    Empty { consumed: usize },
    /// Not a case this reads: `csv_core` reads the record.
    Unsure,
}

const QUOTE: u8 = b'"';

/// Splits the record at the start of `input` (where a record starts) into `output` and
/// `ends`, growing them as needed, as `csv_core` with `delimiter` (quote `"`, quotes
/// doubled inside quoted cells, any of `\r`, `\n`, `\r\n` ending a record) would.
pub(super) fn one_line(
    input: &[u8],
    delimiter: u8,
    output: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> Line {
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
    // Room for a whole word past the line: runs are copied eight bytes at a time.
    if output.len() < line.len() + WORD {
        output.resize((line.len() + WORD).next_power_of_two(), 0);
    }
    let (mut at, mut used, mut cells) = (0, 0, 0);
    loop {
        if line.get(at) == Some(&QUOTE) {
            // A quoted cell: every byte up to the closing quote, a doubled quote as one.
            at += 1;
            loop {
                (at, used) = copy_until(
                    line,
                    at,
                    output,
                    used,
                    |x| word::equal(x, QUOTE),
                    |b| b == QUOTE,
                );
                if at == line.len() {
                    // The quoted cell goes on past the line.
                    return Line::Unsure;
                }
                at += 1;
                if line.get(at) != Some(&QUOTE) {
                    break;
                }
                output[used] = QUOTE;
                (used, at) = (used + 1, at + 1);
            }
        }
        // Unquoted, or after a closing quote: the cell's bytes up to a delimiter or the
        // line's end (a quote here is a character like any other).
        let stop;
        (stop, used) = copy_until(
            line,
            at,
            output,
            used,
            |x| word::equal(x, delimiter) | word::equal(x, b'\r'),
            |b| b == delimiter || b == b'\r',
        );
        if cells == ends.len() {
            ends.resize((ends.len() * 2).max(8), 0);
        }
        ends[cells] = used;
        cells += 1;
        match line.get(stop) {
            None => {
                return Line::Record {
                    consumed: newline + 1,
                    used,
                    cells,
                }
            }
            Some(&b) if b == delimiter => at = stop + 1,
            // A lone '\r' ends this record and starts a line of its own.
            Some(_) => return Line::Unsure,
        }
    }
}

/// Copies `line[at..]` to `output[used..]` up to the first stop byte (`stops` marks them
/// in a word, `is_stop` tells one byte), and answers where the stop is in `line` (or its
/// end) and in `output`. Eight bytes at a time while a whole word is left: each word is
/// stored whole, past the stop too (the caller's `WORD` bytes of room; what lies past
/// `used` is not output), which is what spares a byte loop and a `memcpy` call per run:
/// a log's JSON cell doubles a quote every few bytes. Every output byte comes from an
/// input byte, so `used <= at` and a word stored at `used` stays inside `output`.
#[inline(always)]
fn copy_until(
    line: &[u8],
    mut at: usize,
    output: &mut [u8],
    mut used: usize,
    stops: impl Fn(u64) -> u64,
    is_stop: impl Fn(u8) -> bool,
) -> (usize, usize) {
    while let Some(bytes) = line.get(at..at + WORD) {
        let mut eight = [0u8; WORD];
        eight.copy_from_slice(bytes);
        output[used..used + WORD].copy_from_slice(&eight);
        let found = stops(u64::from_le_bytes(eight));
        if found != 0 {
            let k = (found.trailing_zeros() / 8) as usize;
            return (at + k, used + k);
        }
        (at, used) = (at + WORD, used + WORD);
    }
    while let Some(&b) = line.get(at) {
        if is_stop(b) {
            break;
        }
        output[used] = b;
        (at, used) = (at + 1, used + 1);
    }
    (at, used)
}

#[cfg(test)]
mod tests {
    use super::super::Delimited;
    use super::*;
    use proptest::prelude::*;

    fn split(text: &str, delimiter: u8) -> Line {
        one_line(text.as_bytes(), delimiter, &mut Vec::new(), &mut Vec::new())
    }

    #[test]
    fn what_it_reads_and_what_it_leaves() {
        let cases: [(&str, Line); 10] = [
            // Runs longer than a word, a doubled quote across a word's edge.
            (
                "0123456789,\"{\"\"model_ratio\"\":1.5}\",x\r\n",
                Line::Record {
                    consumed: 38,
                    used: 30,
                    cells: 3,
                },
            ),
            (
                "a,b\n",
                Line::Record {
                    consumed: 4,
                    used: 2,
                    cells: 2,
                },
            ),
            (
                "a,\"x\"\"y\",c\r\nnext",
                Line::Record {
                    consumed: 12,
                    used: 5,
                    cells: 3,
                },
            ),
            ("\n", Line::Empty { consumed: 1 }),
            ("\r\n", Line::Empty { consumed: 2 }),
            ("a,b", Line::Unsure),
            ("a,\"b\nc\"\n", Line::Unsure),
            ("a\rb\n", Line::Unsure),
            ("\ra\n", Line::Unsure),
            (
                "\"a\"b,c\n",
                Line::Record {
                    consumed: 7,
                    used: 3,
                    cells: 2,
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(split(text, b','), want, "{text:?}");
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
            out.push((r.cells().map(str::to_string).collect(), r.line));
            out.len() < upto
        };
        let mut from = 0;
        let mut stopped = false;
        for &cut in cuts.iter().chain([&text.len()]) {
            let cut = cut.clamp(from, text.len());
            reader.push(&text.as_bytes()[from..cut], &mut |r| {
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
