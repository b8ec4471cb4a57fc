//! What a reader of the pricing asks first, said once for the page and the record: how
//! high the expected charge can go if the at-risk usage was billed, and which models
//! have no rate.

use rust_decimal::Decimal;

use super::{overflow, Pricing};
use crate::error::Error;

impl Pricing {
    /// From the expected charge to the expected charge plus the at-risk amount: what
    /// the provider may have billed if every request of unknown outcome was charged.
    pub fn expected_range(&self) -> Result<(Decimal, Decimal), Error> {
        let high = self
            .expected
            .checked_add(self.at_risk)
            .ok_or_else(|| overflow("the expected range"))?;
        Ok((self.expected, high))
    }

    /// The models no rate-card entry names, in the pricing's order: their usage is
    /// unpriced, never $0.
    pub fn unpriced_models(&self) -> impl Iterator<Item = &str> {
        self.models
            .iter()
            .filter(|m| !m.has_rate)
            .map(|m| m.model.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::price::ModelCharge;

    fn d(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn the_range_runs_from_expected_to_expected_plus_at_risk() {
        let cases = [
            ("1.25", "0", Ok((d("1.25"), d("1.25")))),
            ("1.25", "0.005", Ok((d("1.25"), d("1.255")))),
            ("0", "3", Ok((d("0"), d("3")))),
            ("79228162514264337593543950335", "1", Err(())),
        ];
        for (expected, at_risk, want) in cases {
            let pricing = Pricing {
                expected: d(expected),
                at_risk: d(at_risk),
                ..Pricing::default()
            };
            let got = pricing.expected_range().map_err(|e| {
                assert_eq!(
                    e.to_string(),
                    "the expected range is too large (or too precise) to compute exactly"
                );
            });
            assert_eq!(got, want, "{expected} + {at_risk}");
        }
    }

    #[test]
    fn unpriced_models_are_those_no_entry_names() {
        let model = |name: &str, has_rate: bool| ModelCharge {
            model: name.into(),
            has_rate,
            ..ModelCharge::default()
        };
        let pricing = Pricing {
            models: vec![model("a", true), model("b", false), model("c", false)],
            ..Pricing::default()
        };
        assert_eq!(pricing.unpriced_models().collect::<Vec<_>>(), ["b", "c"]);
    }
}
