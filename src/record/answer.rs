//! The answer first: one sentence in the form of the seed's final statement, and the
//! review's status in words. The page shows it at the top, the record carries it
//! (`answer`), the command line's summary prints it: the same words everywhere.
//!
//! "Between 00:00 and 01:00 UTC on 2026-01-01, expected CometAPI spend was 0.1606 USD;
//! the provider recorded 0.1556 USD; the −0.005 USD difference (billed less than
//! expected) is explained by a credit or adjustment (−0.005 USD); nothing is left
//! unexplained."

use rust_decimal::Decimal;
use serde::Serialize;

use crate::closure::{causes, window_words};
use crate::decimal::format;
use crate::figures::Figures;
use crate::sanitize;

/// Where the review stands, from worst to best, as a word and a colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No usage evidence: nothing to expect.
    NotComputed,
    /// No provider-side figure: nothing to compare.
    NotCompared,
    /// Some usage has no rate or no usage figures: the expected charge is a floor.
    Incomplete,
    /// Within tolerance or explained, but part of the expected charge is estimated
    /// (an inferred or unknown rate, or usage not verified): not yet a close.
    Estimated,
    /// Outside tolerance, and more than the tolerance is unexplained.
    Unexplained,
    /// Outside tolerance, but the causes found explain it to within the tolerance.
    Explained,
    WithinTolerance,
}

impl Status {
    pub fn describe(self) -> &'static str {
        match self {
            Status::NotComputed => "Not computed: no usage evidence",
            Status::NotCompared => "Not compared: no provider-side figure",
            Status::Incomplete => "Incomplete: the expected charge is a floor",
            Status::Estimated => {
                "Not closed: part of the expected charge is estimated (judged on verified figures only)"
            }
            Status::Unexplained => "Outside tolerance, partly unexplained",
            Status::Explained => "Outside tolerance, explained by the causes found",
            Status::WithinTolerance => "Within tolerance",
        }
    }

    /// A name for styling (`status-within_tolerance`); the words carry the meaning.
    pub fn name(self) -> &'static str {
        match self {
            Status::NotComputed => "not_computed",
            Status::NotCompared => "not_compared",
            Status::Incomplete => "incomplete",
            Status::Estimated => "estimated",
            Status::Unexplained => "unexplained",
            Status::Explained => "explained",
            Status::WithinTolerance => "within_tolerance",
        }
    }
}

/// How the sentence writes an amount: exact decimal with the currency code (the record,
/// the CLI), or as money rounded for a screen (the page).
pub type Amounts<'a> = &'a dyn Fn(Decimal) -> String;

/// The part of the expected charge that is estimated, when there is one.
fn estimated(figures: &Figures) -> Option<&crate::price::Pricing> {
    (figures.pricing.as_ref()).filter(|p| !p.expected_estimated.is_zero())
}

/// The status; a review with an estimated part is never a plain close.
pub fn status(figures: &Figures) -> Status {
    match plain_status(figures) {
        Status::WithinTolerance | Status::Explained if estimated(figures).is_some() => {
            Status::Estimated
        }
        status => status,
    }
}

fn plain_status(figures: &Figures) -> Status {
    let total = &figures.reconciliation.total;
    let residual = figures.bridge.as_ref().map(|b| b.residual);
    match (total.expected, total.provider) {
        (None, _) => Status::NotComputed,
        (_, None) => Status::NotCompared,
        _ if !total.expected_complete => Status::Incomplete,
        _ if total.within_tolerance == Some(true) => Status::WithinTolerance,
        _ if residual.is_some_and(|r| r.abs() <= figures.settings.tolerance_absolute) => {
            Status::Explained
        }
        _ => Status::Unexplained,
    }
}

