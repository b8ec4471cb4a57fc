//! The remediation items of the checklist the figures can suggest (seed 002's list):
//! a pricing-source mismatch in the bridge suggests updating the pricing source of
//! truth, a field interpretation gap a parser test, repeats and retries a retry budget,
//! an unresolved amount the support packet. Suggestions only: the reviewer decides.
//! And what the rate card itself says for the pricing items: whether input and output
//! are priced apart, with each entry's confidence label, and the factors in use.

use crate::classify::VarianceClass;
use crate::decimal::format;
use crate::figures::Figures;
use crate::ratecard::Dimension;
use crate::sanitize;

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

/// "gpt-4o: input 2.5 and output 10 USD per 1M tokens, priced apart (verified)".
pub(super) fn priced_apart(figures: &Figures) -> Option<String> {
    let entries = figures
        .settings
        .rate_card
        .entries
        .iter()
        .filter(|e| !e.is_empty());
    let parts: Vec<String> = entries
        .map(|e| {
            let label = format!("{:?}", e.provenance.label).to_lowercase();
            let unit = Dimension::UncachedInput.unit(e.token_unit);
            let model = sanitize::label(&e.model);
            match (
                e.price(Dimension::UncachedInput),
                e.price(Dimension::Output),
            ) {
                (Some(i), Some(o)) => format!(
                    "{model}: input {} and output {} {} {unit}, priced apart ({label})",
                    format(i),
                    format(o),
                    e.currency
                ),
                _ => format!("{model}: not priced by input and output tokens ({label})"),
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The factors (discounts, group ratios) the rate card applies, or that there are none.
pub(super) fn factors(figures: &Figures) -> Option<String> {
    let card = &figures.settings.rate_card;
    if card.entries.iter().all(|e| e.is_empty()) {
        return None;
    }
    let parts: Vec<String> = card
        .factors
        .iter()
        .map(|f| {
            let label = format!("{:?}", f.provenance.label).to_lowercase();
            format!(
                "{} × {} ({label})",
                sanitize::label(&f.name),
                format(f.value)
            )
        })
        .collect();
    Some(match parts.is_empty() {
        true => "no factor is applied: the card's rates are used as they are".into(),
        false => parts.join(", "),
    })
}
