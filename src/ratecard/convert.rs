//! new-api ratio form ↔ USD prices.
//!
//! new-api prices a token at `model_ratio` quota (ratio 1 = $0.002 per 1K tokens at the
//! default 500,000 quota per USD, i.e. $2 per 1M input tokens). Output costs
//! `completion_ratio` times input, cache reads `cache_ratio` times input, cache writes
//! `cache_creation_ratio` times input; per-call models cost `model_price` USD a call.
//! Both directions are exact or an error, never rounded.

use rust_decimal::Decimal;

/// Ratios as new-api's pricing settings show them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NewApiRatios {
    pub model_ratio: Option<Decimal>,
    pub completion_ratio: Option<Decimal>,
    pub cache_ratio: Option<Decimal>,
    pub cache_creation_ratio: Option<Decimal>,
    pub model_price: Option<Decimal>,
}

/// USD per 1M tokens, and per call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UsdPrices {
    pub input: Option<Decimal>,
    pub cached_input: Option<Decimal>,
    pub cache_write: Option<Decimal>,
    pub output: Option<Decimal>,
    pub per_call: Option<Decimal>,
}

const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

fn exact_mul(a: Decimal, b: Decimal) -> Result<Decimal, String> {
    crate::decimal::exact_mul(a, b)
        .ok_or_else(|| "the conversion cannot be represented exactly".to_string())
}

fn exact_div(a: Decimal, b: Decimal) -> Result<Decimal, String> {
    if b.is_zero() {
        return Err("cannot divide by a zero price".into());
    }
    crate::decimal::exact_div(a, b)
        .ok_or_else(|| format!("{a} ÷ {b} has no exact decimal form; enter the ratio by hand"))
}

/// USD per 1M tokens from ratios, at `quota_per_usd` quota per USD.
pub fn usd_from_ratios(r: NewApiRatios, quota_per_usd: Decimal) -> Result<UsdPrices, String> {
    let usd_per_ratio = exact_div(MILLION, quota_per_usd)?;
    let input = r
        .model_ratio
        .map(|m| exact_mul(m, usd_per_ratio))
        .transpose()?;
    let times_input = |ratio: Option<Decimal>| match (input, ratio) {
        (Some(input), Some(ratio)) => exact_mul(input, ratio).map(Some),
        _ => Ok(None),
    };
    Ok(UsdPrices {
        input,
        cached_input: times_input(r.cache_ratio)?,
        cache_write: times_input(r.cache_creation_ratio)?,
        output: times_input(r.completion_ratio)?,
        per_call: r.model_price.filter(|p| !p.is_sign_negative()),
    })
}

/// Ratios from USD per 1M tokens, at `quota_per_usd` quota per USD.
pub fn ratios_from_usd(p: UsdPrices, quota_per_usd: Decimal) -> Result<NewApiRatios, String> {
    let model_ratio = p
        .input
        .map(|i| exact_div(exact_mul(i, quota_per_usd)?, MILLION))
        .transpose()?;
    let over_input = |price: Option<Decimal>| match (p.input, price) {
        (Some(input), Some(price)) => exact_div(price, input).map(Some),
        _ => Ok(None),
    };
    Ok(NewApiRatios {
        model_ratio,
        completion_ratio: over_input(p.output)?,
        cache_ratio: over_input(p.cached_input)?,
        cache_creation_ratio: over_input(p.cache_write)?,
        model_price: p.per_call,
    })
}

