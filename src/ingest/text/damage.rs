//! Invalid characters in text that is otherwise UTF-8 (or UTF-16 with its byte-order
//! mark): a corrupt byte costs the row it is in, while a file that is really in another
//! encoding is still refused whole, in one sentence.
//!
//! The decoder reports each invalid character as a [`Damage`] where it stands in the
//! text (and hands on U+FFFD in its place); the reader of the file's shape rejects the
//! row holding it. [`DamagedLines`] counts the lines holding one and decides when the
//! file is refused instead; the rule is stated by [`FIRST_LINES`] and [`ONE_IN`].

use serde::{Deserialize, Serialize};

use super::decode::Pos;
use crate::error::{Error, Position};

/// An invalid byte in any of a file's first lines refuses it whole: a file saved in
/// another encoding (what Excel's plain "CSV" writes: Windows-1252, GBK, Shift-JIS)
/// shows it at once, in a header with non-English names or in the first rows' models and
/// users, and the first lines are also what decides how a file reads.
pub const FIRST_LINES: u64 = 20;

/// Past the first lines, a file is refused whole when more than one line in this many
/// holds an invalid byte (a file shorter than this counts as this long, so a small file
/// may lose one line). Corruption (a bad disk block, a cut-and-joined log) touches a few
/// lines in a file; another encoding touches every line with a non-English name, and
/// then rejecting those lines one by one would bury the one sentence that helps.
pub const ONE_IN: u64 = 1000;

/// An invalid character in the text: where it starts, and its first byte (UTF-8) or
/// its unit (UTF-16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Damage {
    pub at: Pos,
    pub code: u16,
    pub utf16: bool,
}

impl Damage {
    fn encoding(&self) -> &'static str {
        if self.utf16 {
            "UTF-16"
        } else {
            "UTF-8"
        }
    }

    /// The byte or unit, as people who open the file in a hex viewer see it.
    fn code(&self) -> String {
        if self.utf16 {
            format!("code unit 0x{:04X}", self.code)
        } else {
            format!("byte 0x{:02X}", self.code)
        }
    }

    /// The 1-based column, as the other messages count it (bytes of the line's text).
    fn column(&self) -> u64 {
        self.at.column + 1
    }

    /// Why the row holding it is rejected; `row_line` is the line the rejection names
    /// (None: it names none, as rows of a JSON document do).
    pub fn message(&self, row_line: Option<u64>) -> String {
        let (encoding, code, column) = (self.encoding(), self.code(), self.column());
        match row_line {
            Some(first) if first == self.at.line => {
                format!("this line is not valid {encoding} ({code} at column {column})")
            }
            // Counted from the row's first line, which the rejection names: a part of a
            // file read apart numbers its lines from its own start until it is joined,
            // and the joined position moves but a number in the text would not.
            Some(first) => {
                let nth = ordinal(self.at.line.saturating_sub(first) + 1);
                format!(
                    "this row is not valid {encoding} ({code} on its {nth} line, column {column})"
                )
            }
            None => {
                let line = self.at.line;
                format!("this row is not valid {encoding} ({code} at line {line}, column {column})")
            }
        }
    }

    /// A JSON document stops here: the invalid character is outside any row, or the
    /// JSON does not read past it (it stood for a quote, a comma, a bracket).
    pub fn breaks_document(&self) -> Error {
        let at = Position::line(self.at.line).with_column(&self.column().to_string());
        let message = format!(
            "the text is not valid {} here ({}), and the JSON does not read on past it; \
             rows before this point were read",
            self.encoding(),
            self.code()
        );
        Error::syntax(at, message)
    }

    /// A document read whole (a report, an account answer) holds it: none of it is read.
    pub fn spoils_document(&self) -> Error {
        let at = Position::line(self.at.line).with_column(&self.column().to_string());
        let message = format!(
            "the text is not valid {} here ({}); this document is read whole, so no row \
             was read (save the export as {} again)",
            self.encoding(),
            self.code(),
            self.encoding()
        );
        Error::syntax(at, message)
    }
}

/// "2nd", "3rd", "11th", "22nd".
fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The lines holding an invalid character so far, for the rule that refuses a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamagedLines {
    count: u64,
    /// The first and the last line counted (0: none yet).
    first: u64,
    last: u64,
    utf16: bool,
}

impl DamagedLines {
    /// Counts the line `damage` is on (once, however many it holds); Err when the file
    /// is refused whole: the line is one of the first [`FIRST_LINES`].
    pub fn note(&mut self, damage: &Damage) -> Result<(), Error> {
        self.utf16 = damage.utf16;
        if damage.at.line <= FIRST_LINES {
            return Err(self.refusal(damage.at.line, ""));
        }
        if damage.at.line != self.last {
            self.count += 1;
            self.last = damage.at.line;
            if self.first == 0 {
                self.first = damage.at.line;
            }
        }
        Ok(())
    }

    /// At the end of a text `lines` lines long: Err when more than one line in
    /// [`ONE_IN`] held an invalid character (the file is refused whole).
    pub fn verdict(&self, lines: u64) -> Result<(), Error> {
        if self.count.saturating_mul(ONE_IN) <= lines.max(ONE_IN) {
            return Ok(());
        }
        let many = format!(
            " on {} of its {lines} lines, more than 1 in {ONE_IN}",
            self.count
        );
        Err(self.refusal(self.first, &many))
    }

