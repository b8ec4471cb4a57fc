//! Client-side request logs: what the caller saw for each request (the seed's first
//! evidence stream). One record per request: OpenAI chat or Responses `usage`, Anthropic
//! Messages `usage`, a LiteLLM spend-log row, or the seed's normalized
//! `ai_request_cost_observation` event.
//!
//! Token semantics differ by source and are fixed per format, never guessed per row:
//! OpenAI and LiteLLM `prompt_tokens` include cached tokens (cached ⊂ prompt, reasoning ⊂
//! completion); Anthropic `input_tokens` is uncached input only, cache reads and writes
//! come on top. A usage figure the log leaves null or out is unknown: the request is
//! counted, its usage is not priced, and it is never read as zero.

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::record_fields::{FieldError, Fields};
use super::row::{Counts, TokenSemantic};
use super::Format;
use crate::policy::Outcome;

mod outcome;

use outcome::outcome;
pub(in crate::ingest) use outcome::{http_outcome, status_word};

/// One request as the client recorded it.
#[derive(Debug, PartialEq, Eq)]
pub struct ClientRow {
    /// None when the record states no time (an Anthropic Message has none): the review
    /// settings say whether such a request is rejected or counted without the window.
    pub at: Option<Timestamp>,
    pub model: String,
    pub outcome: Outcome,
    /// None when the log does not give the usage (null or absent): unknown, not zero.
    pub counts: Option<Counts>,
    pub semantic: TokenSemantic,
    /// A cost the client side computed itself (LiteLLM `spend`, the event's estimate).
    pub reported_cost: Option<Decimal>,
    /// The request's id as the client logged it, to join with the gateway's.
    pub request_id: Option<String>,
    /// When the request ended, in formats that log it (the seed's event, LiteLLM):
    /// a request straddling a window edge shows here.
    pub end: Option<Timestamp>,
    /// Whether the format logs an end time: a successful request without one there was
    /// logged when it started, not when it completed.
    pub ends_logged: bool,
}

/// Where client logs keep the time a request ended.
const END: &[&str] = &["ended_at_utc", "endTime", "end_time"];

/// Where client logs keep a request id: the gateway's own first, then the provider's.
const REQUEST_ID: &[&str] = &[
    "request_id",
    "request_correlation_id",
    "cometapi_response_id",
    "id",
    "response.id",
];

const TIME: &[&str] = &[
    "started_at_utc",
    "startTime",
    "created_at",
    "created",
    "timestamp",
    "time",
    "response.created_at",
    "response.created",
];
const MODEL: &[&str] = &[
    "model",
    "configured_model",
    "model_group",
    "response.model",
    "request.model",
];

/// Where a format keeps its usage object.
fn usage_roots(format: Format) -> &'static [&'static str] {
    match format {
        Format::CostObservation => &["usage_from_response"],
        Format::LiteLlmSpendLogs => &[""],
        _ => &["usage", "response.usage", ""],
    }
}

fn join(root: &str, name: &str) -> String {
    if root.is_empty() {
        name.to_string()
    } else {
        format!("{root}.{name}")
    }
}

/// The first usage root present in the record ("" is the record itself).
fn usage_root(fields: &Fields, format: Format, probe: &str) -> &'static str {
    let roots = usage_roots(format);
    roots
        .iter()
        .copied()
        .find(|root| fields.has(&join(root, probe)) || (!root.is_empty() && fields.has(root)))
        .unwrap_or(roots[roots.len() - 1])
}

/// Reads one client record of `format`.
pub fn parse(format: Format, fields: &Fields) -> Result<ClientRow, FieldError> {
    let at = fields.time_if_any(TIME)?;
    let model = fields
        .text(MODEL)
        .ok_or_else(|| super::record_fields::empty("model", "a model name"))?;
    let outcome = outcome(fields)?;
    let (counts, semantic) = match format {
        Format::ClientAnthropic => (anthropic(fields)?, TokenSemantic::Additive),
        Format::ClientOpenAiResponses => (responses(fields, format)?, TokenSemantic::Inclusive),
        _ => (chat(fields, format)?, TokenSemantic::Inclusive),
    };
    if let Some(counts) = &counts {
        check(counts, semantic, &USAGE_NAMES)?;
    }
    let reported_cost = match format {
        Format::LiteLlmSpendLogs => fields.amount(&["spend"])?,
        Format::CostObservation => fields.amount(&["estimated_cost.amount"])?,
        _ => None,
    };
    Ok(ClientRow {
        at,
        model,
        outcome,
        counts,
        semantic,
        reported_cost,
        request_id: fields.text(REQUEST_ID),
        end: fields.time_if_any(END)?,
        ends_logged: matches!(format, Format::CostObservation | Format::LiteLlmSpendLogs),
    })
}

