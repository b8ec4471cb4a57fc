//! One line of the expected charge: a model × dimension (× long-context tier × status),
//! with its quantity, rate, factors and amount.

use jiff::Timestamp;
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
    /// How many of the dimension's units the rate is quoted per (1,000,000 tokens, 1,000
    /// tool calls, 1 call).
    pub unit_size: Decimal,
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
        unit_size: Decimal::ONE,
        factor: Decimal::ONE,
        factors: Vec::new(),
        amount: None,
        label: Confidence::Unknown,
        source_url: String::new(),
    }
}

/// One line's share of a UTC day: the same model × dimension × tier × status × rate, with
/// the quantity and amount of that day's rows. Amounts are summed row by row, before any
/// rounding per line or per total (that applies to the window's lines only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayLine {
    /// The day's first instant in UTC; None for rows that state no time (counted without
    /// the window, so in no day).
    pub day: Option<Timestamp>,
    pub model: String,
    pub dimension: Dimension,
    pub long_context: bool,
    pub status: LineStatus,
    pub rate: Option<Decimal>,
    pub quantity: u64,
    pub amount: Option<Decimal>,
}

impl DayLine {
    /// The day's end (exclusive): 24 hours on, UTC has no daylight saving.
    pub fn end(&self) -> Option<Timestamp> {
        self.day
            .and_then(|d| d.checked_add(jiff::SignedDuration::from_hours(24)).ok())
    }

    /// Whether `line` is the window line this day's share belongs to.
    pub fn of(&self, line: &PriceLine) -> bool {
        (
            &self.model,
            self.dimension,
            self.long_context,
            self.status,
            self.rate,
        ) == (
            &line.model,
            line.dimension,
            line.long_context,
            line.status,
            line.rate,
        )
    }
}

/// The first instant of `at`'s UTC day.
pub fn day_of(at: Timestamp) -> Option<Timestamp> {
    let second = at.as_second();
    Timestamp::from_second(second - second.rem_euclid(86_400)).ok()
}
