//! Provider-side exports: billing (what was charged, in money) and usage reports (what
//! was counted, in tokens, per time bucket). Each record is one bucket result: the
//! readers flatten `data[].results[]` pages and give every result its bucket's times.
//!
//! Facts relied on (reference/formats.md §2–4): OpenAI Costs amounts are numbers in a
//! lowercase currency, buckets are UTC days in Unix seconds; Anthropic cost_report
//! amounts are **cents** written as decimal strings ("123.45" = $1.2345); FOCUS rows
//! carry BilledCost in BillingCurrency over [ChargePeriodStart, ChargePeriodEnd), and
//! purchases and taxes are not usage; CometAPI's balance query reports daily usage in
//! USD per key, on days whose time zone is undocumented (the reviewer states it).

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::record_fields::{empty, FieldError, Fields};
use super::row::{Counts, TokenSemantic};
use super::Format;

/// A money amount the provider recorded for a time bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    pub start: Timestamp,
    pub end: Timestamp,
    /// The model or line item charged, as the export names it.
    pub item: String,
    /// Uppercase ISO 4217.
    pub currency: String,
    pub amount: Decimal,
}

/// Token usage the provider counted for a time bucket.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageBucket {
    pub start: Timestamp,
    pub end: Timestamp,
    /// [`crate::sanitize::NO_MODEL`] when the report was not grouped by model.
    pub model: String,
    pub counts: Counts,
    pub semantic: TokenSemantic,
    /// The requests the bucket counts (`num_model_requests`); None when it does not say.
    pub requests: Option<u64>,
}

/// A charge, or None for a row that is not a usage charge (a FOCUS purchase or tax).
pub fn charge(format: Format, fields: &Fields) -> Result<Option<Charge>, FieldError> {
    let (start, end) = period(format, fields)?;
    let charge = |item: String, currency: String, amount: Decimal| {
        Ok(Some(Charge {
            start,
            end,
            item,
            currency: currency.to_ascii_uppercase(),
            amount,
        }))
    };
    match format {
        Format::OpenAiCosts | Format::OpenAiCostCsv => {
            let item = fields.text(&["line_item"]);
            let amount = fields.amount(&["amount.value", "amount_value"])?;
            let currency = fields.text(&["amount.currency", "amount_currency"]);
            match (amount, currency) {
                (Some(amount), Some(currency)) => charge(
                    item.unwrap_or_else(|| "all line items".into()),
                    currency,
                    amount,
                ),
                // The dashboard writes days without spend as rows with empty fields.
                (None, None) if item.is_none() => {
                    charge("no spend".into(), "USD".into(), Decimal::ZERO)
                }
                (None, _) => Err(empty("amount_value", "an amount")),
                (Some(_), None) => Err(empty("amount_currency", "a currency")),
            }
        }
        Format::AnthropicCostReport => {
            let cents = fields
                .amount(&["amount"])?
                .ok_or_else(|| empty("amount", "an amount"))?;
            let currency = fields
                .text(&["currency"])
                .ok_or_else(|| empty("currency", "a currency"))?;
            // Cents to units: dividing by 100 only moves the decimal point, never rounds.
            let amount =
                crate::decimal::exact_div(cents, Decimal::ONE_HUNDRED).ok_or_else(|| {
                    (
                        "amount".to_string(),
                        "expected an amount that fits, but found one too large".to_string(),
                    )
                })?;
            let item = fields
                .text(&["model", "description", "cost_type"])
                .unwrap_or_else(|| "all models".into());
            charge(item, currency, amount)
        }
        Format::Focus => {
            let category = fields.text(&["ChargeCategory"]).unwrap_or_default();
            if matches!(category.to_ascii_lowercase().as_str(), "purchase" | "tax") {
                return Ok(None);
            }
            let amount = fields
                .amount(&["BilledCost"])?
                .ok_or_else(|| empty("BilledCost", "an amount"))?;
            let currency = fields
                .text(&["BillingCurrency"])
                .ok_or_else(|| empty("BillingCurrency", "a currency"))?;
            let item = fields
                .text(&["SkuId", "ResourceName", "ServiceName", "ChargeDescription"])
                .unwrap_or_else(|| "all services".into());
            charge(item, currency, amount)
        }
        Format::CometApiAccount => {
            let amount = fields
                .amount(&["quota_used"])?
                .ok_or_else(|| empty("quota_used", "an amount"))?;
            charge("account daily usage".into(), "USD".into(), amount)
        }
        _ => Ok(None),
    }
}

