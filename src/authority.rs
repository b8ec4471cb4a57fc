//! authority: which stream stands as the provider-side figure, for the comparison the
//! headline makes. The reviewer chooses in the settings (`provider_side`); left empty,
//! the default rule stands ([`crate::settings::provider_side::DEFAULT_RULE`]): the
//! gateway log's own quota, else a billing export, else account totals. The other
//! streams stay cross-checks, each summed on its own, never blended into the figure.
//!
//! A chosen stream that is not loaded (or a bill with no bucket wholly inside the
//! window) gives no provider-side figure: not computed, never another stream in its
//! place. A provider usage report stands as the figure priced with the card, and the
//! expected charge is then priced from the gateway log or the client log, never from
//! the report it is compared with.

use rust_decimal::Decimal;

use crate::crosscheck;
use crate::error::Error;
use crate::ingest::{FileReport, Stream};
use crate::price::Pricing;
use crate::reconcile::{self, compare, Reconciliation, Tolerance};
use crate::settings::expected_side::ExpectedSide;
use crate::settings::ValidSettings;

fn has(files: &[FileReport], stream: Stream) -> bool {
    crosscheck::files_of(files, stream).next().is_some()
}

/// The stream the expected charge is priced from: the most detailed usage there is (the
/// gateway's own log, else what the client saw, else the provider's usage report), but
/// never the stream chosen as the provider-side figure unless it is the gateway's log
/// (whose rows price the expected charge and whose quota is the figure).
///
/// With what the client saw chosen as the expected side, the client request log alone,
/// or nothing when none is loaded (no other stream stands in its place).
pub fn priced_stream(
    files: &[FileReport],
    choice: Option<Stream>,
    side: ExpectedSide,
) -> Option<Stream> {
    if side == ExpectedSide::ClientRequests {
        return Some(Stream::ClientRequests).filter(|s| has(files, *s));
    }
    [
        Stream::GatewayLog,
        Stream::ClientRequests,
        Stream::ProviderUsage,
    ]
    .into_iter()
    .filter(|s| choice != Some(Stream::ProviderUsage) || *s != Stream::ProviderUsage)
    .find(|s| has(files, *s))
}

/// The comparison under the chosen (or default) provider-side stream, and that stream
/// when it gave a figure. `gateway` is the gateway log's pricing when one is loaded and
/// it prices the expected charge, or stands beside what the client saw (the expected
/// side chosen: `pricing` is then the client log's, None when none is loaded).
pub fn provider_side(
    files: &[FileReport],
    settings: &ValidSettings,
    gateway: Option<&Pricing>,
    pricing: Option<&Pricing>,
    tolerance: Tolerance,
) -> Result<(Reconciliation, Option<Stream>), Error> {
    // A charge stream stands only with a bucket wholly inside the window: one that
    // reaches outside cannot be split, and a bill for other dates says nothing of these.
    let inside = |stream: Stream| {
        crosscheck::files_of(files, stream)
            .flat_map(|f| f.evidence.charges.iter())
            .any(|c| !c.straddles)
    };
    let chosen = match settings.provider_side {
        None if gateway.is_some() => Some(Stream::GatewayLog),
        None => [Stream::Billing, Stream::AccountTotals]
            .into_iter()
            .find(|s| inside(*s)),
        Some(Stream::GatewayLog) => gateway.map(|_| Stream::GatewayLog),
        Some(Stream::ProviderUsage) => Some(Stream::ProviderUsage).filter(|s| has(files, *s)),
        Some(charged) => Some(charged).filter(|s| inside(*s)),
    };
    let reconciliation = match (chosen, gateway, pricing) {
        (Some(Stream::GatewayLog), Some(gateway), client)
            if settings.expected_side == ExpectedSide::ClientRequests =>
        {
            against_gateway(client, gateway, settings.quota_per_usd, tolerance)?
        }
        (Some(Stream::GatewayLog), Some(gateway), _) => {
            reconcile::reconcile(gateway, settings.quota_per_usd, tolerance)?
        }
        (Some(Stream::ProviderUsage), _, pricing) => {
            let usage = crosscheck::price_stream(files, Stream::ProviderUsage, settings)?;
            against_usage(pricing, &usage, tolerance)?
        }
        (Some(stream), _, pricing) => {
            let charges =
                crosscheck::files_of(files, stream).flat_map(|f| f.evidence.charges.iter());
            let card = &settings.rate_card;
            reconcile::reconcile_charges(pricing, charges, card, tolerance)?
        }
        (None, _, Some(pricing)) => reconcile::expected_only(pricing, tolerance)?,
        (None, _, None) => reconcile::nothing(),
    };
    Ok((reconciliation, chosen))
}

