//! One line of the expected charge: a model × dimension (× long-context tier × status),
//! with its quantity, rate, factors and amount.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ratecard::{Confidence, Dimension};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Expected,
    /// Usage whose outcome the policy calls unknown: possibly billed.
    AtRisk,
    Unpriced,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceLine {
    pub model: String,
    pub dimension: Dimension,
    pub long_context: bool,
    pub status: LineStatus,
    pub quantity: u64,
    pub rate: Option<Decimal>,
    pub unit: String,
    /// Product of the named factors (and FX) applied; 1 when none.
    pub factor: Decimal,
    pub factors: Vec<String>,
    pub amount: Option<Decimal>,
    pub label: Confidence,
    pub source_url: String,
}

pub(super) fn blank_line() -> PriceLine {
    PriceLine {
        model: String::new(),
        dimension: Dimension::Calls,
        long_context: false,
        status: LineStatus::Unpriced,
        quantity: 0,
        rate: None,
        unit: String::new(),
        factor: Decimal::ONE,
        factors: Vec::new(),
        amount: None,
        label: Confidence::Unknown,
        source_url: String::new(),
    }
}
