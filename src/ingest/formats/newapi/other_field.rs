//! The `other` field of a new-api log row: a JSON object (usually written as a string)
//! with the multipliers that priced the row and the usage split behind it.
//!
//! Only the keys below are read, as borrowed raw text; the rest is skipped unread.
//! What is accepted, refused and chosen on a repeated key (the last one) is what parsing
//! the whole object into a `serde_json::Value` would give.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::count;
use crate::decimal::{parse_exact, quote};
use crate::ingest::text::json::scan::{self, Escaped};
use crate::ingest::text::json::value;
use crate::ingest::text::trim;

mod ratios;

const KEYS: [&str; 23] = [
    "usage_semantic",
    "cache_creation_tokens_5m",
    "cache_creation_tokens_1h",
    "cache_creation_tokens",
    "reasoning_tokens",
    "thinking_tokens",
    "cache_tokens",
    "audio_input",
    "audio_output",
    "text_input",
    "text_output",
    "audio_input_token_count",
    "model_ratio",
    "completion_ratio",
    "cache_ratio",
    "cache_creation_ratio",
    "cache_creation_ratio_1h",
    "user_group_ratio",
    "group_ratio",
    "model_price",
    "audio_ratio",
    "audio_completion_ratio",
    "audio_input_price",
];
// Indexes into KEYS (a lookup by name would compare strings on every row).
const USAGE_SEMANTIC: usize = 0;
const CACHE_CREATION_TOKENS_5M: usize = 1;
const CACHE_CREATION_TOKENS_1H: usize = 2;
const CACHE_CREATION_TOKENS: usize = 3;
const REASONING_TOKENS: usize = 4;
const THINKING_TOKENS: usize = 5;
const CACHE_TOKENS: usize = 6;
// new-api's audio rows (`other.audio` or `other.ws`: chat audio, realtime) log their
// split and the two audio ratios; a text row whose audio input has a price of its own
// logs that price (USD per 1M) and the audio tokens (service/log_info_generate.go,
// service/quota.go, service/text_quota.go).
const AUDIO_INPUT: usize = 7;
const AUDIO_OUTPUT: usize = 8;
const TEXT_INPUT: usize = 9;
const TEXT_OUTPUT: usize = 10;
const AUDIO_INPUT_TOKEN_COUNT: usize = 11;
const MODEL_RATIO: usize = 12;
const COMPLETION_RATIO: usize = 13;
const CACHE_RATIO: usize = 14;
const CACHE_CREATION_RATIO: usize = 15;
const CACHE_CREATION_RATIO_1H: usize = 16;
const USER_GROUP_RATIO: usize = 17;
const GROUP_RATIO: usize = 18;
const MODEL_PRICE: usize = 19;
const AUDIO_RATIO: usize = 20;
const AUDIO_COMPLETION_RATIO: usize = 21;
const AUDIO_INPUT_PRICE: usize = 22;
const TOOL_SURCHARGES: usize = KEYS.len();
// new-api's further multipliers of a row's quota (`PriceData.OtherRatios`): an image
// count `n`, a task's `seconds`, size or resolution factors. Logged as an object.
const OTHER_RATIOS: usize = KEYS.len() + 1;

#[derive(Debug, Default)]
pub struct Other<'a> {
    /// The text of each key in [`KEYS`]: numbers, non-blank strings and booleans.
    texts: [Option<Cow<'a, str>>; KEYS.len()],
    /// `model_ratio` or `model_price` is present, whatever its value.
    has_ratios: bool,
    tool_surcharges: Option<Vec<Value>>,
    other_ratios: Option<serde_json::Map<String, Value>>,
}