/// Expected against the provider's usage report priced with the same card, per model
/// and in total. A model the report does not name is not compared on its own (the
/// report says nothing of it by that name); the report's other models count in the
/// total. The report's own unpriced usage leaves the comparison incomplete.
fn against_usage(
    pricing: Option<&Pricing>,
    usage: &Pricing,
    tolerance: Tolerance,
) -> Result<Reconciliation, Error> {
    let recorded = |model: &str| usage.models.iter().find(|m| m.model == model);
    let complete = usage.complete && pricing.is_none_or(|p| p.complete);
    let mut per_model = Vec::new();
    for charge in pricing.map_or(&[][..], |p| p.models.as_slice()) {
        let provider = recorded(&charge.model).map(|m| m.expected);
        let complete = complete && charge.complete;
        let c = compare(Some(charge.expected), complete, provider, tolerance)?;
        per_model.push((charge.model.clone(), c));
    }
    let expected = pricing.map(|p| p.expected);
    let total = compare(expected, complete, Some(usage.expected), tolerance)?;
    Ok(Reconciliation { per_model, total })
}

/// What the client saw, priced with the card, against the gateway's own quota, per
/// model and in total. A model the gateway did not charge is compared with 0 (the
/// gateway log is the whole provider-side figure, so it charged nothing for it), and
/// one only the gateway charged with an expected 0 (the client sent nothing for it).
fn against_gateway(
    client: Option<&Pricing>,
    gateway: &Pricing,
    quota_per_usd: Decimal,
    tolerance: Tolerance,
) -> Result<Reconciliation, Error> {
    let recorded = reconcile::reconcile(gateway, quota_per_usd, tolerance)?;
    let Some(client) = client else {
        // No client log: the provider-side figure alone, nothing invented beside it.
        let total = compare(None, false, recorded.total.provider, tolerance)?;
        return Ok(Reconciliation {
            per_model: Vec::new(),
            total,
        });
    };
    let charged = |model: &str| {
        let found = recorded.per_model.iter().find(|(m, _)| m == model);
        found.and_then(|(_, c)| c.provider).unwrap_or(Decimal::ZERO)
    };
    let mut per_model = Vec::new();
    for charge in &client.models {
        let provider = Some(charged(&charge.model));
        let c = compare(Some(charge.expected), charge.complete, provider, tolerance)?;
        per_model.push((charge.model.clone(), c));
    }
    for (model, gateway_side) in &recorded.per_model {
        if !client.models.iter().any(|m| &m.model == model) {
            let c = compare(Some(Decimal::ZERO), true, gateway_side.provider, tolerance)?;
            per_model.push((model.clone(), c));
        }
    }
    let total = compare(
        Some(client.expected),
        client.complete,
        recorded.total.provider,
        tolerance,
    )?;
    Ok(Reconciliation { per_model, total })
}

