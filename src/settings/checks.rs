//! Checks of single settings fields: the FX rate, the window, times and labels.

use rust_decimal::Decimal;

use super::{Fx, Settings, WindowText};
use crate::error::Error;
use crate::ingest::{parse_timestamp, Window};
use crate::ratecard::RateCard;

impl Settings {
    /// Rates in another currency than the bill are compared only through a stated FX rate.
    pub(super) fn validate_fx(
        &self,
        card: &RateCard,
        billing: &str,
        rate: Option<Decimal>,
        errors: &mut Vec<Error>,
    ) -> Option<Fx> {
        let rate_currency = card
            .entries
            .iter()
            .find(|e| !e.is_empty())
            .map(|e| e.currency.clone())?;
        if rate_currency == billing {
            return None;
        }
        let Some(rate) = rate else {
            errors.push(Error::field("fx.rate", format!("expected an FX rate from {rate_currency} to {billing} with its source, because the rates are in {rate_currency} and the bill is in {billing}; without one the comparison is refused")));
            return None;
        };
        let captured_at = match self.fx.captured_at.trim() {
            "" => None,
            text => parse_timestamp(text)
                .map_err(|m| errors.push(Error::field("fx.captured_at", m)))
                .ok(),
        };
        if self.fx.source_url.trim().is_empty() {
            errors.push(Error::field(
                "fx.source_url",
                "expected where the FX rate comes from, but found nothing",
            ));
        }
        Some(Fx {
            from: rate_currency,
            to: billing.to_string(),
            rate,
            source_url: self.fx.source_url.trim().to_string(),
            captured_at,
        })
    }

    pub(super) fn validate_window(&self, errors: &mut Vec<Error>) -> Option<Window> {
        let WindowText { start, end } = &self.incident_window_utc;
        if start.trim().is_empty() && end.trim().is_empty() {
            return None;
        }
        let mut parse = |name: &str, text: &str| {
            let result = if text.trim().is_empty() {
                Err("expected a UTC time like 2026-05-11T08:00:00Z, but found nothing".to_string())
            } else {
                parse_timestamp(text)
            };
            result
                .map_err(|message| {
                    errors.push(Error::field(
                        &format!("incident_window_utc.{name}"),
                        message,
                    ))
                })
                .ok()
        };
        let (start, end) = (parse("start", start), parse("end", end));
        let (start, end) = (start?, end?);
        if end <= start {
            errors.push(Error::field(
                "incident_window_utc.end",
                format!("expected an end after the start ({start}), but found {end}"),
            ));
            return None;
        }
        Some(Window { start, end })
    }
}

/// The value, or its default with the problem noted under `path`.
pub(super) fn noted<T: Default>(
    errors: &mut Vec<Error>,
    path: &str,
    result: Result<T, String>,
) -> T {
    result.unwrap_or_else(|message| {
        errors.push(Error::field(path, message));
        T::default()
    })
}
