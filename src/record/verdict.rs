//! What the record says in words about its figures: why a figure is absent, and what
//! the reader should do next. Built from the figures alone, never from input text.

use std::collections::BTreeMap;

use crate::figures::Figures;
use crate::reconcile::Tolerance;
use crate::settings::expected_side::ExpectedSide;

/// Why there is no expected charge when the reviewer chose what the client saw.
const CLIENT_NOT_LOADED: &str = "not computed: the client request log chosen as the expected side (settings.expected_side) is not loaded; no other stream stands in its place";

/// The sentence behind each `null` figure: what evidence would give it.
pub(super) fn not_computed(figures: &Figures) -> BTreeMap<&'static str, &'static str> {
    const NO_USAGE: &str = "not computed: no usage evidence (no gateway log, client request log or provider usage report gave a row that could be read)";
    const NO_PROVIDER: &str = "not computed: no provider-side evidence (no gateway log, billing export or account totals gave a row that could be read)";
    const NO_VARIANCE: &str =
        "not computed: the expected and the provider-side figures are not both known";
    let mut out = BTreeMap::new();
    let total = &figures.reconciliation.total;
    if figures.pricing.is_none() {
        let why = match figures.settings.expected_side {
            ExpectedSide::ClientRequests => CLIENT_NOT_LOADED,
            ExpectedSide::GatewayLogRows => NO_USAGE,
        };
        for field in ["expected_amount", "at_risk_amount", "usage_rollup"] {
            out.insert(field, why);
        }
    }
    if total.provider.is_none() {
        let charged = figures
            .streams
            .iter()
            .filter(|s| s.charged_amount.is_some());
        let straddling = charged.clone().any(|s| s.straddling_buckets > 0);
        let why = match (charged.count(), straddling) {
            _ if figures.settings.provider_side.is_some() => "not computed: the stream chosen as the provider-side figure (settings.provider_side) is not loaded, or, a bill, has no bucket wholly inside the incident window; no other stream stands in its place",
            (0, _) => NO_PROVIDER,
            (_, true) => "not computed: every billed bucket reaches outside the incident window, so none can be counted in it (set the window to whole buckets, e.g. whole UTC days, to compare them)",
            (_, false) => "not computed: no billed bucket lies inside the incident window (the billing export or account totals cover other dates)",
        };
        out.insert("provider_reported_amount", why);
    }
    if total.variance.is_none() {
        for field in ["variance_amount", "within_tolerance", "variance_bridge"] {
            out.insert(field, NO_VARIANCE);
        }
    }
    out
}

pub fn next_action(figures: &Figures, tolerance: Tolerance) -> &'static str {
    let total = &figures.reconciliation.total;
    if total.expected.is_none() && figures.settings.expected_side == ExpectedSide::ClientRequests {
        return "load the client request log for the window, or choose the gateway log's rows as the expected side: what the client saw is chosen and no client request log gave a row that could be read";
    }
    if total.expected.is_none() {
        return "load the usage for the window (a gateway log, client request log or provider usage report): without it the expected charge cannot be computed";
    }
    if total.provider.is_none() {
        let straddling = figures.streams.iter().any(|s| s.straddling_buckets > 0);
        return if straddling && figures.recorded_stream.is_none() {
            "set the incident window to whole billing buckets (e.g. whole UTC days): every billed bucket reaches outside it, so nothing billed can be compared yet"
        } else {
            "load the provider-side figure for the window (a gateway log, billing export or account totals): without it there is nothing to compare the expected charge with"
        };
    }
    let residual = figures.bridge.as_ref().map(|b| b.residual);
    let unpriced = figures.pricing.as_ref().is_some_and(|p| {
        p.models.iter().any(|m| !m.has_rate) || p.lines.iter().any(|l| l.amount.is_none())
    });
    let estimated = super::status(figures) == super::Status::Estimated;
    if !total.expected_complete && unpriced {
        "enter verified rates for every unpriced model, then rerun the reconciliation"
    } else if !total.expected_complete {
        "some requests in the priced log carry no usage figures, so the expected charge is a floor: load the gateway log or a usage report for the window, or a client log that records usage"
    } else if estimated {
        "confirm the estimated part before closing (verify the inferred or unknown rates on the pricing page, or load usage from the responses or a server log): within tolerance is judged on verified figures only"
    } else if total.within_tolerance == Some(true) {
        "close: the variance is within tolerance"
    } else if residual.is_some_and(|r| r.abs() <= tolerance.absolute) {
        "record the explained causes and their owners; no escalation is needed"
    } else {
        "check retries, failed requests, the time window and usage fields; escalate through the Help Center only if the variance remains"
    }
}
