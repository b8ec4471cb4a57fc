//! Column mappings: for an export we do not know, the reviewer says which column holds
//! what (time, model, status, each token count, amount, currency). A mapping is saved
//! with the settings under the header line it was made for, so the next file with the
//! same header is read the same way, on the page and on the command line.

use serde::{Deserialize, Serialize};

use super::client::{check, http_outcome, inclusive_counts, status_word, ClientRow, CountNames};
use super::record_fields::{empty, FieldError, Fields};
use super::reports::Charge;
use super::row::TokenSemantic;
use crate::decimal::quote;
use crate::error::Error;
use crate::policy::Outcome;

/// A mapping as the settings document holds it: column names as in the header ("" =
/// the export has no such column).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MappingText {
    /// The header line the mapping was made for, one entry per column.
    pub header: Vec<String>,
    /// `client_requests` (one request per row, token counts) or `billing` (money per row).
    pub stream: String,
    /// `includes_cached` (OpenAI style: the input count includes cached tokens, the
    /// default) or `excludes_cached` (Anthropic style: cache tokens come on top).
    pub token_semantics: String,
    pub timestamp: String,
    /// Billing rows covering a period: when it ends (else the row is a point in time).
    pub end_time: String,
    pub request_id: String,
    pub model: String,
    /// An HTTP status code or a word (success, failure, cancelled, timeout).
    pub status: String,
    pub input_tokens: String,
    pub cached_input_tokens: String,
    pub cache_write_tokens: String,
    pub output_tokens: String,
    pub reasoning_tokens: String,
    pub amount: String,
    /// Without one, amounts are read in the billing currency (the reviewer says so by
    /// leaving it empty; the page shows it).
    pub currency: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MappedStream {
    Requests,
    Charges,
}

impl MappedStream {
    /// The word a mapping's `stream` holds.
    pub fn name(self) -> &'static str {
        match self {
            MappedStream::Requests => "client_requests",
            MappedStream::Charges => "billing",
        }
    }
}

/// A role a column can have in a mapping: the mapping's field, what the reviewer reads
/// for it, and the stream it belongs to (None: both).
pub struct ColumnRole {
    pub field: &'static str,
    pub label: &'static str,
    pub stream: Option<MappedStream>,
}

const fn role(
    field: &'static str,
    label: &'static str,
    stream: Option<MappedStream>,
) -> ColumnRole {
    ColumnRole {
        field,
        label,
        stream,
    }
}

/// Every column role, in the order the form asks for them.
pub const COLUMN_ROLES: [ColumnRole; 12] = {
    use MappedStream::{Charges, Requests};
    [
        role("timestamp", "time (or period start)", None),
        role("request_id", "request id", Some(Requests)),
        role("end_time", "period end", Some(Charges)),
        role("model", "model (or line item)", None),
        role("status", "status (HTTP code or word)", Some(Requests)),
        role("input_tokens", "input tokens", Some(Requests)),
        role("cached_input_tokens", "cached input tokens", Some(Requests)),
        role("cache_write_tokens", "cache write tokens", Some(Requests)),
        role("output_tokens", "output tokens", Some(Requests)),
        role("reasoning_tokens", "reasoning tokens", Some(Requests)),
        role("amount", "amount", Some(Charges)),
        role(
            "currency",
            "currency (else the billing currency)",
            Some(Charges),
        ),
    ]
};

impl MappingText {
    /// A new mapping for a header, as the reviewer starts one: one request per row,
    /// the input count including cached tokens (OpenAI style), no column chosen yet.
    pub fn draft(header: Vec<String>) -> MappingText {
        MappingText {
            header,
            stream: MappedStream::Requests.name().into(),
            token_semantics: "includes_cached".into(),
            ..MappingText::default()
        }
    }

    /// The stream the mapping names; None while it names none we know.
    pub fn stream(&self) -> Option<MappedStream> {
        [MappedStream::Requests, MappedStream::Charges]
            .into_iter()
            .find(|s| s.name() == self.stream.trim())
    }

