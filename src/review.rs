//! review: the whole pipeline in one call, shared by the page, its worker and the CLI.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::classify::{self, Bridge};
use crate::error::Error;
use crate::ingest::{self, ExclusionRule, FileReport, Rules};
use crate::price::{self, Pricing};
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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub files: Vec<FileReport>,
    /// Every model label seen in accepted rows, sorted.
    pub models: Vec<String>,
    pub figures: Result<Figures, Problem>,
}

/// Runs ingest → price → reconcile → classify. Files are always read (so the page can
/// show ledgers and prefill the rate table even while the settings are incomplete).
pub fn run(files: &[InputFile], settings: &Settings) -> Review {
    let valid = settings.validate();
    let rules = valid.as_ref().map_or_else(
        |_| Rules::default(),
        |s| Rules {
            window: s.window,
            policy: s.policy,
        },
    );
    let files: Vec<FileReport> = files
        .iter()
        .map(|f| ingest::ingest(&f.name, &f.bytes, rules))
        .collect();
    let models: BTreeSet<&str> = files
        .iter()
        .flat_map(|f| f.rows.iter().map(|r| r.model.as_str()))
        .collect();
    let models = models.into_iter().map(str::to_string).collect();
    let figures = match valid {
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
    let rows = files.iter().flat_map(|f| f.rows.iter());
    let pricing = price::price(rows, &settings)?;
    let tolerance = Tolerance {
        absolute: settings.tolerance_absolute,
        percent: settings.tolerance_percent,
    };
    let reconciliation = reconcile::reconcile(&pricing, settings.quota_per_usd, tolerance)?;
    let bridge = classify::bridge(&pricing, reconciliation.total.variance)?;
    Ok(Figures {
        settings,
        pricing,
        reconciliation,
        bridge,
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
