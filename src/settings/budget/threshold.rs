//! Budgets per bucket (seed 004's budget-alert pattern): what a budget bucket may spend
//! in the window, the owner answerable for it, and the percentages of it at which the
//! review flags the bucket (50, 90 and 100 % unless the reviewer says otherwise).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal::{parse_exact, quote};
use crate::error::Error;

use super::BudgetText;

/// One bucket's budget, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketBudgetText {
    /// The budget bucket, as the mapping table names it.
    pub bucket: String,
    /// Who answers for the bucket (a team or a role).
    pub owner: String,
    /// What the bucket may spend in the window, in the billing currency.
    pub amount: String,
    /// The percentages flagged, separated by commas, slashes or spaces (`50/90/100`);
    /// empty for 50, 90 and 100.
    pub thresholds: String,
}

impl BucketBudgetText {
    pub const KEYS: [&'static str; 4] = ["bucket", "owner", "amount", "thresholds"];

    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "bucket" => &mut self.bucket,
            "owner" => &mut self.owner,
            "amount" => &mut self.amount,
            "thresholds" => &mut self.thresholds,
            _ => return None,
        })
    }
}

/// One bucket's budget, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketBudget {
    pub bucket: String,
    pub owner: String,
    pub amount: Decimal,
    /// Ascending, each above 0.
    pub thresholds: Vec<Decimal>,
}

/// The thresholds when none are typed.
pub const DEFAULT_THRESHOLDS: [u32; 3] = [50, 90, 100];

fn thresholds(text: &str) -> Result<Vec<Decimal>, String> {
    let words: Vec<&str> = text
        .split(|c: char| c == ',' || c == '/' || c == ';' || c.is_whitespace())
        .map(|w| w.trim().trim_end_matches('%'))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(DEFAULT_THRESHOLDS
            .iter()
            .map(|&p| Decimal::from(p))
            .collect());
    }
    let mut out: Vec<Decimal> = Vec::new();
    for word in words {
        let percent = parse_exact(word)
            .ok()
            .filter(|p| *p > Decimal::ZERO && *p <= Decimal::from(1000));
        let Some(percent) = percent else {
            return Err(format!(
                "expected percentages above 0 and at most 1000 (50/90/100), but found {}",
                quote(word)
            ));
        };
        if out.last().is_some_and(|last| *last >= percent) {
            return Err(format!(
                "expected rising percentages (50/90/100), but found {} after {}",
                quote(word),
                crate::decimal::format(*out.last().expect("checked"))
            ));
        }
        out.push(percent);
    }
    Ok(out)
}

impl BudgetText {
    pub(super) fn validate_budgets(&self, errors: &mut Vec<Error>) -> Vec<BucketBudget> {
        let mut out = Vec::new();
        for (i, b) in self.budgets.iter().enumerate() {
            let path = |key: &str| format!("budget_review.budgets[{i}].{key}");
            let before = errors.len();
            let mut need = |key: &str, value: &str, what: &str| {
                if value.trim().is_empty() {
                    errors.push(Error::field(
                        &path(key),
                        format!("expected {what}, but found nothing"),
                    ));
                }
            };
            need("bucket", &b.bucket, "the budget bucket this budget is for");
            need("owner", &b.owner, "the owner answerable for the bucket");
            let amount = parse_exact(&b.amount).and_then(|a| {
                if a > Decimal::ZERO {
                    Ok(a)
                } else {
                    Err(format!(
                        "expected an amount above 0, but found {}",
                        quote(b.amount.trim())
                    ))
                }
            });
            let amount = amount
                .map_err(|m| errors.push(Error::field(&path("amount"), m)))
                .ok();
            let levels = thresholds(&b.thresholds)
                .map_err(|m| errors.push(Error::field(&path("thresholds"), m)))
                .ok();
            let duplicate = self.budgets[..i]
                .iter()
                .any(|o| o.bucket.trim() == b.bucket.trim());
            if duplicate && !b.bucket.trim().is_empty() {
                errors.push(Error::field(
                    &path("bucket"),
                    format!(
                        "expected one budget per bucket, but found {} twice",
                        quote(b.bucket.trim())
                    ),
                ));
            }
            if let (Some(amount), Some(thresholds), true) = (amount, levels, errors.len() == before)
            {
                out.push(BucketBudget {
                    bucket: b.bucket.trim().to_string(),
                    owner: b.owner.trim().to_string(),
                    amount,
                    thresholds,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(bucket: &str, owner: &str, amount: &str, thresholds: &str) -> BucketBudgetText {
        BucketBudgetText {
            bucket: bucket.into(),
            owner: owner.into(),
            amount: amount.into(),
            thresholds: thresholds.into(),
        }
    }

    #[test]
    fn budgets_read_exactly_and_problems_are_named_by_path() {
        let cases: [(BucketBudgetText, Result<&str, &str>); 8] = [
            (budget("search", "search-team", "100.50", ""), Ok("100.50 [50, 90, 100]")),
            (budget(" b ", "o", "7", "25 / 75.5%, 120"), Ok("7 [25, 75.5, 120]")),
            (budget("", "o", "7", ""), Err("budget_review.budgets[0].bucket: expected the budget bucket this budget is for, but found nothing")),
            (budget("b", " ", "7", ""), Err("budget_review.budgets[0].owner: expected the owner answerable for the bucket, but found nothing")),
            (budget("b", "o", "0", ""), Err("budget_review.budgets[0].amount: expected an amount above 0, but found \"0\"")),
            (budget("b", "o", "12,5", ""), Err("budget_review.budgets[0].amount: expected a number like 12.50, but found \"12,5\"")),
            (budget("b", "o", "5", "90/50"), Err("budget_review.budgets[0].thresholds: expected rising percentages (50/90/100), but found \"50\" after 90")),
            (budget("b", "o", "5", "50/x"), Err("budget_review.budgets[0].thresholds: expected percentages above 0 and at most 1000 (50/90/100), but found \"x\"")),
        ];
        for (text, want) in cases {
            let section = BudgetText {
                budgets: vec![text],
                ..BudgetText::default()
            };
            let mut errors = Vec::new();
            let valid = section.validate_budgets(&mut errors);
            match want {
                Ok(shown) => {
                    assert!(errors.is_empty(), "{errors:?}");
                    let b = &valid[0];
                    let levels: Vec<String> = b.thresholds.iter().map(|t| t.to_string()).collect();
                    assert_eq!(format!("{} [{}]", b.amount, levels.join(", ")), shown);
                }
                Err(message) => {
                    assert!(valid.is_empty(), "{message}");
                    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    assert_eq!(shown, [message]);
                }
            }
        }
        let twice = BudgetText {
            budgets: vec![budget("b", "o", "1", ""), budget("b", "p", "2", "")],
            ..BudgetText::default()
        };
        let mut errors = Vec::new();
        assert_eq!(twice.validate_budgets(&mut errors).len(), 1);
        assert_eq!(errors[0].to_string(), "budget_review.budgets[1].bucket: expected one budget per bucket, but found \"b\" twice");
    }
}
