//! The rate card as the reviewer typed it: every figure kept as text (nothing typed is
//! reformatted), each field addressable by its JSON key so one editor, the paste reader
//! and the settings edits can reach any of them. [`super::validate`] turns it into exact
//! values.

use serde::{Deserialize, Serialize};

use super::Confidence;

/// One entry of the rate card, as typed. Empty text means "not priced on this page".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateText {
    pub model: String,
    /// Log names that mean this entry, comma-separated (`gpt-4o-2024-08-06, gpt-4o-2024-11-20`).
    pub aliases: String,
    /// ISO 4217 code of the prices; empty means USD.
    pub currency: String,
    /// Token unit the token prices are quoted per: `1M` (default), `1K` or `1`.
    pub token_unit: String,
    pub input: String,
    pub cached_input: String,
    /// Cache write at the default (5-minute) lifetime.
    pub cache_write: String,
    pub cache_write_1h: String,
    pub output: String,
    /// Only when the page prices reasoning apart from output.
    pub reasoning: String,
    /// Audio tokens, per the token unit like the text prices above.
    pub audio_input: String,
    /// Cached audio input, for exports that state it apart.
    pub audio_cached_input: String,
    pub audio_output: String,
    pub per_call: String,
    pub per_image: String,
    pub per_second: String,
    /// e.g. web search, per 1,000 calls.
    pub per_1k_tool_calls: String,
    /// Above this many input tokens in one request, the whole request is repriced.
    pub long_context_above: String,
    pub long_context_input: String,
    pub long_context_cached_input: String,
    pub long_context_output: String,
    /// new-api ratio form, instead of the USD prices above (converted at 500,000 quota/USD).
    pub model_ratio: String,
    pub completion_ratio: String,
    pub cache_ratio: String,
    pub cache_creation_ratio: String,
    pub model_price: String,
    pub effective_from: String,
    pub effective_to: String,
    pub source_url: String,
    pub captured_at: String,
    /// A role, not a name (`finance reviewer`).
    pub captured_by: String,
    /// verified / inferred / unknown
    pub label: String,
    pub note: String,
}

impl RateText {
    /// A new entry for `model`, as the reviewer adds one: unverified (an empty label,
    /// read as unknown) until it says where the prices were read and when
    /// ([`RateText::verify_when_sourced`]).
    pub fn new_entry(model: &str) -> RateText {
        RateText {
            model: model.to_string(),
            ..RateText::default()
        }
    }

    /// An entry not yet labelled becomes verified once it names its pricing page and
    /// when it was read; a label the reviewer chose is kept.
    pub fn verify_when_sourced(&mut self) {
        verify_when_sourced(&mut self.label, &self.source_url, &self.captured_at);
    }

    /// Every text field with its JSON key: one listing for the editor, the paste
    /// reader and anything else that addresses a field by name.
    pub fn fields_mut(&mut self) -> [(&'static str, &mut String); 33] {
        [
            ("model", &mut self.model),
            ("aliases", &mut self.aliases),
            ("currency", &mut self.currency),
            ("token_unit", &mut self.token_unit),
            ("input", &mut self.input),
            ("cached_input", &mut self.cached_input),
            ("cache_write", &mut self.cache_write),
            ("cache_write_1h", &mut self.cache_write_1h),
            ("output", &mut self.output),
            ("reasoning", &mut self.reasoning),
            ("audio_input", &mut self.audio_input),
            ("audio_cached_input", &mut self.audio_cached_input),
            ("audio_output", &mut self.audio_output),
            ("per_call", &mut self.per_call),
            ("per_image", &mut self.per_image),
            ("per_second", &mut self.per_second),
            ("per_1k_tool_calls", &mut self.per_1k_tool_calls),
            ("long_context_above", &mut self.long_context_above),
            ("long_context_input", &mut self.long_context_input),
            (
                "long_context_cached_input",
                &mut self.long_context_cached_input,
            ),
            ("long_context_output", &mut self.long_context_output),
            ("model_ratio", &mut self.model_ratio),
            ("completion_ratio", &mut self.completion_ratio),
            ("cache_ratio", &mut self.cache_ratio),
            ("cache_creation_ratio", &mut self.cache_creation_ratio),
            ("model_price", &mut self.model_price),
            ("effective_from", &mut self.effective_from),
            ("effective_to", &mut self.effective_to),
            ("source_url", &mut self.source_url),
            ("captured_at", &mut self.captured_at),
            ("captured_by", &mut self.captured_by),
            ("label", &mut self.label),
            ("note", &mut self.note),
        ]
    }

    /// Whether any price (or new-api ratio) has been typed, valid or not.
    pub fn has_price(&self) -> bool {
        [
            &self.input,
            &self.cached_input,
            &self.cache_write,
            &self.cache_write_1h,
            &self.output,
            &self.reasoning,
            &self.audio_input,
            &self.audio_cached_input,
            &self.audio_output,
            &self.per_call,
            &self.per_image,
            &self.per_second,
            &self.per_1k_tool_calls,
            &self.model_ratio,
            &self.model_price,
        ]
        .iter()
        .any(|t| !t.trim().is_empty())
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        self.fields_mut()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    pub fn field(&self, key: &str) -> String {
        self.clone()
            .field_mut(key)
            .map(|v| v.clone())
            .unwrap_or_default()
    }
}

/// A named multiplier, visible in every line it touches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactorText {
    pub name: String,
    pub value: String,
    /// Models (labels or aliases) it applies to, comma-separated; empty means all.
    pub models: String,
    /// `all` (default), `tokens` or `calls`.
    pub applies_to: String,
    pub source_url: String,
    pub captured_at: String,
    pub captured_by: String,
    pub label: String,
    pub note: String,
}

impl FactorText {
    /// A new factor, unverified until sourced, as a new rate entry is
    /// ([`RateText::new_entry`]).
    pub fn new_entry() -> FactorText {
        FactorText::default()
    }

