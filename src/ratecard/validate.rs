//! Rate card text → exact entries, with every problem named by its JSON path.

use rust_decimal::Decimal;

use super::convert::{usd_from_ratios, NewApiRatios};
use super::parse_confidence;
use super::Dimension;
use super::{AppliesTo, Entry, Factor, FactorText, LongContext, Provenance, RateCard, RateText};
use crate::decimal::{parse_count, parse_exact, quote};
use crate::error::Error;
use crate::ingest::parse_timestamp;

struct Errors<'a>(&'a mut Vec<Error>);

impl Errors<'_> {
    fn push(&mut self, path: String, message: impl Into<String>) {
        self.0.push(Error::field(&path, message));
    }

    /// An optional non-negative decimal: empty text is None.
    fn price(&mut self, path: String, text: &str) -> Option<Decimal> {
        if text.trim().is_empty() {
            return None;
        }
        match parse_exact(text) {
            Ok(value) if value.is_sign_negative() && !value.is_zero() => {
                self.push(
                    path,
                    format!(
                        "expected a price of zero or more, but found {}",
                        quote(text.trim())
                    ),
                );
                None
            }
            Ok(value) => Some(value),
            Err(message) => {
                self.push(path, message);
                None
            }
        }
    }

    fn time(&mut self, path: String, text: &str) -> Option<jiff::Timestamp> {
        if text.trim().is_empty() {
            return None;
        }
        parse_timestamp(text).map_err(|m| self.push(path, m)).ok()
    }

    fn provenance(&mut self, base: &str, url: &str, at: &str, by: &str, label: &str) -> Provenance {
        let label = parse_confidence(label).unwrap_or_else(|m| {
            self.push(format!("{base}.label"), m);
            crate::ratecard::Confidence::Unknown
        });
        Provenance {
            source_url: url.trim().to_string(),
            captured_at: self.time(format!("{base}.captured_at"), at),
            captured_by: by.trim().to_string(),
            label,
        }
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn token_unit(text: &str) -> Result<Decimal, String> {
    match text.trim().to_ascii_uppercase().as_str() {
        "" | "1M" => Ok(Decimal::from(1_000_000u32)),
        "1K" => Ok(Decimal::ONE_THOUSAND),
        "1" => Ok(Decimal::ONE),
        other => Err(format!(
            "expected a token unit of 1M, 1K or 1, but found {}",
            quote(other)
        )),
    }
}

fn entry(i: usize, r: &RateText, quota_per_usd: Decimal, e: &mut Errors) -> Entry {
    let path = |name: &str| format!("rates[{i}].{name}");
    let mut prices = [None; Dimension::COUNT];
    let typed = [
        (Dimension::UncachedInput, "input", &r.input),
        (Dimension::CachedInput, "cached_input", &r.cached_input),
        (Dimension::CacheWrite, "cache_write", &r.cache_write),
        (Dimension::CacheWrite1h, "cache_write_1h", &r.cache_write_1h),
        (Dimension::Output, "output", &r.output),
        (Dimension::Reasoning, "reasoning", &r.reasoning),
        (Dimension::AudioInput, "audio_input", &r.audio_input),
        (
            Dimension::AudioCachedInput,
            "audio_cached_input",
            &r.audio_cached_input,
        ),
        (Dimension::AudioOutput, "audio_output", &r.audio_output),
        (Dimension::Calls, "per_call", &r.per_call),
        (Dimension::Images, "per_image", &r.per_image),
        (Dimension::Seconds, "per_second", &r.per_second),
        (
            Dimension::ToolCalls,
            "per_1k_tool_calls",
            &r.per_1k_tool_calls,
        ),
    ];
    for (dimension, name, text) in typed {
        prices[dimension.index()] = e.price(path(name), text);
    }
    let ratio_texts = [
        &r.model_ratio,
        &r.completion_ratio,
        &r.cache_ratio,
        &r.cache_creation_ratio,
        &r.model_price,
    ];
    let from_ratios = ratio_texts.iter().any(|t| !t.trim().is_empty());
    if from_ratios {
        let usd_typed = prices.iter().any(Option::is_some);
        let ratios = NewApiRatios {
            model_ratio: e.price(path("model_ratio"), &r.model_ratio),
            completion_ratio: e.price(path("completion_ratio"), &r.completion_ratio),
            cache_ratio: e.price(path("cache_ratio"), &r.cache_ratio),
            cache_creation_ratio: e.price(path("cache_creation_ratio"), &r.cache_creation_ratio),
            model_price: e.price(path("model_price"), &r.model_price),
        };
        if usd_typed {
            e.push(
                path("model_ratio"),
                "expected either prices or new-api ratios for one entry, but found both",
            );
        } else {
            match usd_from_ratios(ratios, quota_per_usd) {
                Ok(usd) => {
                    prices[Dimension::UncachedInput.index()] = usd.input;
                    prices[Dimension::CachedInput.index()] = usd.cached_input;
                    prices[Dimension::CacheWrite.index()] = usd.cache_write;
                    prices[Dimension::Output.index()] = usd.output;
                    prices[Dimension::Calls.index()] = usd.per_call;
                }
                Err(message) => e.push(path("model_ratio"), message),
            }
        }
    }
    let long_context = if r.long_context_above.trim().is_empty() {
        None
    } else {
        let above = parse_count(&r.long_context_above)
            .map_err(|m| e.push(path("long_context_above"), m))
            .ok();
        let tier = LongContext {
            above: above.unwrap_or(0),
            input: e.price(path("long_context_input"), &r.long_context_input),
            cached_input: e.price(
                path("long_context_cached_input"),
                &r.long_context_cached_input,
            ),
            output: e.price(path("long_context_output"), &r.long_context_output),
        };
        if tier.input.is_none() && tier.output.is_none() && tier.cached_input.is_none() {
            e.push(
                path("long_context_input"),
                "expected the long-context prices for requests above the threshold, but found none",
            );
        }
        Some(tier)
    };
    let unit = token_unit(&r.token_unit).unwrap_or_else(|m| {
        e.push(path("token_unit"), m);
        Decimal::from(1_000_000u32)
    });
    let (from, to) = (
        e.time(path("effective_from"), &r.effective_from),
        e.time(path("effective_to"), &r.effective_to),
    );
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            e.push(
                path("effective_to"),
                format!("expected a date after effective_from ({from}), but found {to}"),
            );
        }
    }
    if r.model.trim().is_empty() {
        e.push(
            path("model"),
            "expected the model label as written on the pricing page, but found nothing",
        );
    }
    Entry {
        model: r.model.trim().to_string(),
        aliases: split_list(&r.aliases),
        currency: currency(&r.currency),
        token_unit: unit,
        prices,
        long_context,
        effective_from: from,
        effective_to: to,
        provenance: e.provenance(
            &format!("rates[{i}]"),
            &r.source_url,
            &r.captured_at,
            &r.captured_by,
            &r.label,
        ),
        from_ratios,
    }
}