    /// The column roles of the mapping's stream (of both, while it names none).
    pub fn roles(&self) -> impl Iterator<Item = &'static ColumnRole> {
        let stream = self.stream();
        COLUMN_ROLES
            .iter()
            .filter(move |r| r.stream.is_none() || r.stream == stream)
    }

    /// A text field by its JSON key.
    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "stream" => &mut self.stream,
            "token_semantics" => &mut self.token_semantics,
            "timestamp" => &mut self.timestamp,
            "end_time" => &mut self.end_time,
            "request_id" => &mut self.request_id,
            "model" => &mut self.model,
            "status" => &mut self.status,
            "input_tokens" => &mut self.input_tokens,
            "cached_input_tokens" => &mut self.cached_input_tokens,
            "cache_write_tokens" => &mut self.cache_write_tokens,
            "output_tokens" => &mut self.output_tokens,
            "reasoning_tokens" => &mut self.reasoning_tokens,
            "amount" => &mut self.amount,
            "currency" => &mut self.currency,
            _ => return None,
        })
    }
}

/// A mapping checked against its own header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub text: MappingText,
    pub stream: MappedStream,
    pub semantic: TokenSemantic,
}

fn trimmed(names: &[String]) -> Vec<&str> {
    names.iter().map(|n| n.trim()).collect()
}

impl Mapping {
    /// Whether a file's header line is the one this mapping was made for.
    pub fn fits(&self, header: &[String]) -> bool {
        trimmed(&self.text.header) == trimmed(header)
    }

    /// Checks a mapping; each error's path is the mapping's field (`stream`, `model`),
    /// for the settings to place under `column_mappings[i]`.
    pub fn parse(text: &MappingText) -> Result<Mapping, Vec<Error>> {
        let mut errors = Vec::new();
        let stream = match text.stream.trim() {
            "client_requests" => MappedStream::Requests,
            "billing" => MappedStream::Charges,
            other => {
                errors.push(Error::field(
                    "stream",
                    format!(
                        "expected client_requests or billing, but found {}",
                        quote(other)
                    ),
                ));
                MappedStream::Requests
            }
        };
        let semantic = match text.token_semantics.trim() {
            "" | "includes_cached" => TokenSemantic::Inclusive,
            "excludes_cached" => TokenSemantic::Additive,
            other => {
                errors.push(Error::field(
                    "token_semantics",
                    format!(
                        "expected includes_cached or excludes_cached, but found {}",
                        quote(other)
                    ),
                ));
                TokenSemantic::Inclusive
            }
        };
        if text.header.iter().all(|h| h.trim().is_empty()) {
            errors.push(Error::field(
                "header",
                "expected the header line the mapping is for, but found none",
            ));
        }
        let header = trimmed(&text.header);
        let named = [
            ("timestamp", &text.timestamp),
            ("end_time", &text.end_time),
            ("request_id", &text.request_id),
            ("model", &text.model),
            ("status", &text.status),
            ("input_tokens", &text.input_tokens),
            ("cached_input_tokens", &text.cached_input_tokens),
            ("cache_write_tokens", &text.cache_write_tokens),
            ("output_tokens", &text.output_tokens),
            ("reasoning_tokens", &text.reasoning_tokens),
            ("amount", &text.amount),
            ("currency", &text.currency),
        ];
        for (field, column) in named {
            let column = column.trim();
            if !column.is_empty() && !header.contains(&column) {
                errors.push(Error::field(
                    field,
                    format!(
                        "expected a column of the header, but found {}",
                        quote(column)
                    ),
                ));
            }
        }
        let mut need = |field: &str, column: &String, what: &str| {
            if column.trim().is_empty() {
                errors.push(Error::field(
                    field,
                    format!("expected the column that holds {what}, but found none chosen"),
                ));
            }
        };
        need("timestamp", &text.timestamp, "the time");
        match stream {
            MappedStream::Requests => {
                need("model", &text.model, "the model");
                need("input_tokens", &text.input_tokens, "the input tokens");
                need("output_tokens", &text.output_tokens, "the output tokens");
            }
            MappedStream::Charges => need("amount", &text.amount, "the amount"),
        }
        if errors.is_empty() {
            Ok(Mapping {
                text: text.clone(),
                stream,
                semantic,
            })
        } else {
            Err(errors)
        }
    }

