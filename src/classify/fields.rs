//! The field interpretation family: rows whose logged quota one other reading of their
//! usage fields explains (cached or reasoning tokens counted twice, cache writes counted
//! as input, cached tokens beside the prompt read as inside it), and rows charged with
//! no usage field at all. Each amount is the difference that reading makes, priced
//! exactly with the row's own ratios (`price::Reading`); a row counts under one only.

use super::{models, rows, step, their, BridgeStep, Cause, VarianceClass};
use crate::price::{FieldGap, Pricing, Reading, READINGS};

/// The cause each reading stands for, and what the reading did to the tokens.
fn cause(reading: Reading) -> (Cause, &'static str) {
    match reading {
        Reading::CachedBesidePrompt => (
            Cause::CachedCountedTwice,
            "cached tokens (inside the prompt) are counted again beside it",
        ),
        Reading::CachedInsidePrompt => (
            Cause::CachedReadAsInside,
            "cached tokens (beside the prompt) are taken out of it",
        ),
        Reading::ReasoningBesideOutput => (
            Cause::ReasoningCountedTwice,
            "reasoning tokens (inside the completion) are counted again beside it",
        ),
        Reading::CacheWriteAsInput => (
            Cause::CacheWriteAsInput,
            "cache-write tokens are also counted as input",
        ),
    }
}

fn reread(reading: Reading, gap: &FieldGap) -> BridgeStep {
    let (cause, how) = cause(reading);
    let their = their(gap.rows);
    step(
        VarianceClass::FieldInterpretationGap,
        cause,
        gap.amount,
        format!(
            "{} whose logged quota matches {their} own ratios only when {their} {} {how}{}",
            rows(gap.rows),
            gap.tokens,
            models(&gap.models)
        ),
    )
}

pub(super) fn steps(pricing: &Pricing) -> Vec<BridgeStep> {
    let gaps = &pricing.bridge.field_gaps;
    let missing = &gaps.missing_usage;
    let mut steps: Vec<BridgeStep> = READINGS
        .into_iter()
        .map(|r| reread(r, gaps.of(r)))
        .collect();
    steps.push(step(
        VarianceClass::FieldInterpretationGap,
        Cause::MissingUsageField,
        missing.amount,
        format!(
            "{} charged {} quota with every usage field empty{}",
            rows(missing.rows),
            missing.quota,
            models(&missing.models)
        ),
    ));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::price::{BridgeInputs, FieldGaps};

    fn gap(amount: &str, rows: u64, tokens: u64, quota: i64, model: &str) -> FieldGap {
        FieldGap {
            amount: amount.parse().unwrap(),
            rows,
            tokens,
            quota,
            models: [model.to_string()].into(),
        }
    }

    /// Every reading and the missing usage, with the evidence each one writes.
    #[test]
    fn each_gap_is_a_step_with_its_evidence() {
        let pricing = Pricing {
            bridge: BridgeInputs {
                field_gaps: FieldGaps {
                    cached_beside_prompt: gap("0.02", 1, 8000, 0, "gpt-4o"),
                    cached_inside_prompt: gap("-0.003", 2, 1000, 0, "claude"),
                    reasoning_beside_output: gap("0.012", 1, 600, 0, "o3"),
                    cache_write_as_input: gap("0.01", 3, 2000, 0, "claude"),
                    missing_usage: gap("0.001", 1, 0, 500, "gpt-4o"),
                },
                ..BridgeInputs::default()
            },
            ..Pricing::default()
        };
        let got: Vec<(Cause, String, String)> = steps(&pricing)
            .into_iter()
            .map(|s| (s.cause, s.amount.to_string(), s.evidence))
            .collect();
        let want = [
            (Cause::CachedCountedTwice, "0.02", "1 row whose logged quota matches its own ratios only when its 8000 cached tokens (inside the prompt) are counted again beside it (gpt-4o)"),
            (Cause::CachedReadAsInside, "-0.003", "2 rows whose logged quota matches their own ratios only when their 1000 cached tokens (beside the prompt) are taken out of it (claude)"),
            (Cause::ReasoningCountedTwice, "0.012", "1 row whose logged quota matches its own ratios only when its 600 reasoning tokens (inside the completion) are counted again beside it (o3)"),
            (Cause::CacheWriteAsInput, "0.01", "3 rows whose logged quota matches their own ratios only when their 2000 cache-write tokens are also counted as input (claude)"),
            (Cause::MissingUsageField, "0.001", "1 row charged 500 quota with every usage field empty (gpt-4o)"),
        ];
        let want: Vec<(Cause, String, String)> = want
            .into_iter()
            .map(|(c, a, e)| (c, a.to_string(), e.to_string()))
            .collect();
        assert_eq!(got, want);
    }
}
