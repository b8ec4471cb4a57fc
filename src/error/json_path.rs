//! The JSON path (`rates[3].output`) of the place a serde_json error stopped at, found
//! from the error's line and column by scanning the text once.
//!
//! Why not serde_path_to_error: it wraps every Deserialize impl it passes through, so
//! each document type read with a path (settings, rate card, budget mapping and log)
//! carried a second copy of its whole deserializer, the largest generic code in both
//! wasm files. This scan is one function for every type. It names the same path
//! serde_path_to_error did (a test compares both over many broken documents): the value
//! being read when the error came, its container when the error is the container's
//! (a missing field, a separator), and `?` for a member whose key was not read yet.

/// What the innermost open container was doing when the scan stopped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// After `{`, `[` or `,`: the next key (object) or element (array) not begun.
    Expect,
    /// Inside an object's key string.
    InKey,
    /// An object's key read, its `:` not yet.
    AfterKey,
    /// An object's `:` read, its value not begun.
    ExpectValue,
    /// A value (or element) begun and not finished: a string, number or literal.
    InValue,
    /// A value (or element) finished: the next thing is a separator or the end.
    AfterValue,
}

#[derive(Debug)]
struct Frame {
    array: bool,
    key: Option<String>,
    /// The element being read (an array), or the members before it (an object).
    index: usize,
    phase: Phase,
}

/// How serde_json classed the error, which decides whose error it is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// The text is not JSON (or ended early).
    Syntax,
    /// JSON, but not of the expected shape.
    Data,
}

/// The path serde_path_to_error would have named for `message` at `line` and `column`
/// (serde_json's numbering: lines from 1, the column counts the bytes read on it).
pub(super) fn path_at(
    text: &str,
    line: usize,
    column: usize,
    class: Class,
    message: &str,
) -> String {
    let end = offset(text, line, column);
    let frames = scan(text.as_bytes(), end);
    let Some((innermost, outer)) = frames.split_last() else {
        return ".".to_string();
    };
    let mut segments: Vec<Segment> = outer.iter().map(Frame::holding_child).collect();
    segments.push(innermost.own(class, message));
    render(&segments)
}

/// Byte offset of serde_json's (line, column): the bytes it had read.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start = match line {
        0 | 1 => 0,
        _ => text
            .match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(at, _)| at + 1),
    };
    (start + column).min(text.len())
}

enum Segment {
    None,
    Key(String),
    Index(usize),
    Unknown,
}

impl Frame {
    fn new(array: bool) -> Self {
        Frame {
            array,
            key: None,
            index: 0,
            phase: Phase::Expect,
        }
    }

    /// The segment of an open container whose current member is itself a container.
    fn holding_child(&self) -> Segment {
        match (&self.key, self.array) {
            (_, true) => Segment::Index(self.index),
            (Some(key), false) => Segment::Key(key.clone()),
            (None, false) => Segment::Unknown,
        }
    }

    /// The segment of the innermost container, by whose the error is: the member being
    /// read, or the container itself.
    fn own(&self, class: Class, message: &str) -> Segment {
        let container_error = message.starts_with("missing field")
            || message.starts_with("invalid length")
            || message.starts_with("duplicate field");
        if class == Class::Data && container_error {
            return Segment::None;
        }
        let member = if self.array {
            Segment::Index(self.index)
        } else {
            self.key.clone().map_or(Segment::Unknown, Segment::Key)
        };
        match (self.array, self.phase, class) {
            (_, Phase::InValue | Phase::ExpectValue, _) => member,
            (_, _, Class::Data) => member,
            // Looking for the next element: the array's own error, unless the element
            // begun is not a value at all.
            (true, Phase::Expect, Class::Syntax) if message.starts_with("expected value") => member,
            (true, _, Class::Syntax) => Segment::None,
            // A key not read yet, or not a key: serde_path_to_error's unknown segment.
            (false, Phase::Expect | Phase::InKey | Phase::AfterValue, Class::Syntax) => {
                Segment::Unknown
            }
            // The key read, its colon missing: the object's own error.
            (false, Phase::AfterKey, Class::Syntax) => Segment::None,
        }
    }
}

