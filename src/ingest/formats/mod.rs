//! The formats: what each export's records mean. [`Format`] names which export a file
//! is, its [`Stream`] and its name in words; [`recognize`] tells which export a file is
//! from its start; [`row`] is the typed usage row every reader makes. The readers:
//! new-api's log rows ([`newapi`]: columns and UI labels, cells, the JSON row, the
//! `other` field), client request logs ([`client`]), provider usage reports and billing
//! exports ([`reports`]), each through named fields ([`record_fields`]) or a reviewer's
//! column mapping ([`mapping`]); and times in cells ([`times`]).

use serde::{Deserialize, Serialize};

pub mod client;
pub mod mapping;
pub mod newapi;
pub mod recognize;
pub mod record_fields;
pub mod reports;
pub mod row;
pub mod times;

/// What the file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    NewApiLogPage,
    NewApiJsonArray,
    NewApiJsonLines,
    NewApiCsv,
    ClientOpenAiChat,
    ClientOpenAiResponses,
    ClientAnthropic,
    LiteLlmSpendLogs,
    CostObservation,
    OpenAiUsageReport,
    AnthropicUsageReport,
    OpenAiCosts,
    OpenAiCostCsv,
    AnthropicCostReport,
    Focus,
    CometApiAccount,
    /// A request log read through a column mapping the reviewer saved.
    MappedRequests,
    /// A billing export read through a column mapping the reviewer saved.
    MappedCharges,
}

impl Format {
    /// Every format the reviewer can choose for a file (mapped ones come from a mapping).
    pub const CHOOSABLE: [Format; 16] = [
        Format::NewApiLogPage,
        Format::NewApiJsonArray,
        Format::NewApiJsonLines,
        Format::NewApiCsv,
        Format::ClientOpenAiChat,
        Format::ClientOpenAiResponses,
        Format::ClientAnthropic,
        Format::LiteLlmSpendLogs,
        Format::CostObservation,
        Format::OpenAiUsageReport,
        Format::AnthropicUsageReport,
        Format::OpenAiCosts,
        Format::OpenAiCostCsv,
        Format::AnthropicCostReport,
        Format::Focus,
        Format::CometApiAccount,
    ];

    /// The snake_case name the record and the settings use.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::CHOOSABLE
            .into_iter()
            .find(|f| f.name() == name.trim())
    }

    pub fn stream(self) -> Stream {
        match self {
            Format::NewApiLogPage
            | Format::NewApiJsonArray
            | Format::NewApiJsonLines
            | Format::NewApiCsv => Stream::GatewayLog,
            Format::ClientOpenAiChat
            | Format::ClientOpenAiResponses
            | Format::ClientAnthropic
            | Format::LiteLlmSpendLogs
            | Format::CostObservation
            | Format::MappedRequests => Stream::ClientRequests,
            Format::OpenAiUsageReport | Format::AnthropicUsageReport => Stream::ProviderUsage,
            Format::OpenAiCosts
            | Format::OpenAiCostCsv
            | Format::AnthropicCostReport
            | Format::Focus
            | Format::MappedCharges => Stream::Billing,
            Format::CometApiAccount => Stream::AccountTotals,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Format::NewApiLogPage => "CometAPI / new-api usage log (log API JSON page)",
            Format::NewApiJsonArray => "CometAPI / new-api usage log (JSON array of rows)",
            Format::NewApiJsonLines => "CometAPI / new-api usage log (JSON lines)",
            Format::NewApiCsv => "CometAPI / new-api usage log (CSV)",
            Format::ClientOpenAiChat => "client request log (OpenAI chat completions usage)",
            Format::ClientOpenAiResponses => "client request log (OpenAI Responses usage)",
            Format::ClientAnthropic => "client request log (Anthropic Messages usage)",
            Format::LiteLlmSpendLogs => "client request log (LiteLLM spend logs)",
            Format::CostObservation => "client request log (ai_request_cost_observation events)",
            Format::OpenAiUsageReport => {
                "provider usage report (OpenAI usage API or Activity export)"
            }
            Format::AnthropicUsageReport => "provider usage report (Anthropic usage_report)",
            Format::OpenAiCosts => "billing export (OpenAI Costs API)",
            Format::OpenAiCostCsv => "billing export (OpenAI dashboard Cost CSV)",
            Format::AnthropicCostReport => {
                "billing export (Anthropic cost_report, amounts in cents)"
            }
            Format::Focus => "billing export (FinOps FOCUS)",
            Format::CometApiAccount => "account totals (CometAPI balance query, USD per day)",
            Format::MappedRequests => "client request log (columns as you mapped them)",
            Format::MappedCharges => "billing export (columns as you mapped them)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// CometAPI / new-api logs: per request, priced in quota by the gateway.
    GatewayLog,
    /// What the caller saw per request.
    ClientRequests,
    /// Token usage the provider counted, per time bucket.
    ProviderUsage,
    /// Money the provider charged, per time bucket.
    Billing,
    /// Account-side daily totals (CometAPI's balance query).
    AccountTotals,
}

impl Stream {
    pub fn describe(self) -> &'static str {
        match self {
            Stream::GatewayLog => "gateway usage log",
            Stream::ClientRequests => "client request log",
            Stream::ProviderUsage => "provider usage report",
            Stream::Billing => "billing export",
            Stream::AccountTotals => "account totals",
        }
    }

    /// Streams whose rows are token usage, priced with the rate card.
    pub fn is_usage(self) -> bool {
        matches!(
            self,
            Stream::GatewayLog | Stream::ClientRequests | Stream::ProviderUsage
        )
    }
}
