//! The rate card: verified pricing units with provenance, as the reviewer entered them.
//!
//! Entries are keyed by the model or service label exactly as written on the pricing
//! page, with aliases mapping log names to it (never guessed). Each entry prices any of
//! the billable dimensions per its own unit size, may reprice a whole request above a
//! long-context threshold, and may be limited to an effective period. Named factors
//! (a CometAPI 0.8 discount, a group ratio, batch 0.5, …) multiply what they cover.
//! The document keeps the typed text; [`validate`] turns it into exact values.

mod convert;
mod dimension;
mod paste;
mod text;
pub(crate) mod validate;

use jiff::Timestamp;

use crate::decimal::quote;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use convert::{describe_ratios, ratios_from_usd, usd_from_ratios, NewApiRatios, UsdPrices};
pub use dimension::Dimension;
pub use paste::rates_from_table;
pub use text::{FactorText, RateCardText, RateText};
pub use validate::validate;

/// How far a figure can be trusted: read off the provider's page, worked out from
/// other evidence, or neither. Ordered from the strongest: a line takes the weakest of
/// its rate and factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Verified,
    Inferred,
    Unknown,
}

impl Confidence {
    pub const ALL: [Confidence; 3] = [
        Confidence::Verified,
        Confidence::Inferred,
        Confidence::Unknown,
    ];

    /// The word the settings document and the record write for it.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Verified => "verified",
            Confidence::Inferred => "inferred",
            Confidence::Unknown => "unknown",
        }
    }
}

pub fn parse_confidence(text: &str) -> Result<Confidence, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "verified" => Ok(Confidence::Verified),
        "inferred" => Ok(Confidence::Inferred),
        "unknown" | "" => Ok(Confidence::Unknown),
        _ => Err(format!(
            "expected verified, inferred or unknown, but found {}",
            quote(text)
        )),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub source_url: String,
    pub captured_at: Option<Timestamp>,
    pub captured_by: String,
    pub label: Confidence,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongContext {
    pub above: u64,
    pub input: Option<Decimal>,
    pub cached_input: Option<Decimal>,
    pub output: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub model: String,
    pub aliases: Vec<String>,
    pub currency: String,
    pub token_unit: Decimal,
    /// Price per unit, indexed by [`Dimension::index`].
    pub prices: [Option<Decimal>; Dimension::COUNT],
    pub long_context: Option<LongContext>,
    pub effective_from: Option<Timestamp>,
    pub effective_to: Option<Timestamp>,
    pub provenance: Provenance,
    /// True when the prices came from the new-api ratio form.
    pub from_ratios: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppliesTo {
    All,
    Tokens,
    Calls,
}

impl AppliesTo {
    /// The default (an empty field) first.
    pub const ALL: [AppliesTo; 3] = [AppliesTo::All, AppliesTo::Tokens, AppliesTo::Calls];

    /// The word a factor's `applies_to` holds.
    pub fn name(self) -> &'static str {
        match self {
            AppliesTo::All => "all",
            AppliesTo::Tokens => "tokens",
            AppliesTo::Calls => "calls",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factor {
    pub name: String,
    pub value: Decimal,
    pub models: Vec<String>,
    pub applies_to: AppliesTo,
    pub provenance: Provenance,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateCard {
    pub entries: Vec<Entry>,
    pub factors: Vec<Factor>,
}

impl Entry {
    pub fn price(&self, dimension: Dimension) -> Option<Decimal> {
        self.prices[dimension.index()]
    }

    pub fn is_empty(&self) -> bool {
        self.prices.iter().all(Option::is_none)
    }

    pub fn prices_tokens(&self) -> bool {
        Dimension::ALL
            .iter()
            .any(|d| d.is_token() && self.price(*d).is_some())
    }

    /// Units one price is quoted per: tokens per the token unit, 1,000 tool calls, else 1.
    pub fn unit_size(&self, dimension: Dimension) -> Decimal {
        if dimension.is_token() {
            self.token_unit
        } else if dimension == Dimension::ToolCalls {
            Decimal::ONE_THOUSAND
        } else {
            Decimal::ONE
        }
    }

    pub(crate) fn names(&self, model: &str) -> bool {
        self.model == model || self.aliases.iter().any(|a| a == model)
    }

    /// In effect at `at`; for a request that states no time (None), only an entry
    /// without effective dates is: a dated entry may not apply, and which one would is
    /// never guessed.
    pub(crate) fn in_effect(&self, at: Option<Timestamp>) -> bool {
        match at {
            Some(at) => {
                self.effective_from.is_none_or(|from| from <= at)
                    && self.effective_to.is_none_or(|to| at < to)
            }
            None => self.effective_from.is_none() && self.effective_to.is_none(),
        }
    }
}

impl Factor {
    pub fn covers(&self, entry: &Entry, dimension: Dimension) -> bool {
        let model = self.models.is_empty()
            || self
                .models
                .iter()
                .any(|m| entry.names(m) || *m == entry.model);
        let kind = match self.applies_to {
            AppliesTo::All => true,
            AppliesTo::Tokens => dimension.is_token(),
            AppliesTo::Calls => !dimension.is_token(),
        };
        model && kind
    }
}

impl RateCard {
    /// The entry that prices `model` at `at`: its label or an alias, within its period
    /// (at no time: an entry without a period). Entries with no price at all do not
    /// count (a row the user has not filled in yet).
    pub fn lookup(&self, model: &str, at: Option<Timestamp>) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.names(model) && e.in_effect(at) && !e.is_empty())
    }

    /// Any entry naming `model`, whatever its period (to tell "unpriced" from "out of period").
    pub fn names(&self, model: &str) -> bool {
        self.entries.iter().any(|e| e.names(model) && !e.is_empty())
    }
}