/// Why a request of `format` has no time: where its export keeps one, or that it keeps
/// none at all (the filing adds how to count such requests anyway).
pub fn no_time(format: Format) -> FieldError {
    let (field, what) = match format {
        Format::ClientAnthropic => {
            return (
                String::new(),
                "expected a time for the request, but found none: an Anthropic Message carries no time of its own".into(),
            )
        }
        Format::ClientOpenAiChat => ("created", "the chat completion's Unix time"),
        Format::ClientOpenAiResponses => ("created_at", "the response's Unix time"),
        Format::LiteLlmSpendLogs => ("startTime", "when LiteLLM received the request"),
        _ => ("started_at_utc", "when the request started"),
    };
    (
        field.into(),
        format!("expected the request's time in {field} ({what}), but found none"),
    )
}

/// A count under the usage root. A detail object that is absent or null is zero: the API
/// leaves it out, or writes `prompt_tokens_details: null` (vLLM, LiteLLM), when it gives
/// no breakdown. A count written null inside a breakdown that is given
/// (`{"cached_tokens": null}`) is unknown: the breakdown exists and this figure of it is
/// missing, so the request is counted and its usage left unpriced, never zero.
fn detail(fields: &Fields, root: &str, names: &[&str]) -> Result<Option<u64>, FieldError> {
    for name in names {
        let path = join(root, name);
        if fields.has(&path) {
            return fields.count(&[path.as_str()]);
        }
    }
    Ok(Some(0))
}

/// A count that the request's usage cannot do without: absent or null is unknown.
fn main_count(fields: &Fields, root: &str, names: &[&str]) -> Result<Option<u64>, FieldError> {
    for name in names {
        let path = join(root, name);
        if fields.has(&path) {
            return fields.count(&[path.as_str()]);
        }
    }
    Ok(None)
}

fn all<const N: usize>(values: [Option<u64>; N]) -> Option<[u64; N]> {
    let mut out = [0; N];
    for (slot, value) in out.iter_mut().zip(values) {
        *slot = value?;
    }
    Some(out)
}

fn chat(fields: &Fields, format: Format) -> Result<Option<Counts>, FieldError> {
    let root = usage_root(fields, format, "prompt_tokens");
    let prompt = main_count(fields, root, &["prompt_tokens"])?;
    let completion = main_count(fields, root, &["completion_tokens"])?;
    let cached = detail(
        fields,
        root,
        &[
            "prompt_tokens_details.cached_tokens",
            "metadata.usage_object.prompt_tokens_details.cached_tokens",
            "cache_read_input_tokens",
        ],
    )?;
    let writes = detail(
        fields,
        root,
        &[
            "prompt_tokens_details.cache_write_tokens",
            "cache_creation_input_tokens",
        ],
    )?;
    let reasoning = detail(
        fields,
        root,
        &["completion_tokens_details.reasoning_tokens"],
    )?;
    // Audio is a part of the prompt and completion tokens, priced at its own rate. The
    // response does not say whether cached tokens include audio: they are read as text.
    let audio_in = detail(
        fields,
        root,
        &[
            "prompt_tokens_details.audio_tokens",
            "metadata.usage_object.prompt_tokens_details.audio_tokens",
        ],
    )?;
    let audio_out = detail(
        fields,
        root,
        &[
            "completion_tokens_details.audio_tokens",
            "metadata.usage_object.completion_tokens_details.audio_tokens",
        ],
    )?;
    let text = inclusive_counts([prompt, completion, cached, writes, reasoning]);
    Ok(text
        .zip(all([audio_in, audio_out]))
        .map(|(counts, [audio_input, audio_output])| Counts {
            audio_input,
            audio_output,
            ..counts
        }))
}

/// Input, output, cached, cache-write and reasoning counts (OpenAI style); None when
/// any of them is unknown.
pub(super) fn inclusive_counts(values: [Option<u64>; 5]) -> Option<Counts> {
    all(values).map(
        |[prompt, completion, cache_read, cache_write, reasoning]| Counts {
            prompt,
            completion,
            cache_read,
            cache_write,
            reasoning,
            ..Counts::default()
        },
    )
}

