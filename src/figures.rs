//! figures: what the pipeline computed from the files under the settings, the one input
//! of the record and the CSV outputs.
//!
//! They cross from the page's worker to the page as themselves (serde), all but the
//! settings they were computed under: the page validates the very settings text it
//! sent the worker and puts the result back ([`Figures::under`]), so the record it
//! builds is the worker's to the byte.

use serde::{Deserialize, Serialize};

use crate::classify::Bridge;
use crate::confidence::{StreamConfidence, UnappliedPrice};
use crate::crosscheck::{self, CrossCheck, IncidentFacts, StreamFigures};
use crate::dual_ledger::DualLedger;
use crate::ingest::{ExclusionRule, FileReport, Stream};
use crate::price::quota::QuotaCheck;
use crate::price::Pricing;
use crate::reconcile::{Reconciliation, Tolerance};
use crate::settings::{Settings, ValidSettings};

/// The computed part of a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Not on the wire: see the module's comment.
    #[serde(skip, default = "empty_document")]
    pub settings: ValidSettings,
    /// The usage priced with the card; None when no file gives usage (no gateway log,
    /// client request log or provider usage report): the expected charge is then absent,
    /// never a zero.
    pub pricing: Option<Pricing>,
    pub reconciliation: Reconciliation,
    /// None when there is no variance to explain (one side of it is absent).
    pub bridge: Option<Bridge>,
    /// Which stream the expected charge was priced from; None without usage evidence.
    pub priced_stream: Option<Stream>,
    /// Where the provider-side figure came from; None when no file gives one.
    pub recorded_stream: Option<Stream>,
    /// Each evidence stream's own figures, and the streams compared with each other.
    pub streams: Vec<StreamFigures>,
    pub cross_checks: Vec<CrossCheck>,
    /// Seed 002's usage label of each stream, per dimension ([`crate::confidence`]).
    #[serde(default)]
    pub usage_confidence: Vec<StreamConfidence>,
    /// Per-image and per-second prices the priced usage gives no quantity for.
    #[serde(default)]
    pub unapplied_prices: Vec<UnappliedPrice>,
    /// The row-level facts the incident review asks about (rows in the window buffer,
    /// ...), per stream: counts and row references, never text.
    #[serde(default)]
    pub incident: IncidentFacts,
    /// Seed 001's dual ledger: estimated and reconciled cost per model and day.
    #[serde(default)]
    pub dual_ledger: DualLedger,
}

/// What a deserialized [`Figures`] holds until [`Figures::under`] gives its settings.
fn empty_document() -> ValidSettings {
    Settings::default()
        .validate()
        .expect("the settings of an empty document are valid (a unit test holds this)")
}

impl Figures {
    /// The same figures, under the settings they were computed with.
    pub fn under(self, settings: ValidSettings) -> Figures {
        Figures { settings, ..self }
    }

    /// The gateway quota consistency check, when the usage was priced from a gateway
    /// log: only its rows carry the ratios the check re-derives each quota from.
    pub fn quota_check(&self) -> Option<&QuotaCheck> {
        let gateway = self.priced_stream == Some(Stream::GatewayLog);
        self.pricing
            .as_ref()
            .filter(|_| gateway)
            .map(|p| &p.quota_check)
    }

    pub fn tolerance(&self) -> Tolerance {
        Tolerance {
            absolute: self.settings.tolerance_absolute,
            percent: self.settings.tolerance_percent,
        }
    }

    /// Failed requests inside the window in the priced stream: priced as at-risk, or
    /// excluded as not billable. None when no usage was priced.
    pub fn failed_requests(&self, files: &[FileReport]) -> Option<u64> {
        let (pricing, stream) = (self.pricing.as_ref()?, self.priced_stream?);
        let priced: u64 = pricing.models.iter().map(|m| m.failed_requests).sum();
        let excluded: u64 = crosscheck::files_of(files, stream)
            .map(|f| {
                f.ledger
                    .excluded
                    .get(&ExclusionRule::NonBillableOutcome)
                    .copied()
                    .unwrap_or(0)
            })
            .sum();
        Some(priced + excluded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_check_stands_only_for_a_gateway_log() {
        let cases = [
            (Some(Stream::GatewayLog), true, true),
            (Some(Stream::ClientRequests), true, false),
            (Some(Stream::ProviderUsage), true, false),
            (None, false, false),
        ];
        for (priced_stream, priced, shown) in cases {
            let figures = Figures {
                settings: empty_document(),
                pricing: priced.then(Pricing::default),
                reconciliation: crate::reconcile::nothing(),
                bridge: None,
                priced_stream,
                recorded_stream: None,
                streams: Vec::new(),
                cross_checks: Vec::new(),
                usage_confidence: Vec::new(),
                unapplied_prices: Vec::new(),
                incident: IncidentFacts::default(),
                dual_ledger: DualLedger::default(),
            };
            assert_eq!(figures.quota_check().is_some(), shown, "{priced_stream:?}");
        }
    }

    #[test]
    fn an_empty_settings_document_is_valid() {
        assert!(Settings::default().validate().is_ok());
        let _ = empty_document();
    }
}
