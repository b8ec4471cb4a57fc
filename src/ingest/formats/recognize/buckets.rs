//! Report buckets (`{"object":"bucket","start_time":…,"results":[…]}`) as OpenAI's and
//! Anthropic's usage and cost APIs page them (`{"object":"page","data":[…]}`), or as one
//! bare JSON array of the pages' buckets joined (what OpenAI's cookbook saves). Which
//! report they are is decided by the first result that says so, however many empty
//! buckets come before it; both forms are decided by the same walk, so they agree.
//!
//! The walk reads the document's start as far as it goes: a value cut off at the end of
//! the text only ends the walk, and what was seen before the cut stands.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::ingest::formats::Format;

/// What the start of a JSON document says about report buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Buckets {
    /// Not a list of report buckets (or too little of one to tell).
    None,
    /// Buckets, but none of their results seen so far says which report they are.
    Undecided,
    /// The report the first telling result belongs to.
    Report(Format),
}

/// Said of a file of buckets none of whose results tells which report it is.
pub const UNDECIDED: &str = "expected a result in the report's buckets that says which report this is (usage or costs), but found only buckets without one; choose the report under \"Read as\" (a report without results adds nothing)";

/// Which report buckets a JSON document holds, from its start (`head`).
pub fn buckets(head: &str) -> Buckets {
    let mut walk = Walk::default();
    let mut de = serde_json::Deserializer::from_str(head);
    // An error only ends the walk (a value cut off, a decision made): what it saw stands.
    let _ = Root(&mut walk).deserialize(&mut de);
    match (walk.report, walk.buckets) {
        (Some(format), _) => Buckets::Report(format),
        (None, true) => Buckets::Undecided,
        (None, false) => Buckets::None,
    }
}

/// Formats whose records are bucket results: a JSON array of them may hold whole
/// buckets, each read as the page's `data` would be.
pub fn in_buckets(format: Format) -> bool {
    matches!(
        format,
        Format::OpenAiUsageReport
            | Format::OpenAiCosts
            | Format::AnthropicUsageReport
            | Format::AnthropicCostReport
    )
}

/// The report a bucket result belongs to, by the fields only that report's results have.
fn result_format(result: &Map<String, Value>) -> Option<Format> {
    let has = |k: &str| result.contains_key(k);
    let object = result.get("object").and_then(Value::as_str).unwrap_or("");
    if object == "organization.costs.result" || has("line_item") {
        return Some(Format::OpenAiCosts);
    }
    if has("cost_type") || has("token_type") {
        return Some(Format::AnthropicCostReport);
    }
    if has("uncached_input_tokens") {
        return Some(Format::AnthropicUsageReport);
    }
    if object.starts_with("organization.usage.")
        || has("num_model_requests")
        || has("input_cached_tokens")
    {
        return Some(Format::OpenAiUsageReport);
    }
    None
}

#[derive(Default)]
struct Walk {
    /// The first element of the list is a bucket: `"object":"bucket"` or a `results` list.
    buckets: bool,
    report: Option<Format>,
}

impl Walk {
    fn decided(&self) -> bool {
        self.report.is_some()
    }
}

fn stop<E: de::Error>() -> E {
    E::custom("decided")
}

/// A bucket or a `results` that is a scalar or a list is not what the walk looks for,
/// but it must not end it either (it is a rejected row, and the next bucket may tell).
macro_rules! pass_over_other_values {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            Ok(())
        }
    };
}

/// The document: a bare list of buckets, or a page whose `data` is one.
struct Root<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of report buckets or a page of them")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        List(self.0).visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "data" {
                map.next_value_seed(List(&mut *self.0))?;
                return Err(stop());
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// A list whose first element must be a bucket; the walk goes on through the others
/// until a result tells the report.
struct List<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for List<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for List<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of report buckets")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Bucket(&mut *self.0))?.is_some() {
            if self.0.decided() || !self.0.buckets {
                return Err(stop());
            }
        }
        Ok(())
    }
}

/// One bucket: its `object` and its `results`, whatever order they come in.
struct Bucket<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Bucket<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bucket<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a report bucket")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "object" => {
                    if map.next_value::<Value>()? == "bucket" {
                        self.0.buckets = true;
                    }
                }
                "results" => {
                    map.next_value_seed(Results(&mut *self.0))?;
                    if self.0.decided() {
                        return Err(stop());
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    // Anything but an object is no bucket (the first element decides the list).
    pass_over_other_values!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// A bucket's results, each read whole and asked which report it belongs to.
struct Results<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Results<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Results<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a bucket's results")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.buckets = true;
        while let Some(result) = seq.next_element::<Value>()? {
            if let Some(format) = result.as_object().and_then(result_format) {
                self.0.report = Some(format);
                return Err(stop());
            }
        }
        Ok(())
    }

    pass_over_other_values!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_told_by_their_first_telling_result_in_either_form() {
        let usage = r#"{"object":"organization.usage.completions.result","input_tokens":1}"#;
        let costs = r#"{"object":"organization.costs.result","amount":{"value":1}}"#;
        let empty = r#"{"object":"bucket","start_time":1,"end_time":2,"results":[]}"#;
        let cases: Vec<(String, Buckets)> = vec![
            (format!("[{empty},{{\"results\":[{usage}]}}]"), Buckets::Report(Format::OpenAiUsageReport)),
            (format!("{{\"object\":\"page\",\"data\":[{empty},{empty},{{\"object\":\"bucket\",\"results\":[{costs}]}}]}}"), Buckets::Report(Format::OpenAiCosts)),
            // Results first, `object` last: still a bucket.
            (r#"[{"results":[{"uncached_input_tokens":1}],"object":"bucket"}]"#.into(), Buckets::Report(Format::AnthropicUsageReport)),
            (r#"[{"starting_at":"x","results":[{"cost_type":"tokens"}]}]"#.into(), Buckets::Report(Format::AnthropicCostReport)),
            // Only empty buckets, or results that say nothing: undecided, never guessed.
            (format!("[{empty},{empty}]"), Buckets::Undecided),
            (r#"[{"object":"bucket","results":[{"model":"m"}]}]"#.into(), Buckets::Undecided),
            // A bucket or result that is no object is passed over, not an end.
            (format!("[{empty},7,-1.5e3,\"x\",null,[1],{{\"results\":9}},{{\"results\":[3,{costs}]}}]"), Buckets::Report(Format::OpenAiCosts)),
            // Cut off before a telling result: undecided so far; cut inside one: the same.
            (format!("[{empty},{{\"results\":[{{\"object\":\"organization.us"), Buckets::Undecided),
            (format!("[{empty},{{\"results\":[{usage}"), Buckets::Report(Format::OpenAiUsageReport)),
            // Not buckets: client records, log rows, a page of log rows, a scalar.
            (r#"[{"model":"m","usage":{"prompt_tokens":1}},{"results":[]}]"#.into(), Buckets::None),
            (r#"{"success":true,"data":{"items":[{"quota":1}]}}"#.into(), Buckets::None),
            (r#"{"success":true,"data":[{"quota":1,"results":[]}]}"#.into(), Buckets::Undecided),
            (r#"{"success":true,"data":[{"quota":1}]}"#.into(), Buckets::None),
            ("[1,2]".into(), Buckets::None),
            ("[".into(), Buckets::None),
            ("".into(), Buckets::None),
        ];
        for (head, expected) in cases {
            assert_eq!(buckets(&head), expected, "{head}");
        }
    }
}