    fn col(column: &str) -> [&str; 1] {
        [column.trim()]
    }

    /// A count from a mapped column; a column not mapped counts zero.
    fn count(&self, fields: &Fields, column: &str) -> Result<Option<u64>, FieldError> {
        if column.trim().is_empty() {
            return Ok(Some(0));
        }
        fields.count(&Self::col(column))
    }

    /// Why a mapped request has no time: its time column is empty.
    pub fn no_time(&self) -> FieldError {
        let column = self.text.timestamp.trim();
        (
            column.to_string(),
            format!("expected the request's time in {column} (the column mapped as the time), but found none"),
        )
    }

    /// One row of a mapped request log.
    pub fn request(&self, fields: &Fields) -> Result<ClientRow, FieldError> {
        let t = &self.text;
        let at = fields.time_if_any(&Self::col(&t.timestamp))?;
        let model = fields
            .text(&Self::col(&t.model))
            .ok_or_else(|| empty(t.model.trim(), "a model name"))?;
        let outcome = match fields.text(&Self::col(&t.status)).filter(|_| !t.status.trim().is_empty()) {
            None => Outcome::Success,
            Some(status) => outcome(&status).ok_or_else(|| {
                (t.status.trim().to_string(), format!("expected an HTTP status or a word such as success or failure, but found {}", quote(&status)))
            })?,
        };
        let values = [
            fields.count(&Self::col(&t.input_tokens))?,
            fields.count(&Self::col(&t.output_tokens))?,
            self.count(fields, &t.cached_input_tokens)?,
            self.count(fields, &t.cache_write_tokens)?,
            self.count(fields, &t.reasoning_tokens)?,
        ];
        let counts = inclusive_counts(values);
        if let Some(c) = &counts {
            let names = CountNames {
                input: (t.input_tokens.trim(), "input tokens"),
                output: (t.output_tokens.trim(), "output tokens"),
                because: " (as the mapping says)",
            };
            check(c, self.semantic, &names)?;
        }
        Ok(ClientRow {
            at,
            model,
            outcome,
            counts,
            semantic: self.semantic,
            reported_cost: None,
            request_id: fields
                .text(&Self::col(&t.request_id))
                .filter(|_| !t.request_id.trim().is_empty()),
            end: None,
            ends_logged: false,
        })
    }

    /// One row of a mapped billing export; `billing_currency` stands in for a missing
    /// currency column.
    pub fn charge(&self, fields: &Fields, billing_currency: &str) -> Result<Charge, FieldError> {
        let t = &self.text;
        let start = fields.time(&Self::col(&t.timestamp))?;
        let end = if t.end_time.trim().is_empty() {
            start
        } else {
            fields.time(&Self::col(&t.end_time))?
        };
        if end < start {
            return Err((
                t.end_time.trim().to_string(),
                format!("expected the period to end after it starts ({start}), but found {end}"),
            ));
        }
        let amount = fields
            .amount(&Self::col(&t.amount))?
            .ok_or_else(|| empty(t.amount.trim(), "an amount"))?;
        let currency = if t.currency.trim().is_empty() {
            billing_currency.to_string()
        } else {
            fields
                .text(&Self::col(&t.currency))
                .ok_or_else(|| empty(t.currency.trim(), "a currency"))?
        };
        let item = if t.model.trim().is_empty() {
            None
        } else {
            fields.text(&Self::col(&t.model))
        };
        Ok(Charge {
            start,
            end,
            item: item.unwrap_or_else(|| "all items".into()),
            currency: currency.to_ascii_uppercase(),
            amount,
        })
    }
}