fn responses(fields: &Fields, format: Format) -> Result<Option<Counts>, FieldError> {
    let root = usage_root(fields, format, "input_tokens");
    let input = main_count(fields, root, &["input_tokens"])?;
    let output = main_count(fields, root, &["output_tokens"])?;
    let cached = detail(fields, root, &["input_tokens_details.cached_tokens"])?;
    let reasoning = detail(fields, root, &["output_tokens_details.reasoning_tokens"])?;
    Ok(
        all([input, output, cached, reasoning]).map(
            |[prompt, completion, cache_read, reasoning]| Counts {
                prompt,
                completion,
                cache_read,
                reasoning,
                ..Counts::default()
            },
        ),
    )
}

fn anthropic(fields: &Fields) -> Result<Option<Counts>, FieldError> {
    let root = usage_root(fields, Format::ClientAnthropic, "input_tokens");
    let input = main_count(fields, root, &["input_tokens"])?;
    let output = main_count(fields, root, &["output_tokens"])?;
    let read = detail(fields, root, &["cache_read_input_tokens"])?;
    // The 5-minute / 1-hour split when the response gives it; else all writes are 5m.
    let split = fields.has(&join(root, "cache_creation.ephemeral_1h_input_tokens"))
        || fields.has(&join(root, "cache_creation.ephemeral_5m_input_tokens"));
    let (write_5m, write_1h) = if split {
        let split = (
            detail(fields, root, &["cache_creation.ephemeral_5m_input_tokens"])?,
            detail(fields, root, &["cache_creation.ephemeral_1h_input_tokens"])?,
        );
        agrees_with_split(fields, root, split)?;
        split
    } else {
        (
            detail(fields, root, &["cache_creation_input_tokens"])?,
            Some(0),
        )
    };
    let tools = detail(fields, root, &["server_tool_use.web_search_requests"])?;
    Ok(all([input, output, read, write_5m, write_1h, tools]).map(
        |[prompt, completion, cache_read, cache_write, cache_write_1h, tool_calls]| Counts {
            prompt,
            completion,
            cache_read,
            cache_write,
            cache_write_1h,
            tool_calls,
            ..Counts::default()
        },
    ))
}

/// The cache writes as one total and as its 5-minute / 1-hour split must agree: when
/// they do not, neither is taken (the row is rejected with both).
fn agrees_with_split(
    fields: &Fields,
    root: &str,
    split: (Option<u64>, Option<u64>),
) -> Result<(), FieldError> {
    let path = join(root, "cache_creation_input_tokens");
    let (Some(total), (Some(five), Some(hour))) = (fields.count(&[path.as_str()])?, split) else {
        return Ok(());
    };
    if five.checked_add(hour) == Some(total) {
        return Ok(());
    }
    let sum = five
        .checked_add(hour)
        .map_or_else(|| "more than fits".to_string(), |s| s.to_string());
    Err((
        path,
        format!(
            "expected cache_creation_input_tokens to equal its 5-minute and 1-hour split ({five} + {hour} = {sum}), but found {total}"
        ),
    ))
}

/// The columns (or fields) a row's input and output counts came from, for messages.
pub(super) struct CountNames<'a> {
    pub input: (&'a str, &'a str),
    pub output: (&'a str, &'a str),
    /// Why the input should include its cached tokens ("" when the format says so).
    pub because: &'a str,
}

const USAGE_NAMES: CountNames<'static> = CountNames {
    input: ("prompt_tokens", "prompt tokens"),
    output: ("completion_tokens", "completion tokens"),
    because: "",
};

/// Flags counts that contradict their semantics instead of absorbing the difference.
pub(super) fn check(
    counts: &Counts,
    semantic: TokenSemantic,
    names: &CountNames,
) -> Result<(), FieldError> {
    if counts.uncached_input(semantic).is_none() {
        let (column, words) = names.input;
        let what = match counts.audio_input {
            0 => "cached",
            n if n == counts.inside_prompt(semantic) => "audio",
            _ => "cached and audio",
        };
        return Err((
            column.to_string(),
            format!(
                "expected the {words} to include the {} {what} tokens{}, but found only {}",
                counts.inside_prompt(semantic),
                names.because,
                counts.prompt
            ),
        ));
    }
    let inside = counts.reasoning.saturating_add(counts.audio_output);
    if inside > counts.completion {
        let (column, words) = names.output;
        let what = match (counts.reasoning, counts.audio_output) {
            (_, 0) => "reasoning",
            (0, _) => "audio",
            _ => "reasoning and audio",
        };
        return Err((
            column.to_string(),
            format!(
                "expected the {words} to include the {inside} {what} tokens, but found only {}",
                counts.completion
            ),
        ));
    }
    Ok(())
}
