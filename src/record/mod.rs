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
use crate::closure::{self, Closure};
use crate::crosscheck::{CrossCheck, StreamFigures};
use crate::decimal::serde_str;
use crate::figures::Figures;
use crate::ingest::FileReport;
use crate::ingest::{ExclusionRule, Format, Stream};
use crate::price::quota::QuotaCheck;
use crate::price::{LineStatus, PriceLine, Pricing};
use crate::ratecard::Confidence;
use crate::ratecard::Dimension;
use crate::reconcile::{Comparison, Tolerance};
use crate::sanitize;

mod answer;
mod assumption;
mod dual_ledger;
mod settings;
mod trust;
mod verdict;

pub use answer::{exact_sentence, sentence, status, Amounts, Status};
use assumption::{pricing_assumption, source_documents};
pub use assumption::{FactorOut, FxOut, PricingAssumption, SourceDocument};
pub use dual_ledger::DualLedgerOut;
pub use settings::settings_sha256;
use trust::{confidence_out, provider_side_out};
pub use trust::{ConfidenceOut, ProviderSideOut};
pub use verdict::next_action;
use verdict::not_computed;

/// 3: the record carries the settings it was made under (`settings`, sanitized) and
/// their digest, so it can be run again from the record alone and verified; each
/// stream's usage label per dimension (`confidence.usage_by_stream`), what
/// `within_tolerance` is judged on (`confidence.within_tolerance_basis`: the verified
/// part alone), per-image and per-second prices no quantity uses
/// (`confidence.prices_without_quantities`) and the status `estimated` (never a plain
/// close with an estimated part);
/// `provider_side` (the stream the reviewer chose as the provider-side figure, or the
/// default rule).
/// Also in 3 (issue 11): the incident review
/// (`incident_review`: the review frame, the row-level evidence with sanitized request
/// references, the checklist, the contract table, the assumption register, the closure
/// criteria, the final statement and the finance agreement) and the reviewer's source
/// documents beside the pricing pages in `source_documents`.
/// 2: figures with no evidence behind them are `null` (with the reason under
/// `not_computed`), never a complete zero.
pub const RECORD_SCHEMA_VERSION: u32 = 3;

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
    /// None when no usage was priced.
    pub usage_rollup: Option<UsageRollup>,
    pub computed_charge: ComputedCharge,
    /// Each figure that is `null` for want of evidence, and why, in words.
    pub not_computed: BTreeMap<&'static str, &'static str>,
    pub totals: Totals,
    /// None unless the expected charge was priced from a gateway log (its rows carry
    /// the ratios the check re-derives quota from).
    pub quota_consistency: Option<QuotaCheck>,
    pub per_model: Vec<ModelOut>,
    /// None when there is no variance to explain.
    pub variance_bridge: Option<Bridge>,
    /// The stream the expected charge was priced from, and the one the provider-side
    /// figure came from: None when no file gives one (the figure is then absent).
    pub expected_priced_from: Option<Stream>,
    pub provider_recorded_from: Option<Stream>,
    /// Which stream the reviewer chose as the provider-side figure, and the rule that
    /// stands when none is chosen.
    pub provider_side: ProviderSideOut,
    /// Every evidence stream on its own, then compared with each other.
    pub evidence_streams: Vec<StreamFigures>,
    pub cross_checks: Vec<CrossCheck>,
    /// Seed 001's dual ledger, estimated beside reconciled, per model and day.
    pub dual_ledger: DualLedgerOut,
    pub confidence: ConfidenceOut,
    /// The review's status, and the answer in one sentence (the seed's final-statement
    /// form): what the page shows first and the CLI summary prints.
    pub status: Status,
    pub answer: String,
    pub next_action: String,
    /// The SHA-256 of `settings` written canonically ([`settings_sha256`]).
    pub settings_sha256: String,
    /// The paths of settings values replaced to keep secrets out (normally none): a
    /// review re-run from this record can differ where they matter.
    pub settings_redacted: Vec<String>,
    /// The settings document the review ran under, every reading setting included
    /// (window, zones, number and date formats, mappings, overrides, policies, rates).
    pub settings: crate::settings::Settings,
    /// The incident review from the figures to closure ([`crate::closure`]).
    pub incident_review: Closure,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowOut {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputFileOut {
    pub name: String,
    pub format: Option<Format>,
    /// None for a file that could not be read: it belongs to no stream.
    pub stream: Option<Stream>,
    pub sha256: String,
    pub bytes: u64,
    pub readable: bool,
    /// False when the file could not be read at all, or broke off part-way (a cut-off
    /// JSON file): its rows before the break are counted, the rest are unknown.
    pub read_completely: bool,
    pub rows_read: u64,
    pub accepted: u64,
    /// Of `accepted`, client requests that state no time, counted because the settings
    /// say so (`untimed_requests: count`): the incident window was not applied to them.
    pub accepted_without_time: u64,
    pub excluded: BTreeMap<ExclusionRule, u64>,
    pub rejected: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsageRollup {
    /// Requests (a usage bucket counts its stated requests); null while a bucket of the
    /// priced stream does not state its count.
    pub request_count: Option<u64>,
    /// Every input token, audio included; the next fields are parts of it.
    pub input_units: String,
    pub cached_input_units: String,
    pub cache_write_units: String,
    /// Every output token, audio included.
    pub output_units: String,
    pub audio_input_units: String,
    pub audio_output_units: String,
    pub call_units: String,
    /// From a client request log's retry attempts; null without one (new-api logs do not
    /// say which requests were retries: unknown, not zero).
    pub retried_request_count: Option<u64>,
    pub failed_request_count: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComputedCharge {
    pub currency: String,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub expected_amount: Option<Decimal>,
    pub expected_complete: Option<bool>,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub provider_reported_amount: Option<Decimal>,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub variance_amount: Option<Decimal>,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub variance_percent: Option<Decimal>,
    /// Never true for figures that were not computed: None then.
    pub within_tolerance: Option<bool>,
    pub tolerance: Tolerance,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub at_risk_amount: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Totals {
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub expected_verified_amount: Option<Decimal>,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub expected_estimated_amount: Option<Decimal>,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub at_risk_amount: Option<Decimal>,
    pub unpriced_models: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineOut {
    pub dimension: Dimension,
    pub long_context: bool,
    pub status: LineStatus,
    pub quantity: String,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub rate: Option<Decimal>,
    pub unit: String,
    #[serde(with = "serde_str")]
    pub factor: Decimal,
    pub factors: Vec<String>,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub amount: Option<Decimal>,
    pub label: Confidence,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelOut {
    pub model: String,
    pub logged_as: Vec<String>,
    pub rate_label: Option<Confidence>,
    pub request_count: Option<u64>,
    pub failed_request_count: u64,
    pub lines: Vec<LineOut>,
    pub computed_charge: ComputedCharge,
}

fn charge_out(
    c: &Comparison,
    tolerance: Tolerance,
    currency: &str,
    at_risk: Option<Decimal>,
) -> ComputedCharge {
    ComputedCharge {
        currency: currency.to_string(),
        expected_amount: c.expected,
        expected_complete: c.expected.map(|_| c.expected_complete),
        provider_reported_amount: c.provider,
        variance_amount: c.variance,
        variance_percent: c.variance_percent,
        within_tolerance: c.within_tolerance,
        tolerance,
        at_risk_amount: at_risk,
    }
}

fn total(lines: &[PriceLine], dimensions: &[Dimension]) -> String {
    let quantities = lines
        .iter()
        .filter(|l| dimensions.contains(&l.dimension))
        .map(|l| l.quantity);
    quantities.fold(0u64, u64::saturating_add).to_string()
}

fn line_out(l: &PriceLine) -> LineOut {
    LineOut {
        dimension: l.dimension,
        long_context: l.long_context,
        status: l.status,
        quantity: l.quantity.to_string(),
        rate: l.rate,
        unit: l.unit.clone(),
        factor: l.factor,
        factors: l.factors.iter().map(|f| sanitize::label_text(f)).collect(),
        amount: l.amount,
        label: l.label,
    }
}

pub fn build(files: &[FileReport], figures: &Figures, generated_at: Timestamp) -> Record {
    let settings = &figures.settings;
    let tolerance = Tolerance {
        absolute: settings.tolerance_absolute,
        percent: settings.tolerance_percent,
    };
    let pricing = figures.pricing.as_ref();
    let currency = settings.billing_currency.as_str();
    let input_files = files.iter().map(|f| InputFileOut {
        name: sanitize::file_name(&f.name),
        format: f.format,
        stream: f.format.map(Format::stream),
        sha256: f.fingerprint.sha256.clone(),
        bytes: f.fingerprint.bytes,
        readable: f.format.is_some(),
        read_completely: f.problem.is_none(),
        rows_read: f.ledger.rows_read,
        accepted: f.ledger.accepted,
        accepted_without_time: f.ledger.accepted_without_time,
        excluded: f.ledger.excluded.clone(),
        rejected: f.ledger.rejected,
    });
    let models = pricing.map_or(&[][..], |p| p.models.as_slice());
    let lines = pricing.map_or(&[][..], |p| p.lines.as_slice());
    let per_model =
        models
            .iter()
            .zip(&figures.reconciliation.per_model)
            .map(|(charge, (_, comparison))| ModelOut {
                model: sanitize::label(&charge.model),
                logged_as: charge
                    .logged_as
                    .iter()
                    .map(|m| sanitize::label(m))
                    .collect(),
                rate_label: charge.label,
                request_count: charge.request_count(),
                failed_request_count: charge.failed_requests,
                lines: lines
                    .iter()
                    .filter(|l| l.model == charge.model)
                    .map(line_out)
                    .collect(),
                computed_charge: charge_out(comparison, tolerance, currency, Some(charge.at_risk)),
            });
    let labels: Vec<String> = models.iter().map(|c| sanitize::label(&c.model)).collect();
    let settings_out = settings::settings_out(&settings.document);
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
        source_documents: source_documents(settings),
        input_files: input_files.collect(),
        service_or_model_label: labels.join(", "),
        pricing_assumption: pricing_assumption(settings),
        usage_rollup: pricing.map(|p| usage_rollup(files, figures, p)),
        computed_charge: charge_out(
            &figures.reconciliation.total,
            tolerance,
            currency,
            pricing.map(|p| p.at_risk),
        ),
        not_computed: not_computed(figures),
        totals: Totals {
            expected_verified_amount: pricing.map(|p| p.expected_verified),
            expected_estimated_amount: pricing.map(|p| p.expected_estimated),
            at_risk_amount: pricing.map(|p| p.at_risk),
            unpriced_models: pricing.map_or_else(Vec::new, |p| {
                p.unpriced_models().map(sanitize::label).collect()
            }),
        },
        quota_consistency: figures.quota_check().cloned(),
        per_model: per_model.collect(),
        variance_bridge: figures.bridge.as_ref().map(sanitized_bridge),
        expected_priced_from: figures.priced_stream,
        provider_recorded_from: figures.recorded_stream,
        provider_side: provider_side_out(settings),
        evidence_streams: figures.streams.clone(),
        cross_checks: figures.cross_checks.clone(),
        dual_ledger: dual_ledger::dual_ledger_out(figures, generated_at),
        confidence: confidence_out(files, figures),
        status: status(figures),
        answer: exact_sentence(figures),
        next_action: next_action(figures, tolerance).to_string(),
        settings_sha256: settings_out.sha256,
        settings_redacted: settings_out.redacted,
        settings: settings_out.document,
        incident_review: closure::close(figures, Some(generated_at)),
    }
}

fn usage_rollup(files: &[FileReport], figures: &Figures, pricing: &Pricing) -> UsageRollup {
    use Dimension::*;
    let lines = &pricing.lines;
    UsageRollup {
        request_count: pricing
            .models
            .iter()
            .map(|c| c.request_count())
            .try_fold(0u64, |sum, n| Some(sum.saturating_add(n?))),
        input_units: total(
            lines,
            &[
                UncachedInput,
                CachedInput,
                CacheWrite,
                CacheWrite1h,
                AudioInput,
                AudioCachedInput,
            ],
        ),
        cached_input_units: total(lines, &[CachedInput, AudioCachedInput]),
        cache_write_units: total(lines, &[CacheWrite, CacheWrite1h]),
        output_units: total(lines, &[Output, Reasoning, AudioOutput]),
        audio_input_units: total(lines, &[AudioInput, AudioCachedInput]),
        audio_output_units: total(lines, &[AudioOutput]),
        call_units: total(lines, &[Calls]),
        retried_request_count: retried(figures),
        failed_request_count: figures.failed_requests(files),
    }
}

/// The bridge with its model labels sanitized (its evidence text already is).
fn sanitized_bridge(bridge: &Bridge) -> Bridge {
    let mut out = bridge.clone();
    for d in &mut out.rate_differences {
        d.model = sanitize::label(&d.model);
    }
    out
}

/// Retries are known only from a client request log (`retry_attempt`); without one they
/// are unknown, not zero.
fn retried(figures: &Figures) -> Option<u64> {
    let client = figures
        .streams
        .iter()
        .find(|s| s.stream == Stream::ClientRequests)?;
    let retry = crate::policy::Outcome::RetryAttempt;
    Some(client.outcomes.get(&retry).copied().unwrap_or(0))
}

impl Record {
    /// Pretty JSON with a final newline; byte-identical for identical inputs.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("the record holds only strings, numbers and booleans")
            + "\n"
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::pipeline::{run, InputFile};
    use crate::ratecard::{FactorText, RateCardText, RateText};
    use crate::settings::Settings;

    /// Every key of `value` must be declared by `schema`, recursively (following
    /// `$ref`s into the root's `$defs`).
    fn undeclared(value: &Value, schema: &Value, path: &str, out: &mut Vec<String>) {
        undeclared_in(value, schema, schema, path, out)
    }

    fn undeclared_in(
        value: &Value,
        schema: &Value,
        root: &Value,
        path: &str,
        out: &mut Vec<String>,
    ) {
        // A nullable reference (`anyOf: [{$ref}, {type: null}]`) declares its first branch.
        let schema = schema
            .get("anyOf")
            .and_then(|branches| branches.get(0))
            .unwrap_or(schema);
        let schema = match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.trim_start_matches("#/$defs/");
                &root["$defs"][name]
            }
            None => schema,
        };
        match value {
            Value::Object(map) => {
                let props = schema.get("properties");
                for (key, child) in map {
                    let child_schema = props
                        .and_then(|p| p.get(key))
                        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
                    match child_schema {
                        Some(s) => undeclared_in(child, s, root, &format!("{path}.{key}"), out),
                        None => out.push(format!("{path}.{key}")),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    undeclared_in(item, &schema["items"], root, &format!("{path}[]"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_record_matches_its_documented_schema() {
        let mut settings =
            Settings::from_json(include_str!("../../tests/fixtures/settings.json")).unwrap();
        // A review typed in full, so every object of `incident_review` is written.
        settings.review =
            Settings::from_json(include_str!("../../tests/fixtures/incident/settings.json"))
                .unwrap()
                .review;
        // One file of each kind of stream, so every array in the record has items.
        let file = |name: &str, bytes: &[u8]| InputFile {
            name: name.into(),
            bytes: bytes.to_vec(),
        };
        let review = run(
            &[
                file(
                    "log.json",
                    include_bytes!("../../tests/fixtures/cometapi-log-page.json"),
                ),
                file(
                    "client.jsonl",
                    include_bytes!("../../tests/fixtures/evidence/client-openai-chat.jsonl"),
                ),
                file(
                    "focus.csv",
                    include_bytes!("../../tests/fixtures/evidence/focus.csv"),
                ),
            ],
            &settings,
        );
        let record: Value = serde_json::from_str(
            &review
                .record(jiff::Timestamp::UNIX_EPOCH)
                .unwrap()
                .to_json(),
        )
        .unwrap();
        let schema: Value = serde_json::from_str(include_str!(
            "../../schemas/reconciliation-record.schema.json"
        ))
        .unwrap();
        let mut missing = Vec::new();
        undeclared(&record, &schema, "record", &mut missing);
        assert!(
            missing.is_empty(),
            "fields not in schemas/reconciliation-record.schema.json: {missing:?}"
        );
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let present: Vec<&str> = record
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            required, present,
            "the schema's required list is the record's field order"
        );
        // Each file's ledger too: every count the record writes is one the schema requires.
        let files = &schema["properties"]["input_files"]["items"];
        let required: Vec<&str> = files["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let present: Vec<&str> = record["input_files"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(required, present, "input_files[]: required = written");
        // And the incident review: every field written is one the schema requires.
        let review = &schema["properties"]["incident_review"];
        let required: Vec<&str> = review["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let present: Vec<&str> = record["incident_review"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(required, present, "incident_review: required = written");
    }

    #[test]
    fn the_rate_card_matches_its_documented_schema() {
        let card = RateCardText {
            schema_version: 1,
            rates: vec![RateText::default()],
            factors: vec![FactorText::default()],
        };
        let value: Value = serde_json::from_str(&card.to_json()).unwrap();
        let schema: Value =
            serde_json::from_str(include_str!("../../schemas/rate-card.schema.json")).unwrap();
        let mut missing = Vec::new();
        undeclared(&value, &schema, "card", &mut missing);
        assert!(
            missing.is_empty(),
            "fields not in schemas/rate-card.schema.json: {missing:?}"
        );
        let declared = schema["properties"]["rates"]["items"]["properties"]
            .as_object()
            .unwrap()
            .len();
        assert_eq!(
            declared,
            value["rates"][0].as_object().unwrap().len(),
            "the schema declares no field the card lacks"
        );
    }
}
