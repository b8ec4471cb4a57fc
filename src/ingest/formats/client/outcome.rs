//! What happened to a client request, from the flags and codes its record carries.

use crate::ingest::formats::record_fields::{FieldError, Fields};
use crate::policy::Outcome;

/// What happened to the request: the flags the seed's event carries, an HTTP status,
/// or LiteLLM's status word. Nothing said means success.
pub(super) fn outcome(fields: &Fields) -> Result<Outcome, FieldError> {
    if fields.flag(&["stream_cancelled", "cancelled"])? == Some(true) {
        return Ok(Outcome::CancelledStream);
    }
    if fields.flag(&["client_timeout", "timed_out"])? == Some(true) {
        return Ok(Outcome::ClientTimeout);
    }
    if let Some(attempt) = fields.count(&["retry_attempt"])? {
        if attempt > 0 {
            return Ok(Outcome::RetryAttempt);
        }
    }
    if let Some(status) = fields.count(&["http_status", "status_code"])? {
        return http_outcome(status).ok_or_else(|| {
            (
                "http_status".into(),
                format!("expected an HTTP status code, but found {status}"),
            )
        });
    }
    match fields.text(&["status"]) {
        None => Ok(Outcome::Success),
        Some(word) => status_word(&word).ok_or_else(|| {
            (
                "status".into(),
                format!(
                    "expected a status such as success or failure, but found {}",
                    crate::decimal::quote(&word)
                ),
            )
        }),
    }
}

/// What an HTTP status code says happened to a request.
pub(in crate::ingest) fn http_outcome(code: u64) -> Option<Outcome> {
    Some(match code {
        200..=399 => Outcome::Success,
        408 => Outcome::ClientTimeout,
        429 => Outcome::RateLimited429,
        400..=499 => Outcome::ClientError4xx,
        500..=599 => Outcome::ServerError5xx,
        _ => return None,
    })
}

/// What a status word says (LiteLLM's `status`, a mapped status column).
pub(in crate::ingest) fn status_word(word: &str) -> Option<Outcome> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "success" | "succeeded" | "ok" | "completed" => Outcome::Success,
        "failure" | "failed" | "error" => Outcome::FailedUnspecified,
        "cancelled" | "canceled" => Outcome::CancelledStream,
        "timeout" | "timed out" => Outcome::ClientTimeout,
        "retry" => Outcome::RetryAttempt,
        _ => return None,
    })
}
