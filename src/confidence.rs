//! confidence: how far each figure can be trusted, so the headline never claims more than
//! the evidence gives (seed 002: "only use estimated fields for impact ranges, not final
//! variance claims").
//!
//! Each evidence stream's usage carries one of five labels per dimension, fixed by the
//! format it was read from, never guessed per row: a client log of the provider's own
//! response `usage` is `verified_from_response`; a gateway log or a provider usage report
//! is `verified_from_server_log`; counts a client computed with its own tokenizer are
//! `estimated_from_client_tokenizer` (no export read today marks them, so no reader gives
//! this label yet); counts whose origin the export does not state (LiteLLM spend logs,
//! which fill in a count with LiteLLM's tokenizer when a response gives none, and
//! columns the reviewer mapped) are `inferred`; a stream that gives no usage (a bill,
//! account totals) is `unavailable`.
//!
//! A priced line is verified only when both its rate (the card's label) and its usage
//! (the priced stream's label for its dimension) are verified; everything else priced is
//! estimated. The headline's expected amount splits into the two, and "within tolerance"
//! is judged on the verified part alone.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ingest::{FileReport, Format, Stream};
use crate::price::{LineStatus, Pricing};
use crate::ratecard::{Confidence, Dimension, Entry, RateCard};
use crate::reconcile::{self, Comparison, Reconciliation, Tolerance};

/// Seed 002's labels for a usage figure, from the strongest to the weakest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageLabel {
    VerifiedFromResponse,
    VerifiedFromServerLog,
    EstimatedFromClientTokenizer,
    Inferred,
    Unavailable,
}

impl UsageLabel {
    pub fn is_verified(self) -> bool {
        matches!(
            self,
            UsageLabel::VerifiedFromResponse | UsageLabel::VerifiedFromServerLog
        )
    }

    /// The word the record writes (`verified_from_server_log`).
    pub fn name(self) -> &'static str {
        match self {
            UsageLabel::VerifiedFromResponse => "verified_from_response",
            UsageLabel::VerifiedFromServerLog => "verified_from_server_log",
            UsageLabel::EstimatedFromClientTokenizer => "estimated_from_client_tokenizer",
            UsageLabel::Inferred => "inferred",
            UsageLabel::Unavailable => "unavailable",
        }
    }
}

/// The label of the usage a format gives (see the module's comment).
pub fn format_label(format: Format) -> UsageLabel {
    match format {
        Format::LiteLlmSpendLogs | Format::MappedRequests => UsageLabel::Inferred,
        _ => match format.stream() {
            Stream::ClientRequests => UsageLabel::VerifiedFromResponse,
            Stream::GatewayLog | Stream::ProviderUsage => UsageLabel::VerifiedFromServerLog,
            Stream::Billing | Stream::AccountTotals => UsageLabel::Unavailable,
        },
    }
}

/// One stream's usage labels: the weakest of its files', the same for each dimension
/// it gives (a stream's rows do not say which file a summed quantity came from).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamConfidence {
    pub stream: Stream,
    /// The weakest label of the stream's usage; `unavailable` when it gives none.
    pub usage: UsageLabel,
    pub dimensions: BTreeMap<Dimension, UsageLabel>,
}

/// The weakest label among the files of `stream` that give evidence.
pub fn stream_label(files: &[FileReport], stream: Stream) -> UsageLabel {
    files
        .iter()
        .filter(|f| f.gives_evidence() && f.stream() == stream)
        .filter_map(|f| f.format)
        .map(format_label)
        .max()
        .unwrap_or(UsageLabel::Unavailable)
}

/// Each stream's labels, given each stream with the dimensions it has quantities for
/// (the cross-checks' stream figures), in their order.
pub fn per_stream(
    files: &[FileReport],
    streams: impl IntoIterator<Item = (Stream, Vec<Dimension>)>,
) -> Vec<StreamConfidence> {
    streams
        .into_iter()
        .map(|(stream, dimensions)| {
            let label = stream_label(files, stream);
            StreamConfidence {
                stream,
                usage: if dimensions.is_empty() {
                    UsageLabel::Unavailable
                } else {
                    label
                },
                dimensions: dimensions.into_iter().map(|d| (d, label)).collect(),
            }
        })
        .collect()
}

/// A per-image or per-second price on the card for a model whose usage states no such
/// quantity (no export read today gives images or seconds): the price is not applied,
/// and the expected charge may lack that part. Said, never guessed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnappliedPrice {
    pub model: String,
    pub dimension: Dimension,
}

/// Each priced model whose card entry prices images or seconds that its usage does
/// not count, by model then dimension.
pub fn prices_without_quantities(pricing: &Pricing, card: &RateCard) -> Vec<UnappliedPrice> {
    let mut out = Vec::new();
    for charge in &pricing.models {
        let names = |e: &&Entry| {
            e.model == charge.model || charge.logged_as.iter().any(|m| e.aliases.contains(m))
        };
        for dimension in [Dimension::Images, Dimension::Seconds] {
            let priced = card
                .entries
                .iter()
                .filter(names)
                .any(|e| e.price(dimension).is_some());
            let counted = pricing
                .lines
                .iter()
                .any(|l| l.model == charge.model && l.dimension == dimension && l.quantity > 0);
            if priced && !counted {
                out.push(UnappliedPrice {
                    model: charge.model.clone(),
                    dimension,
                });
            }
        }
    }
    out
}

