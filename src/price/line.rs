//! One line of the expected charge: a model × dimension (× long-context tier × status),
//! with its quantity, rate, factors and amount.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{overflow, LineKey, Pricer};
use crate::error::Error;
use crate::ratecard::Entry;
use crate::ratecard::{Confidence, Dimension};
use crate::settings::ValidSettings;

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

/// The texts of a line no rate prices, as its first row makes it.
pub(super) fn unpriced_line(entry: Option<&Entry>, dimension: Dimension) -> PriceLine {
    PriceLine {
        unit: dimension.unit(entry.map_or(Decimal::from(1_000_000u32), |e| e.token_unit)),
        unit_size: entry.map_or_else(|| dimension.default_unit_size(), |e| e.unit_size(dimension)),
        factor: Decimal::ONE,
        factors: Vec::new(),
        label: Confidence::Unknown,
        source_url: String::new(),
        ..blank_line()
    }
}

/// The texts of a priced line, as its first row makes them.
pub(super) fn priced_line(
    settings: &ValidSettings,
    entry: &Entry,
    dimension: Dimension,
    factor: Decimal,
    label: Confidence,
) -> PriceLine {
    PriceLine {
        unit: dimension.unit(entry.token_unit),
        unit_size: entry.unit_size(dimension),
        factor,
        factors: super::factor_names(settings, entry, dimension),
        label,
        source_url: entry.provenance.source_url.clone(),
        ..blank_line()
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

impl Pricer<'_> {
    /// Adds a row's `quantity` and `amount` to its line (`model` × `key`), and to the
    /// line's share of the row's day.
    pub(super) fn line(
        &mut self,
        model: &str,
        key: LineKey,
        quantity: u64,
        amount: Option<Decimal>,
        make: impl FnOnce() -> PriceLine,
    ) -> Result<(), Error> {
        if !self.lines.contains_key(model) {
            self.lines.insert(model.to_string(), Default::default());
        }
        let lines = self.lines.get_mut(model).expect("inserted above");
        let (line, days) = lines.entry(key).or_insert_with(|| {
            let (dimension, long_context, status, rate) = key;
            let line = PriceLine {
                model: model.to_string(),
                dimension,
                long_context,
                status,
                rate,
                ..make()
            };
            (line, Vec::new())
        });
        line.quantity = line
            .quantity
            .checked_add(quantity)
            .ok_or_else(|| overflow("a quantity"))?;
        if let Some(amount) = amount {
            let total = line.amount.unwrap_or(Decimal::ZERO).checked_add(amount);
            line.amount = Some(total.ok_or_else(|| overflow("a line"))?);
        }
        // Rows come mostly in time order: the day looked for is nearly always the last.
        let day = match days.iter().rposition(|d| d.0 == self.day) {
            Some(i) => &mut days[i],
            None => {
                days.push((self.day, 0, None));
                days.last_mut().expect("just pushed")
            }
        };
        day.1 = day
            .1
            .checked_add(quantity)
            .ok_or_else(|| overflow("a quantity"))?;
        if let Some(amount) = amount {
            let total = day.2.unwrap_or(Decimal::ZERO).checked_add(amount);
            day.2 = Some(total.ok_or_else(|| overflow("a day's line"))?);
        }
        Ok(())
    }
}
