//! Re-deriving a new-api row's quota from the ratios logged in its own `other` field:
//! an internal consistency check, independent of the reviewer's rate card.
//!
//! The formula (reference/formats.md §1.3, new-api `text_quota.go`), for token rows:
//!
//! ```text
//! (uncached + cache_read × cache_ratio + cache_write × cache_creation_ratio
//!   + cache_write_1h × ratio_1h + completion × completion_ratio) × model_ratio × group_ratio
//! ```
//!
//! Per-call rows cost `model_price × quota_per_usd × group_ratio`; tool surcharges add
//! `price × count ÷ 1000 × group_ratio × quota_per_usd`. Unset ratios take new-api's
//! defaults: cache 1, cache creation 1.25, 1-hour write 1.6 × creation, group 1. The
//! whole is then multiplied by each of `other.other_ratios` (an image count `n`, a
//! duration `seconds`, a size factor: new-api `service/text_quota.go`, its task billing).
//!
//! Audio (new-api `service/quota.go` `calculateAudioQuota`, `service/text_quota.go`): a
//! row billed with the audio formula (chat audio, realtime; it logs `audio_ratio`) costs
//!
//! ```text
//! (text_input + text_output × completion_ratio + audio_input × audio_ratio
//!   + audio_output × audio_ratio × audio_completion_ratio) × model_ratio × group_ratio
//! ```
//!
//! with the text and audio counts it logged; a text row whose audio input has a price of
//! its own (`audio_input_price`, USD per 1M) takes the audio out of the prompt and adds
//! `audio × price ÷ 1,000,000 × group_ratio × quota_per_usd`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fixed::Fixed;
use crate::error::Error;
use crate::ingest::{GatewayRow, LoggedRatios};
use crate::policy::QuotaRounding;

/// Converts integer quota to USD, exactly.
pub fn quota_to_usd(quota: i64, quota_per_usd: Decimal) -> Result<Decimal, Error> {
    // Exact or nothing: 500,000 divides cleanly, an exotic setting might not.
    crate::decimal::exact_div(Decimal::from(quota), quota_per_usd)
        .ok_or_else(|| Error::overflow("the quota-to-USD conversion"))
}

/// Quota before the gateway turns it into an integer; None when the row's ratios
/// are not enough to say (no model ratio on a token row) or the figure overflows.
pub fn derive(row: &GatewayRow, r: &LoggedRatios, quota_per_usd: Decimal) -> Option<Decimal> {
    if let Some(fast) = derive_fixed(row, r, quota_per_usd) {
        return Some(fast);
    }
    derive_decimal(row, r, quota_per_usd)
}

/// [`derive`] for a token row without audio, in plain integers ([`Fixed`]): the same
/// operations in the same order, so the same value and decimal places; None where a
/// step does not fit or another formula applies, and [`derive_decimal`] answers.
fn derive_fixed(row: &GatewayRow, r: &LoggedRatios, quota_per_usd: Decimal) -> Option<Decimal> {
    derive_with(row, &FixedRatios::of(r, quota_per_usd)?)
}

/// [`derive`] with the row's ratio set already in plain integers ([`FixedRatios::of`],
/// None where it has none): pricing groups finds them once per set, not per row.
pub(super) fn derive_prepared(
    row: &GatewayRow,
    r: &LoggedRatios,
    fixed: Option<&FixedRatios>,
    quota_per_usd: Decimal,
) -> Option<Decimal> {
    if let Some(fast) = fixed.and_then(|f| derive_with(row, f)) {
        return Some(fast);
    }
    derive_decimal(row, r, quota_per_usd)
}

/// What [`derive_fixed`] takes from a ratio set: every factor in plain integers.
#[derive(Clone, Copy, Debug)]
pub(super) struct FixedRatios {
    group: Fixed,
    surcharge: Fixed,
    model_ratio: Fixed,
    cache: Fixed,
    creation: Fixed,
    hour: Fixed,
    completion: Fixed,
}