/// Token counts that only `other` carries.
pub struct OtherUsage {
    pub cache_read: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
    pub reasoning: u64,
    pub tool_calls: u64,
    pub audio_input: u64,
    pub audio_output: u64,
    pub text_input: u64,
    pub text_output: u64,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Option<usize>, D::Error> {
        de.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(Some(match key {
            "usage_semantic" => USAGE_SEMANTIC,
            "cache_creation_tokens_5m" => CACHE_CREATION_TOKENS_5M,
            "cache_creation_tokens_1h" => CACHE_CREATION_TOKENS_1H,
            "cache_creation_tokens" => CACHE_CREATION_TOKENS,
            "reasoning_tokens" => REASONING_TOKENS,
            "thinking_tokens" => THINKING_TOKENS,
            "cache_tokens" => CACHE_TOKENS,
            "audio_input" => AUDIO_INPUT,
            "audio_output" => AUDIO_OUTPUT,
            "text_input" => TEXT_INPUT,
            "text_output" => TEXT_OUTPUT,
            "audio_input_token_count" => AUDIO_INPUT_TOKEN_COUNT,
            "model_ratio" => MODEL_RATIO,
            "completion_ratio" => COMPLETION_RATIO,
            "cache_ratio" => CACHE_RATIO,
            "cache_creation_ratio" => CACHE_CREATION_RATIO,
            "cache_creation_ratio_1h" => CACHE_CREATION_RATIO_1H,
            "user_group_ratio" => USER_GROUP_RATIO,
            "group_ratio" => GROUP_RATIO,
            "model_price" => MODEL_PRICE,
            "audio_ratio" => AUDIO_RATIO,
            "audio_completion_ratio" => AUDIO_COMPLETION_RATIO,
            "audio_input_price" => AUDIO_INPUT_PRICE,
            "tool_surcharges" => TOOL_SURCHARGES,
            "other_ratios" => OTHER_RATIOS,
            _ => return Ok(None),
        }))
    }
}

struct OtherVisitor;

impl<'de> Visitor<'de> for OtherVisitor {
    type Value = Other<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Other<'de>, A::Error> {
        let mut other = Other::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Some(TOOL_SURCHARGES) => {
                    other.tool_surcharges = match map.next_value::<Value>()? {
                        Value::Array(items) => Some(items),
                        _ => None,
                    }
                }
                Some(OTHER_RATIOS) => {
                    other.other_ratios = match map.next_value::<Value>()? {
                        Value::Object(items) => Some(items),
                        _ => None,
                    }
                }
                Some(index) => {
                    let raw: &'de RawValue = map.next_value()?;
                    other.set(index, raw.get());
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(other)
    }
}

impl<'de> de::Deserialize<'de> for Other<'de> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        // Not deserialize_any: with arbitrary_precision a bare number arrives as a map.
        de.deserialize_map(OtherVisitor)
    }
}

/// Numbers keep their digits, strings count when not blank, booleans as words.
fn text(raw: &str) -> Option<Cow<'_, str>> {
    match raw.as_bytes().first()? {
        b'"' => value::string(raw).filter(|s| !trim(s).is_empty()),
        b't' | b'f' => Some(Cow::Borrowed(raw)),
        b'-' | b'0'..=b'9' => Some(value::number(raw)),
        _ => None,
    }
}

impl<'a> Other<'a> {
    fn set(&mut self, index: usize, raw: &'a str) {
        self.has_ratios |= matches!(index, MODEL_RATIO | MODEL_PRICE);
        self.texts[index] = text(raw);
    }

