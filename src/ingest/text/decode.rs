//! Bytes to text, chunk by chunk: UTF-8 (validated in place, handed on without a copy)
//! or UTF-16 with a byte-order mark. A character split across two chunks is carried
//! over; an invalid one makes the whole file unreadable, as it always has.

use crate::error::{Error, Position};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16 { little: bool },
}

/// Where a piece of decoded text starts: 1-based line, bytes since that line's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 0 };
}

/// Receives each piece of text and where it starts.
pub type Sink<'s> = dyn FnMut(&str, Pos) + 's;

pub struct Decoder {
    encoding: Encoding,
    /// The start of a UTF-8 character, or the first byte of a UTF-16 unit.
    carry: Vec<u8>,
    /// A UTF-16 high surrogate waiting for its pair.
    high: Option<u16>,
    /// Line breaks decoded so far, and bytes since the last one: where the next piece
    /// starts (readers need it for messages, and it says where an invalid byte is).
    newlines: u64,
    column: u64,
    utf16: String,
}

const UTF16: &str = "the file says it is UTF-16 but holds invalid characters";

fn utf16_invalid() -> Error {
    Error::syntax(Position::default(), UTF16)
}

impl Decoder {
    pub fn new(encoding: Encoding) -> Decoder {
        Decoder {
            encoding,
            carry: Vec::new(),
            high: None,
            newlines: 0,
            column: 0,
            utf16: String::new(),
        }
    }

    pub fn is_utf8(&self) -> bool {
        self.encoding == Encoding::Utf8
    }

    /// UTF-8 with no character cut at the end of the text so far.
    pub fn at_char_start(&self) -> bool {
        self.encoding == Encoding::Utf8 && self.carry.is_empty()
    }

    /// Counts lines again from 1: what follows is a later part of the file.
    pub fn restart(&mut self) {
        self.carry.clear();
        self.newlines = 0;
        self.column = 0;
    }

    fn not_utf8(&self, before: &[u8]) -> Error {
        let line = self.newlines + newlines(before) + 1;
        Error::syntax(
            Position::line(line),
            "expected UTF-8 text, but found bytes that are not (save the export as UTF-8)",
        )
    }

    /// Decodes `input`, handing the text to `sink`; Err says why the file is not text.
    pub fn push(&mut self, input: &[u8], sink: &mut Sink) -> Result<(), Error> {
        match self.encoding {
            Encoding::Utf8 => self.utf8(input, sink),
            Encoding::Utf16 { little } => self.utf16(input, little, sink),
        }
    }

    /// The end of the file: a character cut in half there is invalid.
    pub fn finish(&self) -> Result<(), Error> {
        match self.encoding {
            Encoding::Utf8 if !self.carry.is_empty() => Err(self.not_utf8(&[])),
            Encoding::Utf16 { .. } if self.high.is_some() => Err(utf16_invalid()),
            // A trailing odd byte is not a UTF-16 unit; it was always ignored.
            _ => Ok(()),
        }
    }

    fn utf8(&mut self, mut input: &[u8], sink: &mut Sink) -> Result<(), Error> {
        while !self.carry.is_empty() {
            let Some((&byte, rest)) = input.split_first() else {
                return Ok(());
            };
            self.carry.push(byte);
            input = rest;
            match std::str::from_utf8(&self.carry) {
                Ok(text) => {
                    // One character of several bytes: never a line break.
                    let at = Pos {
                        line: self.newlines + 1,
                        column: self.column,
                    };
                    self.column += text.len() as u64;
                    sink(text, at);
                    self.carry.clear();
                }
                Err(e) if e.error_len().is_some() => return Err(self.not_utf8(&[])),
                Err(_) => {}
            }
        }
        let (text, tail) = match std::str::from_utf8(input) {
            Ok(text) => (text, &[][..]),
            Err(e) => {
                let (valid, tail) = input.split_at(e.valid_up_to());
                if e.error_len().is_some() {
                    return Err(self.not_utf8(valid));
                }
                // Only the start of a character: valid so far, completed by the next chunk.
                (std::str::from_utf8(valid).unwrap_or_default(), tail)
            }
        };
        let at = self.advance(text);
        sink(text, at);
        self.carry.extend_from_slice(tail);
        Ok(())
    }

    fn utf16(&mut self, input: &[u8], little: bool, sink: &mut Sink) -> Result<(), Error> {
        let mut text = std::mem::take(&mut self.utf16);
        text.clear();
        let mut bytes = input;
        if let Some(first) = self.carry.pop() {
            let Some((&second, rest)) = bytes.split_first() else {
                self.carry.push(first);
                return Ok(());
            };
            self.unit([first, second], little, &mut text)?;
            bytes = rest;
        }
        let mut pairs = bytes.chunks_exact(2);
        for pair in &mut pairs {
            self.unit([pair[0], pair[1]], little, &mut text)?;
        }
        self.carry.extend_from_slice(pairs.remainder());
        let at = self.advance(&text);
        sink(&text, at);
        self.utf16 = text;
        Ok(())
    }

    fn unit(&mut self, pair: [u8; 2], little: bool, text: &mut String) -> Result<(), Error> {
        let unit = if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        };
        let (units, len) = match self.high.take() {
            Some(high) => ([high, unit], 2),
            None if (0xd800..0xdc00).contains(&unit) => {
                self.high = Some(unit);
                return Ok(());
            }
            None => ([unit, 0], 1),
        };
        for c in char::decode_utf16(units[..len].iter().copied()) {
            text.push(c.map_err(|_| utf16_invalid())?);
        }
        Ok(())
    }
}

impl Decoder {
    /// Where `text` starts; then moves past it.
    fn advance(&mut self, text: &str) -> Pos {
        let at = Pos {
            line: self.newlines + 1,
            column: self.column,
        };
        let bytes = text.as_bytes();
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.newlines += newlines(bytes);
                self.column = (bytes.len() - last - 1) as u64;
            }
            None => self.column += bytes.len() as u64,
        }
        at
    }
}

/// Line breaks in `bytes`, counted eight bytes at a time: as fast as memchr's counter
/// natively and several times faster in WebAssembly (no SIMD there, where memchr stops
/// at every line break).
fn newlines(bytes: &[u8]) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut words = bytes.chunks_exact(8);
    let mut count = 0;
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight) ^ NEWLINES;
        // The high bit of each byte of `zero` is set exactly where `x` has a zero byte.
        let zero = !(((x & LOW7) + LOW7) | x | LOW7);
        count += u64::from(zero.count_ones());
    }
    count + words.remainder().iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_are_counted_exactly() {
        let texts: [&[u8]; 7] = [
            b"",
            b"\n",
            b"a\nb\n\n",
            b"\n\n\n\n\n\n\n\n\n",
            // Bytes one off from a line break, and high bytes, in every lane.
            b"\x0b\x09\x8a\x0a\xff\x00\x0a\x0b\x1a\x0a\x7f\x80",
            "时间,模型\n提示\r\n".as_bytes(),
            &[b'\n'; 1000],
        ];
        for text in texts {
            for start in 0..text.len().min(9) {
                let part = &text[start..];
                let want = part.iter().filter(|&&b| b == b'\n').count() as u64;
                assert_eq!(newlines(part), want, "{part:?}");
            }
        }
    }
}
