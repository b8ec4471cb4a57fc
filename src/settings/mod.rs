//! The review settings document: window, rate card with provenance, policies.
//!
//! The page edits this document as the user types and exports it; the CLI reads the
//! same JSON. Every figure is kept as the text the user wrote, so nothing typed is ever
//! lost or reformatted; [`Settings::validate`] turns it into exact values and lists
//! every problem with its path (`rates[3].input`), serde_json style.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal::{parse_exact, quote, NumberFormat};
use crate::error::{from_json_with_path, Error};
use crate::ingest::{DateOrder, StatedZone, UntimedRequests, Window};
use crate::policy::{parse_rounding, Policy, PolicyText, QuotaRounding, Rounding, RoundingText};
use crate::ratecard::{self, FactorText, RateCard, RateText};

pub mod budget;
mod checks;
mod csv;
mod edit;
mod evidence;
pub mod expected_side;
pub mod provider_side;
mod review;
mod ticks;

use checks::noted;
pub use csv::{CsvHeaders, CsvLocale, CsvStyle};
pub use edit::{SettingsEdit, SettingsField};
pub use evidence::FormatOverride;
pub use review::{
    AssumptionNote, AssumptionText, Check, CheckText, Document, DocumentText, FollowUp,
    FollowUpText, Forecast, ForecastText, ReviewText, Role, ValidReview, DOCUMENT_KINDS,
};

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
    /// Which stream is the provider-side figure: `gateway_log`, `provider_usage`,
    /// `billing` or `account_totals`; empty for the default rule
    /// ([`provider_side::DEFAULT_RULE`]).
    pub provider_side: String,
    /// Which evidence prices the expected charge: empty for the gateway log's rows (the
    /// default), `client_requests` for what the client saw ([`expected_side`]). Left
    /// out of the document while empty, so settings and records written before the
    /// choice existed read and digest as they did.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub expected_side: String,
    /// The currency the provider bills in (USD for CometAPI quota).
    pub billing_currency: String,
    /// Needed only when the rate card's currency differs from the billing currency.
    pub fx: FxText,
    pub rates: Vec<RateText>,
    pub factors: Vec<FactorText>,
    pub outcome_policy: PolicyText,
    pub rounding: RoundingText,
    /// How the gateway rounds quota: round (default), truncate or ceil.
    pub quota_rounding: String,
    /// Where times written without a zone were written: a UTC offset (`+08:00`, `-05:00`,
    /// `Z`) or an IANA time zone (`Asia/Shanghai`, daylight saving included); empty means
    /// such times are rejected rather than guessed.
    pub zoneless_times_offset: String,
    /// How CSV files write numbers, as a sample: `1,234.5`, `1.234,5`, `1 234,5`, or empty
    /// for plain `1234.5` (grouped or decimal-comma text is then rejected, not guessed).
    pub number_format: String,
    /// The order of dates like `1/5/26`: `month/day/year` or `day/month/year`; empty
    /// reads only year-first dates and rejects the others.
    pub date_order: String,
    /// Client requests that state no time (Anthropic Messages): `reject` (the default)
    /// or `count` (accepted without the incident window, listed apart in the ledger).
    pub untimed_requests: String,
    /// Column mappings for exports not known by their header, each saved under the
    /// header line it was made for (see [`crate::ingest::mapping`]).
    pub column_mappings: Vec<crate::ingest::mapping::MappingText>,
    /// Files the reviewer says are another format than the one detected, by file name.
    pub format_overrides: Vec<FormatOverride>,
    /// How the CSV outputs separate cells and write decimals: `comma` (the default: `,`
    /// and `.`), `semicolon` (`;` and `,`, Excel in most of Europe) or `tab`.
    pub csv_style: String,
    /// Whether the CSV outputs start with a UTF-8 byte-order mark, so Excel reads
    /// non-ASCII labels right.
    pub csv_byte_order_mark: bool,
    /// The CSV outputs' column names: `readable` (the default: "Recorded by the
    /// provider") or `machine` (`provider_recorded`, stable for scripts).
    pub csv_headers: String,
    /// The incident review: roles, the finance time zone, the forecast, source
    /// documents, the window buffer (see [`ReviewText`]).
    pub review: ReviewText,
    /// The budget review of the same evidence ([`budget::BudgetText`]); left out of the
    /// document while nothing is typed in it, and never read by the reconciliation.
    #[serde(skip_serializing_if = "budget::BudgetText::is_empty")]
    pub budget_review: budget::BudgetText,
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
    /// In the billing currency; a variance this small or smaller is within tolerance.
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