/// One usage-report bucket result; None for a bucket with nothing in it (the dashboard
/// writes hours and days without usage as rows of empty cells).
pub fn usage(format: Format, fields: &Fields) -> Result<Option<UsageBucket>, FieldError> {
    let counted = [
        "input_tokens",
        "output_tokens",
        "uncached_input_tokens",
        "model",
    ];
    if counted.iter().all(|c| fields.text(&[c]).is_none()) {
        return Ok(None);
    }
    let (start, end) = period(format, fields)?;
    let model = fields
        .text(&["model"])
        .unwrap_or_else(|| crate::sanitize::NO_MODEL.into());
    let count = |paths: &[&str]| fields.count(paths).map(|c| c.unwrap_or(0));
    let (counts, semantic) = if format == Format::AnthropicUsageReport {
        let counts = Counts {
            prompt: fields.need_count(&["uncached_input_tokens"])?,
            cache_read: count(&["cache_read_input_tokens"])?,
            cache_write: count(&["cache_creation.ephemeral_5m_input_tokens"])?,
            cache_write_1h: count(&["cache_creation.ephemeral_1h_input_tokens"])?,
            completion: fields.need_count(&["output_tokens"])?,
            tool_calls: count(&["server_tool_use.web_search_requests"])?,
            ..Counts::default()
        };
        (counts, TokenSemantic::Additive)
    } else {
        (openai_usage(fields)?, TokenSemantic::Inclusive)
    };
    Ok(Some(UsageBucket {
        start,
        end,
        model,
        counts,
        semantic,
        // Anthropic's usage report states no request count; OpenAI's always should.
        requests: fields.count(&["num_model_requests"])?,
    }))
}

/// Fields only the newer form of OpenAI's completions usage result has: their presence
/// says how the file's input and audio counts are meant.
const BREAKDOWN: [&str; 4] = [
    "input_uncached_tokens",
    "input_text_tokens",
    "input_cached_text_tokens",
    "output_text_tokens",
];