/// The sentence, in the seed's final-statement form.
pub fn sentence(figures: &Figures, amounts: Amounts) -> String {
    let total = &figures.reconciliation.total;
    let mut when = window_words(figures.settings.window);
    if let Some(first) = when.get(..1) {
        when = first.to_uppercase() + &when[1..];
    }
    let provider = sanitize::label(&figures.settings.provider);
    let floor = if total.expected_complete {
        ""
    } else {
        "at least "
    };
    let (expected, recorded) = match (total.expected, total.provider) {
        (None, Some(recorded)) => {
            return format!(
                "{when}, the provider recorded {}; the expected {provider} spend is not computed: no usage evidence (a gateway log, client request log or usage report) was loaded.",
                amounts(recorded)
            )
        }
        (Some(expected), None) => {
            let estimated = estimated(figures).map_or(String::new(), |p| {
                format!(" ({} of it estimated)", amounts(p.expected_estimated))
            });
            return format!(
                "{when}, expected {provider} spend was {floor}{}{estimated}; no provider-side figure (a gateway log, billing export or account totals) was loaded, so nothing is compared.",
                amounts(expected)
            );
        }
        (None, None) => return format!("{when}, nothing could be computed."),
        (Some(e), Some(r)) => (e, r),
    };
    let variance = total.variance.unwrap_or_default();
    let direction = if variance.is_zero() {
        "no"
    } else if variance.is_sign_negative() {
        "billed less than expected"
    } else {
        "billed more than expected"
    };
    let mut out = format!(
        "{when}, expected {provider} spend was {floor}{}; the provider recorded {}; the {} difference ({direction})",
        amounts(expected),
        amounts(recorded),
        amounts(variance)
    );
    if variance.is_zero() {
        out = format!(
            "{when}, expected {provider} spend was {floor}{} and the provider recorded the same",
            amounts(expected)
        );
    }
    if let Some(bridge) = figures.bridge.as_ref().filter(|_| !variance.is_zero()) {
        let explained = causes(&bridge.steps, amounts);
        if explained.is_empty() {
            out.push_str(" is unexplained");
        } else {
            out.push_str(&format!(" is explained by {explained}"));
            if bridge.residual.is_zero() {
                out.push_str("; nothing is left unexplained");
            } else {
                out.push_str(&format!("; {} is unexplained", amounts(bridge.residual)));
            }
        }
    }
    if total.within_tolerance == Some(true) {
        let t = figures.tolerance();
        out.push_str(&format!(
            ", within the tolerance of {} or {}%",
            amounts(t.absolute),
            format(t.percent)
        ));
    }
    if let Some(p) = estimated(figures) {
        out.push_str(&format!(
            "; {} of the expected amount is estimated (inferred or unknown rates, or usage not verified): only the {} verified is held to the tolerance",
            amounts(p.expected_estimated),
            amounts(p.expected_verified)
        ));
    }
    out.push('.');
    out
}