/// 1 unit of the rate currency = `rate` units of the billing currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FxText {
    pub rate: String,
    pub source_url: String,
    pub captured_at: String,
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
            provider_side: String::new(),
            expected_side: String::new(),
            billing_currency: "USD".into(),
            fx: FxText::default(),
            rates: Vec::new(),
            factors: Vec::new(),
            outcome_policy: PolicyText::default(),
            rounding: RoundingText::default(),
            quota_rounding: String::new(),
            zoneless_times_offset: String::new(),
            number_format: String::new(),
            date_order: String::new(),
            untimed_requests: "reject".into(),
            column_mappings: Vec::new(),
            format_overrides: Vec::new(),
            csv_style: String::new(),
            csv_byte_order_mark: false,
            csv_headers: String::new(),
            review: ReviewText::default(),
            budget_review: budget::BudgetText::default(),
        }
    }
}

/// Converts rate-card amounts into the billing currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fx {
    pub from: String,
    pub to: String,
    pub rate: Decimal,
    pub source_url: String,
    pub captured_at: Option<Timestamp>,
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
    /// The stream the reviewer chose as the provider-side figure; None: the default rule.
    pub provider_side: Option<crate::ingest::Stream>,
    /// The evidence the expected charge is priced from.
    pub expected_side: expected_side::ExpectedSide,
    pub billing_currency: String,
    pub fx: Option<Fx>,
    pub rate_card: RateCard,
    pub policy: Policy,
    pub rounding: Option<Rounding>,
    pub quota_rounding: QuotaRounding,
    pub zoneless_zone: Option<StatedZone>,
    pub number_format: NumberFormat,
    pub date_order: DateOrder,
    pub untimed_requests: UntimedRequests,
    pub mappings: Vec<crate::ingest::mapping::Mapping>,
    pub format_overrides: Vec<(String, crate::ingest::Format)>,
    pub csv: CsvStyle,
    /// The SHA-256 of the rate card as exported ([`ratecard::RateCardText::sha256`]).
    pub rate_card_sha256: String,
    /// The review's run id and window, as the exports name them.
    pub csv_headers: CsvHeaders,
    /// The document these values were validated from, as typed: the record carries it
    /// (sanitized), so a review can be run again from the record alone.
    pub document: Settings,
    /// Minutes each side of the window whose rows are counted apart (0: none).
    pub window_buffer_minutes: u32,
    /// The incident review, checked; its problems are warnings, never errors.
    pub review: ValidReview,
}

