//! Which evidence stream stands as the provider-side figure (seed 001: do not merge the
//! signals into one truth until you know which is authoritative for each purpose). The
//! reviewer may choose; left empty, the default rule below chooses, and the page and the
//! record state which rule stood.

use crate::ingest::Stream;

/// The rule that stands when the reviewer chooses nothing.
pub const DEFAULT_RULE: &str = "the gateway log's own quota, else a billing export, else account totals (a bill only with a bucket wholly inside the window)";

/// The streams that can stand as the provider-side figure, in the order offered.
pub const CHOICES: [Stream; 4] = [
    Stream::GatewayLog,
    Stream::ProviderUsage,
    Stream::Billing,
    Stream::AccountTotals,
];

/// The snake_case name the settings and the record write (`billing`).
pub fn name(stream: Stream) -> String {
    serde_json::to_value(stream)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Empty is the default rule (None).
pub fn parse(text: &str) -> Result<Option<Stream>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    CHOICES
        .into_iter()
        .find(|s| name(*s) == text)
        .map(Some)
        .ok_or_else(|| {
            format!("expected gateway_log, provider_usage, billing or account_totals (or nothing, for the default), but found {}", crate::decimal::quote(text))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_choice_reads_back_and_others_are_refused() {
        let cases = [
            ("", Ok(None)),
            ("  ", Ok(None)),
            ("gateway_log", Ok(Some(Stream::GatewayLog))),
            ("provider_usage", Ok(Some(Stream::ProviderUsage))),
            (" billing ", Ok(Some(Stream::Billing))),
            ("account_totals", Ok(Some(Stream::AccountTotals))),
            ("client_requests", Err("expected gateway_log, provider_usage, billing or account_totals (or nothing, for the default), but found \"client_requests\"".to_string())),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), want, "{text:?}");
        }
        for stream in CHOICES {
            assert_eq!(parse(&name(stream)), Ok(Some(stream)));
        }
    }
}