impl FixedRatios {
    /// None where the set takes another formula (audio, further multipliers) or a
    /// factor does not fit.
    pub(super) fn of(r: &LoggedRatios, quota_per_usd: Decimal) -> Option<FixedRatios> {
        if r.audio_ratio.is_some() || r.audio_input_price.is_some() || r.factors.is_some() {
            return None;
        }
        let f = |d: Decimal| Fixed::of(d);
        let one = Fixed::whole(1)?;
        let group = r.group_ratio.map_or(Some(one), f)?;
        let creation = f(r.cache_creation_ratio.unwrap_or(Decimal::new(125, 2)))?;
        Some(FixedRatios {
            group,
            surcharge: f(r.tool_surcharge_usd)?
                .mul(group)?
                .mul(f(quota_per_usd)?)?,
            model_ratio: f(r.model_ratio?)?,
            cache: r.cache_ratio.map_or(Some(one), f)?,
            hour: match r.cache_creation_ratio_1h {
                Some(ratio) => f(ratio)?,
                None => creation.mul(f(Decimal::new(16, 1))?)?,
            },
            creation,
            completion: r.completion_ratio.map_or(Some(one), f)?,
        })
    }
}

/// [`derive_fixed`] of a row whose set's factors are `f`.
fn derive_with(row: &GatewayRow, f: &FixedRatios) -> Option<Decimal> {
    if row.model_price.is_some() {
        return None;
    }
    let one = Fixed::whole(1)?;
    let terms = [
        (row.uncached_input()?, one),
        (row.cache_read_tokens, f.cache),
        (row.cache_write_tokens, f.creation),
        (row.cache_write_1h_tokens, f.hour),
        (row.completion_tokens, f.completion),
        (row.audio_input_tokens, one),
    ];
    let weighted = terms
        .into_iter()
        .try_fold(Fixed::ZERO, |sum, (tokens, ratio)| {
            sum.add(Fixed::whole(tokens)?.mul(ratio)?)
        })?;
    weighted
        .mul(f.model_ratio)?
        .mul(f.group)?
        .add(Fixed::ZERO)?
        .add(f.surcharge)
        .map(Fixed::decimal)
}

/// [`derive`] in `Decimal`, for every row: the sum of its parts times its further
/// multipliers (`other_ratios`), which new-api applies last, to the surcharges too.
fn derive_decimal(row: &GatewayRow, r: &LoggedRatios, quota_per_usd: Decimal) -> Option<Decimal> {
    let sum = derive_sum(row, r, quota_per_usd)?;
    match r.factors {
        Some(factors) => sum.checked_mul(factors),
        None => Some(sum),
    }
}

fn derive_sum(row: &GatewayRow, r: &LoggedRatios, quota_per_usd: Decimal) -> Option<Decimal> {
    let group = r.group_ratio.unwrap_or(Decimal::ONE);
    let surcharge = r
        .tool_surcharge_usd
        .checked_mul(group)?
        .checked_mul(quota_per_usd)?;
    if let Some(price) = row.model_price {
        return price
            .checked_mul(quota_per_usd)?
            .checked_mul(group)?
            .checked_add(surcharge);
    }
    let model_ratio = r.model_ratio?;
    if let Some(audio_ratio) = r.audio_ratio {
        return audio_formula(row, r, audio_ratio)?
            .checked_mul(model_ratio)?
            .checked_mul(group)?
            .checked_add(surcharge);
    }
    // Audio input priced apart is out of the weighted tokens; otherwise it is input.
    let (audio_weight, audio_apart) = match r.audio_input_price {
        Some(price) => {
            let usd = Decimal::from(row.audio_input_tokens)
                .checked_mul(price)?
                .checked_div(Decimal::from(1_000_000u32))?;
            (
                Decimal::ZERO,
                usd.checked_mul(group)?.checked_mul(quota_per_usd)?,
            )
        }
        None => (Decimal::ONE, Decimal::ZERO),
    };
    let creation_ratio = r.cache_creation_ratio.unwrap_or(Decimal::new(125, 2));
    let hour_ratio = match r.cache_creation_ratio_1h {
        Some(ratio) => ratio,
        None => creation_ratio.checked_mul(Decimal::new(16, 1))?,
    };
    let terms = [
        (row.uncached_input()?, Decimal::ONE),
        (row.cache_read_tokens, r.cache_ratio.unwrap_or(Decimal::ONE)),
        (row.cache_write_tokens, creation_ratio),
        (row.cache_write_1h_tokens, hour_ratio),
        (
            row.completion_tokens,
            r.completion_ratio.unwrap_or(Decimal::ONE),
        ),
        (row.audio_input_tokens, audio_weight),
    ];
    weighted(terms)?
        .checked_mul(model_ratio)?
        .checked_mul(group)?
        .checked_add(audio_apart)?
        .checked_add(surcharge)
}