impl Settings {
    pub fn from_json(text: &str) -> Result<Settings, Error> {
        from_json_with_path(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("settings are plain strings") + "\n"
    }

    /// Models seen in the evidence that no entry names (by label or alias) with a price
    /// typed: the reviewer must enter a rate or add the name as an alias.
    pub fn unpriced<'a>(&self, models: &'a [String]) -> Vec<&'a str> {
        let names: Vec<&str> = self
            .rates
            .iter()
            .filter(|r| r.has_price())
            .flat_map(|r| {
                std::iter::once(r.model.trim()).chain(r.aliases.split(',').map(str::trim))
            })
            .collect();
        models
            .iter()
            .map(String::as_str)
            .filter(|m| !names.contains(m))
            .collect()
    }

    /// Whether going from `before` to this document can move a figure: anything but
    /// the review's typed notes (its window buffer does: rows in it are counted as the
    /// files are read). When it cannot, the page keeps the figures and only their
    /// settings follow (`Figures::under`); the worker is not asked.
    pub fn moves_figures_from(&self, before: &Settings) -> bool {
        let figures_part = |s: &Settings| Settings {
            review: ReviewText {
                window_buffer_minutes: s.review.window_buffer_minutes.clone(),
                ..ReviewText::default()
            },
            // The review log moves no figure either: a row added is not a reason to
            // price every row of the evidence again.
            budget_review: s.budget_review.without_log(),
            ..s.clone()
        };
        figures_part(self) != figures_part(before)
    }

    pub fn validate(&self) -> Result<ValidSettings, Vec<Error>> {
        let mut errors = Vec::new();
        let mut number = |path: &str, text: &str, positive: bool| {
            let result = parse_exact(text).and_then(|v| {
                match (
                    v.is_sign_negative() && !v.is_zero(),
                    positive && v.is_zero(),
                ) {
                    (true, _) => Err(format!(
                        "expected zero or more, but found {}",
                        quote(text.trim())
                    )),
                    (_, true) => Err("expected more than zero, but found 0".into()),
                    _ => Ok(v),
                }
            });
            result
                .map_err(|message| errors.push(Error::field(path, message)))
                .ok()
        };
        let quota_per_usd = number("quota_per_usd", &self.quota_per_usd, true);
        let tolerance_absolute = number("tolerance.absolute", &self.tolerance.absolute, false);
        let tolerance_percent = number("tolerance.percent", &self.tolerance.percent, false);
        let fx_rate = (!self.fx.rate.trim().is_empty())
            .then(|| number("fx.rate", &self.fx.rate, true))
            .flatten();
        let rate_card = ratecard::validate(
            &self.rates,
            &self.factors,
            quota_per_usd.unwrap_or(Decimal::ONE),
            &mut errors,
        );
        let mut push_all = |found: Vec<Error>| errors.extend(found);
        let policy = Policy::parse(&self.outcome_policy)
            .map_err(&mut push_all)
            .unwrap_or_default();
        let rounding = parse_rounding(&self.rounding)
            .map_err(&mut push_all)
            .unwrap_or(None);
        let quota_rounding = QuotaRounding::parse(&self.quota_rounding)
            .map_err(|m| errors.push(Error::field("quota_rounding", m)))
            .unwrap_or_default();
        let billing_currency = ratecard::validate::currency(&self.billing_currency);
        let fx = self.validate_fx(&rate_card, &billing_currency, fx_rate, &mut errors);
        let window = self.validate_window(&mut errors);
        let zoneless_zone = StatedZone::parse(&self.zoneless_times_offset);
        let zoneless_zone = noted(&mut errors, "zoneless_times_offset", zoneless_zone);
        let number_format = NumberFormat::parse(&self.number_format);
        let number_format = noted(&mut errors, "number_format", number_format);
        let date_order = noted(
            &mut errors,
            "date_order",
            DateOrder::parse(&self.date_order),
        );
        let untimed_requests = noted(
            &mut errors,
            "untimed_requests",
            UntimedRequests::parse(&self.untimed_requests),
        );
        let provider_side = noted(
            &mut errors,
            "provider_side",
            provider_side::parse(&self.provider_side),
        );
        let expected_side = noted(
            &mut errors,
            "expected_side",
            expected_side::parse(&self.expected_side),
        );
        let (mappings, format_overrides) = self.validate_evidence(&mut errors);
        let csv = CsvStyle {
            locale: noted(&mut errors, "csv_style", CsvLocale::parse(&self.csv_style)),
            byte_order_mark: self.csv_byte_order_mark,
        };
        let csv_headers = noted(
            &mut errors,
            "csv_headers",
            CsvHeaders::parse(&self.csv_headers),
        );
        let window_buffer_minutes = self
            .review
            .buffer_minutes()
            .map_err(|e| errors.push(e))
            .unwrap_or(0);
        let review = self.review.validate(&billing_currency);
        let rate_card_sha256 =
            ratecard::RateCardText::new(self.rates.clone(), self.factors.clone()).sha256();
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
                    provider_side,
                    expected_side,
                    billing_currency,
                    fx,
                    rate_card,
                    policy,
                    rounding,
                    quota_rounding,
                    zoneless_zone,
                    number_format,
                    date_order,
                    untimed_requests,
                    mappings,
                    format_overrides,
                    csv,
                    rate_card_sha256,
                    csv_headers,
                    document: self.clone(),
                    window_buffer_minutes,
                    review,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(settings: &Settings) -> Vec<String> {
        settings
            .validate()
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn validation_names_each_problem_by_path() {
        type Edit = fn(&mut Settings);
        let cases: [(Edit, &str); 10] = [
            (|s| s.incident_window_utc = WindowText { start: "2026-05-11 08:00".into(), end: "2026-05-11T10:00:00Z".into() },
                "incident_window_utc.start: expected a UTC time like 2026-05-11T08:00:00Z (or with an offset such as +08:00), but found \"2026-05-11 08:00\""),
            (|s| s.incident_window_utc = WindowText { start: "2026-05-11T10:00:00Z".into(), end: "2026-05-11T08:00:00Z".into() },
                "incident_window_utc.end: expected an end after the start (2026-05-11T10:00:00Z), but found 2026-05-11T08:00:00Z"),
            (|s| s.incident_window_utc.start = "2026-05-11T10:00:00Z".into(),
                "incident_window_utc.end: expected a UTC time like 2026-05-11T08:00:00Z, but found nothing"),
            (|s| s.tolerance.absolute = "-1".into(), "tolerance.absolute: expected zero or more, but found \"-1\""),
            (|s| s.quota_per_usd = "0".into(), "quota_per_usd: expected more than zero, but found 0"),
            (|s| s.quota_rounding = "floor".into(), "quota_rounding: expected round, truncate or ceil, but found \"floor\""),
            (|s| s.zoneless_times_offset = "Shanghai".into(), "zoneless_times_offset: expected a UTC offset such as +08:00 or a time zone such as Asia/Shanghai, but found \"Shanghai\""),
            (|s| s.number_format = "1'234.5".into(), "number_format: expected how the file writes one thousand two hundred thirty-four and a half: 1,234.5 or 1.234,5 or 1 234,5 (or nothing for 1234.5), but found \"1'234.5\""),
            (|s| s.date_order = "dd.mm.yy".into(), "date_order: expected month/day/year or day/month/year (or nothing, for year-first dates only), but found \"dd.mm.yy\""),
            (|s| s.untimed_requests = "guess".into(), "untimed_requests: expected reject or count, but found \"guess\""),
        ];
        for (edit, expected) in cases {
            let mut settings = Settings::default();
            edit(&mut settings);
            assert_eq!(errors_of(&settings), vec![expected.to_string()]);
        }
    }

    #[test]
    fn offsets_are_accepted_and_the_window_is_half_open() {
        let s = Settings {
            incident_window_utc: WindowText {
                start: "2026-05-11T16:00:00+08:00".into(),
                end: "2026-05-11T10:00:00Z".into(),
            },
            ..Settings::default()
        };
        let window = s.validate().unwrap().window.unwrap();
        assert!(window.contains("2026-05-11T08:00:00Z".parse().unwrap()));
        assert!(!window.contains("2026-05-11T10:00:00Z".parse().unwrap()));
    }

    #[test]
    fn a_wrong_type_names_its_path() {
        let error = Settings::from_json(r#"{"tolerance": {"absolute": 0.01}}"#).unwrap_err();
        assert_eq!(error.to_string(), "tolerance.absolute: expected the value in quotes, such as \"0.01\" (figures are kept as text so nothing is rounded), but found a number");
    }
}
