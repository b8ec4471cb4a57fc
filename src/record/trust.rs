//! What the record says about how far its figures can be trusted: the labels of the
//! usage and the prices behind the expected charge (seed 002), what `within_tolerance`
//! is judged on, and which stream stands as the provider-side figure and why.

use serde::Serialize;

use crate::confidence::{self, StreamConfidence, UnappliedPrice};
use crate::figures::Figures;
use crate::ingest::{FileReport, Stream};
use crate::ratecard::Confidence;
use crate::settings::{provider_side, ValidSettings};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfidenceOut {
    /// The priced stream's usage label (the weakest of its files').
    pub usage_fields: &'static str,
    pub pricing_fields: &'static str,
    pub rounding_rule: &'static str,
    /// Each evidence stream's usage label, per dimension (seed 002's five).
    pub usage_by_stream: Vec<StreamConfidence>,
    /// What `within_tolerance` is judged on: the verified part of the expected charge
    /// alone (`totals.expected_verified_amount`), never an estimate.
    pub within_tolerance_basis: &'static str,
    /// Per-image and per-second prices on the card that no quantity in the usage uses:
    /// the expected charge may lack that part.
    pub prices_without_quantities: Vec<UnappliedPrice>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProviderSideOut {
    /// None: the default rule chose (`default_rule`).
    pub chosen: Option<Stream>,
    pub default_rule: &'static str,
}

pub(super) fn confidence_out(files: &[FileReport], figures: &Figures) -> ConfidenceOut {
    let pricing = figures.pricing.as_ref();
    let models = pricing.map_or(&[][..], |p| p.models.as_slice());
    let weakest = models.iter().filter_map(|c| c.label).max();
    ConfidenceOut {
        usage_fields: figures
            .priced_stream
            .map_or("unavailable", |s| confidence::stream_label(files, s).name()),
        pricing_fields: match (pricing, weakest) {
            (None, _) => "unavailable",
            (_, Some(Confidence::Verified)) => "verified_from_captured_pricing_page",
            (_, Some(Confidence::Inferred)) => "inferred",
            _ => "unknown",
        },
        rounding_rule: if figures.settings.rounding.is_some() {
            "documented_rule_applied"
        } else {
            "unknown_until_confirmed"
        },
        usage_by_stream: figures.usage_confidence.clone(),
        within_tolerance_basis: "verified_figures_only",
        prices_without_quantities: (figures.unapplied_prices.iter())
            .map(|u| UnappliedPrice {
                model: crate::sanitize::label(&u.model),
                dimension: u.dimension,
            })
            .collect(),
    }
}

pub(super) fn provider_side_out(settings: &ValidSettings) -> ProviderSideOut {
    ProviderSideOut {
        chosen: settings.provider_side,
        default_rule: provider_side::DEFAULT_RULE,
    }
}
