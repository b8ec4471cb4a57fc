//! Which evidence prices the expected charge (the expected side of the bridge), beside
//! the provider-side choice. Left empty, the gateway log's own rows price it whenever
//! one is loaded (then its rows give the expected charge and the provider figure, so a
//! request charged twice or never seen sits on both sides). `client_requests` prices it
//! from what the client saw (its request log's usage fields at the card's rates), so
//! the usage-capture gaps between the client and the gateway become bridge steps.

use serde::{Deserialize, Serialize};

/// The evidence the expected charge is priced from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedSide {
    /// The gateway log's rows when one is loaded, else the client log, else a usage
    /// report (the rule that stood before the choice existed).
    #[default]
    GatewayLogRows,
    /// The client request log: what the client saw. Without one loaded, no expected
    /// charge is computed (no other stream stands in its place).
    ClientRequests,
}

/// The settings' word for the choice, and the page's words for it.
pub const CHOICES: [(&str, &str); 2] = [
    ("", "Gateway log rows (the default)"),
    (
        "client_requests",
        "What the client saw (the client request log)",
    ),
];

/// The rule that stands when nothing is chosen.
pub const DEFAULT_RULE: &str =
    "the gateway log's rows when one is loaded, else the client request log, else a provider usage report";

/// Empty is the default (gateway log rows).
pub fn parse(text: &str) -> Result<ExpectedSide, String> {
    match text.trim() {
        "" => Ok(ExpectedSide::GatewayLogRows),
        "client_requests" => Ok(ExpectedSide::ClientRequests),
        other => Err(format!(
            "expected client_requests (or nothing, for the gateway log's rows), but found {}",
            crate::decimal::quote(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_choice_reads_back_and_others_are_refused() {
        let cases = [
            ("", Ok(ExpectedSide::GatewayLogRows)),
            ("  ", Ok(ExpectedSide::GatewayLogRows)),
            (" client_requests ", Ok(ExpectedSide::ClientRequests)),
            ("gateway", Err("expected client_requests (or nothing, for the gateway log's rows), but found \"gateway\"".to_string())),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), want, "{text:?}");
        }
        for (word, _) in CHOICES {
            assert!(parse(word).is_ok(), "{word}");
        }
    }
}