    /// As [`RateText::verify_when_sourced`].
    pub fn verify_when_sourced(&mut self) {
        verify_when_sourced(&mut self.label, &self.source_url, &self.captured_at);
    }

    /// Every text field with its JSON key, as [`RateText::fields_mut`].
    pub fn fields_mut(&mut self) -> [(&'static str, &mut String); 9] {
        [
            ("name", &mut self.name),
            ("value", &mut self.value),
            ("models", &mut self.models),
            ("applies_to", &mut self.applies_to),
            ("source_url", &mut self.source_url),
            ("captured_at", &mut self.captured_at),
            ("captured_by", &mut self.captured_by),
            ("label", &mut self.label),
            ("note", &mut self.note),
        ]
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        self.fields_mut()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    pub fn field(&self, key: &str) -> String {
        self.clone()
            .field_mut(key)
            .map(|v| v.clone())
            .unwrap_or_default()
    }
}

/// The rate card on its own: what "Export rate card" writes and "Import" reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateCardText {
    pub schema_version: u32,
    pub rates: Vec<RateText>,
    pub factors: Vec<FactorText>,
}

impl RateCardText {
    /// The version of the document's format (`schemas/rate-card.schema.json`).
    pub const SCHEMA_VERSION: u32 = 1;

    /// A rate card document of these entries and factors, in the current format.
    pub fn new(rates: Vec<RateText>, factors: Vec<FactorText>) -> RateCardText {
        RateCardText {
            schema_version: Self::SCHEMA_VERSION,
            rates,
            factors,
        }
    }

    pub fn from_json(text: &str) -> Result<RateCardText, crate::error::Error> {
        crate::error::from_json_with_path(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the rate card is plain strings") + "\n"
    }

    /// The SHA-256 of the card as "Export rate card" writes it: which card a figure or
    /// an export was computed with, checkable against the exported file.
    pub fn sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.to_json().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// An empty label becomes "verified" once the page and the time it was read are both
/// given; a label the reviewer chose is theirs.
fn verify_when_sourced(label: &mut String, source_url: &str, captured_at: &str) {
    if label.trim().is_empty() && !source_url.trim().is_empty() && !captured_at.trim().is_empty() {
        *label = Confidence::Verified.name().to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_entries_start_unverified_until_sourced() {
        let mut rate = RateText::new_entry("gpt-4o");
        assert_eq!((rate.model.as_str(), rate.label.as_str()), ("gpt-4o", ""));
        assert!(!rate.has_price());
        rate.source_url = "https://apidoc.cometapi.com/about-pricing-873788m0".into();
        rate.verify_when_sourced();
        assert_eq!(
            rate.label, "",
            "a page without the time it was read is not enough"
        );
        rate.captured_at = "2026-05-11T11:08:00Z".into();
        rate.verify_when_sourced();
        assert_eq!(rate.label, "verified");
        let mut chosen = RateText {
            label: "inferred".into(),
            ..rate.clone()
        };
        chosen.verify_when_sourced();
        assert_eq!(chosen.label, "inferred", "the reviewer's choice is kept");
        let mut factor = FactorText::new_entry();
        assert_eq!((factor.label.as_str(), factor.name.as_str()), ("", ""));
        factor.source_url = "https://example.com".into();
        factor.captured_at = "2026-05-11T11:08:00Z".into();
        factor.verify_when_sourced();
        assert_eq!(factor.label, "verified");
    }

    #[test]
    fn every_factor_field_is_reached_by_its_json_key() {
        let mut factor = FactorText::default();
        let keys: Vec<&str> = factor.fields_mut().iter().map(|(k, _)| *k).collect();
        for key in &keys {
            *factor.field_mut(key).unwrap() = format!("<{key}>");
        }
        let json = serde_json::to_value(&factor).unwrap();
        let object = json.as_object().unwrap();
        assert_eq!(object.len(), keys.len(), "every serialized field is listed");
        for key in keys {
            assert_eq!(object[key], format!("<{key}>"));
            assert_eq!(factor.field(key), format!("<{key}>"));
        }
        assert_eq!(factor.field_mut("colour"), None);
    }

    #[test]
    fn a_new_rate_card_document_has_the_current_version() {
        let card = RateCardText::new(vec![RateText::new_entry("m")], Vec::new());
        let json: serde_json::Value = serde_json::from_str(&card.to_json()).unwrap();
        assert_eq!(json["schema_version"], RateCardText::SCHEMA_VERSION);
        assert_eq!(RateCardText::from_json(&card.to_json()).unwrap(), card);
    }
}
