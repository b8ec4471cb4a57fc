//! Seed 002's closure criteria, each ✓ or ✗ with why, and the final statement in the
//! seed's form: "Between 08:00 and 10:00 UTC on 2026-05-11, expected CometAPI spend
//! differed from account-side reporting by X. Y was explained by …. Z remains
//! unresolved pending …. Follow-ups: …". Amounts are exact; Y (the bridge's steps) and
//! Z (its residual) add up to X (the variance) by the bridge's own construction.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::classify::{BridgeStep, Cause};
use crate::decimal::{format, serde_str};
use crate::figures::Figures;
use crate::ingest::Window;
use crate::sanitize;

/// "between 00:00 and 01:00 UTC on 2026-01-01", or the two full times across days.
pub fn window_words(window: Option<Window>) -> String {
    let Some(w) = window else {
        return "across all the loaded evidence (no incident window is set)".into();
    };
    let utc = |t: jiff::Timestamp| t.to_zoned(jiff::tz::TimeZone::UTC);
    let (start, end) = (utc(w.start), utc(w.end));
    let hm = |z: &jiff::Zoned| format!("{:02}:{:02}", z.hour(), z.minute());
    let same_day = start.date() == end.date()
        || (end.date() == start.date().tomorrow().unwrap_or(end.date()) && hm(&end) == "00:00");
    if same_day {
        let end_hm = if start.date() == end.date() {
            hm(&end)
        } else {
            "24:00".into()
        };
        format!(
            "between {} and {end_hm} UTC on {}",
            hm(&start),
            start.date()
        )
    } else {
        format!(
            "between {} {} and {} {} UTC",
            start.date(),
            hm(&start),
            end.date(),
            hm(&end)
        )
    }
}

/// "credits or adjustments (refunds) (−0.005 USD) and integer-quota rounding (0.000002 USD)".
pub fn causes(steps: &[BridgeStep], amounts: &dyn Fn(Decimal) -> String) -> String {
    let parts: Vec<String> = steps
        .iter()
        .map(|s| format!("{} ({})", s.cause.phrase(), amounts(s.amount)))
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A cause as the review names it (`quota_mismatch`).
pub fn cause_name(cause: Cause) -> String {
    serde_json::to_value(cause)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn sum(mut amounts: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    amounts.try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
}

/// One closure criterion, as seed 002 words it, with whether it holds and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Criterion {
    pub criterion: &'static str,
    pub met: bool,
    pub why: String,
}

/// The final statement, and its amounts apart (explained + unresolved = variance).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub text: String,
    pub currency: String,
    #[serde(with = "serde_str")]
    pub variance: Decimal,
    #[serde(with = "serde_str")]
    pub explained: Decimal,
    #[serde(with = "serde_str")]
    pub unresolved: Decimal,
}

/// The finance reviewer's agreement with the final statement: role and time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Agreement {
    pub role: String,
    pub at: Timestamp,
}

/// The window in words, and in the finance zone when one is given.
fn when(figures: &Figures) -> String {
    let mut when = window_words(figures.settings.window);
    if let Some(first) = when.get(..1) {
        when = first.to_uppercase() + &when[1..];
    }
    let zone = figures.settings.review.finance_zone.as_deref();
    match (figures.settings.window, zone) {
        (Some(window), Some(zone)) => match super::zoned(window, zone) {
            Some(z) => format!("{when}, {} in the finance time zone", z.words),
            None => when,
        },
        _ => when,
    }
}

