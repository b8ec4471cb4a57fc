//! The review settings document: window, rates with provenance, policies.
//!
//! The page edits this document as the user types and exports it; the CLI reads the
//! same JSON. Every figure is kept as the text the user wrote, so nothing typed is ever
//! lost or reformatted; [`Settings::validate`] turns it into exact values and lists
//! every problem with its path (`rates[3].input_per_million`), serde_json style.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal::{parse_exact, quote};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub schema_version: u32,
    pub reconciliation_run_id: String,
    pub provider: String,
    pub incident_window_utc: WindowText,
    /// new-api quota units per USD; 500000 unless the deployment changed it.
    pub quota_per_usd: String,
    pub tolerance: ToleranceText,
    pub rates: Vec<RateText>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowText {
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToleranceText {
    /// USD; a variance this small or smaller is within tolerance.
    pub absolute: String,
    /// Percent of the expected charge.
    pub percent: String,
}

impl Default for ToleranceText {
    fn default() -> Self {
        ToleranceText {
            absolute: "0.01".into(),
            percent: "1".into(),
        }
    }
}

/// One model's verified prices, as read off the pricing page. Empty means "not priced".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateText {
    pub model: String,
    pub input_per_million: String,
    pub cached_input_per_million: String,
    pub cache_write_per_million: String,
    pub output_per_million: String,
    pub per_call: String,
    pub source_url: String,
    pub captured_at: String,
    /// verified / inferred / unknown
    pub label: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            schema_version: SCHEMA_VERSION,
            reconciliation_run_id: "rec_001".into(),
            provider: "CometAPI".into(),
            incident_window_utc: WindowText::default(),
            quota_per_usd: "500000".into(),
            tolerance: ToleranceText::default(),
            rates: Vec::new(),
        }
    }
}

/// A problem in the settings, with the JSON path of the field it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SettingsError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Verified,
    Inferred,
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Window {
    /// Half-open: a row written exactly at `end` belongs to the next window.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    pub model: String,
    pub input_per_million: Option<Decimal>,
    pub cached_input_per_million: Option<Decimal>,
    pub cache_write_per_million: Option<Decimal>,
    pub output_per_million: Option<Decimal>,
    pub per_call: Option<Decimal>,
    pub source_url: String,
    pub captured_at: Option<Timestamp>,
    pub label: Confidence,
}

impl Rate {
    /// A row the user has not filled in yet prices nothing: the model is unpriced.
    pub fn is_empty(&self) -> bool {
        !self.prices_tokens()
            && self.cached_input_per_million.is_none()
            && self.cache_write_per_million.is_none()
            && self.per_call.is_none()
    }

    pub fn prices_tokens(&self) -> bool {
        self.input_per_million.is_some() || self.output_per_million.is_some()
    }
}

/// Settings after validation: exact values only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSettings {
    pub reconciliation_run_id: String,
    pub provider: String,
    pub window: Option<Window>,
    pub quota_per_usd: Decimal,
    pub tolerance_absolute: Decimal,
    pub tolerance_percent: Decimal,
    /// Keyed by the model label exactly as written on the pricing page.
    pub rates: BTreeMap<String, Rate>,
}

