//! An alias priced at another model's rate: a checked row whose logged ratios imply,
//! on every dimension priced, exactly the card's prices of another model (with that
//! model's factors), and not its own. The gateway mapped the name to another billable
//! model; the row's pricing difference is then that mapping, not a stale rate, and it
//! is filed under the alias cause instead of the ratio mismatch (never under both).

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{rates, row_charge, Pricer};
use crate::decimal::{exact_mul, serde_str};
use crate::ingest::GatewayRow;
use crate::ratecard::Entry;

/// Rows priced at another model's rates: their pricing difference, and each pair of
/// (logged name, the card model whose rates the gateway applied).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasGap {
    #[serde(with = "serde_str")]
    pub amount: Decimal,
    pub rows: u64,
    pub pairs: BTreeSet<(String, String)>,
}

impl Pricer<'_> {
    /// The card model (other than `entry`'s) whose prices the row's logged ratios give
    /// on every priced dimension, when they differ from `entry`'s; None otherwise, and
    /// for rows in a long-context tier (the other model's tier is not compared).
    pub(super) fn alias_of(&self, row: &GatewayRow, entry: &Entry) -> Option<String> {
        let r = row.ratios.as_ref()?;
        let tier = entry
            .long_context
            .is_some_and(|t| row.input_total() > t.above);
        if !r.is_plain() || tier || self.priced.is_empty() {
            return None;
        }
        let per_usd = self.settings.quota_per_usd;
        let mut logged = Vec::with_capacity(self.priced.len());
        for &(dimension, _, card_rate, unit_size) in &self.priced {
            let (_, _, rate) = rates::logged_rate(row, r, dimension, unit_size, per_usd)?;
            logged.push((dimension, unit_size, card_rate, rate));
        }
        if logged.iter().all(|(_, _, card, rate)| card == rate) {
            return None;
        }
        let card = &self.settings.rate_card;
        let other = card.entries.iter().find(|other| {
            other.model != entry.model
                && other.in_effect(row.time())
                && logged.iter().all(|&(dimension, unit_size, _, rate)| {
                    let priced = other.price(dimension).and_then(|price| {
                        let (factor, _) =
                            row_charge::factors(self.settings, other, dimension).ok()?;
                        exact_mul(price, factor)
                    });
                    other.unit_size(dimension) == unit_size && priced == Some(rate)
                })
        })?;
        Some(other.model.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::{Ingestor, Rules};
    use crate::settings::Settings;

    fn settings(extra_rates: &str) -> crate::settings::ValidSettings {
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/settings.json")).unwrap();
        let extra: serde_json::Value = serde_json::from_str(extra_rates).unwrap();
        doc["rates"].as_array_mut().unwrap().push(extra);
        Settings::from_json(&doc.to_string())
            .unwrap()
            .validate()
            .unwrap()
    }

    /// A gpt-4o-mini name the gateway priced with gpt-4o's ratios (1.25, completion 4):
    /// the card's gpt-4o prices, so the row is an alias of gpt-4o; with the card's
    /// gpt-4o changed, no model matches and nothing is said.
    #[test]
    fn an_alias_is_named_only_when_another_model_matches_every_rate() {
        let row = br#"{"id": 1, "created_at": 1767225723, "type": 2, "model_name": "gpt-4o-mini", "quota": 7500, "prompt_tokens": 4000, "completion_tokens": 500, "other": "{\"model_ratio\":1.25,\"completion_ratio\":4,\"group_ratio\":1}"}"#;
        let mini = r#"{"model": "gpt-4o-mini", "per_call": "", "source_url": "https://example.com/p", "captured_at": "2026-01-02T09:00:00Z", "label": "verified", "input": "0.15", "cached_input": "0.075", "cache_write": "", "output": "0.60"}"#;
        let mut ingestor = Ingestor::new("log.jsonl", Rules::default());
        ingestor.push(row);
        let report = ingestor.finish();
        let rows: Vec<_> = report.rows.iter().collect();
        let s = settings(mini);
        let priced = super::super::price(rows.iter(), &s).unwrap();
        let b = &priced.bridge;
        // 4,000 × (2.50 − 0.15) + 500 × (10 − 0.60), per 1M = 0.0094 + 0.0047.
        assert_eq!(b.alias.amount, "0.0141".parse().unwrap());
        assert_eq!(b.alias.rows, 1);
        let pair = ("gpt-4o-mini".to_string(), "gpt-4o".to_string());
        assert_eq!(b.alias.pairs, [pair].into());
        assert_eq!(b.pricing_mismatch, rust_decimal::Decimal::ZERO);
        assert!(b.rate_differences.is_empty());
        // gpt-4o at 2.60 on the card: no model's prices are the row's.
        let mut s = settings(mini);
        let gpt = s.rate_card.entries.iter_mut().find(|e| e.model == "gpt-4o");
        gpt.unwrap().prices[crate::ratecard::Dimension::UncachedInput.index()] =
            Some("2.60".parse().unwrap());
        let priced = super::super::price(rows.iter(), &s).unwrap();
        assert_eq!(priced.bridge.alias, super::AliasGap::default());
        assert_eq!(priced.bridge.pricing_mismatch, "0.0141".parse().unwrap());
    }
}