    /// Takes in the count of a later part of the text read apart, whose lines count
    /// from 1 after the `lines_before` lines of this part.
    pub fn join(&mut self, tail: DamagedLines, lines_before: u64) {
        if tail.count == 0 {
            return;
        }
        self.utf16 = tail.utf16;
        self.count += tail.count;
        self.last = tail.last + lines_before;
        if self.first == 0 {
            self.first = tail.first + lines_before;
        }
    }

    /// The sentence refusing the file; `many` says how many lines, past the first ones.
    fn refusal(&self, line: u64, many: &str) -> Error {
        let message = if self.utf16 {
            format!("the file says it is UTF-16 but holds invalid characters{many}")
        } else {
            format!("expected UTF-8 text, but found bytes that are not{many} (save the export as UTF-8)")
        };
        Error::syntax(Position::line(line), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn damage(line: u64, column: u64, code: u16, utf16: bool) -> Damage {
        Damage {
            at: Pos { line, column },
            code,
            utf16,
        }
    }

    #[test]
    fn messages_name_the_byte_and_where() {
        let cases = [
            (
                damage(7, 16, 0xff, false),
                Some(7),
                "this line is not valid UTF-8 (byte 0xFF at column 17)",
            ),
            (
                damage(8, 2, 0xc3, false),
                Some(7),
                "this row is not valid UTF-8 (byte 0xC3 on its 2nd line, column 3)",
            ),
            (
                damage(19, 2, 0xc3, false),
                Some(7),
                "this row is not valid UTF-8 (byte 0xC3 on its 13th line, column 3)",
            ),
            (
                damage(30, 0, 0x80, false),
                None,
                "this row is not valid UTF-8 (byte 0x80 at line 30, column 1)",
            ),
            (
                damage(4, 9, 0xdc00, true),
                Some(4),
                "this line is not valid UTF-16 (code unit 0xDC00 at column 10)",
            ),
        ];
        for (damage, row_line, want) in cases {
            assert_eq!(damage.message(row_line), want);
        }
        let d = damage(30, 4, 0xa2, false);
        assert_eq!(
            d.breaks_document().to_string(),
            "line 30, column 5: the text is not valid UTF-8 here (byte 0xA2), and the JSON \
             does not read on past it; rows before this point were read"
        );
        assert_eq!(
            d.spoils_document().to_string(),
            "line 30, column 5: the text is not valid UTF-8 here (byte 0xA2); this document \
             is read whole, so no row was read (save the export as UTF-8 again)"
        );
    }

    /// Both sides of each threshold: the first lines, and one line in a thousand (a
    /// short file counting as a thousand lines).
    #[test]
    fn the_threshold_both_sides() {
        let refused_first =
            "line 20: expected UTF-8 text, but found bytes that are not (save the export as UTF-8)";
        // (damaged lines, text lines, verdict)
        let cases: [(&[u64], u64, Result<(), String>); 9] = [
            (&[], 5, Ok(())),
            (&[21], 21, Ok(())),
            (&[20], 5000, Err(refused_first.into())),
            (&[1], 1, Err("line 1: expected UTF-8 text, but found bytes that are not (save the export as UTF-8)".into())),
            // Many invalid bytes on one line are one damaged line.
            (&[500, 500, 500], 600, Ok(())),
            (&[500, 501], 999, Err("line 500: expected UTF-8 text, but found bytes that are not on 2 of its 999 lines, more than 1 in 1000 (save the export as UTF-8)".into())),
            (&[500, 501], 2000, Ok(())),
            (&[500, 501, 502], 2999, Err("line 500: expected UTF-8 text, but found bytes that are not on 3 of its 2999 lines, more than 1 in 1000 (save the export as UTF-8)".into())),
            (&[500, 501, 502], 3000, Ok(())),
        ];
        for (lines, total, want) in cases {
            let mut damaged = DamagedLines::default();
            let noted: Result<Vec<()>, Error> = lines
                .iter()
                .map(|&l| damaged.note(&damage(l, 0, 0xff, false)))
                .collect();
            let got = noted
                .and_then(|_| damaged.verdict(total))
                .map_err(|e| e.to_string());
            assert_eq!(got, want, "{lines:?} of {total}");
        }
        let mut utf16 = DamagedLines::default();
        let refused = utf16.note(&damage(3, 0, 0xd800, true)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "line 3: the file says it is UTF-16 but holds invalid characters"
        );
    }

    /// A part read apart joins with its lines moved down, and counts as one pass does.
    #[test]
    fn a_later_part_joins_its_count() {
        let mut whole = DamagedLines::default();
        let mut head = DamagedLines::default();
        let mut tail = DamagedLines::default();
        for line in [30, 31, 90, 95] {
            whole.note(&damage(line, 0, 0xff, false)).unwrap();
        }
        for line in [30, 31] {
            head.note(&damage(line, 0, 0xff, false)).unwrap();
        }
        // The tail starts after line 40: its lines 50 and 55 are the file's 90 and 95.
        for line in [50, 55] {
            tail.note(&damage(line, 0, 0xff, false)).unwrap();
        }
        head.join(tail, 40);
        assert_eq!(head, whole);
        let mut empty = DamagedLines::default();
        empty.join(tail, 40);
        assert_eq!((empty.count, empty.first, empty.last), (2, 90, 95));
    }
}