impl Settings {
    /// Reads a settings document; a wrong type names its path.
    pub fn from_json(text: &str) -> Result<Settings, SettingsError> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = if inner.is_syntax() || inner.is_eof() {
                format!("this is not a settings JSON document ({inner})")
            } else {
                inner.to_string()
            };
            SettingsError {
                path: if path == "." { "settings".into() } else { path },
                message,
            }
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("settings are plain strings") + "\n"
    }

    /// Makes sure every model in `models` has a row in the rate table, keeping what
    /// the user already typed; new rows start empty and labelled unknown.
    pub fn ensure_rate_rows<'a>(&mut self, models: impl IntoIterator<Item = &'a str>) {
        for model in models {
            if !self.rates.iter().any(|r| r.model == model) {
                self.rates.push(RateText {
                    model: model.to_string(),
                    label: "verified".into(),
                    ..RateText::default()
                });
            }
        }
    }

    pub fn validate(&self) -> Result<ValidSettings, Vec<SettingsError>> {
        let mut errors = Vec::new();
        let quota_per_usd = check(
            &mut errors,
            "quota_per_usd".into(),
            positive(&self.quota_per_usd),
        );
        let tolerance_absolute = check(
            &mut errors,
            "tolerance.absolute".into(),
            non_negative(&self.tolerance.absolute),
        );
        let tolerance_percent = check(
            &mut errors,
            "tolerance.percent".into(),
            non_negative(&self.tolerance.percent),
        );
        let mut rates = BTreeMap::new();
        for (i, rate) in self.rates.iter().enumerate() {
            let parsed = validate_rate(i, rate, &mut errors);
            if parsed.model.is_empty() {
                errors.push(SettingsError {
                    path: format!("rates[{i}].model"),
                    message:
                        "expected the model label as written on the pricing page, but found nothing"
                            .into(),
                });
            } else if rates.contains_key(&parsed.model) {
                errors.push(SettingsError {
                    path: format!("rates[{i}].model"),
                    message: format!(
                        "expected each model once, but found {} again",
                        quote(&parsed.model)
                    ),
                });
            }
            rates.insert(parsed.model.clone(), parsed);
        }
        let window = self.validate_window(&mut errors);
        match (quota_per_usd, tolerance_absolute, tolerance_percent) {
            (Some(quota_per_usd), Some(tolerance_absolute), Some(tolerance_percent))
                if errors.is_empty() =>
            {
                Ok(ValidSettings {
                    reconciliation_run_id: self.reconciliation_run_id.trim().to_string(),
                    provider: self.provider.trim().to_string(),
                    window,
                    quota_per_usd,
                    tolerance_absolute,
                    tolerance_percent,
                    rates,
                })
            }
            _ => Err(errors),
        }
    }

    fn validate_window(&self, errors: &mut Vec<SettingsError>) -> Option<Window> {
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
        let (start, end) = (parse("start", start)?, parse("end", end)?);
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

fn check(
    errors: &mut Vec<SettingsError>,
    path: String,
    result: Result<Decimal, String>,
) -> Option<Decimal> {
    result
        .map_err(|message| errors.push(SettingsError { path, message }))
        .ok()
}

fn validate_rate(i: usize, rate: &RateText, errors: &mut Vec<SettingsError>) -> Rate {
    let path = |name: &str| format!("rates[{i}].{name}");
    let mut price = |name: &str, text: &str| {
        if text.trim().is_empty() {
            return None;
        }
        check(errors, path(name), non_negative(text))
    };
    let mut parsed = Rate {
        model: rate.model.trim().to_string(),
        input_per_million: price("input_per_million", &rate.input_per_million),
        cached_input_per_million: price("cached_input_per_million", &rate.cached_input_per_million),
        cache_write_per_million: price("cache_write_per_million", &rate.cache_write_per_million),
        output_per_million: price("output_per_million", &rate.output_per_million),
        per_call: price("per_call", &rate.per_call),
        source_url: rate.source_url.trim().to_string(),
        captured_at: None,
        label: Confidence::Unknown,
    };
    match parse_confidence(&rate.label) {
        Ok(label) => parsed.label = label,
        Err(message) => errors.push(SettingsError {
            path: path("label"),
            message,
        }),
    }
    if !rate.captured_at.trim().is_empty() {
        match parse_timestamp(&rate.captured_at) {
            Ok(at) => parsed.captured_at = Some(at),
            Err(message) => errors.push(SettingsError {
                path: path("captured_at"),
                message,
            }),
        }
    }
    parsed
}

/// Accepts RFC 3339 with `Z` or an offset; a time without a zone is refused, because
/// guessing the zone is exactly the time-window mismatch this tool exists to catch.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    text.parse::<Timestamp>().map_err(|_| {
        format!("expected a UTC time like 2026-05-11T08:00:00Z (or with an offset such as +08:00), but found {}", quote(text))
    })
}

fn parse_confidence(text: &str) -> Result<Confidence, String> {
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

fn non_negative(text: &str) -> Result<Decimal, String> {
    let value = parse_exact(text)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!(
            "expected zero or more, but found {}",
            quote(text.trim())
        ));
    }
    Ok(value)
}

fn positive(text: &str) -> Result<Decimal, String> {
    let value = non_negative(text)?;
    if value.is_zero() {
        return Err("expected more than zero, but found 0".into());
    }
    Ok(value)
}
