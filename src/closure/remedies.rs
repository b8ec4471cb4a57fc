//! The remediation items of the checklist the figures can suggest (seed 002's list):
//! a pricing-source mismatch in the bridge suggests updating the pricing source of
//! truth, a field interpretation gap a parser test, repeats and retries a retry budget,
//! an unresolved amount the support packet. Suggestions only: the reviewer decides.

use crate::classify::VarianceClass;
use crate::decimal::format;
use crate::figures::Figures;

/// A remediation the bridge suggests: its steps of `class`, with their amounts. The
/// reviewer decides; the page says it is a suggestion.
pub(super) fn suggest_for_class(figures: &Figures, class: VarianceClass) -> Option<String> {
    let currency = &figures.settings.billing_currency;
    let steps: Vec<String> = figures
        .bridge
        .as_ref()?
        .steps
        .iter()
        .filter(|s| s.class == class && !s.amount.is_zero())
        .map(|s| format!("{} ({} {currency})", s.cause.phrase(), format(s.amount)))
        .collect();
    (!steps.is_empty()).then(|| format!("suggested by the bridge: {}", steps.join(", ")))
}

pub(super) fn retry_budget(figures: &Figures) -> Option<String> {
    let d = figures.incident.duplicates.as_ref()?;
    let retried: u64 = figures
        .incident
        .streams
        .iter()
        .map(|s| s.attempts.retried)
        .sum();
    (d.repeats.count > 0 || retried > 0).then(|| {
        format!(
            "suggested: {} sent again and {} marked as retries in the client request log",
            super::count(d.repeats.count, "request"),
            super::count(retried, "request")
        )
    })
}

pub(super) fn support_packet(figures: &Figures) -> Option<String> {
    let s = super::statement(figures)?;
    (!s.unresolved.is_zero()).then(|| {
        format!(
            "suggested: {} {} remains unresolved; the support packet is ready to download",
            format(s.unresolved),
            s.currency
        )
    })
}

pub(super) fn final_record(figures: &Figures) -> Option<String> {
    let s = super::statement(figures)?;
    let review = &figures.settings.review;
    let owner = super::frame::frame(figures).incident_owner?;
    (!review.follow_ups.is_empty()).then(|| {
        format!(
            "variance {} {}, owner {owner}, {}",
            format(s.variance),
            s.currency,
            super::count(review.follow_ups.len() as u64, "follow-up")
        )
    })
}
