//! Checks of single settings fields: the FX rate, the window, times and labels.

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::{Confidence, Fx, Settings, SettingsError, Window, WindowText};
use crate::decimal::quote;
use crate::ratecard::RateCard;

impl Settings {
    /// Rates in another currency than the bill are compared only through a stated FX rate.
    pub(super) fn validate_fx(
        &self,
        card: &RateCard,
        billing: &str,
        rate: Option<Decimal>,
        errors: &mut Vec<SettingsError>,
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
            errors.push(SettingsError {
                path: "fx.rate".into(),
                message: format!("expected an FX rate from {rate_currency} to {billing} with its source, because the rates are in {rate_currency} and the bill is in {billing}; without one the comparison is refused"),
            });
            return None;
        };
        let captured_at = match self.fx.captured_at.trim() {
            "" => None,
            text => parse_timestamp(text)
                .map_err(|m| {
                    errors.push(SettingsError {
                        path: "fx.captured_at".into(),
                        message: m,
                    })
                })
                .ok(),
        };
        if self.fx.source_url.trim().is_empty() {
            errors.push(SettingsError {
                path: "fx.source_url".into(),
                message: "expected where the FX rate comes from, but found nothing".into(),
            });
        }
        Some(Fx {
            from: rate_currency,
            to: billing.to_string(),
            rate,
            source_url: self.fx.source_url.trim().to_string(),
            captured_at,
        })
    }

    pub(super) fn validate_window(&self, errors: &mut Vec<SettingsError>) -> Option<Window> {
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
                    errors.push(SettingsError {
                        path: format!("incident_window_utc.{name}"),
                        message,
                    })
                })
                .ok()
        };
        let (start, end) = (parse("start", start), parse("end", end));
        let (start, end) = (start?, end?);
        if end <= start {
            errors.push(SettingsError {
                path: "incident_window_utc.end".into(),
                message: format!("expected an end after the start ({start}), but found {end}"),
            });
            return None;
        }
        Some(Window { start, end })
    }
}

/// Accepts RFC 3339 with `Z` or an offset; a time without a zone is refused, because
/// guessing the zone is exactly the time-window mismatch this tool exists to catch.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    text.parse::<Timestamp>().map_err(|_| {
        format!("expected a UTC time like 2026-05-11T08:00:00Z (or with an offset such as +08:00), but found {}", quote(text))
    })
}

/// The value, or its default with the problem noted under `path`.
pub(super) fn noted<T: Default>(
    errors: &mut Vec<SettingsError>,
    path: &str,
    result: Result<T, String>,
) -> T {
    result.unwrap_or_else(|message| {
        errors.push(SettingsError {
            path: path.into(),
            message,
        });
        T::default()
    })
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