fn weighted<const N: usize>(terms: [(u64, Decimal); N]) -> Option<Decimal> {
    terms
        .into_iter()
        .try_fold(Decimal::ZERO, |sum, (tokens, ratio)| {
            sum.checked_add(Decimal::from(tokens).checked_mul(ratio)?)
        })
}

/// The tokens of an audio-formula row, weighted, before the model and group ratios.
fn audio_formula(row: &GatewayRow, r: &LoggedRatios, audio_ratio: Decimal) -> Option<Decimal> {
    let completion_ratio = r.completion_ratio.unwrap_or(Decimal::ONE);
    // new-api logs both audio ratios together; without the second there is nothing to check.
    let audio_output_ratio = audio_ratio.checked_mul(r.audio_completion_ratio?)?;
    weighted([
        (row.text_input_tokens, Decimal::ONE),
        (row.text_output_tokens, completion_ratio),
        (row.audio_input_tokens, audio_ratio),
        (row.audio_output_tokens, audio_output_ratio),
    ])
}

/// The integer quota the gateway would have written: its rounding, and at least 1
/// whenever the ratio is non-zero and the exact quota is not positive.
pub fn to_integer(exact: Decimal, ratio_nonzero: bool, rule: QuotaRounding) -> Decimal {
    integer_and_minimum(exact, ratio_nonzero, rule).0
}

/// Whether [`to_integer`] lifts the row to new-api's minimum of 1 quota: a non-zero
/// ratio whose exact quota rounds to 0 or less (from 0 up).
pub fn minimum_applies(exact: Decimal, ratio_nonzero: bool, rule: QuotaRounding) -> bool {
    integer_and_minimum(exact, ratio_nonzero, rule).1
}

/// [`to_integer`] and [`minimum_applies`] at once, rounding once: every checked row
/// needs both, and the rounding is most of their cost.
pub fn integer_and_minimum(
    exact: Decimal,
    ratio_nonzero: bool,
    rule: QuotaRounding,
) -> (Decimal, bool) {
    let applied = whole(exact, rule).unwrap_or_else(|| rule.apply(exact));
    let minimum = ratio_nonzero && applied <= Decimal::ZERO && exact >= Decimal::ZERO;
    (if minimum { Decimal::ONE } else { applied }, minimum)
}

/// `rule.apply(exact)` in plain integers where the mantissa and the power of ten fit in
/// 64 bits (every quota a gateway writes): equal in value to the Decimal rounding, which
/// was the largest part of checking a row. None leaves it to the Decimal rounding.
fn whole(exact: Decimal, rule: QuotaRounding) -> Option<Decimal> {
    let scale = exact.scale();
    if scale == 0 {
        return Some(exact);
    }
    let magnitude = u64::try_from(exact.mantissa().unsigned_abs()).ok()?;
    let negative = exact.is_sign_negative();
    let value = Decimal::from(rounded_magnitude(magnitude, scale, negative, rule)?);
    Some(if negative { -value } else { value })
}

/// The magnitude of `±magnitude × 10^-scale` rounded to a whole number under `rule`.
fn rounded_magnitude(
    magnitude: u64,
    scale: u32,
    negative: bool,
    rule: QuotaRounding,
) -> Option<u64> {
    let power = 10u64.checked_pow(scale)?;
    let (quotient, remainder) = (magnitude / power, magnitude % power);
    // Away from zero by one, on the magnitude: rounding half away, or ceil of a positive.
    let away = match rule {
        QuotaRounding::Round => remainder >= power - remainder,
        QuotaRounding::Truncate => false,
        QuotaRounding::Ceil => remainder > 0 && !negative,
    };
    Some(quotient + u64::from(away))
}

/// [`to_integer`] of `mantissa × 10^-scale`, all in plain integers: the value
/// [`integer_and_minimum`] gives, for the readings tried on each mismatched row
/// ([`super::readings::explaining`]). None where it does not fit 64 bits.
pub(super) fn integer_of(
    mantissa: i64,
    scale: u32,
    ratio_nonzero: bool,
    rule: QuotaRounding,
) -> Option<i64> {
    let negative = mantissa < 0;
    let magnitude = rounded_magnitude(mantissa.unsigned_abs(), scale, negative, rule)?;
    let magnitude = i64::try_from(magnitude).ok()?;
    let applied = if negative { -magnitude } else { magnitude };
    let minimum = ratio_nonzero && applied <= 0 && mantissa >= 0;
    Some(if minimum { 1 } else { applied })
}