fn render(segments: &[Segment]) -> String {
    let mut path = String::new();
    let mut separator = "";
    for segment in segments {
        match segment {
            Segment::None => continue,
            Segment::Index(index) => path.push_str(&format!("[{index}]")),
            Segment::Key(key) => {
                path.push_str(separator);
                path.push_str(key);
            }
            Segment::Unknown => {
                path.push_str(separator);
                path.push('?');
            }
        }
        separator = ".";
    }
    if path.is_empty() {
        ".".to_string()
    } else {
        path
    }
}

/// The containers open after reading `bytes[..end]`, stopping early where the text stops
/// being JSON (serde_json stopped there too).
fn scan(bytes: &[u8], end: usize) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        let byte = bytes[i];
        let Some(top) = frames.last_mut() else {
            match byte {
                b'{' | b'[' => frames.push(Frame::new(byte == b'[')),
                _ => {}
            }
            i += 1;
            continue;
        };
        let ws = matches!(byte, b' ' | b'\t' | b'\n' | b'\r');
        match (top.phase, byte) {
            (_, _) if ws && top.phase != Phase::InKey && top.phase != Phase::InValue => {}
            (Phase::InValue, _) if ws => top.phase = Phase::AfterValue,
            // A string: a key, or a value; read whole or not at all.
            (Phase::Expect | Phase::ExpectValue, b'"') => {
                let Some(close) = string_end(bytes, i) else {
                    top.phase = if top.array || top.phase == Phase::ExpectValue {
                        Phase::InValue
                    } else {
                        Phase::InKey
                    };
                    return frames;
                };
                if close >= end {
                    top.phase = if !top.array && top.phase == Phase::Expect {
                        Phase::InKey
                    } else {
                        Phase::InValue
                    };
                    return frames;
                }
                if !top.array && top.phase == Phase::Expect {
                    top.key = serde_json::from_slice::<String>(&bytes[i..=close]).ok();
                    top.phase = Phase::AfterKey;
                } else {
                    top.phase = Phase::AfterValue;
                }
                i = close + 1;
                continue;
            }
            (Phase::AfterKey, b':') => top.phase = Phase::ExpectValue,
            // An empty container closes; after a comma that is a trailing comma.
            (Phase::Expect, b'}' | b']') if top.index == 0 && (byte == b']') == top.array => {
                frames.pop();
            }
            (Phase::Expect, _) if !top.array => break,
            (Phase::Expect | Phase::ExpectValue, b'{' | b'[') => {
                top.phase = Phase::AfterValue;
                frames.push(Frame::new(byte == b'['));
            }
            (Phase::Expect | Phase::ExpectValue, b']' | b'}' | b',' | b':') => break,
            (Phase::Expect | Phase::ExpectValue, _) => top.phase = Phase::InValue,
            (Phase::InValue | Phase::AfterValue, b',') => {
                top.phase = Phase::Expect;
                top.key = None;
                top.index += 1;
            }
            (Phase::InValue | Phase::AfterValue, b'}' | b']') => {
                if (byte == b']') != top.array {
                    break;
                }
                frames.pop();
            }
            (Phase::InValue, _) => {}
            _ => break,
        }
        i += 1;
    }
    // A number or literal that reached the end is whole if it reads as one.
    if let Some(top) = frames.last_mut() {
        if top.phase == Phase::InValue && end == bytes.len() {
            let start = bytes[..end]
                .iter()
                .rposition(|b| matches!(b, b':' | b',' | b'[' | b' ' | b'\t' | b'\n' | b'\r'))
                .map_or(0, |at| at + 1);
            if whole_scalar(&bytes[start..end]) {
                top.phase = Phase::AfterValue;
            }
        }
    }
    frames
}