/// One OpenAI completions usage result (API page or dashboard Activity CSV), read by what
/// its own fields say (reference: OpenAI's `UsageCompletionsResult`, older and newer):
///
/// - newer (the breakdown fields present): `input_tokens` is all input, cached and
///   cache-write included, text, audio and image; `input_cached_tokens` is cached input
///   of every kind, of which `input_cached_audio_tokens` audio; `input_audio_tokens` is
///   *uncached* audio; `output_tokens` is all output, of which `output_audio_tokens` audio;
/// - older: `input_tokens` and `input_cached_tokens` are text only, `input_audio_tokens`
///   is audio with its cached part inside (it cannot be split off), `output_tokens` is
///   text only, `output_audio_tokens` audio on top.
///
/// Image and cache-write tokens stay where the format puts them: in the (text) input.
fn openai_usage(fields: &Fields) -> Result<Counts, FieldError> {
    let count = |path: &str| fields.count(&[path]).map(|c| c.unwrap_or(0));
    let input = fields.need_count(&["input_tokens"])?;
    let output = fields.need_count(&["output_tokens"])?;
    let cached = count("input_cached_tokens")?;
    let audio_in = count("input_audio_tokens")?;
    let audio_out = count("output_audio_tokens")?;
    let too_large = |column: &str| {
        (
            column.to_string(),
            "expected token counts whose sum fits, but found them too large".to_string(),
        )
    };
    let newer = BREAKDOWN.iter().any(|f| fields.has(f));
    let counts = if newer {
        let audio_cached = count("input_cached_audio_tokens")?;
        let text_cached = cached.checked_sub(audio_cached).ok_or_else(|| {
            (
                "input_cached_audio_tokens".to_string(),
                format!("expected input_cached_tokens to include the {audio_cached} cached audio tokens, but found only {cached}"),
            )
        })?;
        Counts {
            prompt: input,
            completion: output,
            cache_read: text_cached,
            audio_input: audio_in,
            audio_cached_input: audio_cached,
            audio_output: audio_out,
            ..Counts::default()
        }
    } else {
        Counts {
            prompt: input
                .checked_add(audio_in)
                .ok_or_else(|| too_large("input_audio_tokens"))?,
            completion: output
                .checked_add(audio_out)
                .ok_or_else(|| too_large("output_audio_tokens"))?,
            cache_read: cached,
            audio_input: audio_in,
            audio_output: audio_out,
            ..Counts::default()
        }
    };
    if cached > input {
        return Err((
            "input_cached_tokens".into(),
            format!("expected input_tokens to include the {cached} cached tokens, but found only {input}"),
        ));
    }
    if counts.uncached_input(TokenSemantic::Inclusive).is_none() {
        return Err((
            "input_audio_tokens".into(),
            format!(
                "expected input_tokens to include the {cached} cached and {audio_in} uncached audio tokens, but found only {input}"
            ),
        ));
    }
    if audio_out > counts.completion {
        return Err((
            "output_audio_tokens".into(),
            format!("expected output_tokens to include the {audio_out} audio tokens, but found only {output}"),
        ));
    }
    // The file's own statement of its uncached input, when it makes one, must be ours.
    if let Some(stated) = fields.count(&["input_uncached_tokens"])? {
        let writes = count("input_cache_write_tokens")?
            .saturating_add(count("input_cache_write_12h_tokens")?);
        let ours = input.saturating_sub(cached).saturating_sub(writes);
        if stated != ours {
            return Err((
                "input_uncached_tokens".into(),
                format!("expected input_uncached_tokens to be input_tokens less the cached and cache-write tokens ({ours}), but found {stated}"),
            ));
        }
    }
    Ok(counts)
}

/// The bucket a record covers: [start, end).
fn period(format: Format, fields: &Fields) -> Result<(Timestamp, Timestamp), FieldError> {
    if format == Format::CometApiAccount {
        let date = fields
            .text(&["date"])
            .ok_or_else(|| empty("date", "a date"))?;
        let day: jiff::civil::Date = date.parse().map_err(|_| {
            (
                "date".to_string(),
                format!(
                    "expected a date like 2026-01-01, but found {}",
                    crate::decimal::quote(&date)
                ),
            )
        })?;
        let Some(zone) = &fields.format().zone else {
            return Err(("date".into(), format!(
                "expected the time zone of CometAPI's daily totals to be stated, but found none; the balance query does not say which zone its days are in: state it under \"Times without a zone\" (for {date})"
            )));
        };
        // The day as that zone keeps it: midnight to the next midnight (23 or 25 hours
        // on the days daylight saving time starts or ends).
        let midnight = |day: jiff::civil::Date| {
            day.to_zoned(zone.clone())
                .map(|z| z.timestamp())
                .map_err(|_| {
                    (
                        "date".to_string(),
                        format!("expected a date that exists, but found {date}"),
                    )
                })
        };
        let next = day.tomorrow().map_err(|_| {
            (
                "date".to_string(),
                format!("expected a date that exists, but found {date}"),
            )
        })?;
        let (start, end) = (midnight(day)?, midnight(next)?);
        return Ok((start, end));
    }
    // Each export's own names, so a missing time is named as the export writes it.
    let (starts, ends): (&[&str], &[&str]) = match format {
        Format::AnthropicUsageReport | Format::AnthropicCostReport => {
            (&["starting_at"], &["ending_at"])
        }
        Format::Focus => (&["ChargePeriodStart"], &["ChargePeriodEnd"]),
        _ => (
            &["start_time", "start_time_iso"],
            &["end_time", "end_time_iso"],
        ),
    };
    let start = fields.time(starts)?;
    let end = fields.time(ends)?;
    if end <= start {
        return Err((
            ends[0].into(),
            format!("expected the bucket to end after it starts ({start}), but found {end}"),
        ));
    }
    Ok((start, end))
}