/// The expected amounts split: verified (a verified rate on verified usage) and
/// estimated (the rest that is priced), in total and per model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    pub verified: Decimal,
    pub estimated: Decimal,
    pub per_model: BTreeMap<String, (Decimal, Decimal)>,
}

pub fn split(pricing: &Pricing, usage: UsageLabel) -> Result<Split, Error> {
    let add = |sum: &mut Decimal, amount: Decimal| {
        *sum = sum
            .checked_add(amount)
            .ok_or_else(|| Error::overflow("the verified and estimated totals"))?;
        Ok::<_, Error>(())
    };
    let mut out = Split::default();
    let expected = pricing
        .lines
        .iter()
        .filter(|l| l.status == LineStatus::Expected);
    for line in expected {
        let amount = line.amount.unwrap_or(Decimal::ZERO);
        let verified = line.label == Confidence::Verified && usage.is_verified();
        let model = out.per_model.entry(line.model.clone()).or_default();
        if verified {
            add(&mut out.verified, amount)?;
            add(&mut model.0, amount)?;
        } else {
            add(&mut out.estimated, amount)?;
            add(&mut model.1, amount)?;
        }
    }
    Ok(out)
}

/// Puts the split into `pricing` (its verified and estimated totals) and judges each
/// comparison's tolerance on the verified part alone wherever part of it is estimated:
/// an estimate can widen a range, never close a review.
pub fn apply(
    files: &[FileReport],
    priced_stream: Option<Stream>,
    pricing: Option<&mut Pricing>,
    reconciliation: &mut Reconciliation,
    tolerance: Tolerance,
) -> Result<(), Error> {
    let (Some(pricing), Some(stream)) = (pricing, priced_stream) else {
        return Ok(());
    };
    let split = split(pricing, stream_label(files, stream))?;
    pricing.expected_verified = split.verified;
    pricing.expected_estimated = split.estimated;
    on_verified(
        &mut reconciliation.total,
        split.verified,
        split.estimated,
        tolerance,
    )?;
    for (model, comparison) in &mut reconciliation.per_model {
        if let Some((verified, estimated)) = split.per_model.get(model.as_str()) {
            on_verified(comparison, *verified, *estimated, tolerance)?;
        }
    }
    Ok(())
}

