//! review: the whole pipeline in one call, shared by the page, its worker and the CLI.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::classify::{self, Bridge};
use crate::crosscheck::{self, CrossCheck, StreamFigures};
use crate::error::Error;
use crate::ingest::{self, ExclusionRule, FileReport, Rules, Stream};
use crate::price::Pricing;
use crate::reconcile::{self, Reconciliation, Tolerance};
use crate::record::{self, Record};
use crate::settings::{Settings, SettingsError, ValidSettings};

/// One input file as the user gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Why the figures could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Settings(Vec<SettingsError>),
    Arithmetic(Error),
}

/// The computed part of a review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figures {
    pub settings: ValidSettings,
    pub pricing: Pricing,
    pub reconciliation: Reconciliation,
    pub bridge: Bridge,
    /// Which stream the expected charge was priced from.
    pub priced_stream: Stream,
    /// Where the provider-side figure came from; None when no file gives one.
    pub recorded_stream: Option<Stream>,
    /// Each evidence stream's own figures, and the streams compared with each other.
    pub streams: Vec<StreamFigures>,
    pub cross_checks: Vec<CrossCheck>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub files: Vec<FileReport>,
    /// Every model label seen in accepted rows, sorted.
    pub models: Vec<String>,
    pub figures: Result<Figures, Problem>,
}

/// The ingest rules the settings call for (window and outcome policy); None while the
/// settings are not valid.
pub fn ingest_rules(settings: &Settings) -> Option<Rules> {
    let valid = settings.validate().ok()?;
    Some(Rules {
        window: valid.window,
        policy: valid.policy,
        zoneless_zone: valid.zoneless_zone,
        date_order: valid.date_order,
        number_format: valid.number_format,
        currency: crate::ingest::Currency::parse(&valid.billing_currency),
        mappings: std::sync::Arc::new(valid.mappings),
        overrides: std::sync::Arc::new(valid.format_overrides),
    })
}

/// Runs ingest → price → reconcile → classify. Files are always read (so the page can
/// show ledgers and prefill the rate table even while the settings are incomplete); with
/// settings that are not valid, under the default rules (no window, default policy).
pub fn run(files: &[InputFile], settings: &Settings) -> Review {
    let rules = ingest_rules(settings).unwrap_or_default();
    let files = files
        .iter()
        .map(|f| ingest::ingest(&f.name, &f.bytes, rules.clone()))
        .collect();
    run_reports(files, settings)
}

/// For each file, whether an earlier file has the very same bytes (it then counts once,
/// under [`ExclusionRule::DuplicateFile`]).
pub fn repeats(fingerprints: &[&ingest::Fingerprint]) -> Vec<bool> {
    (0..fingerprints.len())
        .map(|i| fingerprints[..i].contains(&fingerprints[i]))
        .collect()
}

/// The figures from files already read (the page's worker reads them, and reads them
/// again only when [`ingest_rules`] change): price → reconcile → classify.
pub fn run_reports(mut files: Vec<FileReport>, settings: &Settings) -> Review {
    // The same bytes given twice (a file dropped again, a page saved twice) count once.
    let fingerprints: Vec<&ingest::Fingerprint> = files.iter().map(|f| &f.fingerprint).collect();
    let repeated = repeats(&fingerprints);
    for (file, repeated) in files.iter_mut().zip(repeated) {
        if repeated {
            file.exclude_as_duplicate();
        }
    }
    let models: BTreeSet<&str> = files
        .iter()
        .flat_map(|f| f.rows.models().iter().map(String::as_str))
        .collect();
    let models = models.into_iter().map(str::to_string).collect();
    let figures = match settings.validate() {
        Ok(settings) => compute(&files, settings).map_err(Problem::Arithmetic),
        Err(errors) => Err(Problem::Settings(errors)),
    };
    Review {
        files,
        models,
        figures,
    }
}

fn compute(files: &[FileReport], settings: ValidSettings) -> Result<Figures, Error> {
    let has = |stream: Stream| files.iter().any(|f| f.stream() == stream);
    // The most detailed usage there is: the gateway's own log, else what the client saw,
    // else the provider's usage report. Rows stream out of the compact store one at a
    // time: never all decoded at once.
    let priced_stream = [
        Stream::GatewayLog,
        Stream::ClientRequests,
        Stream::ProviderUsage,
    ]
    .into_iter()
    .find(|s| has(*s))
    .unwrap_or(Stream::GatewayLog);
    let pricing = crosscheck::price_stream(files, priced_stream, &settings)?;
    let tolerance = Tolerance {
        absolute: settings.tolerance_absolute,
        percent: settings.tolerance_percent,
    };
    let gateway = priced_stream == Stream::GatewayLog && has(Stream::GatewayLog);
    let (streams, pricings) = crosscheck::streams(files, &settings, gateway.then_some(&pricing))?;
    let charged = [Stream::Billing, Stream::AccountTotals]
        .into_iter()
        .find(|s| has(*s));
    let (reconciliation, recorded_stream) = if gateway || charged.is_none() {
        let r = reconcile::reconcile(&pricing, settings.quota_per_usd, tolerance)?;
        (r, gateway.then_some(Stream::GatewayLog))
    } else {
        let stream = charged.unwrap_or(Stream::Billing);
        let charges = crosscheck::files_of(files, stream).flat_map(|f| f.evidence.charges.iter());
        let r = reconcile::reconcile_charges(&pricing, charges, &settings.rate_card, tolerance)?;
        (r, Some(stream))
    };
    let gateway_recorded = gateway.then_some(reconciliation.total.provider);
    let cross_checks = crosscheck::compare(&streams, &pricings, gateway_recorded, tolerance)?;
    let bridge = classify::bridge(&pricing, reconciliation.total.variance)?;
    Ok(Figures {
        settings,
        pricing,
        reconciliation,
        bridge,
        priced_stream,
        recorded_stream,
        streams,
        cross_checks,
    })
}

impl Review {
    /// Failed requests inside the window: priced as at-risk, or excluded as not billable.
    pub fn failed_requests(&self) -> u64 {
        let priced: u64 = self.figures.as_ref().map_or(0, |f| {
            f.pricing.models.iter().map(|m| m.failed_requests).sum()
        });
        let excluded: u64 = self
            .files
            .iter()
            .map(|f| {
                f.ledger
                    .excluded
                    .get(&ExclusionRule::NonBillableOutcome)
                    .copied()
                    .unwrap_or(0)
            })
            .sum();
        priced + excluded
    }

    /// The sanitized record; None until the settings are valid and the figures computed.
    pub fn record(&self, generated_at: Timestamp) -> Option<Record> {
        let figures = self.figures.as_ref().ok()?;
        Some(record::build(self, figures, generated_at))
    }
}