/// The gateway's recorded total, for the cross-checks: whatever stands as the
/// headline's provider-side figure, the gateway log is compared on its own.
pub fn gateway_recorded(
    gateway: Option<&Pricing>,
    settings: &ValidSettings,
    tolerance: Tolerance,
) -> Result<Option<Decimal>, Error> {
    gateway
        .map(|g| reconcile::reconcile(g, settings.quota_per_usd, tolerance))
        .transpose()
        .map(|r| r.and_then(|r| r.total.provider))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::Figures;
    use crate::pipeline::{run, InputFile};
    use crate::settings::Settings;

    const LOG: &[u8] = include_bytes!("../tests/fixtures/cometapi-log-page.json");
    const CLIENT: &[u8] = include_bytes!("../tests/fixtures/evidence/client-openai-chat.jsonl");
    const FOCUS: &[u8] = include_bytes!("../tests/fixtures/evidence/focus.csv");
    const USAGE: &[u8] = include_bytes!("../tests/fixtures/evidence/openai-usage.json");

    fn figures(files: &[(&str, &[u8])], side: &str, day: bool) -> Figures {
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/settings.json")).unwrap();
        doc["provider_side"] = side.into();
        if day {
            doc["incident_window_utc"]["end"] = "2026-01-02T00:00:00Z".into();
        }
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

    fn amount(text: &str) -> Option<Decimal> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn the_chosen_stream_stands_and_no_other_in_its_place() {
        let log_and_bill = [("log.json", LOG), ("focus.csv", FOCUS)];
        let log_and_usage = [("log.json", LOG), ("usage.json", USAGE)];
        // (name, figures, priced from, recorded from, expected, provider)
        let cases = [
            (
                // The default: the gateway's quota (the whole day, row 422 included).
                "default",
                figures(&log_and_bill, "", true),
                Some(Stream::GatewayLog),
                Some(Stream::GatewayLog),
                amount("0.1821"),
                amount("0.175598"),
            ),
            (
                // The bill instead: FOCUS's three gpt-4o usage lines for 2026-01-01,
                // 0.008 + 0.008 + 0.004 (the tax line is no usage; the "abc" row is
                // rejected); the expected charge is still priced from the gateway log.
                "billing",
                figures(&log_and_bill, "billing", true),
                Some(Stream::GatewayLog),
                Some(Stream::Billing),
                amount("0.1821"),
                amount("0.02"),
            ),
            (
                // The bill's daily bucket reaches outside 00:00–01:00: nothing stands.
                "billing, straddling",
                figures(&log_and_bill, "billing", false),
                Some(Stream::GatewayLog),
                None,
                amount("0.1606"),
                None,
            ),
            (
                "account totals, not loaded",
                figures(&log_and_bill, "account_totals", false),
                Some(Stream::GatewayLog),
                None,
                amount("0.1606"),
                None,
            ),
            (
                // The usage report priced with the card: gpt-4o 5,000 uncached × 2.50 +
                // 8,000 cached × 1.25 + 600 output × 10, per 1M = 0.0125 + 0.01 + 0.006.
                "provider usage",
                figures(&log_and_usage, "provider_usage", false),
                Some(Stream::GatewayLog),
                Some(Stream::ProviderUsage),
                amount("0.1606"),
                amount("0.0285"),
            ),
            (
                // Without a gateway log the client log is priced, not the report
                // compared with it.
                "provider usage, client priced",
                figures(
                    &[("c.jsonl", CLIENT), ("u.json", USAGE)],
                    "provider_usage",
                    false,
                ),
                Some(Stream::ClientRequests),
                Some(Stream::ProviderUsage),
                None,
                amount("0.0285"),
            ),
        ];
        for (name, f, priced, recorded, expected, provider) in cases {
            let total = &f.reconciliation.total;
            assert_eq!(
                (f.priced_stream, f.recorded_stream),
                (priced, recorded),
                "{name}"
            );
            if expected.is_some() {
                assert_eq!(total.expected, expected, "{name}");
            }
            assert_eq!(total.provider, provider, "{name}");
        }
    }

    #[test]
    fn a_chosen_stream_not_loaded_says_so_in_the_record() {
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/settings.json")).unwrap();
        doc["provider_side"] = "account_totals".into();
        let settings = Settings::from_json(&doc.to_string()).unwrap();
        let log = InputFile {
            name: "log.json".into(),
            bytes: LOG.to_vec(),
        };
        let record = run(&[log], &settings)
            .record(jiff::Timestamp::UNIX_EPOCH)
            .unwrap();
        assert_eq!(record.provider_side.chosen, Some(Stream::AccountTotals));
        assert_eq!(record.provider_recorded_from, None);
        assert!(record.not_computed["provider_reported_amount"]
            .starts_with("not computed: the stream chosen as the provider-side figure"));
    }

    #[test]
    fn against_a_usage_report_each_model_it_names_is_compared() {
        let f = figures(
            &[("log.json", LOG), ("usage.json", USAGE)],
            "provider_usage",
            false,
        );
        for (model, c) in &f.reconciliation.per_model {
            if model == "gpt-4o" {
                // 0.0285 expected from the gateway's two gpt-4o rows, 0.0285 reported.
                assert_eq!((c.variance, c.within_tolerance), (amount("0"), Some(true)));
            } else {
                assert_eq!((c.provider, c.variance), (None, None), "{model}");
            }
        }
    }
}