fn on_verified(
    comparison: &mut Comparison,
    verified: Decimal,
    estimated: Decimal,
    tolerance: Tolerance,
) -> Result<(), Error> {
    if estimated.is_zero() {
        return Ok(());
    }
    if let Some(provider) = comparison.provider {
        let v = reconcile::variance(verified, comparison.expected_complete, provider, tolerance)?;
        comparison.within_tolerance = Some(v.within_tolerance);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::Figures;
    use crate::pipeline::{run, InputFile};
    use crate::record::{exact_sentence, next_action, status, Status};
    use crate::settings::Settings;

    const LOG: &[u8] = include_bytes!("../tests/fixtures/cometapi-log-page.json");
    const LITELLM: &[u8] = include_bytes!("../tests/fixtures/evidence/litellm-spend-logs.json");

    fn figures(name: &str, bytes: &[u8], edit: impl Fn(&mut serde_json::Value)) -> Figures {
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/settings.json")).unwrap();
        edit(&mut doc);
        let settings = Settings::from_json(&doc.to_string()).unwrap();
        let file = InputFile {
            name: name.into(),
            bytes: bytes.to_vec(),
        };
        run(&[file], &settings).figures.unwrap()
    }

    fn gpt_inferred(doc: &mut serde_json::Value) {
        let rates = doc["rates"].as_array_mut().unwrap();
        let gpt = rates.iter_mut().find(|r| r["model"] == "gpt-4o").unwrap();
        gpt["label"] = "inferred".into();
    }

    /// The log page's 0.1606 expected is 0.0285 for gpt-4o (rows 417 and 423) and 0.1321
    /// for the rest; the gateway recorded 0.1556, a refund explains the −0.005.
    #[test]
    fn an_estimated_part_never_closes_a_review() {
        let d = |x: &str| x.parse::<Decimal>().unwrap();
        // name, figures, status, within tolerance, "verified estimated", next action.
        type Case<'a> = (&'a str, Figures, Status, Option<bool>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (
                // All verified, tolerance 0.01: within (|−0.005| ≤ 0.01), a plain close.
                "verified",
                figures("log.json", LOG, |doc| {
                    doc["tolerance"]["absolute"] = "0.01".into();
                }),
                Status::WithinTolerance,
                Some(true),
                "0.1606 0",
                "close: the variance is within tolerance",
            ),
            (
                // gpt-4o inferred: 0.1556 − 0.1321 = 0.0235 > 0.01 and 17.8% > 1%: not
                // within on the verified part, though the bridge explains it all.
                "one rate inferred",
                figures("log.json", LOG, |doc| {
                    doc["tolerance"]["absolute"] = "0.01".into();
                    gpt_inferred(doc);
                }),
                Status::Estimated,
                Some(false),
                "0.1321 0.0285",
                "confirm the estimated part before closing",
            ),
            (
                // A 20% band: 0.0235 ÷ 0.1321 = 17.8% is inside it, yet still no close.
                "one rate inferred, a wide band",
                figures("log.json", LOG, |doc| {
                    doc["tolerance"]["percent"] = "20".into();
                    gpt_inferred(doc);
                }),
                Status::Estimated,
                Some(true),
                "0.1321 0.0285",
                "confirm the estimated part before closing",
            ),
        ];
        for (name, f, want_status, within, split, next) in cases {
            let p = f.pricing.as_ref().unwrap();
            let (verified, estimated) = split.split_once(' ').unwrap();
            assert_eq!(
                (p.expected_verified, p.expected_estimated),
                (d(verified), d(estimated)),
                "{name}"
            );
            assert_eq!(f.reconciliation.total.expected, Some(d("0.1606")), "{name}");
            assert_eq!(status(&f), want_status, "{name}");
            assert_eq!(f.reconciliation.total.within_tolerance, within, "{name}");
            let action = next_action(&f, f.tolerance());
            assert!(action.starts_with(next), "{name}: {action}");
            let sentence = exact_sentence(&f);
            let said = sentence.contains(
                "0.0285 USD of the expected amount is estimated (inferred or unknown rates, or usage not verified): only the 0.1321 USD verified is held to the tolerance.",
            );
            assert_eq!(said, !estimated.eq("0"), "{name}: {sentence}");
        }
    }

    #[test]
    fn usage_a_log_does_not_vouch_for_is_estimated() {
        let f = figures("spend.json", LITELLM, |doc| {
            doc["incident_window_utc"] = serde_json::json!({"start": "", "end": ""});
        });
        let p = f.pricing.as_ref().unwrap();
        assert_eq!(p.expected_verified, Decimal::ZERO);
        assert!(p.expected_estimated > Decimal::ZERO);
        assert_eq!(p.expected_estimated, p.expected);
        let client = &f.usage_confidence[0];
        assert_eq!(
            (client.stream, client.usage),
            (Stream::ClientRequests, UsageLabel::Inferred)
        );
        assert!(client
            .dimensions
            .values()
            .all(|l| *l == UsageLabel::Inferred));
        // Nothing to compare with, and the answer still says how much is estimated.
        let estimated = crate::decimal::format(p.expected_estimated);
        let sentence = exact_sentence(&f);
        let said = format!("({estimated} USD of it estimated); no provider-side figure");
        assert!(sentence.contains(&said), "{sentence}");
    }

    #[test]
    fn a_per_image_price_with_no_images_counted_is_named() {
        assert_eq!(figures("log.json", LOG, |_| {}).unapplied_prices, []);
        // mj_imagine is charged per call (the log states no image count): a per-image
        // price on its entry cannot be applied, and the record says so.
        let f = figures("log.json", LOG, |doc| {
            let rates = doc["rates"].as_array_mut().unwrap();
            let mj = rates
                .iter_mut()
                .find(|r| r["model"] == "mj_imagine")
                .unwrap();
            mj["per_image"] = "0.05".into();
        });
        let want = [UnappliedPrice {
            model: "mj_imagine".into(),
            dimension: Dimension::Images,
        }];
        assert_eq!(f.unapplied_prices, want);
        let record = crate::record::build(&[], &f, jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(record.confidence.prices_without_quantities, want);
    }

    #[test]
    fn each_format_has_its_label() {
        let cases = [
            (Format::ClientOpenAiChat, UsageLabel::VerifiedFromResponse),
            (Format::ClientAnthropic, UsageLabel::VerifiedFromResponse),
            (Format::CostObservation, UsageLabel::VerifiedFromResponse),
            (Format::LiteLlmSpendLogs, UsageLabel::Inferred),
            (Format::MappedRequests, UsageLabel::Inferred),
            (Format::NewApiLogPage, UsageLabel::VerifiedFromServerLog),
            (Format::OpenAiUsageReport, UsageLabel::VerifiedFromServerLog),
            (Format::Focus, UsageLabel::Unavailable),
            (Format::CometApiAccount, UsageLabel::Unavailable),
        ];
        for (format, want) in cases {
            assert_eq!(format_label(format), want, "{format:?}");
        }
        assert!(UsageLabel::VerifiedFromServerLog.is_verified());
        assert!(!UsageLabel::EstimatedFromClientTokenizer.is_verified());
        assert!(UsageLabel::Inferred > UsageLabel::VerifiedFromResponse);
    }
}
