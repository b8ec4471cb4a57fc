//! Bytes to text, chunk by chunk: UTF-8 (validated in place, handed on without a copy)
//! or UTF-16 with a byte-order mark. A character split across two chunks is carried
//! over; an invalid one is reported where it stands ([`Piece::Damage`]) and U+FFFD is
//! handed on in its place, the same for any chunking (what the readers and the rule
//! make of it: [`super::damage`]).

use super::damage::Damage;

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

/// What the decoder hands on, in the order of the text.
pub enum Piece<'t> {
    /// Decoded text and where it starts.
    Text(&'t str, Pos),
    /// An invalid character; the text next handed on starts with U+FFFD in its place.
    Damage(Damage),
}

/// Receives each piece of text, and each invalid character where it stands.
pub type Sink<'s> = dyn FnMut(Piece) + 's;

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

const REPLACEMENT: &str = "\u{fffd}";

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

    /// Lines of the text so far (the last one counts once it holds a byte).
    pub fn lines(&self) -> u64 {
        self.newlines + u64::from(self.column > 0)
    }

    /// Decodes `input`, handing the text and any invalid character to `sink`.
    pub fn push(&mut self, input: &[u8], sink: &mut Sink) {
        match self.encoding {
            Encoding::Utf8 => self.utf8(input, sink),
            Encoding::Utf16 { little } => self.utf16(input, little, sink),
        }
    }

    /// The end of the file: a character cut in half there is invalid.
    pub fn finish(&mut self, sink: &mut Sink) {
        if let Some(&first) = self.carry.first().filter(|_| self.is_utf8()) {
            self.carry.clear();
            self.damaged(u16::from(first), sink);
        }
        if let Some(high) = self.high.take() {
            self.damaged(high, sink);
        }
        // A trailing odd byte is not a UTF-16 unit; it was always ignored.
    }

    fn utf8(&mut self, mut input: &[u8], sink: &mut Sink) {
        // A character begun in the chunk before, completed (or found invalid) byte by
        // byte: a byte that does not continue it is read afresh, as in one pass.
        while let (Some(&lead), Some(&byte)) = (self.carry.first(), input.first()) {
            self.carry.push(byte);
            match std::str::from_utf8(&self.carry) {
                Ok(_) => {
                    let mut char = [0; 4];
                    let len = self.carry.len();
                    char[..len].copy_from_slice(&self.carry);
                    self.carry.clear();
                    self.emit(std::str::from_utf8(&char[..len]).unwrap_or_default(), sink);
                }
                Err(e) if e.error_len().is_some() => {
                    self.carry.clear();
                    self.damaged(u16::from(lead), sink);
                    continue;
                }
                Err(_) => {}
            }
            input = &input[1..];
        }
        loop {
            match std::str::from_utf8(input) {
                Ok(text) => return self.emit(text, sink),
                Err(e) => {
                    let (valid, rest) = input.split_at(e.valid_up_to());
                    self.emit(std::str::from_utf8(valid).unwrap_or_default(), sink);
                    let Some(len) = e.error_len() else {
                        // Only the start of a character: completed by the next chunk.
                        return self.carry.extend_from_slice(rest);
                    };
                    // An invalid character: reported, and reading goes on after it.
                    self.damaged(u16::from(rest[0]), sink);
                    input = &rest[len..];
                }
            }
        }
    }

    /// Hands on `text` (none: nothing), where it starts; then moves past it.
    fn emit(&mut self, text: &str, sink: &mut Sink) {
        if !text.is_empty() {
            let at = self.advance(text);
            sink(Piece::Text(text, at));
        }
    }

    /// An invalid character starting with `code`, here: reported, then U+FFFD.
    fn damaged(&mut self, code: u16, sink: &mut Sink) {
        let at = Pos {
            line: self.newlines + 1,
            column: self.column,
        };
        let utf16 = !self.is_utf8();
        sink(Piece::Damage(Damage { at, code, utf16 }));
        self.emit(REPLACEMENT, sink);
    }

    fn utf16(&mut self, input: &[u8], little: bool, sink: &mut Sink) {
        let mut text = std::mem::take(&mut self.utf16);
        text.clear();
        let mut bytes = input;
        if let Some(first) = self.carry.pop() {
            let Some((&second, rest)) = bytes.split_first() else {
                self.carry.push(first);
                return;
            };
            self.unit([first, second], little, &mut text, sink);
            bytes = rest;
        }
        let mut pairs = bytes.chunks_exact(2);
        for pair in &mut pairs {
            self.unit([pair[0], pair[1]], little, &mut text, sink);
        }
        self.carry.extend_from_slice(pairs.remainder());
        self.emit(&text, sink);
        self.utf16 = text;
    }

    fn unit(&mut self, pair: [u8; 2], little: bool, text: &mut String, sink: &mut Sink) {
        let unit = if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        };
        let low = (0xdc00..0xe000).contains(&unit);
        if let Some(high) = self.high.take() {
            if low {
                let code = 0x10000 + ((u32::from(high) - 0xd800) << 10) + u32::from(unit) - 0xdc00;
                text.push(char::from_u32(code).unwrap_or_default());
                return;
            }
            // A high surrogate with no pair: invalid; the unit after it is read afresh.
            self.damaged_in(high, text, sink);
        }
        match unit {
            0xd800..0xdc00 => self.high = Some(unit),
            _ if low => self.damaged_in(unit, text, sink),
            _ => text.push(char::from_u32(u32::from(unit)).unwrap_or_default()),
        }
    }

    /// [`Decoder::damaged`] amid UTF-16 text decoded but not yet handed on.
    fn damaged_in(&mut self, code: u16, text: &mut String, sink: &mut Sink) {
        self.emit(text, sink);
        text.clear();
        self.damaged(code, sink);
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
    use proptest::prelude::*;

    /// The text `bytes` decode to, and each invalid character with the length of the
    /// text before it, fed in chunks cut at `cuts`.
    fn decoded(bytes: &[u8], encoding: Encoding, cuts: &[usize]) -> (String, Vec<(usize, Damage)>) {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut decoder = Decoder::new(encoding);
        let (mut text, mut damage) = (String::new(), Vec::new());
        let mut sink = |piece: Piece| match piece {
            Piece::Text(t, at) => {
                let line = 1 + text.matches('\n').count() as u64;
                let column = text.len() - text.rfind('\n').map_or(0, |n| n + 1);
                assert_eq!(
                    at,
                    Pos {
                        line,
                        column: column as u64
                    },
                    "where {t:?} starts"
                );
                text.push_str(t);
            }
            Piece::Damage(d) => damage.push((text.len(), d)),
        };
        let mut at = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            decoder.push(&bytes[at..cut], &mut sink);
            at = cut;
        }
        decoder.finish(&mut sink);
        (text, damage)
    }

    /// Each invalid character is reported where it stands, with U+FFFD in its place
    /// (one per maximal invalid sequence, as `String::from_utf8_lossy` has it), the
    /// same fed whole or a byte at a time.
    #[test]
    fn invalid_characters_are_reported_where_they_stand() {
        let utf8 = |line, column, code| Damage {
            at: Pos { line, column },
            code,
            utf16: false,
        };
        type Case = (&'static [u8], Encoding, &'static str, Vec<Damage>);
        let le = Encoding::Utf16 { little: true };
        let cases: [Case; 8] = [
            (
                b"a,b\nc,\xff\n",
                Encoding::Utf8,
                "a,b\nc,\u{fffd}\n",
                vec![utf8(2, 2, 0xff)],
            ),
            // A character cut short by a byte that is not its continuation: the byte
            // (here a line break) is read afresh.
            (
                b"ab\xe2\x82\nc",
                Encoding::Utf8,
                "ab\u{fffd}\nc",
                vec![utf8(1, 2, 0xe2)],
            ),
            (
                b"\xf0\x80x",
                Encoding::Utf8,
                "\u{fffd}\u{fffd}x",
                vec![utf8(1, 0, 0xf0), utf8(1, 3, 0x80)],
            ),
            // Cut short by the end of the file.
            (
                b"ok\n\xe6\x97",
                Encoding::Utf8,
                "ok\n\u{fffd}",
                vec![utf8(2, 0, 0xe6)],
            ),
            (
                b"\xe6\x97\xb6\xc3",
                Encoding::Utf8,
                "时\u{fffd}",
                vec![utf8(1, 3, 0xc3)],
            ),
            // UTF-16: a lone low surrogate, a high one with no pair, one at the end.
            (
                b"a\x00\x00\xdcb\x00",
                le,
                "a\u{fffd}b",
                vec![Damage {
                    at: Pos { line: 1, column: 1 },
                    code: 0xdc00,
                    utf16: true,
                }],
            ),
            (
                b"\x00\xd8\n\x00\x00\xd8\x00\xdf",
                le,
                "\u{fffd}\n𐌀",
                vec![Damage {
                    at: Pos::START,
                    code: 0xd800,
                    utf16: true,
                }],
            ),
            (
                b"a\x00\x3d\xd8",
                le,
                "a\u{fffd}",
                vec![Damage {
                    at: Pos { line: 1, column: 1 },
                    code: 0xd83d,
                    utf16: true,
                }],
            ),
        ];
        for (bytes, encoding, text, damage) in cases {
            let one_pass = decoded(bytes, encoding, &[]);
            assert_eq!(one_pass.0, text, "{bytes:?}");
            assert_eq!(
                one_pass.1.iter().map(|d| d.1).collect::<Vec<_>>(),
                damage,
                "{bytes:?}"
            );
            let bytewise = decoded(bytes, encoding, &(0..bytes.len()).collect::<Vec<_>>());
            assert_eq!(bytewise, one_pass, "{bytes:?} a byte at a time");
        }
    }

    proptest! {
        /// Any chunking decodes to the same text and reports the same invalid
        /// characters at the same places as one pass (and the same as the standard
        /// library's lossy decoding), whatever the bytes.
        #[test]
        fn chunking_never_changes_the_decoding(
            bytes in proptest::collection::vec(
                prop_oneof![any::<u8>(), Just(b'\n'), Just(0xe6), Just(0x97), Just(0xd8), Just(0xdc)],
                0..64,
            ),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
            encoding in 0u8..3,
        ) {
            let encoding = match encoding {
                0 => Encoding::Utf8,
                1 => Encoding::Utf16 { little: true },
                _ => Encoding::Utf16 { little: false },
            };
            let one_pass = decoded(&bytes, encoding, &[]);
            prop_assert_eq!(&decoded(&bytes, encoding, &cuts), &one_pass);
            if encoding == Encoding::Utf8 {
                prop_assert_eq!(&one_pass.0, &String::from_utf8_lossy(&bytes));
            } else {
                let units = bytes.chunks_exact(2).map(|p| match encoding {
                    Encoding::Utf16 { little: true } => u16::from_le_bytes([p[0], p[1]]),
                    _ => u16::from_be_bytes([p[0], p[1]]),
                });
                let lossy: String = char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect();
                prop_assert_eq!(&one_pass.0, &lossy);
            }
            for (before, _) in &one_pass.1 {
                prop_assert!(one_pass.0[*before..].starts_with(REPLACEMENT), "{before}");
            }
        }
    }

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