/// "Parser test (https://…) and retry budget (https://…)".
fn follow_ups(figures: &Figures) -> String {
    let parts: Vec<String> = figures
        .settings
        .review
        .follow_ups
        .iter()
        .map(|f| match f.url.is_empty() {
            true => sanitize::free_text(&f.action),
            false => format!(
                "{} ({})",
                sanitize::free_text(&f.action),
                sanitize::url(&f.url)
            ),
        })
        .collect();
    match parts.as_slice() {
        [] => "none recorded".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The statement; None until both the expected and the recorded figures are known.
pub fn statement(figures: &Figures) -> Option<Statement> {
    let total = &figures.reconciliation.total;
    let variance = total.variance?;
    let currency = figures.settings.billing_currency.clone();
    let amount = |a: Decimal| format!("{} {currency}", format(a));
    let provider = sanitize::label(&figures.settings.provider);
    // Steps the reviewer marked unresolved join the residual: a cause named is not yet
    // an explanation (a quota mismatch says where, not why).
    let marked = &figures.settings.review.unresolved_causes;
    let steps = figures.bridge.as_ref().map_or(&[][..], |b| &b.steps[..]);
    let (open, closed): (Vec<BridgeStep>, Vec<BridgeStep>) = steps
        .iter()
        .cloned()
        .partition(|s| marked.contains(&cause_name(s.cause)));
    let residual = figures.bridge.as_ref().map_or(variance, |b| b.residual);
    let unresolved = residual.checked_add(sum(open.iter().map(|s| s.amount))?)?;
    let explained = sum(closed.iter().map(|s| s.amount))?;
    let mut text = format!(
        "{}, expected {provider} spend differed from account-side reporting by {}.",
        when(figures),
        amount(variance)
    );
    if let Some(forecast) = super::frame::forecast(figures) {
        if let Some(over) = forecast.expected_over_forecast {
            let side = match over.cmp(&Decimal::ZERO) {
                std::cmp::Ordering::Greater => format!("{} above it", amount(over)),
                std::cmp::Ordering::Less => format!("{} below it", amount(-over)),
                std::cmp::Ordering::Equal => "the same".to_string(),
            };
            text.push_str(&format!(
                " The forecast for the window was {} {}; expected spend was {side}.",
                format(forecast.amount),
                forecast.currency,
            ));
        }
    }
    let explained_by = causes(&closed, &amount);
    if !explained.is_zero() || !explained_by.is_empty() {
        text.push_str(&format!(
            " {} was explained by {explained_by}.",
            amount(explained)
        ));
    }
    let pending = sanitize::free_text(&figures.settings.review.unresolved_pending);
    let what = match (open.is_empty(), residual.is_zero()) {
        (true, _) => String::new(),
        (false, true) => format!(" ({})", causes(&open, &amount)),
        (false, false) => format!(
            " ({} and {} no step explains)",
            causes(&open, &amount),
            amount(residual)
        ),
    };
    if unresolved.is_zero() && open.is_empty() {
        text.push_str(" Nothing remains unresolved.");
    } else if pending.is_empty() {
        text.push_str(&format!(
            " {}{what} remains unresolved; the evidence it waits on is not named yet.",
            amount(unresolved)
        ));
    } else {
        text.push_str(&format!(
            " {}{what} remains unresolved pending {pending}.",
            amount(unresolved)
        ));
    }
    text.push_str(&format!(" Follow-ups: {}.", follow_ups(figures)));
    Some(Statement {
        text,
        currency,
        variance,
        explained,
        unresolved,
    })
}

/// Seed 002's five closure criteria, in its order.
pub fn criteria(figures: &Figures) -> Vec<Criterion> {
    let review = &figures.settings.review;
    let statement = statement(figures);
    let criterion = |criterion, met, why: String| Criterion {
        criterion,
        met,
        why,
    };
    let explained = match &statement {
        None => (
            false,
            "the variance is not computed: expected and recorded figures are both needed"
                .to_string(),
        ),
        Some(s) if s.unresolved.is_zero() => (
            true,
            "every amount of the variance is explained by a bridge step".to_string(),
        ),
        Some(s) if !review.unresolved_pending.is_empty() => (
            true,
            format!(
                "{} {} is formally marked unresolved, pending the evidence named",
                format(s.unresolved),
                s.currency
            ),
        ),
        Some(s) => (
            false,
            format!(
                "{} {} is unexplained and not marked unresolved: name the evidence it waits on",
                format(s.unresolved),
                s.currency
            ),
        ),
    };
    let total = &figures.reconciliation.total;
    let missing: Vec<&str> = [
        (
            figures
                .settings
                .rate_card
                .entries
                .iter()
                .any(|e| !e.provenance.source_url.is_empty()),
            "pricing source",
        ),
        (
            review.documents.iter().any(|d| d.kind == "api_docs"),
            "API contract source",
        ),
        (figures.pricing.is_some(), "usage rollup"),
        (total.variance.is_some(), "billing comparison"),
    ]
    .into_iter()
    .filter(|(present, _)| !present)
    .map(|(_, what)| what)
    .collect();
    let packet = match missing.as_slice() {
        [] => (true, "it holds the pricing source, the API contract source, the usage rollup and the billing comparison".to_string()),
        _ => (false, format!("the evidence packet has no {}", missing.join(", no "))),
    };
    // The assumption register's rows not verified: each needs an owner, and a
    // follow-up (a fallback if it changes, or a date to review it again).
    let register = super::register(figures, None);
    let open: Vec<&super::Assumption> = register.iter().filter(|a| !a.verified).collect();
    let names = |rows: &[&&super::Assumption]| {
        let names: Vec<&str> = rows.iter().map(|a| a.assumption.as_str()).collect();
        names.join("; ")
    };
    let unowned: Vec<&&super::Assumption> = open.iter().filter(|a| a.owner.is_none()).collect();
    let no_follow_up: Vec<&&super::Assumption> = open
        .iter()
        .filter(|a| a.fallback.is_none() && a.next_review.is_none())
        .collect();
    let have = |n: usize| if n == 1 { "has" } else { "have" };
    let owned = if open.is_empty() {
        (true, "no assumption is left unverified".to_string())
    } else if !unowned.is_empty() {
        let n = unowned.len();
        let what = super::count(n as u64, "unverified assumption");
        (
            false,
            format!("{what} {} no owner ({})", have(n), names(&unowned)),
        )
    } else if !no_follow_up.is_empty() {
        let n = no_follow_up.len();
        let what = super::count(n as u64, "unverified assumption");
        (
            false,
            format!(
                "{what} {} no follow-up action, a fallback or a review date ({})",
                have(n),
                names(&no_follow_up)
            ),
        )
    } else {
        let what = super::count(open.len() as u64, "unverified assumption");
        (true, format!("{what}, each with an owner and a follow-up"))
    };
    let tracked = review.follow_ups.iter().any(|f| !f.url.is_empty());
    let agreed = match (agreement(figures), &statement) {
        (_, None) => (
            false,
            "there is no final statement to agree with yet".to_string(),
        ),
        (Some(_), Some(s)) if !agreed_with(review, s) => (
            false,
            "the statement changed after the finance reviewer agreed: ask again".to_string(),
        ),
        (Some(a), Some(_)) => (true, format!("the {} agreed at {}", a.role, a.at)),
        (None, Some(_)) => (false, "the finance reviewer has not agreed yet".to_string()),
    };
    let prevention = match tracked {
        true => (
            true,
            format!(
                "{} linked to a tracked item",
                super::count(
                    review
                        .follow_ups
                        .iter()
                        .filter(|f| !f.url.is_empty())
                        .count() as u64,
                    "follow-up"
                )
            ),
        ),
        false => (false, "no follow-up links a tracked item".to_string()),
    };
    vec![
        criterion("The variance is explained or formally marked unresolved.", explained.0, explained.1),
        criterion("The evidence packet contains the pricing source, API contract source, usage rollup, and billing comparison.", packet.0, packet.1),
        criterion("Any undocumented assumption has an owner and follow-up action.", owned.0, owned.1),
        criterion("The finance reviewer agrees with the final impact statement.", agreed.0, agreed.1),
        criterion("Prevention work is tracked separately from the investigation notes.", prevention.0, prevention.1),
    ]
}

/// The statement's SHA-256 (hex), which an agreement names to bind to that text.
pub fn statement_sha256(statement: &Statement) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(statement.text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the agreement (if it names a statement) names this one.
fn agreed_with(review: &crate::settings::ValidReview, statement: &Statement) -> bool {
    let named = &review.finance_agreed_statement_sha256;
    named.is_empty() || *named == statement_sha256(statement)
}

/// The finance reviewer's agreement, when a reviewer role and a time are both given.
pub fn agreement(figures: &Figures) -> Option<Agreement> {
    let review = &figures.settings.review;
    let role = &review.finance_reviewer;
    let at = review.finance_agreed_at?;
    (!role.text.is_empty()).then(|| Agreement {
        role: sanitize::role(&role.text),
        at,
    })
}