pub fn currency(text: &str) -> String {
    match text.trim() {
        "" => "USD".to_string(),
        code => code.to_ascii_uppercase(),
    }
}

fn factor(i: usize, f: &FactorText, e: &mut Errors) -> Factor {
    let path = |name: &str| format!("factors[{i}].{name}");
    if f.name.trim().is_empty() {
        e.push(path("name"), "expected a name that says what the factor is (\"CometAPI discount\"), but found nothing");
    }
    let value = match parse_exact(&f.value) {
        Ok(v) if !v.is_sign_negative() => v,
        Ok(_) => {
            e.push(
                path("value"),
                format!(
                    "expected a multiplier of zero or more, but found {}",
                    quote(f.value.trim())
                ),
            );
            Decimal::ONE
        }
        Err(m) => {
            e.push(path("value"), m);
            Decimal::ONE
        }
    };
    let applies_to = match f.applies_to.trim().to_ascii_lowercase().as_str() {
        "" | "all" => AppliesTo::All,
        "tokens" => AppliesTo::Tokens,
        "calls" => AppliesTo::Calls,
        other => {
            e.push(
                path("applies_to"),
                format!("expected all, tokens or calls, but found {}", quote(other)),
            );
            AppliesTo::All
        }
    };
    Factor {
        name: f.name.trim().to_string(),
        value,
        models: split_list(&f.models),
        applies_to,
        provenance: e.provenance(
            &format!("factors[{i}]"),
            &f.source_url,
            &f.captured_at,
            &f.captured_by,
            &f.label,
        ),
    }
}

/// Validates the whole card: entries, factors, one currency, no two entries naming the
/// same model in overlapping periods.
pub fn validate(
    rates: &[RateText],
    factors: &[FactorText],
    quota_per_usd: Decimal,
    errors: &mut Vec<Error>,
) -> RateCard {
    let mut e = Errors(errors);
    let entries: Vec<Entry> = rates
        .iter()
        .enumerate()
        .map(|(i, r)| entry(i, r, quota_per_usd, &mut e))
        .collect();
    // Currency consistency counts every entry with a price typed, valid or not, so one
    // mistyped price does not make another entry the reference.
    let typed: Vec<(usize, &Entry)> = entries
        .iter()
        .enumerate()
        .filter(|(i, x)| !x.is_empty() || rates[*i].has_price())
        .collect();
    if let Some((_, first)) = typed.first() {
        for (i, other) in &typed {
            if other.currency != first.currency {
                e.push(
                    format!("rates[{i}].currency"),
                    format!(
                        "expected every rate in one currency ({}), but found {}",
                        first.currency, other.currency
                    ),
                );
            }
        }
    }
    let priced: Vec<(usize, &Entry)> = entries
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.is_empty())
        .collect();
    for (a, (i, x)) in priced.iter().enumerate() {
        for (j, y) in priced.iter().skip(a + 1) {
            let names: Vec<&String> = std::iter::once(&y.model).chain(&y.aliases).collect();
            let shared = names
                .iter()
                .find(|n| x.model == ***n || x.aliases.contains(n));
            let overlap = x
                .effective_to
                .is_none_or(|end| y.effective_from.is_none_or(|s| s < end))
                && y.effective_to
                    .is_none_or(|end| x.effective_from.is_none_or(|s| s < end));
            if let (Some(name), true) = (shared, overlap) {
                e.push(format!("rates[{j}].model"), format!("expected one rate for {} at any time, but rates[{i}] also prices it in an overlapping period", quote(name)));
            }
        }
    }
    let factors = factors
        .iter()
        .enumerate()
        .map(|(i, f)| factor(i, f, &mut e))
        .collect();
    RateCard { entries, factors }
}
