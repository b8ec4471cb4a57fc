//! Rate rows pasted from a spreadsheet: tab-separated (what a copied range gives), or
//! comma/semicolon-separated, with a header row naming the columns.

use super::RateText;
use crate::error::Error;

/// Header spellings, lowercased, for each field a pasted table may fill.
const HEADERS: &[(&str, &[&str])] = &[
    ("model", &["model", "model name", "service", "label"]),
    ("aliases", &["aliases", "alias"]),
    ("currency", &["currency"]),
    ("token_unit", &["token unit", "token_unit", "unit"]),
    ("input", &["input", "input price", "input $/1m", "prompt"]),
    (
        "cached_input",
        &["cached input", "cached_input", "cache read", "cached"],
    ),
    (
        "cache_write",
        &["cache write", "cache_write", "cache write 5m"],
    ),
    ("cache_write_1h", &["cache write 1h", "cache_write_1h"]),
    (
        "output",
        &["output", "output price", "output $/1m", "completion"],
    ),
    ("reasoning", &["reasoning"]),
    (
        "audio_input",
        &["audio input", "audio_input", "audio input $/1m"],
    ),
    (
        "audio_cached_input",
        &[
            "cached audio input",
            "audio cached input",
            "audio_cached_input",
            "cached audio",
        ],
    ),
    (
        "audio_output",
        &["audio output", "audio_output", "audio output $/1m"],
    ),
    (
        "per_call",
        &["per call", "per_call", "per request", "price per call"],
    ),
    ("per_image", &["per image", "per_image"]),
    ("per_second", &["per second", "per_second"]),
    (
        "per_1k_tool_calls",
        &[
            "per 1k tool calls",
            "per_1k_tool_calls",
            "web search per 1k",
        ],
    ),
    ("source_url", &["source url", "source_url", "url", "source"]),
    ("captured_at", &["captured at", "captured_at"]),
    ("captured_by", &["captured by", "captured_by"]),
    ("label", &["label", "confidence"]),
    ("note", &["note", "notes"]),
];

/// Reads a pasted table into rate rows. Cells are kept as typed (validation comes
/// later, with paths); `$` signs and surrounding spaces are dropped from prices.
pub fn rates_from_table(text: &str) -> Result<Vec<RateText>, Error> {
    let fail = |message: String| Error::field("pasted table", message);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines
        .next()
        .ok_or_else(|| fail("expected a header row and rate rows, but found nothing".into()))?;
    let delimiter = ['\t', ';', ',']
        .into_iter()
        .max_by_key(|d| header.matches(*d).count())
        .unwrap_or('\t');
    let mut fields = Vec::new();
    for name in header.split(delimiter) {
        let name = name.trim().to_lowercase();
        let field = HEADERS
            .iter()
            .find(|(_, spellings)| spellings.contains(&name.as_str()))
            .map(|(f, _)| *f);
        fields.push(field.ok_or_else(|| {
            fail(format!("expected column names such as model, input, cached input, output, per call, source url, but found \"{name}\""))
        })?);
    }
    if !fields.contains(&"model") {
        return Err(fail("expected a model column, but found none".into()));
    }
    let mut rates = Vec::new();
    for line in lines {
        // The model comes from its column, the label too if the table has one.
        let mut rate = RateText::new_entry("");
        for (field, cell) in fields.iter().zip(line.split(delimiter)) {
            let cell = cell.trim();
            let is_price = !matches!(
                *field,
                "model"
                    | "aliases"
                    | "currency"
                    | "token_unit"
                    | "source_url"
                    | "captured_at"
                    | "captured_by"
                    | "label"
                    | "note"
            );
            let value = if is_price {
                cell.trim_start_matches('$').trim().to_string()
            } else {
                cell.to_string()
            };
            if let Some(slot) = rate.field_mut(field) {
                *slot = value;
            }
        }
        rate.verify_when_sourced();
        rates.push(rate);
    }
    Ok(rates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_tab_separated_table() {
        let text = "Model\tInput\tCached input\tOutput\tSource URL\ngpt-4o\t$2.50\t$1.25\t$10.00\thttps://example.com/p\n";
        let rates = rates_from_table(text).unwrap();
        assert_eq!(rates.len(), 1);
        assert_eq!(
            (
                rates[0].model.as_str(),
                rates[0].input.as_str(),
                rates[0].output.as_str()
            ),
            ("gpt-4o", "2.50", "10.00")
        );
        assert_eq!(rates[0].source_url, "https://example.com/p");
    }

    #[test]
    fn pasted_audio_prices_fill_the_audio_fields() {
        let text = "model,audio input,cached audio input,audio output\ngpt-4o-audio-preview,$40,$2.50,$80\n";
        let rates = rates_from_table(text).unwrap();
        let r = &rates[0];
        assert_eq!(
            (
                r.audio_input.as_str(),
                r.audio_cached_input.as_str(),
                r.audio_output.as_str()
            ),
            ("40", "2.50", "80")
        );
    }

    #[test]
    fn unknown_column_is_named() {
        let error = rates_from_table("model;colour\ngpt-4o;red").unwrap_err();
        assert_eq!(error.message, "expected column names such as model, input, cached input, output, per call, source url, but found \"colour\"");
    }
}