/// The sentence with exact amounts and the billing currency's code.
pub fn exact_sentence(figures: &Figures) -> String {
    let currency = figures.settings.billing_currency.clone();
    sentence(figures, &|amount| format!("{} {currency}", format(amount)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{run, InputFile};
    use crate::settings::Settings;

    const LOG: &[u8] = include_bytes!("../../tests/fixtures/cometapi-log-page.json");
    const CLIENT: &[u8] = include_bytes!("../../tests/fixtures/evidence/client-openai-chat.jsonl");
    const FOCUS: &[u8] = include_bytes!("../../tests/fixtures/evidence/focus.csv");
    const ONE_API: &[u8] = include_bytes!("../../tests/fixtures/traps/one-api-logs.json");

    fn figures(files: &[(&str, &[u8])], edit: impl Fn(&mut serde_json::Value)) -> Figures {
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/settings.json")).unwrap();
        edit(&mut doc);
        let settings = Settings::from_json(&doc.to_string()).unwrap();
        let inputs: Vec<InputFile> = files
            .iter()
            .map(|(name, bytes)| InputFile {
                name: name.to_string(),
                bytes: bytes.to_vec(),
            })
            .collect();
        run(&inputs, &settings).figures.unwrap()
    }

    #[test]
    fn the_answer_in_every_state() {
        let log = [("log.json", LOG)];
        let day = |d: &mut serde_json::Value| {
            d["incident_window_utc"]["end"] = "2026-01-02T00:00:00Z".into();
        };
        let cases: Vec<(&str, Figures, Status, &str)> = vec![
            (
                "a refund explains the whole difference",
                figures(&log, |_| {}),
                Status::Explained,
                "Between 00:00 and 01:00 UTC on 2026-01-01, expected CometAPI spend was 0.1606 USD; the provider recorded 0.1556 USD; the -0.005 USD difference (billed less than expected) is explained by credits or adjustments (refunds) (-0.005 USD); nothing is left unexplained.",
            ),
            (
                "a wide tolerance",
                figures(&log, |d| d["tolerance"]["absolute"] = "0.01".into()),
                Status::WithinTolerance,
                "Between 00:00 and 01:00 UTC on 2026-01-01, expected CometAPI spend was 0.1606 USD; the provider recorded 0.1556 USD; the -0.005 USD difference (billed less than expected) is explained by credits or adjustments (refunds) (-0.005 USD); nothing is left unexplained, within the tolerance of 0.01 USD or 1%.",
            ),
            (
                "an unpriced model",
                figures(&log, |d| d["rates"].as_array_mut().unwrap().truncate(1)),
                Status::Incomplete,
                "Between 00:00 and 01:00 UTC on 2026-01-01, expected CometAPI spend was at least 0.0321 USD; the provider recorded 0.1556 USD; the 0.1235 USD difference (billed more than expected) is explained by credits or adjustments (refunds) (-0.005 USD) and usage with no verified rate (0.1285 USD); nothing is left unexplained.",
            ),
            (
                "a whole day, nothing to compare",
                figures(&[("client.jsonl", CLIENT)], day),
                Status::NotCompared,
                "Between 00:00 and 24:00 UTC on 2026-01-01, expected CometAPI spend was at least 0.028735 USD; no provider-side figure (a gateway log, billing export or account totals) was loaded, so nothing is compared.",
            ),
            (
                "a bill alone, across days",
                figures(&[("focus.csv", FOCUS)], |d| {
                    d["incident_window_utc"]["end"] = "2026-01-03T00:00:00Z".into();
                }),
                Status::NotComputed,
                "Between 2026-01-01 00:00 and 2026-01-03 00:00 UTC, the provider recorded 0.02 USD; the expected CometAPI spend is not computed: no usage evidence (a gateway log, client request log or usage report) was loaded.",
            ),
            (
                "no window",
                figures(&log, |d| {
                    d["incident_window_utc"] = serde_json::json!({"start": "", "end": ""});
                }),
                Status::Explained,
                "Across all the loaded evidence (no incident window is set), expected CometAPI spend was 0.1821 USD; the provider recorded 0.175598 USD; the -0.006502 USD difference (billed less than expected) is explained by quota the rows' own ratios do not explain (-0.001502 USD) and credits or adjustments (refunds) (-0.005 USD); nothing is left unexplained.",
            ),
            (
                "rows without ratios and a stale rate",
                figures(&[("one-api.json", ONE_API)], |d| {
                    d["incident_window_utc"] = serde_json::json!({"start": "", "end": ""});
                    let rates = d["rates"].as_array_mut().unwrap();
                    let gpt = rates.iter_mut().find(|r| r["model"] == "gpt-4o").unwrap();
                    gpt["output"] = "12".into();
                }),
                Status::Unexplained,
                "Across all the loaded evidence (no incident window is set), expected CometAPI spend was 0.0397 USD; the provider recorded 0.0385 USD; the -0.0012 USD difference (billed less than expected) is unexplained.",
            ),
        ];
        for (name, f, want_status, want) in cases {
            assert_eq!(status(&f), want_status, "{name}");
            assert_eq!(exact_sentence(&f), want, "{name}");
        }
    }
}
