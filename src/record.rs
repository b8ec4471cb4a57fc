//! record: the sanitized reconciliation record, schema-versioned, for support tickets.
//!
//! Built from an allow-list: every field below is written by this module from computed
//! figures, counts and sanitized identifiers. No text from an input file (token names,
//! prompts, content, IPs, error messages quoting cells) has a field to land in.
//! Amounts are decimal strings. The layout follows the seed's sanitized record, plus
//! fingerprints, per-model lines and the variance bridge.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::classify::Bridge;
use crate::decimal::{self, serde_str};
use crate::ingest::{ExclusionRule, Format};
use crate::price::{Dimension, ModelCharge};
use crate::reconcile::{Comparison, Tolerance};
use crate::review::{Figures, Review};
use crate::sanitize;
use crate::settings::Confidence;

pub const RECORD_SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Record {
    pub schema_version: u32,
    pub generated_at: String,
    pub generator: String,
    pub reconciliation_run_id: String,
    pub provider: String,
    pub incident_window_utc: WindowOut,
    pub source_documents: Vec<SourceDocument>,
    pub input_files: Vec<InputFileOut>,
    pub service_or_model_label: String,
    pub pricing_assumption: PricingAssumption,
    pub usage_rollup: UsageRollup,
    pub computed_charge: ComputedCharge,
    pub per_model: Vec<ModelOut>,
    pub variance_bridge: Bridge,
    pub confidence: ConfidenceOut,
    pub next_action: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowOut {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceDocument {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
    pub captured_at: Option<String>,
    pub purpose: &'static str,
    pub models: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputFileOut {
    pub name: String,
    pub format: Option<Format>,
    pub sha256: String,
    pub bytes: u64,
    pub readable: bool,
    pub rows_read: u64,
    pub accepted: u64,
    pub excluded: BTreeMap<ExclusionRule, u64>,
    pub rejected: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PricingAssumption {
    pub rate_source: &'static str,
    pub price_unit: &'static str,
    pub currency: &'static str,
    pub rate_value: &'static str,
    pub rounding_rule: &'static str,
    pub quota_per_usd: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsageRollup {
    pub request_count: u64,
    pub input_units: String,
    pub cached_input_units: String,
    pub cache_write_units: String,
    pub output_units: String,
    pub call_units: String,
    /// new-api logs do not say which requests were retries: unknown, not zero.
    pub retried_request_count: Option<u64>,
    pub failed_request_count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComputedCharge {
    pub currency: &'static str,
    #[serde(with = "serde_str")]
    pub expected_amount: Decimal,
    pub expected_complete: bool,
    #[serde(with = "serde_str")]
    pub provider_reported_amount: Decimal,
    #[serde(with = "serde_str")]
    pub variance_amount: Decimal,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub variance_percent: Option<Decimal>,
    pub within_tolerance: bool,
    pub tolerance: Tolerance,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineOut {
    pub dimension: Dimension,
    pub quantity: String,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub rate: Option<Decimal>,
    pub unit: &'static str,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub amount: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelOut {
    pub model: String,
    pub rate_label: Confidence,
    pub request_count: u64,
    pub lines: Vec<LineOut>,
    pub computed_charge: ComputedCharge,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfidenceOut {
    pub usage_fields: &'static str,
    pub pricing_fields: &'static str,
    pub rounding_rule: &'static str,
}

fn charge_out(c: &Comparison, tolerance: Tolerance) -> ComputedCharge {
    ComputedCharge {
        currency: "USD",
        expected_amount: c.expected,
        expected_complete: c.expected_complete,
        provider_reported_amount: c.provider,
        variance_amount: c.variance,
        variance_percent: c.variance_percent,
        within_tolerance: c.within_tolerance,
        tolerance,
    }
}

fn total(charges: &[ModelCharge], dimension: Dimension) -> u64 {
    let lines = charges.iter().flat_map(|c| c.lines.iter());
    lines
        .filter(|l| l.dimension == dimension)
        .fold(0u64, |sum, l| sum.saturating_add(l.quantity))
}

pub fn build(review: &Review, figures: &Figures, generated_at: Timestamp) -> Record {
    let settings = &figures.settings;
    let tolerance = Tolerance {
        absolute: settings.tolerance_absolute,
        percent: settings.tolerance_percent,
    };
    let charges = &figures.charges;
    let input_files = review.files.iter().map(|f| InputFileOut {
        name: sanitize::file_name(&f.name),
        format: f.format,
        sha256: f.fingerprint.sha256.clone(),
        bytes: f.fingerprint.bytes,
        readable: f.format.is_some(),
        rows_read: f.ledger.rows_read,
        accepted: f.ledger.accepted,
        excluded: f.ledger.excluded.clone(),
        rejected: f.ledger.rejected,
    });
    let mut sources: BTreeMap<(String, Option<String>), Vec<String>> = BTreeMap::new();
    for rate in settings.rates.values().filter(|r| !r.is_empty()) {
        let key = (
            sanitize::url(&rate.source_url),
            rate.captured_at.map(|t| t.to_string()),
        );
        sources
            .entry(key)
            .or_default()
            .push(sanitize::label(&rate.model));
    }
    let source_documents = sources
        .into_iter()
        .map(|((url, captured_at), models)| SourceDocument {
            kind: "pricing_page",
            url,
            captured_at,
            purpose: "verified pricing units entered by the reviewer",
            models,
        });
    let per_model =
        charges
            .iter()
            .zip(&figures.reconciliation.per_model)
            .map(|(charge, (_, comparison))| ModelOut {
                model: sanitize::label(&charge.model),
                rate_label: charge.label,
                request_count: charge.requests,
                lines: charge
                    .lines
                    .iter()
                    .map(|l| LineOut {
                        dimension: l.dimension,
                        quantity: l.quantity.to_string(),
                        rate: l.rate,
                        unit: l.dimension.unit(),
                        amount: l.amount,
                    })
                    .collect(),
                computed_charge: charge_out(comparison, tolerance),
            });
    let models: Vec<String> = charges.iter().map(|c| sanitize::label(&c.model)).collect();
    let total_comparison = &figures.reconciliation.total;
    let uncached = total(charges, Dimension::UncachedInput);
    let cached = total(charges, Dimension::CachedInput);
    let written = total(charges, Dimension::CacheWrite);
    let weakest = charges
        .iter()
        .map(|c| c.label)
        .max()
        .unwrap_or(Confidence::Unknown);
    Record {
        schema_version: RECORD_SCHEMA_VERSION,
        generated_at: generated_at.to_string(),
        generator: concat!("spend-reconciler ", env!("CARGO_PKG_VERSION")).to_string(),
        reconciliation_run_id: sanitize::label(&settings.reconciliation_run_id),
        provider: sanitize::label(&settings.provider),
        incident_window_utc: WindowOut {
            start: settings.window.map(|w| w.start.to_string()),
            end: settings.window.map(|w| w.end.to_string()),
        },
        source_documents: source_documents.collect(),
        input_files: input_files.collect(),
        service_or_model_label: models.join(", "),
        pricing_assumption: PricingAssumption {
            rate_source: "reviewer_verified_rate_card",
            price_unit: "USD per 1M tokens; USD per call for per-call models",
            currency: "USD",
            rate_value: "per_model[].lines[].rate",
            rounding_rule: "none: amounts are exact",
            quota_per_usd: decimal::format(settings.quota_per_usd),
        },
        usage_rollup: UsageRollup {
            request_count: charges.iter().map(|c| c.requests).sum(),
            input_units: uncached
                .saturating_add(cached)
                .saturating_add(written)
                .to_string(),
            cached_input_units: cached.to_string(),
            cache_write_units: written.to_string(),
            output_units: total(charges, Dimension::Output).to_string(),
            call_units: total(charges, Dimension::Calls).to_string(),
            retried_request_count: None,
            failed_request_count: review.failed_requests(),
        },
        computed_charge: charge_out(total_comparison, tolerance),
        per_model: per_model.collect(),
        variance_bridge: figures.bridge.clone(),
        confidence: ConfidenceOut {
            usage_fields: "verified_from_server_log",
            pricing_fields: match weakest {
                Confidence::Verified => "verified_from_captured_pricing_page",
                Confidence::Inferred => "inferred",
                Confidence::Unknown => "unknown",
            },
            rounding_rule: "unknown_until_confirmed",
        },
        next_action: next_action(total_comparison, &figures.bridge, tolerance).to_string(),
    }
}

fn next_action(total: &Comparison, bridge: &Bridge, tolerance: Tolerance) -> &'static str {
    if !total.expected_complete {
        "enter verified rates for every unpriced model, then rerun the reconciliation"
    } else if total.within_tolerance {
        "close: the variance is within tolerance"
    } else if bridge.residual.abs() <= tolerance.absolute {
        "record the explained causes and their owners; no escalation is needed"
    } else {
        "check retries, failed requests, the time window and usage fields; escalate through the Help Center only if the variance remains"
    }
}

impl Record {
    /// Pretty JSON with a final newline; byte-identical for identical inputs.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("the record holds only strings, numbers and booleans")
            + "\n"
    }
}