/// What the check found over all gateway rows that carry ratios.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaCheck {
    pub rule: QuotaRounding,
    /// Rows whose logged quota is within ±1 of the re-derived integer quota.
    pub consistent_rows: u64,
    /// Rows further off than ±1: the gateway's own ratios do not explain the charge.
    pub inconsistent_rows: u64,
    /// Rows without the ratios needed to re-derive their quota, or charged with no
    /// usage to re-derive it from.
    pub unchecked_rows: u64,
    /// Σ (logged − re-derived integer) over inconsistent rows, in quota.
    pub inconsistent_quota: i64,
    /// Rows further off than ±1 under their fields' stated meaning that another reading
    /// of the same fields brings within ±1 ([`super::readings`]): a field interpretation
    /// gap, counted neither consistent nor inconsistent. Left out of the JSON when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reread_rows: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::ingest::{RowKind, TokenSemantic};
    use crate::policy::Outcome;
    use proptest::strategy::Strategy;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn row(
        prompt: u64,
        completion: u64,
        cache: u64,
        write: u64,
        semantic: TokenSemantic,
    ) -> GatewayRow {
        GatewayRow {
            at: jiff::Timestamp::UNIX_EPOCH,
            kind: RowKind::Consume,
            outcome: Outcome::Success,
            model: "m".into(),
            quota: 0,
            prompt_tokens: prompt,
            completion_tokens: completion,
            cache_read_tokens: cache,
            cache_write_tokens: write,
            cache_write_1h_tokens: 0,
            reasoning_tokens: 0,
            tool_calls: 0,
            audio_input_tokens: 0,
            audio_cached_input_tokens: 0,
            audio_output_tokens: 0,
            text_input_tokens: 0,
            text_output_tokens: 0,
            requests: Some(1),
            semantic,
            model_price: None,
            ratios: None,
        }
    }

    #[test]
    fn worked_examples_from_the_reference() {
        let q = d("500000");
        // gpt-4o: (4,000 + 8,000×0.5 + 500×4) × 1.25 = 12,500.
        let gpt = LoggedRatios {
            model_ratio: Some(d("1.25")),
            completion_ratio: Some(d("4")),
            cache_ratio: Some(d("0.5")),
            group_ratio: Some(d("1")),
            ..LoggedRatios::default()
        };
        assert_eq!(
            derive(
                &row(12_000, 500, 8_000, 0, TokenSemantic::Inclusive),
                &gpt,
                q
            ),
            Some(d("12500"))
        );
        // Claude, Anthropic semantics: (1,200 + 30,000×0.1 + 2,000×1.25 + 800×5) × 1.5 = 16,050.
        let claude = LoggedRatios {
            model_ratio: Some(d("1.5")),
            completion_ratio: Some(d("5")),
            cache_ratio: Some(d("0.1")),
            cache_creation_ratio: Some(d("1.25")),
            group_ratio: Some(d("1")),
            ..LoggedRatios::default()
        };
        assert_eq!(
            derive(
                &row(1_200, 800, 30_000, 2_000, TokenSemantic::Additive),
                &claude,
                q
            ),
            Some(d("16050"))
        );
        // Per call: 0.1 × 500,000 × 1 = 50,000.
        let mut call = row(0, 0, 0, 0, TokenSemantic::Inclusive);
        call.model_price = Some(d("0.1"));
        assert_eq!(derive(&call, &LoggedRatios::default(), q), Some(d("50000")));
        // Group ratio 0.8 (a discount applied through the group): 12,500 × 0.8.
        let discounted = LoggedRatios {
            group_ratio: Some(d("0.8")),
            ..gpt
        };
        assert_eq!(
            derive(
                &row(12_000, 500, 8_000, 0, TokenSemantic::Inclusive),
                &discounted,
                q
            ),
            Some(d("10000"))
        );
    }

    #[test]
    fn audio_rows_follow_the_gateway_audio_formulas() {
        let q = d("500000");
        // gpt-4o-audio-preview as new-api ships it: model ratio 1.25, completion 4, audio
        // 16, audio completion 2. A chat audio row: prompt 1,300 = 300 text + 1,000
        // audio; completion 700 = 100 text + 600 audio (both logged in `other`):
        // (300 + 100×4 + 1,000×16 + 600×16×2) × 1.25 × 1 = 35,900 × 1.25 = 44,875.
        let audio = LoggedRatios {
            model_ratio: Some(d("1.25")),
            completion_ratio: Some(d("4")),
            group_ratio: Some(d("1")),
            audio_ratio: Some(d("16")),
            audio_completion_ratio: Some(d("2")),
            ..LoggedRatios::default()
        };
        let mut chat = row(1_300, 700, 0, 0, TokenSemantic::Inclusive);
        chat.audio_input_tokens = 1_000;
        chat.audio_output_tokens = 600;
        chat.text_input_tokens = 300;
        chat.text_output_tokens = 100;
        assert_eq!(derive(&chat, &audio, q), Some(d("44875")));
        // The text split is what was logged, not prompt − audio: 20 image tokens in the
        // prompt are not billed by the audio formula (320 − 20 = 300 text).
        chat.prompt_tokens = 1_320;
        assert_eq!(derive(&chat, &audio, q), Some(d("44875")));
        // Without the audio completion ratio the row cannot be checked.
        let half = LoggedRatios {
            audio_completion_ratio: None,
            ..audio.clone()
        };
        assert_eq!(derive(&chat, &half, q), None);
        // A text row whose audio input has a price of its own ($0.70 per 1M, Gemini):
        // prompt 2,000 of which 1,000 audio, completion 100, model ratio 0.15,
        // completion 4, group 0.8: (1,000 + 100×4) × 0.15 × 0.8 = 168, plus
        // 1,000 × 0.7 ÷ 1M × 0.8 × 500,000 = 280: 448.
        let gemini = LoggedRatios {
            model_ratio: Some(d("0.15")),
            completion_ratio: Some(d("4")),
            group_ratio: Some(d("0.8")),
            audio_input_price: Some(d("0.7")),
            ..LoggedRatios::default()
        };
        let mut text = row(2_000, 100, 0, 0, TokenSemantic::Inclusive);
        text.audio_input_tokens = 1_000;
        assert_eq!(derive(&text, &gemini, q), Some(d("448")));
        // Audio logged without a price of its own is input like any other: (2,000 + 400) × 0.12.
        let plain = LoggedRatios {
            audio_input_price: None,
            ..gemini
        };
        assert_eq!(derive(&text, &plain, q), Some(d("288")));
    }

    #[test]
    fn minimum_one_quota_and_rules() {
        assert_eq!(to_integer(d("0.3"), true, QuotaRounding::Round), d("1"));
        assert_eq!(to_integer(d("0"), false, QuotaRounding::Round), d("0"));
        assert_eq!(to_integer(d("7.5"), true, QuotaRounding::Truncate), d("7"));
        assert_eq!(to_integer(d("7.01"), true, QuotaRounding::Ceil), d("8"));
        assert_eq!(to_integer(d("-7.5"), false, QuotaRounding::Round), d("-8"));
        assert_eq!(to_integer(d("-7.49"), false, QuotaRounding::Round), d("-7"));
        assert_eq!(to_integer(d("-7.5"), false, QuotaRounding::Ceil), d("-7"));
        assert_eq!(to_integer(d("-0.5"), true, QuotaRounding::Ceil), d("0"));
    }

    /// A logged ratio: none, as logs write them, or anywhere a Decimal goes.
    pub(in crate::price) fn ratio() -> impl proptest::strategy::Strategy<Value = Option<Decimal>> {
        use proptest::prelude::*;
        prop_oneof![
            Just(None),
            (0i64..5_000, 0u32..6).prop_map(|(m, s)| Some(Decimal::new(m, s))),
            (-50i64..50, 0u32..3).prop_map(|(m, s)| Some(Decimal::new(m, s))),
            (proptest::num::i64::ANY, 0u32..=28).prop_map(|(m, s)| Some(Decimal::new(m, s))),
        ]
    }

    #[test]
    fn a_logged_token_row_takes_the_integer_formula() {
        let r = row(12_000, 800, 4_000, 0, TokenSemantic::Inclusive);
        let logged = LoggedRatios {
            model_ratio: Some(d("1.25")),
            completion_ratio: Some(d("4")),
            cache_ratio: Some(d("0.1")),
            group_ratio: Some(d("1")),
            ..LoggedRatios::default()
        };
        let fast = derive_fixed(&r, &logged, d("500000")).unwrap();
        // (8,000 + 4,000 × 0.1 + 0 × 1.25 + 0 × 2.000 + 800 × 4) × 1.25 × 1
        assert_eq!(fast.to_string(), "14500.000");
        assert_eq!(
            Some(fast.serialize()),
            derive_decimal(&r, &logged, d("500000")).map(|d| d.serialize())
        );
    }

    proptest::proptest! {
        /// The integer formula gives the Decimal formula's bytes (value and scale)
        /// wherever it answers, on ratios as logged and near Decimal's limits.
        #[test]
        fn derive_in_integers_is_derive_in_decimal(
            counts in proptest::collection::vec(
                proptest::prop_oneof![0u64..5, 0u64..200_000, proptest::num::u64::ANY], 6),
            additive in proptest::bool::ANY,
            ratios in proptest::collection::vec(ratio(), 6),
            surcharge in ratio(),
            per_usd in proptest::prop_oneof![
                proptest::strategy::Just(Decimal::new(500_000, 0)),
                (1i64..10_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
            ],
        ) {
            let semantic = if additive { TokenSemantic::Additive } else { TokenSemantic::Inclusive };
            let mut r = row(counts[0], counts[1], counts[2], counts[3], semantic);
            r.cache_write_1h_tokens = counts[4];
            r.audio_input_tokens = counts[5];
            let logged = LoggedRatios {
                model_ratio: ratios[0],
                completion_ratio: ratios[1],
                cache_ratio: ratios[2],
                cache_creation_ratio: ratios[3],
                cache_creation_ratio_1h: ratios[4],
                group_ratio: ratios[5],
                tool_surcharge_usd: surcharge.unwrap_or(Decimal::ZERO),
                ..LoggedRatios::default()
            };
            let slow = derive_decimal(&r, &logged, per_usd).map(|d| d.serialize());
            if let Some(fast) = derive_fixed(&r, &logged, per_usd) {
                proptest::prop_assert_eq!(Some(fast.serialize()), slow);
            }
            proptest::prop_assert_eq!(derive(&r, &logged, per_usd).map(|d| d.serialize()), slow);
            // With the set's factors found once (as pricing groups does): the same bytes.
            let fixed = FixedRatios::of(&logged, per_usd);
            proptest::prop_assert_eq!(
                derive_prepared(&r, &logged, fixed.as_ref(), per_usd).map(|d| d.serialize()),
                slow
            );
        }

        /// The rounding in plain integers gives `to_integer`'s value, wherever it answers.
        #[test]
        fn integer_of_is_to_integer(
            mantissa in proptest::prop_oneof![-3_000_000i64..3_000_000, proptest::num::i64::ANY],
            scale in 0u32..=28,
        ) {
            let exact = Decimal::new(mantissa, scale);
            for rule in [QuotaRounding::Round, QuotaRounding::Truncate, QuotaRounding::Ceil] {
                for ratio_nonzero in [false, true] {
                    if let Some(fast) = integer_of(mantissa, scale, ratio_nonzero, rule) {
                        proptest::prop_assert_eq!(
                            Decimal::from(fast),
                            to_integer(exact, ratio_nonzero, rule),
                            "{} {:?} {}", exact, rule, ratio_nonzero
                        );
                    }
                }
            }
        }

        /// The integer rounding gives the Decimal rounding's value, for every rule,
        /// sign, scale and magnitude (the large ones fall back to Decimal).
        #[test]
        fn whole_rounds_as_decimal_does(
            mantissa in proptest::num::i128::ANY,
            scale in 0u32..=28,
            small in proptest::bool::ANY,
        ) {
            let mantissa = if small { mantissa % 10_000_000_000_000 } else { mantissa % (1i128 << 96) };
            let exact = Decimal::from_i128_with_scale(mantissa, scale);
            for rule in [QuotaRounding::Round, QuotaRounding::Truncate, QuotaRounding::Ceil] {
                if let Some(fast) = whole(exact, rule) {
                    proptest::prop_assert_eq!(fast, rule.apply(exact), "{} {:?}", exact, rule);
                }
                for ratio_nonzero in [false, true] {
                    proptest::prop_assert_eq!(
                        integer_and_minimum(exact, ratio_nonzero, rule),
                        (
                            if ratio_nonzero && rule.apply(exact) <= Decimal::ZERO && exact >= Decimal::ZERO {
                                Decimal::ONE
                            } else {
                                rule.apply(exact)
                            },
                            ratio_nonzero && rule.apply(exact) <= Decimal::ZERO && exact >= Decimal::ZERO,
                        )
                    );
                }
            }
        }
    }
}