/// The new-api ratios equivalent to an entry's USD per-1M prices, in words, for the
/// editor ("model ratio 1.25, completion 4, cache 0.5"); None when there is nothing to
/// convert or a figure does not parse.
pub fn describe_ratios(rate: &super::RateText, quota_per_usd: &str) -> Option<String> {
    let per_million = matches!(rate.token_unit.trim(), "" | "1M" | "1m");
    let q = crate::decimal::parse_exact(quota_per_usd).ok()?;
    let price = |text: &str| {
        (!text.trim().is_empty())
            .then(|| crate::decimal::parse_exact(text).ok())
            .flatten()
    };
    if !per_million || rate.input.trim().is_empty() {
        return None;
    }
    let usd = UsdPrices {
        input: Some(price(&rate.input)?),
        cached_input: price(&rate.cached_input),
        cache_write: price(&rate.cache_write),
        output: price(&rate.output),
        per_call: None,
    };
    let format = crate::decimal::format;
    match ratios_from_usd(usd, q) {
        Ok(r) => {
            let mut parts = vec![format!("model ratio {}", format(r.model_ratio?))];
            let named = [
                ("completion", r.completion_ratio),
                ("cache", r.cache_ratio),
                ("cache creation", r.cache_creation_ratio),
            ];
            parts.extend(
                named
                    .into_iter()
                    .filter_map(|(name, v)| v.map(|v| format!("{name} {}", format(v)))),
            );
            Some(format!("new-api equivalent: {}", parts.join(", ")))
        }
        Err(problem) => Some(format!("new-api equivalent: {problem}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn documented_examples() {
        let q = d("500000");
        // gpt-4o: ratio 1.25, completion 4, cache 0.5 = $2.50 / $10 / $1.25 per 1M.
        let r = NewApiRatios {
            model_ratio: Some(d("1.25")),
            completion_ratio: Some(d("4")),
            cache_ratio: Some(d("0.5")),
            ..NewApiRatios::default()
        };
        let usd = usd_from_ratios(r, q).unwrap();
        assert_eq!(
            (usd.input, usd.output, usd.cached_input),
            (Some(d("2.5")), Some(d("10")), Some(d("1.25")))
        );
        // gpt-4o-mini 0.075 / 4 = $0.15 / $0.60; o1 7.5 / 4 = $15 / $60.
        let mini = usd_from_ratios(
            NewApiRatios {
                model_ratio: Some(d("0.075")),
                completion_ratio: Some(d("4")),
                ..r
            },
            q,
        )
        .unwrap();
        assert_eq!((mini.input, mini.output), (Some(d("0.15")), Some(d("0.6"))));
        let back = ratios_from_usd(usd, q).unwrap();
        assert_eq!(
            (back.model_ratio, back.completion_ratio, back.cache_ratio),
            (Some(d("1.25")), Some(d("4")), Some(d("0.5")))
        );
        assert_eq!(
            usd_from_ratios(
                NewApiRatios {
                    model_price: Some(d("-1")),
                    ..r
                },
                q
            )
            .unwrap()
            .per_call,
            None
        );
    }

    #[test]
    fn describes_the_equivalent_ratios() {
        let rate = super::super::RateText {
            input: "2.50".into(),
            output: "10".into(),
            cached_input: "1.25".into(),
            ..Default::default()
        };
        assert_eq!(
            describe_ratios(&rate, "500000").as_deref(),
            Some("new-api equivalent: model ratio 1.25, completion 4, cache 0.5")
        );
        assert_eq!(
            describe_ratios(&super::super::RateText::default(), "500000"),
            None
        );
    }

    #[test]
    fn inexact_ratio_is_an_error() {
        let p = UsdPrices {
            input: Some(d("3")),
            output: Some(d("10")),
            ..UsdPrices::default()
        };
        let error = ratios_from_usd(p, d("500000")).unwrap_err();
        assert_eq!(
            error,
            "10 ÷ 3 has no exact decimal form; enter the ratio by hand"
        );
    }

    proptest! {
        #[test]
        fn ratios_round_trip(ratio in 1u64..100_000, completion in 1u64..64, cache in 1u64..100) {
            let q = d("500000");
            let r = NewApiRatios {
                model_ratio: Some(Decimal::new(ratio as i64, 3)),
                completion_ratio: Some(Decimal::new(completion as i64, 1)),
                cache_ratio: Some(Decimal::new(cache as i64, 2)),
                ..NewApiRatios::default()
            };
            let usd = usd_from_ratios(r, q).unwrap();
            let back = ratios_from_usd(usd, q).unwrap();
            prop_assert_eq!(back.model_ratio.map(|v| v.normalize()), r.model_ratio.map(|v| v.normalize()));
            prop_assert_eq!(back.completion_ratio.map(|v| v.normalize()), r.completion_ratio.map(|v| v.normalize()));
            prop_assert_eq!(back.cache_ratio.map(|v| v.normalize()), r.cache_ratio.map(|v| v.normalize()));
        }
    }
}