    pub fn parse(text: &'a str) -> Result<Other<'a>, String> {
        // The one-pass scanner first; serde_json for what it leaves (and for the verdict).
        let mut other = Other::default();
        let scanned = scan::whole_object(text, |key, raw| {
            match KeySeed.visit_str::<de::value::Error>(key).ok()? {
                Some(TOOL_SURCHARGES) => {
                    other.tool_surcharges = match serde_json::from_str(raw).ok()? {
                        Value::Array(items) => Some(items),
                        _ => None,
                    }
                }
                Some(OTHER_RATIOS) => {
                    other.other_ratios = match serde_json::from_str(raw).ok()? {
                        Value::Object(items) => Some(items),
                        _ => None,
                    }
                }
                Some(index) => other.set(index, raw),
                None => {}
            }
            Some(())
        });
        if scanned.is_some() {
            return Ok(other);
        }
        serde_json::from_str(text).map_err(|_| {
            format!(
                "expected the JSON object of billing ratios, but found {}",
                quote(text)
            )
        })
    }

    /// [`Other::parse`] of the JSON string whose text between the quotes is `inner`,
    /// read in place (see `scan::quoted_object`); None when it is not of the plain shape read
    /// there (the caller then unescapes it and parses that).
    pub fn parse_escaped(inner: &'a str) -> Option<Other<'a>> {
        Other::parse_quoted(inner, scan::BACKSLASH)
    }

    /// [`Other::parse`] of a quoted CSV cell whose text between the quotes is `raw`, each
    /// quote inside doubled, read in place (`scan::quoted_object`); None when it is not of
    /// the plain shape read there (the caller then undoes the quotes and parses that).
    pub fn parse_doubled(raw: &'a str) -> Option<Other<'a>> {
        Other::parse_quoted(raw, scan::DOUBLED)
    }

    fn parse_quoted(inner: &'a str, escape: u8) -> Option<Other<'a>> {
        let mut other = Other::default();
        scan::quoted_object(inner, escape, |key, value| {
            match (KeySeed.visit_str::<de::value::Error>(key).ok()?, value) {
                // Not an array (nested values are left to the unescaping reader): none.
                (Some(TOOL_SURCHARGES), _) => other.tool_surcharges = None,
                (Some(OTHER_RATIOS), _) => other.other_ratios = None,
                (Some(index), Escaped::Scalar(raw)) => other.set(index, raw),
                (Some(index), Escaped::Text(text)) => {
                    other.has_ratios |= matches!(index, MODEL_RATIO | MODEL_PRICE);
                    other.texts[index] = Some(Cow::Borrowed(text)).filter(|t| !trim(t).is_empty());
                }
                (None, _) => {}
            }
            Some(())
        })?;
        Some(other)
    }

    fn text(&self, key: usize) -> Option<&str> {
        self.texts[key].as_deref()
    }

    fn count(&self, key: usize) -> Result<Option<u64>, String> {
        self.text(key)
            .map(|t| count(t).map_err(|m| format!("{}: {m}", KEYS[key])))
            .transpose()
    }

    fn decimal(&self, key: usize) -> Result<Option<Decimal>, String> {
        self.text(key)
            .map(|t| parse_exact(t).map_err(|m| format!("{}: {m}", KEYS[key])))
            .transpose()
    }

    // Inlined into the row parser, its one caller (see `check_consistency`).
    #[inline(always)]
    pub fn anthropic_semantics(&self) -> bool {
        self.text(USAGE_SEMANTIC)
            .is_some_and(|s| s.eq_ignore_ascii_case("anthropic"))
    }

    /// Cache writes: `cache_creation_tokens` is the total when present; the `_1h` part is
    /// priced apart and the rest counts at the default 5-minute lifetime.
    pub fn usage(&self) -> Result<OtherUsage, String> {
        let five = self.count(CACHE_CREATION_TOKENS_5M)?.unwrap_or(0);
        let hour = self.count(CACHE_CREATION_TOKENS_1H)?.unwrap_or(0);
        let total = self
            .count(CACHE_CREATION_TOKENS)?
            .unwrap_or(five.saturating_add(hour));
        let reasoning = match self.count(REASONING_TOKENS)? {
            Some(n) => n,
            None => self.count(THINKING_TOKENS)?.unwrap_or(0),
        };
        let audio_input = match self.count(AUDIO_INPUT)? {
            Some(n) => n,
            None => self.count(AUDIO_INPUT_TOKEN_COUNT)?.unwrap_or(0),
        };
        Ok(OtherUsage {
            audio_input,
            audio_output: self.count(AUDIO_OUTPUT)?.unwrap_or(0),
            text_input: self.count(TEXT_INPUT)?.unwrap_or(0),
            text_output: self.count(TEXT_OUTPUT)?.unwrap_or(0),
            cache_read: self.count(CACHE_TOKENS)?.unwrap_or(0),
            cache_write_5m: total.saturating_sub(hour).max(five),
            cache_write_1h: hour,
            reasoning,
            tool_calls: self
                .tool_surcharges()?
                .iter()
                .try_fold(0u64, |sum, (count, _)| sum.checked_add(*count))
                .ok_or("tool_surcharges: expected call counts that add up to a count that fits, but found more")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One `"key": value` member, and whether it is of the plain shape read in place.
    fn member() -> impl Strategy<Value = (String, bool)> {
        let key = prop_oneof![
            proptest::sample::select(KEYS.to_vec()).prop_map(str::to_string),
            Just("tool_surcharges".to_string()),
            Just("other_ratios".to_string()),
            Just("frt".to_string()),
            Just("é key".to_string()),
        ];
        let number = "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,4})?([eE][+-]?[0-9])?";
        let value = prop_oneof![
            number.prop_map(|n| (n, true)),
            proptest::sample::select(vec![
                ("\"anthropic\"", true),
                ("\"\"", true),
                ("\" \"", true),
                ("\"é\"", true),
                ("true", true),
                ("false", true),
                ("null", true),
                // Other escapes, nested values, not JSON: left to the unescaping reader.
                ("\"a\\\"b\"", false),
                ("\"\\u00e9\"", false),
                ("[1]", false),
                ("[{\"count\":2,\"price\":10}]", false),
                ("{}", false),
                ("{\"n\":2,\"size\":1.5}", false),
                ("01", false),
            ])
            .prop_map(|(v, plain)| (v.to_string(), plain)),
        ];
        let space = proptest::sample::select(vec!["", " ", "  "]);
        (key, value, space)
            .prop_map(|(k, (v, plain), sp)| (format!("{sp}\"{k}\"{sp}:{sp}{v}{sp}"), plain))
    }

    proptest! {
        /// Read in place, an escaped `other` (in a JSON string, or in a CSV cell with its
        /// quotes doubled) gives what unescaping it and parsing that gives; and every
        /// object of the plain shape is read in place.
        #[test]
        fn read_in_place_is_read_unescaped(members in proptest::collection::vec(member(), 0..8)) {
            let text = format!(
                "{{{}}}",
                members.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>().join(",")
            );
            let raw = serde_json::to_string(&text).unwrap();
            let in_place = Other::parse_escaped(&raw[1..raw.len() - 1]);
            let plain = members.iter().all(|(_, plain)| *plain);
            prop_assert_eq!(in_place.is_some(), plain, "{}", raw);
            if let Some(fast) = in_place {
                let slow = Other::parse(&text).unwrap();
                prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
            }
            // The same object in a quoted CSV cell, its quotes doubled.
            let doubled = text.replace('"', "\"\"");
            let in_place = Other::parse_doubled(&doubled);
            prop_assert_eq!(in_place.is_some(), plain, "{}", doubled);
            if let Some(fast) = in_place {
                let slow = Other::parse(&text).unwrap();
                prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
            }
        }
    }

    #[test]
    fn audio_rows_give_their_split_and_ratios() {
        // (other, audio input, audio output, text input, text output, audio ratio, price)
        let cases = [
            // new-api's chat audio row (GenerateAudioOtherInfo).
            (
                r#"{"audio":true,"audio_input":1000,"audio_output":600,"text_input":300,"text_output":100,"audio_ratio":16,"audio_completion_ratio":2,"model_ratio":1.25}"#,
                (1000, 600, 300, 100),
                Some("16"),
                None,
            ),
            // A text row whose audio input has a price of its own (text_quota.go).
            (
                r#"{"model_ratio":0.15,"audio_input_seperate_price":true,"audio_input_token_count":900,"audio_input_price":0.7}"#,
                (900, 0, 0, 0),
                None,
                Some("0.7"),
            ),
            // No audio at all.
            (r#"{"model_ratio":1.25}"#, (0, 0, 0, 0), None, None),
        ];
        for (text, split, audio_ratio, price) in cases {
            let other = Other::parse(text).unwrap();
            let u = other.usage().unwrap();
            assert_eq!(
                (u.audio_input, u.audio_output, u.text_input, u.text_output),
                split,
                "{text}"
            );
            let r = other.ratios().unwrap().unwrap();
            let shown = |d: Option<Decimal>| d.map(|d| d.to_string());
            assert_eq!(shown(r.audio_ratio).as_deref(), audio_ratio, "{text}");
            assert_eq!(shown(r.audio_input_price).as_deref(), price, "{text}");
        }
        // The audio ratios are part of a ratio set's identity.
        let key = |text: &str| {
            let mut key = String::new();
            Other::parse(text).unwrap().ratio_key(&mut key);
            key
        };
        assert_ne!(
            key(r#"{"model_ratio":1,"audio_ratio":16}"#),
            key(r#"{"model_ratio":1,"audio_ratio":8}"#)
        );
    }

    #[test]
    fn other_ratios_multiply_and_state_images_and_seconds() {
        // (other, factors, images, seconds): new-api's image row (n from the request or
        // the images returned) and a video task (seconds and a size factor).
        let cases = [
            (
                r#"{"model_price":0.04,"other_ratios":{"n":2}}"#,
                Some("2"),
                Some("2"),
                None,
            ),
            (
                r#"{"model_price":0.1,"other_ratios":{"seconds":5,"size":1.666667}}"#,
                Some("8.333335"),
                None,
                Some("5"),
            ),
            (
                r#"{"model_price":0.1,"other_ratios":{"seconds":"8.0"}}"#,
                Some("8.0"),
                None,
                Some("8.0"),
            ),
            (r#"{"model_price":0.1,"other_ratios":{}}"#, None, None, None),
            (r#"{"model_price":0.1,"other_ratios":2}"#, None, None, None),
            (r#"{"model_ratio":1.25}"#, None, None, None),
        ];
        let shown = |d: Option<Decimal>| d.map(|d| d.to_string());
        for (text, factors, images, seconds) in cases {
            let r = Other::parse(text).unwrap().ratios().unwrap().unwrap();
            assert_eq!(shown(r.factors).as_deref(), factors, "{text}");
            assert_eq!(shown(r.images).as_deref(), images, "{text}");
            assert_eq!(shown(r.seconds).as_deref(), seconds, "{text}");
        }
        let refused = |text: &str| Other::parse(text).unwrap().ratios().unwrap_err();
        assert_eq!(
            refused(r#"{"model_price":0.1,"other_ratios":{"n":null}}"#),
            "other_ratios \"n\": expected a number, but found null"
        );
        assert!(
            refused(r#"{"model_price":0.1,"other_ratios":{"seconds":"five"}}"#)
                .starts_with("other_ratios \"seconds\": expected")
        );
        // The multipliers are not in the cached key: a row with them is read in full.
        let mut key = String::new();
        let other = Other::parse(r#"{"model_price":0.1,"other_ratios":{"n":2}}"#).unwrap();
        assert!(!other.ratio_key(&mut key));
    }

    #[test]
    fn reads_what_a_value_parse_would() {
        let ok = [
            (r#"{"model_ratio":1.25,"cache_tokens":"800"}"#, true),
            (r#"{"model_price":null}"#, true),
            (r#"{"frt":612,"x":{"y":[1,2]}}"#, false),
            (r#"{"model_ratio":1,"model_ratio":2.50}"#, true),
        ];
        for (text, has_ratios) in ok {
            let other = Other::parse(text).unwrap();
            assert_eq!(other.has_ratios, has_ratios, "{text}");
        }
        let twice = Other::parse(r#"{"model_ratio":1,"model_ratio":2.50}"#).unwrap();
        assert_eq!(twice.text(MODEL_RATIO), Some("2.50"));
        for bad in ["[1]", "\"x\"", "{\"a\":1,}", "{} x", "12", ""] {
            assert_eq!(
                Other::parse(bad).unwrap_err(),
                format!(
                    "expected the JSON object of billing ratios, but found {}",
                    quote(bad)
                ),
                "{bad}"
            );
        }
    }
}