/// An HTTP status or a status word.
fn outcome(status: &str) -> Option<Outcome> {
    match status.trim().parse::<u64>() {
        Ok(code) => http_outcome(code),
        Err(_) => status_word(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(edit: impl FnOnce(&mut MappingText)) -> Result<Mapping, Vec<Error>> {
        let mut text = MappingText {
            header: vec![
                "t".into(),
                "m".into(),
                "in".into(),
                "out".into(),
                "usd".into(),
            ],
            stream: "client_requests".into(),
            timestamp: "t".into(),
            model: "m".into(),
            input_tokens: "in".into(),
            output_tokens: "out".into(),
            ..MappingText::default()
        };
        edit(&mut text);
        Mapping::parse(&text)
    }

    type Case = (fn(&mut MappingText), &'static str, &'static str);

    #[test]
    fn mappings_are_checked_against_their_header() {
        assert!(mapping(|_| {}).is_ok());
        let cases: [Case; 5] = [
            (
                |m| m.stream = "ledger".into(),
                "stream",
                "expected client_requests or billing, but found \"ledger\"",
            ),
            (
                |m| m.model = "engine".into(),
                "model",
                "expected a column of the header, but found \"engine\"",
            ),
            (
                |m| m.output_tokens.clear(),
                "output_tokens",
                "expected the column that holds the output tokens, but found none chosen",
            ),
            (
                |m| m.token_semantics = "both".into(),
                "token_semantics",
                "expected includes_cached or excludes_cached, but found \"both\"",
            ),
            (
                |m| {
                    m.stream = "billing".into();
                },
                "amount",
                "expected the column that holds the amount, but found none chosen",
            ),
        ];
        for (edit, field, message) in cases {
            let errors = mapping(edit).unwrap_err();
            assert_eq!(errors, vec![Error::field(field, message)]);
        }
        let m = mapping(|_| {}).unwrap();
        assert!(m.fits(&[
            " t".into(),
            "m".into(),
            "in".into(),
            "out ".into(),
            "usd".into()
        ]));
        assert!(!m.fits(&["t".into(), "m".into()]));
    }

    #[test]
    fn a_draft_asks_for_the_columns_of_its_stream() {
        let mut draft = MappingText::draft(vec!["t".into()]);
        assert_eq!(draft.stream(), Some(MappedStream::Requests));
        let fields = |m: &MappingText| m.roles().map(|r| r.field).collect::<Vec<_>>();
        let requests = [
            "timestamp",
            "request_id",
            "model",
            "status",
            "input_tokens",
            "cached_input_tokens",
            "cache_write_tokens",
            "output_tokens",
            "reasoning_tokens",
        ];
        assert_eq!(fields(&draft), requests);
        *draft.field_mut("stream").unwrap() = "billing".into();
        assert_eq!(
            fields(&draft),
            ["timestamp", "end_time", "model", "amount", "currency"]
        );
        *draft.field_mut("stream").unwrap() = "ledger".into();
        assert_eq!(
            (draft.stream(), fields(&draft)),
            (None, vec!["timestamp", "model"])
        );
        // Every role names a field of the mapping, and a draft with columns chosen
        // for the required ones is a mapping.
        let mut draft = MappingText::draft(vec!["t".into(), "m".into(), "i".into(), "o".into()]);
        for role in &COLUMN_ROLES {
            assert!(draft.field_mut(role.field).is_some(), "{}", role.field);
        }
        for (field, column) in [
            ("timestamp", "t"),
            ("model", "m"),
            ("input_tokens", "i"),
            ("output_tokens", "o"),
        ] {
            *draft.field_mut(field).unwrap() = column.into();
        }
        assert!(Mapping::parse(&draft).is_ok());
    }

    #[test]
    fn status_words_and_codes() {
        let cases = [
            ("200", Some(Outcome::Success)),
            ("429", Some(Outcome::RateLimited429)),
            ("408", Some(Outcome::ClientTimeout)),
            ("404", Some(Outcome::ClientError4xx)),
            ("503", Some(Outcome::ServerError5xx)),
            ("Cancelled", Some(Outcome::CancelledStream)),
            ("FAILED", Some(Outcome::FailedUnspecified)),
            ("700", None),
            ("maybe", None),
        ];
        for (text, expected) in cases {
            assert_eq!(outcome(text), expected, "{text}");
        }
    }
}
