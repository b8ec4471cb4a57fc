//! Field interpretation: when a gateway row's logged quota is further than one quota
//! from what its own ratios give under the fields' stated meaning, another reading of
//! the same fields may give it exactly. Each reading below is one known way the fields
//! get counted differently (reference/formats.md: cached and reasoning tokens counted
//! twice, cache writes counted as input); the first reading that brings the row within
//! ±1 quota explains the difference it makes, and only that difference.
//!
//! A charged row with no usage at all (every token count 0, not a per-call model) is a
//! usage field missing on a charged row: nothing can be re-read, the charge stands alone.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fixed::Fixed;
use super::quota;
use crate::decimal::{exact_div, serde_str};
use crate::ingest::{GatewayRow, LoggedRatios, TokenSemantic};
use crate::policy::QuotaRounding;

/// Another reading of a row's usage fields than the one its semantics state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// Cached tokens inside the prompt (OpenAI style) also charged beside it, as input.
    CachedBesidePrompt,
    /// Cached tokens beside the prompt (Anthropic style) taken out of it as if inside.
    CachedInsidePrompt,
    /// Reasoning tokens inside the completion also charged beside it.
    ReasoningBesideOutput,
    /// Cache writes (5-minute and 1-hour) also charged as plain input.
    CacheWriteAsInput,
}

/// The readings, tried in this order: a row takes the first that explains it, so it
/// counts under one reading only.
pub const READINGS: [Reading; 4] = [
    Reading::CachedBesidePrompt,
    Reading::CachedInsidePrompt,
    Reading::ReasoningBesideOutput,
    Reading::CacheWriteAsInput,
];

/// What one reading (or the missing usage) explains: the amount, the rows, the models
/// (logged names) and the tokens read the other way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldGap {
    #[serde(with = "serde_str")]
    pub amount: Decimal,
    pub rows: u64,
    pub tokens: u64,
    /// The quota the rows were charged (missing usage only: the others are explained
    /// by their tokens).
    pub quota: i64,
    pub models: BTreeSet<String>,
}

impl FieldGap {
    fn note(&mut self, row: &GatewayRow, amount: Decimal, tokens: u64) -> Option<()> {
        self.amount = self.amount.checked_add(amount)?;
        self.rows += 1;
        self.tokens = self.tokens.checked_add(tokens)?;
        self.quota = self.quota.checked_add(row.quota)?;
        if !self.models.contains(&row.model) {
            self.models.insert(row.model.clone());
        }
        Some(())
    }
}

/// Every field interpretation gap the rows showed, by reading.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldGaps {
    pub cached_beside_prompt: FieldGap,
    pub cached_inside_prompt: FieldGap,
    pub reasoning_beside_output: FieldGap,
    pub cache_write_as_input: FieldGap,
    pub missing_usage: FieldGap,
}

impl FieldGaps {
    pub fn of(&self, reading: Reading) -> &FieldGap {
        match reading {
            Reading::CachedBesidePrompt => &self.cached_beside_prompt,
            Reading::CachedInsidePrompt => &self.cached_inside_prompt,
            Reading::ReasoningBesideOutput => &self.reasoning_beside_output,
            Reading::CacheWriteAsInput => &self.cache_write_as_input,
        }
    }

    fn of_mut(&mut self, reading: Reading) -> &mut FieldGap {
        match reading {
            Reading::CachedBesidePrompt => &mut self.cached_beside_prompt,
            Reading::CachedInsidePrompt => &mut self.cached_inside_prompt,
            Reading::ReasoningBesideOutput => &mut self.reasoning_beside_output,
            Reading::CacheWriteAsInput => &mut self.cache_write_as_input,
        }
    }

    /// Notes `amount` of `row` under `reading`; None on overflow.
    pub(super) fn note(
        &mut self,
        reading: Reading,
        row: &GatewayRow,
        amount: Decimal,
        tokens: u64,
    ) -> Option<()> {
        self.of_mut(reading).note(row, amount, tokens)
    }

