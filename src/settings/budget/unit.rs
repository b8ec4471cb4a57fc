//! The unit cost's settings validated (FinOps unit economics): what cost is divided
//! by, the business units each owner group counted, and the periods in the finance time
//! zone that unit cost is followed over.

use crate::decimal::{parse_count, quote};
use crate::error::Error;
use crate::ingest::StatedZone;

use super::BudgetText;

/// What cost is divided by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitMetric {
    /// Per request that succeeded, by owner group.
    #[default]
    SuccessfulRequest,
    /// Per 1,000 tokens (input and output), by owner group.
    #[serde(rename = "1k_tokens")]
    Tokens1k,
    /// Per request, by request class.
    Request,
    /// Per business unit the reviewer counted for each owner group.
    BusinessUnit,
}

impl UnitMetric {
    pub const NAMES: [(&'static str, UnitMetric); 4] = [
        ("successful_request", UnitMetric::SuccessfulRequest),
        ("1k_tokens", UnitMetric::Tokens1k),
        ("request", UnitMetric::Request),
        ("business_unit", UnitMetric::BusinessUnit),
    ];

    pub fn name(self) -> &'static str {
        UnitMetric::NAMES
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("", |(name, _)| name)
    }
}

/// The periods unit cost is followed over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Day,
    Hour,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitSettings {
    pub metric: UnitMetric,
    /// The reviewer's word for a business unit; empty unless the metric is one.
    pub unit_name: String,
    /// Each owner group's count of business units.
    pub counts: Vec<(String, u64)>,
    pub period: Period,
    /// None: UTC.
    pub zone: Option<StatedZone>,
}

impl BudgetText {
    pub(super) fn validate_unit(&self, errors: &mut Vec<Error>) -> UnitSettings {
        let metric = match self.unit_metric.trim() {
            "" => UnitMetric::default(),
            text => UnitMetric::NAMES
                .iter()
                .find(|(name, _)| *name == text)
                .map(|(_, m)| *m)
                .unwrap_or_else(|| {
                    errors.push(Error::field(
                        "budget_review.unit_metric",
                        format!("expected successful_request, 1k_tokens, request or business_unit, but found {}", quote(text)),
                    ));
                    UnitMetric::default()
                }),
        };
        let period = match self.unit_period.trim() {
            "" | "day" => Period::Day,
            "hour" => Period::Hour,
            other => {
                let message = format!("expected day or hour, but found {}", quote(other));
                errors.push(Error::field("budget_review.unit_period", message));
                Period::Day
            }
        };
        let zone = StatedZone::parse(&self.finance_time_zone)
            .map_err(|m| errors.push(Error::field("budget_review.finance_time_zone", m)))
            .ok()
            .flatten();
        let mut counts = Vec::new();
        for (i, unit) in self.business_units.iter().enumerate() {
            let path = |key: &str| format!("budget_review.business_units[{i}].{key}");
            let owner = unit.owner.trim();
            if owner.is_empty() {
                let message =
                    "expected the owner group these units are counted for, but found nothing";
                errors.push(Error::field(&path("owner"), message));
            }
            match parse_count(&unit.count) {
                Ok(count) if !owner.is_empty() => counts.push((owner.to_string(), count)),
                Ok(_) => {}
                Err(message) => errors.push(Error::field(&path("count"), message)),
            }
        }
        let unit_name = self.business_unit.trim().to_string();
        if metric == UnitMetric::BusinessUnit {
            if unit_name.is_empty() {
                let message =
                    "expected what a business unit is (a workflow step, a seat), but found nothing";
                errors.push(Error::field("budget_review.business_unit", message));
            }
            if self.business_units.is_empty() {
                let message = "expected a count of business units for at least one owner group, but found none";
                errors.push(Error::field("budget_review.business_units", message));
            }
        }
        UnitSettings {
            metric,
            unit_name,
            counts,
            period,
            zone,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::UnitCountText;
    use super::*;

    #[test]
    fn problems_are_named_by_path() {
        type Edit = fn(&mut BudgetText);
        let cases: [(Edit, &str); 6] = [
            (|b| b.unit_metric = "per_seat".into(), "budget_review.unit_metric: expected successful_request, 1k_tokens, request or business_unit, but found \"per_seat\""),
            (|b| b.unit_period = "week".into(), "budget_review.unit_period: expected day or hour, but found \"week\""),
            (|b| b.finance_time_zone = "Shanghai".into(), "budget_review.finance_time_zone: expected a UTC offset such as +08:00 or a time zone such as Asia/Shanghai, but found \"Shanghai\""),
            (|b| b.business_units = vec![UnitCountText { owner: "a".into(), count: "1.5".into() }], "budget_review.business_units[0].count: expected a whole number, but found \"1.5\""),
            (|b| b.business_units = vec![UnitCountText { owner: " ".into(), count: "3".into() }], "budget_review.business_units[0].owner: expected the owner group these units are counted for, but found nothing"),
            (|b| { b.unit_metric = "business_unit".into(); b.business_unit = "seat".into(); }, "budget_review.business_units: expected a count of business units for at least one owner group, but found none"),
        ];
        for (edit, want) in cases {
            let mut text = BudgetText::default();
            edit(&mut text);
            assert_eq!(crate::settings::budget::problems(&text), [want]);
        }
    }

    #[test]
    fn a_valid_unit_section_reads() {
        let text = BudgetText {
            unit_metric: "business_unit".into(),
            business_unit: " seat ".into(),
            business_units: vec![UnitCountText {
                owner: "search".into(),
                count: "4".into(),
            }],
            unit_period: "hour".into(),
            finance_time_zone: "+08:00".into(),
            ..BudgetText::default()
        };
        let unit = text.validate().unwrap().unit;
        assert_eq!(
            (unit.metric, unit.unit_name.as_str(), unit.period),
            (UnitMetric::BusinessUnit, "seat", Period::Hour)
        );
        assert_eq!(unit.counts, [("search".to_string(), 4)]);
        assert_eq!(
            unit.zone.map(StatedZone::to_text).as_deref(),
            Some("+08:00")
        );
        assert_eq!(
            BudgetText::default().validate().unwrap().unit,
            UnitSettings::default()
        );
    }
}
