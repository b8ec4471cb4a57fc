//! The record's description of the pricing side: which documents the rates came
//! from, and the assumptions (units, rounding, policy, factors, FX) behind the figures.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decimal::{self, serde_str};
use crate::policy::Outcome;
use crate::policy::{outcome_name, Billability};
use crate::ratecard::Confidence;
use crate::sanitize;
use crate::settings::ValidSettings;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceDocument {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
    pub captured_at: Option<String>,
    pub purpose: String,
    pub models: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PricingAssumption {
    pub rate_source: &'static str,
    pub price_unit: &'static str,
    pub currency: String,
    pub rate_value: &'static str,
    pub rounding_rule: String,
    pub quota_per_usd: String,
    pub token_semantics: &'static str,
    pub outcome_policy: BTreeMap<&'static str, Billability>,
    pub factors: Vec<FactorOut>,
    pub fx: Option<FxOut>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FactorOut {
    pub name: String,
    #[serde(with = "serde_str")]
    pub value: Decimal,
    pub models: Vec<String>,
    pub label: Confidence,
    pub source_url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FxOut {
    pub from: String,
    pub to: String,
    #[serde(with = "serde_str")]
    pub rate: Decimal,
    pub source_url: String,
    pub captured_at: Option<String>,
}

pub(super) fn source_documents(settings: &ValidSettings) -> Vec<SourceDocument> {
    let mut sources: BTreeMap<(String, Option<String>), Vec<String>> = BTreeMap::new();
    let card = &settings.rate_card;
    let named = card
        .entries
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| (&e.provenance, sanitize::label(&e.model)));
    let factors = card.factors.iter().map(|f| {
        (
            &f.provenance,
            format!("factor: {}", sanitize::label_text(&f.name)),
        )
    });
    for (provenance, what) in named.chain(factors) {
        let key = (
            sanitize::url(&provenance.source_url),
            provenance.captured_at.map(|t| t.to_string()),
        );
        sources.entry(key).or_default().push(what);
    }
    sources
        .into_iter()
        .map(|((url, captured_at), models)| SourceDocument {
            kind: "pricing_page",
            url,
            captured_at,
            purpose: "verified pricing units entered by the reviewer".to_string(),
            models,
        })
        .chain(reviewed_documents(settings))
        .collect()
}

/// The documents the reviewer captured beyond the rate card's pricing pages (API
/// documentation, help-center answers, support tickets), in the order typed.
fn reviewed_documents(settings: &ValidSettings) -> impl Iterator<Item = SourceDocument> + '_ {
    settings.review.documents.iter().map(|d| SourceDocument {
        kind: d.kind,
        url: sanitize::url(&d.url),
        captured_at: d.captured_at.map(|t| t.to_string()),
        purpose: sanitize::free_text(&d.purpose),
        models: Vec::new(),
    })
}

pub(super) fn pricing_assumption(settings: &ValidSettings) -> PricingAssumption {
    let card = &settings.rate_card;
    PricingAssumption {
        rate_source: "reviewer_verified_rate_card",
        price_unit: "see per_model[].lines[].unit",
        currency: settings.billing_currency.clone(),
        rate_value: "per_model[].lines[].rate",
        rounding_rule: settings.rounding.as_ref().map_or_else(
            || "none: amounts are exact".to_string(),
            |r| {
                format!(
                    "{:?} to {} decimals, {}, documented at {}",
                    r.scope,
                    r.decimals,
                    r.strategy_name,
                    sanitize::url(&r.source_url)
                )
            },
        ),
        quota_per_usd: decimal::format(settings.quota_per_usd),
        token_semantics:
            "new-api rows: prompt includes cache tokens unless other.usage_semantic is anthropic",
        outcome_policy: Outcome::ALL
            .iter()
            .map(|o| (outcome_name(*o), settings.policy.of(*o)))
            .collect(),
        factors: card
            .factors
            .iter()
            .map(|f| FactorOut {
                name: sanitize::label_text(&f.name),
                value: f.value,
                models: f.models.iter().map(|m| sanitize::label(m)).collect(),
                label: f.provenance.label,
                source_url: sanitize::url(&f.provenance.source_url),
            })
            .collect(),
        fx: settings.fx.as_ref().map(|fx| FxOut {
            from: sanitize::label(&fx.from),
            to: sanitize::label(&fx.to),
            rate: fx.rate,
            source_url: sanitize::url(&fx.source_url),
            captured_at: fx.captured_at.map(|t| t.to_string()),
        }),
    }
}