    /// Notes a charged row with no usage; None on overflow.
    pub(super) fn note_missing(&mut self, row: &GatewayRow, amount: Decimal) -> Option<()> {
        self.missing_usage.note(row, amount, 0)
    }
}

/// Whether a consume row was charged with every usage field empty: a token model (no
/// per-call price) with quota above 0 and not one token or tool call logged.
pub fn usage_missing(row: &GatewayRow) -> bool {
    let c = row.counts();
    let tokens = [
        c.prompt,
        c.completion,
        c.cache_read,
        c.cache_write,
        c.cache_write_1h,
        c.reasoning,
        c.tool_calls,
        c.audio_input,
        c.audio_cached_input,
        c.audio_output,
        c.text_input,
        c.text_output,
    ];
    row.quota > 0 && row.model_price.is_none() && tokens.iter().all(|n| *n == 0)
}

/// The tokens `reading` counts differently and the weight each adds (before the model
/// and group ratios; negative when it counts fewer); None when the reading does not
/// apply to the row (nothing to read the other way, a per-call or audio row).
fn extra(row: &GatewayRow, r: &LoggedRatios, reading: Reading) -> Option<(u64, Decimal)> {
    if row.model_price.is_some() || r.audio_ratio.is_some() {
        return None;
    }
    let (tokens, weight) = match reading {
        Reading::CachedBesidePrompt if row.semantic == TokenSemantic::Inclusive => {
            (row.cache_read_tokens, Decimal::ONE)
        }
        Reading::CachedInsidePrompt if row.semantic == TokenSemantic::Additive => {
            // Read as inside, the prompt must hold them.
            row.uncached_input()?.checked_sub(row.cache_read_tokens)?;
            (row.cache_read_tokens, Decimal::NEGATIVE_ONE)
        }
        Reading::ReasoningBesideOutput => (
            row.reasoning_tokens,
            r.completion_ratio.unwrap_or(Decimal::ONE),
        ),
        Reading::CacheWriteAsInput => (
            row.cache_write_tokens
                .checked_add(row.cache_write_1h_tokens)?,
            Decimal::ONE,
        ),
        _ => return None,
    };
    (tokens != 0).then_some((tokens, weight))
}

/// The first reading that brings the row's logged quota within ±1 of what its ratios
/// give, with the tokens it reads the other way and the USD that reading adds to the
/// quota `derived` under the stated one.
pub fn explaining(
    row: &GatewayRow,
    derived: Decimal,
    ratio_nonzero: bool,
    rule: QuotaRounding,
    quota_per_usd: Decimal,
) -> Option<(Reading, u64, Decimal)> {
    explaining_with(row, (derived, ratio_nonzero), rule, quota_per_usd, true)
}