/// The index of the quote that closes the string opening at `open`.
fn string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn whole_scalar(token: &[u8]) -> bool {
    matches!(token, b"true" | b"false" | b"null")
        || (token.last().is_some_and(u8::is_ascii_digit)
            && serde_json::from_slice::<serde_json::Number>(token).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratecard::RateCardText;
    use crate::settings::budget::{AllocationRuleText, ReviewRowText};
    use crate::settings::Settings;
    use serde::de::DeserializeOwned;

    /// Broken versions of `text`: cut short, a quoted value given as a number, an
    /// unknown, repeated or trailing member, a missing colon or comma, a value of the
    /// wrong shape.
    fn broken(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let at =
            |i: usize, cut: usize, put: &str| format!("{}{put}{}", &text[..i], &text[i + cut..]);
        for (i, c) in text.char_indices() {
            out.push(text[..i].to_string());
            match c {
                '"' if text[..i].trim_end().ends_with(':') => {
                    out.push(at(i, 0, "7, \"x\": "));
                    out.push(at(i, 0, "{} ,\"y\":"));
                    out.push(at(i, 0, "[1] ,\"y\":"));
                    out.push(at(i, 1, "7"));
                    out.push(at(i, 1, "tru"));
                }
                '{' => {
                    out.push(at(i, 1, "{\"zz_unknown\": \"1\","));
                    out.push(at(i, 1, "{,"));
                    out.push(at(i, 1, "{7:"));
                }
                '}' | ']' => {
                    out.push(at(i, 0, ","));
                    out.push(at(i, 0, " x"));
                }
                ':' => {
                    out.push(at(i, 1, " "));
                    out.push(at(i, 1, ":,"));
                }
                ',' => {
                    out.push(at(i, 1, " "));
                    out.push(at(i, 1, ",,"));
                }
                '[' => out.push(at(i, 1, "[7,")),
                _ => {}
            }
        }
        out
    }

    fn compare<T: DeserializeOwned>(name: &str, text: &str) {
        let mut differ = Vec::new();
        let cases = broken(text);
        for case in &cases {
            let mut de = serde_json::Deserializer::from_str(case);
            let Err(reference) = serde_path_to_error::deserialize::<_, T>(&mut de) else {
                continue;
            };
            let expected = reference.path().to_string();
            let inner = reference.into_inner();
            let class = if inner.is_syntax() || inner.is_eof() {
                Class::Syntax
            } else {
                Class::Data
            };
            let got = path_at(
                case,
                inner.line(),
                inner.column(),
                class,
                &inner.to_string(),
            );
            if got != expected {
                differ.push(format!("{expected} ≠ {got}: {inner} in {case:?}"));
            }
        }
        assert!(
            differ.is_empty(),
            "{name}: {} of {} paths differ:\n{}",
            differ.len(),
            cases.len(),
            differ[..differ.len().min(12)].join("\n")
        );
    }

    #[test]
    fn names_the_value_or_its_container() {
        let cases = [
            (r#"{"rates": [{"input": 7}]}"#, "rates[0].input"),
            (r#"{"rates": [{}, {"inptu": "1"}]}"#, "rates[1].inptu"),
            (r#"{"tolerance": {"absolute": "1",}}"#, "tolerance.?"),
            (r#"{"tolerance": {"absolute" "1"}}"#, "tolerance"),
            (r#"{"rates": [{"input": "1"},]}"#, "rates"),
            (r#"{"rates": [{"input": "1"}"#, "rates"),
            (r#"{"provider": "Comet"#, "provider"),
            ("7", "document"),
        ];
        for (text, want) in cases {
            let error = crate::error::from_json_with_path::<Settings>(text).unwrap_err();
            assert_eq!(error.position.path.as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn names_the_path_serde_path_to_error_names() {
        for (name, text) in [
            (
                "settings",
                include_str!("../../tests/fixtures/settings.json"),
            ),
            (
                "incident",
                include_str!("../../tests/fixtures/incident/settings.json"),
            ),
            (
                "budget",
                include_str!("../../tests/fixtures/budget/settings-allocation.json"),
            ),
            ("sample", include_str!("../../samples/sample-settings.json")),
        ] {
            compare::<Settings>(name, text);
        }
        let settings = Settings::from_json(include_str!("../../tests/fixtures/settings.json"));
        let settings = settings.expect("the fixture reads");
        let card = RateCardText::new(settings.rates, settings.factors);
        compare::<RateCardText>("card", &card.to_json());
        // The budget review's imports: a review log and a mapping table, as arrays.
        compare::<Vec<ReviewRowText>>(
            "log",
            include_str!("../../tests/fixtures/budget/review-row-planted.json"),
        );
        let budget = include_str!("../../tests/fixtures/budget/settings-allocation.json");
        let budget = Settings::from_json(budget)
            .expect("the fixture reads")
            .budget_review;
        let mapping = serde_json::to_string_pretty(&budget.mapping).expect("plain strings");
        compare::<Vec<AllocationRuleText>>("mapping", &mapping);
    }
}
