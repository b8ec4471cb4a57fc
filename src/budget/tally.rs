//! [`Tally`]: requests, tokens and charges summed over rows, exactly and checked. A row
//! with no rate is counted as unpriced, never as $0; a usage bucket that does not say how
//! many requests it holds leaves the request count unknown, never short.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rows::PricedRow;
use crate::decimal::serde_str;
use crate::error::Error;
use crate::policy::{Billability, Outcome};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Rows summed (requests, or usage buckets).
    pub rows: u64,
    /// Σ the request counts rows state.
    pub requests: u64,
    /// Usage buckets that do not state their request count.
    pub uncounted_buckets: u64,
    /// Requests that succeeded (Σ over successful rows' counts).
    pub successful: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Σ the charge of priced rows the outcome policy calls billable.
    #[serde(with = "serde_str")]
    pub expected: Decimal,
    /// Σ the charge of priced rows that may or may not be billed (the policy says unknown).
    #[serde(with = "serde_str")]
    pub at_risk: Decimal,
    /// Rows with usage that has no rate: their charge is unknown.
    pub unpriced: u64,
}

fn checked(sum: u64, add: u64, what: &str) -> Result<u64, Error> {
    sum.checked_add(add).ok_or_else(|| Error::overflow(what))
}

fn checked_money(sum: Decimal, add: Decimal, what: &str) -> Result<Decimal, Error> {
    sum.checked_add(add).ok_or_else(|| Error::overflow(what))
}

impl Tally {
    pub fn add(&mut self, row: &PricedRow) -> Result<(), Error> {
        self.rows = checked(self.rows, 1, "a row count")?;
        match row.requests {
            Some(n) => {
                self.requests = checked(self.requests, n, "a request count")?;
                if row.outcome == Outcome::Success {
                    self.successful = checked(self.successful, n, "a request count")?;
                }
            }
            None => self.uncounted_buckets += 1,
        }
        self.input_tokens = checked(self.input_tokens, row.input_tokens, "a token count")?;
        self.output_tokens = checked(self.output_tokens, row.output_tokens, "a token count")?;
        match (row.amount, row.billability) {
            (None, _) => self.unpriced += 1,
            (Some(amount), Billability::Billable) => {
                self.expected = checked_money(self.expected, amount, "an expected charge")?
            }
            (Some(amount), _) => {
                self.at_risk = checked_money(self.at_risk, amount, "an at-risk charge")?
            }
        }
        Ok(())
    }

    pub fn merge(&mut self, other: &Tally) -> Result<(), Error> {
        self.rows = checked(self.rows, other.rows, "a row count")?;
        self.requests = checked(self.requests, other.requests, "a request count")?;
        self.uncounted_buckets += other.uncounted_buckets;
        self.successful = checked(self.successful, other.successful, "a request count")?;
        self.input_tokens = checked(self.input_tokens, other.input_tokens, "a token count")?;
        self.output_tokens = checked(self.output_tokens, other.output_tokens, "a token count")?;
        self.expected = checked_money(self.expected, other.expected, "an expected charge")?;
        self.at_risk = checked_money(self.at_risk, other.at_risk, "an at-risk charge")?;
        self.unpriced += other.unpriced;
        Ok(())
    }

    /// The request count; None while a bucket does not state its own.
    pub fn request_count(&self) -> Option<u64> {
        (self.uncounted_buckets == 0).then_some(self.requests)
    }

    /// Every token, input and output.
    pub fn tokens(&self) -> Option<u64> {
        self.input_tokens.checked_add(self.output_tokens)
    }

    /// The expected charge; None when there are rows and none of them is priced (a sum
    /// of nothing priced is unknown, not zero). While `unpriced` is above zero the
    /// figure is the priced part only, and says so where it is shown.
    pub fn expected(&self) -> Option<Decimal> {
        (self.rows == 0 || self.unpriced < self.rows).then_some(self.expected)
    }

    pub fn complete(&self) -> bool {
        self.unpriced == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Labels;

    fn row(requests: Option<u64>, amount: Option<&str>, billability: Billability) -> PricedRow {
        PricedRow {
            at: None,
            logged_model: "m".into(),
            model: "m".into(),
            outcome: Outcome::Success,
            billability,
            requests,
            input_tokens: 10,
            output_tokens: 5,
            amount: amount.map(|a| a.parse().unwrap()),
            labels: Labels::default(),
            request: 0,
        }
    }

    #[test]
    fn rows_add_up_and_unknowns_stay_unknown() {
        let mut tally = Tally::default();
        assert_eq!(
            tally.expected(),
            Some(Decimal::ZERO),
            "no rows: a true zero"
        );
        tally
            .add(&row(Some(1), None, Billability::Billable))
            .unwrap();
        assert_eq!(tally.expected(), None, "nothing priced: unknown");
        tally
            .add(&row(Some(1), Some("0.25"), Billability::Billable))
            .unwrap();
        tally
            .add(&row(Some(3), Some("0.5"), Billability::Unknown))
            .unwrap();
        assert_eq!(tally.expected(), Some("0.25".parse().unwrap()));
        assert!(!tally.complete());
        assert_eq!(
            (tally.at_risk.to_string().as_str(), tally.request_count()),
            ("0.5", Some(5))
        );
        tally
            .add(&row(None, Some("1"), Billability::Billable))
            .unwrap();
        assert_eq!(tally.request_count(), None, "a bucket that does not say");
        let mut twice = tally.clone();
        twice.merge(&tally).unwrap();
        assert_eq!(
            (twice.rows, twice.tokens(), twice.expected.to_string()),
            (8, Some(120), "2.50".into())
        );
        let mut full = Tally {
            input_tokens: u64::MAX,
            ..Tally::default()
        };
        assert!(full
            .add(&row(Some(1), None, Billability::Billable))
            .is_err());
    }
}