/// [`explaining`], in plain integers where each step fits when `integers` (the tests
/// hold it to every step in Decimal).
fn explaining_with(
    row: &GatewayRow,
    (derived, ratio_nonzero): (Decimal, bool),
    rule: QuotaRounding,
    quota_per_usd: Decimal,
    integers: bool,
) -> Option<(Reading, u64, Decimal)> {
    let r = row.ratios.as_ref()?;
    let scale = r
        .model_ratio?
        .checked_mul(r.group_ratio.unwrap_or(Decimal::ONE))?;
    let fixed = Fixed::of(derived)
        .zip(Fixed::of(scale))
        .filter(|_| integers);
    READINGS.into_iter().find_map(|reading| {
        let (tokens, weight) = extra(row, r, reading)?;
        let within = |integer: i128| (i128::from(row.quota) - integer).abs() <= 1;
        // Most rows a log gets wrong try every reading: in plain integers where each
        // step fits (`Fixed` is Decimal's value and places), else in Decimal.
        let fast = fixed.and_then(|(derived, scale)| {
            let added = Fixed::whole(tokens)?.mul(Fixed::of(weight)?)?.mul(scale)?;
            let (mantissa, places) = derived.add(added)?.parts();
            let integer = quota::integer_of(mantissa, places, ratio_nonzero, rule)?;
            Some((within(integer.into()), added.decimal()))
        });
        let (fits, added) = match fast {
            Some(answer) => answer,
            None => {
                let added = Decimal::from(tokens)
                    .checked_mul(weight)?
                    .checked_mul(scale)?;
                let integer = quota::to_integer(derived.checked_add(added)?, ratio_nonzero, rule);
                let off_by = Decimal::from(row.quota).checked_sub(integer)?;
                (off_by.abs() <= Decimal::ONE, added)
            }
        };
        fits.then(|| exact_div(added, quota_per_usd).map(|usd| (reading, tokens, usd)))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::RowKind;
    use crate::policy::Outcome;
    use proptest::strategy::Strategy;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn row(semantic: TokenSemantic, quota: i64) -> GatewayRow {
        GatewayRow {
            at: jiff::Timestamp::UNIX_EPOCH,
            kind: RowKind::Consume,
            outcome: Outcome::Success,
            model: "m".into(),
            quota,
            prompt_tokens: 10_000,
            completion_tokens: 1_000,
            cache_read_tokens: 4_000,
            cache_write_tokens: 2_000,
            cache_write_1h_tokens: 0,
            reasoning_tokens: 600,
            tool_calls: 0,
            audio_input_tokens: 0,
            audio_cached_input_tokens: 0,
            audio_output_tokens: 0,
            text_input_tokens: 0,
            text_output_tokens: 0,
            requests: Some(1),
            semantic,
            model_price: None,
            ratios: Some(LoggedRatios {
                model_ratio: Some(d("1.25")),
                completion_ratio: Some(d("4")),
                cache_ratio: Some(d("0.5")),
                group_ratio: Some(d("2")),
                ..LoggedRatios::default()
            }),
        }
    }

    /// Each reading on the same counts, by hand (model 1.25 × group 2 = 2.5 per
    /// weighted token, 500,000 quota per USD). The derived quota under the stated
    /// reading is passed in; the logged quota is derived + the reading's extra (± 1).
    #[test]
    fn each_reading_explains_its_own_difference() {
        let q = d("500000");
        let rule = QuotaRounding::default();
        let derived = d("30000");
        // (name, semantic, logged quota, reading, tokens, USD)
        let cases = [
            // +4,000 cached × 1 × 2.5 = 10,000 quota = 0.02.
            (
                "cached beside",
                TokenSemantic::Inclusive,
                40_000,
                Some((Reading::CachedBesidePrompt, 4_000, "0.02")),
            ),
            // −4,000 × 2.5 = −10,000 quota; the prompt (10,000) holds them.
            (
                "cached inside",
                TokenSemantic::Additive,
                20_001,
                Some((Reading::CachedInsidePrompt, 4_000, "-0.02")),
            ),
            // +600 reasoning × 4 × 2.5 = 6,000 quota = 0.012 (an additive row: the
            // cached readings are tried first and do not fit).
            (
                "reasoning",
                TokenSemantic::Additive,
                36_000,
                Some((Reading::ReasoningBesideOutput, 600, "0.012")),
            ),
            // +2,000 writes × 1 × 2.5 = 5,000 quota = 0.01.
            (
                "writes",
                TokenSemantic::Additive,
                34_999,
                Some((Reading::CacheWriteAsInput, 2_000, "0.01")),
            ),
            // 2 quota off under every reading: nothing explains it.
            ("none", TokenSemantic::Additive, 30_002, None),
        ];
        for (name, semantic, logged, want) in cases {
            let got = explaining(&row(semantic, logged), derived, true, rule, q);
            let want = want.map(|(r, t, usd)| (r, t, d(usd)));
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn a_charged_row_without_usage_is_missing_it() {
        let mut empty = row(TokenSemantic::Inclusive, 500);
        (empty.prompt_tokens, empty.completion_tokens) = (0, 0);
        (empty.cache_read_tokens, empty.cache_write_tokens) = (0, 0);
        empty.reasoning_tokens = 0;
        let per_call = GatewayRow {
            model_price: Some(d("0.1")),
            ..empty.clone()
        };
        let free = GatewayRow {
            quota: 0,
            ..empty.clone()
        };
        let cases = [
            ("empty and charged", &empty, true),
            ("per call", &per_call, false),
            ("not charged", &free, false),
            ("with usage", &row(TokenSemantic::Inclusive, 500), false),
        ];
        for (name, row, want) in cases {
            assert_eq!(usage_missing(row), want, "{name}");
        }
    }

    proptest::proptest! {
        /// The integer path finds what Decimal finds: the same reading, tokens and USD
        /// (value and places), or none, on ratios as logged and near Decimal's limits;
        /// the logged quota is put where a reading explains it as often as not.
        #[test]
        fn explaining_in_integers_is_explaining_in_decimal(
            counts in proptest::collection::vec(
                proptest::prop_oneof![0u64..5, 0u64..200_000, proptest::num::u64::ANY], 6),
            additive in proptest::bool::ANY,
            ratios in proptest::collection::vec(super::quota::tests::ratio(), 4),
            derived in proptest::prop_oneof![
                (0i64..100_000_000, 0u32..8).prop_map(|(m, s)| Decimal::new(m, s)),
                (proptest::num::i64::ANY, 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
            ],
            near in proptest::prop_oneof![0usize..4, 4usize..5],
            off in -2i64..=2,
            ratio_nonzero in proptest::bool::ANY,
            rule in proptest::prop_oneof![
                proptest::strategy::Just(QuotaRounding::Round),
                proptest::strategy::Just(QuotaRounding::Truncate),
                proptest::strategy::Just(QuotaRounding::Ceil),
            ],
        ) {
            let semantic = if additive { TokenSemantic::Additive } else { TokenSemantic::Inclusive };
            let mut r = row(semantic, 0);
            r.prompt_tokens = counts[0];
            r.cache_read_tokens = counts[1];
            r.completion_tokens = counts[2];
            r.reasoning_tokens = counts[3];
            r.cache_write_tokens = counts[4];
            r.cache_write_1h_tokens = counts[5];
            let logged = r.ratios.as_mut().unwrap();
            logged.model_ratio = ratios[0];
            logged.completion_ratio = ratios[1];
            logged.group_ratio = ratios[2];
            logged.cache_ratio = ratios[3];
            // The quota a reading would give (or the stated one), moved by `off`.
            let target = (|| {
                let logged = r.ratios.as_ref()?;
                let scale = logged.model_ratio?.checked_mul(logged.group_ratio.unwrap_or(Decimal::ONE))?;
                let added = match READINGS.get(near) {
                    Some(reading) => {
                        let (tokens, weight) = extra(&r, logged, *reading)?;
                        Decimal::from(tokens).checked_mul(weight)?.checked_mul(scale)?
                    }
                    None => Decimal::ZERO,
                };
                let integer = quota::to_integer(derived.checked_add(added)?, ratio_nonzero, rule);
                i64::try_from(integer.mantissa()).ok()?.checked_add(off)
            })();
            r.quota = target.unwrap_or(off);
            let per_usd = Decimal::new(500_000, 0);
            let fast = explaining(&r, derived, ratio_nonzero, rule, per_usd)
                .map(|(reading, tokens, usd)| (reading, tokens, usd.serialize()));
            let slow = explaining_with(&r, (derived, ratio_nonzero), rule, per_usd, false)
                .map(|(reading, tokens, usd)| (reading, tokens, usd.serialize()));
            proptest::prop_assert_eq!(fast, slow);
        }
    }
}
