//! The `budget_review` section validated into exact values, each problem named by its
//! path in the settings document.

use rust_decimal::Decimal;

use super::BudgetText;
use crate::decimal::{parse_exact, quote};
use crate::error::Error;
use crate::ingest::{label_hash, LabelField, Stream};

/// The evidence field a mapping rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchField {
    Label(LabelField),
    /// Any of the row's tags.
    Tag,
    /// The model as logged, or as the rate card names it.
    Model,
}

impl MatchField {
    pub const NAMES: [(&'static str, MatchField); 8] = [
        ("token", MatchField::Label(LabelField::Key)),
        ("group", MatchField::Label(LabelField::Group)),
        ("tag", MatchField::Tag),
        ("project", MatchField::Label(LabelField::Project)),
        ("environment", MatchField::Label(LabelField::Environment)),
        ("tenant", MatchField::Label(LabelField::Tenant)),
        ("route", MatchField::Label(LabelField::Route)),
        ("model", MatchField::Model),
    ];

    pub fn parse(text: &str) -> Result<MatchField, String> {
        let word = text.trim().to_ascii_lowercase();
        let word = match word.as_str() {
            "key" | "api_key" | "token_name" => "token",
            other => other,
        };
        MatchField::NAMES
            .iter()
            .find(|(name, _)| *name == word)
            .map(|(_, field)| *field)
            .ok_or_else(|| {
                format!(
                    "expected token, group, tag, project, environment, tenant, route or model, but found {}",
                    quote(text.trim())
                )
            })
    }

    pub fn name(self) -> &'static str {
        MatchField::NAMES
            .iter()
            .find(|(_, field)| *field == self)
            .map_or("", |(name, _)| name)
    }
}

/// One mapping rule: rows whose `field` holds `value` get what the rule gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationRule {
    pub field: MatchField,
    /// The value as the reviewer typed it, trimmed: shown in place of the hash when a
    /// row is named by it (it is the reviewer's own text, sanitized on the way out).
    pub value: String,
    /// [`label_hash`] of the value.
    pub hash: u64,
    pub owner: Option<String>,
    pub environment: Option<String>,
    pub request_class: Option<String>,
    pub budget_bucket: Option<String>,
}

/// What happens to spend no rule gives an owner.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SharedCost {
    /// It stays unallocated, shown as such.
    #[default]
    Unallocated,
    /// It is split between owners by the stated percentages (adding up to 100).
    Proportional(Vec<(String, Decimal)>),
}

/// The section after validation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidBudget {
    /// The stream to read; None: the one the reconciliation prices.
    pub stream: Option<Stream>,
    pub rules: Vec<AllocationRule>,
    pub shared: SharedCost,
    pub unit: super::UnitSettings,
    pub budgets: Vec<super::BucketBudget>,
    /// The reference period of the baseline; None while none is marked.
    pub reference: Option<crate::ingest::Window>,
    /// The planned window; None while none is typed.
    pub plan: Option<super::Plan>,
}

fn given(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl BudgetText {
    pub fn validate(&self) -> Result<ValidBudget, Vec<Error>> {
        let mut errors = Vec::new();
        let stream = match self.stream.trim() {
            "" => None,
            "gateway_log" => Some(Stream::GatewayLog),
            "client_requests" => Some(Stream::ClientRequests),
            "provider_usage" => Some(Stream::ProviderUsage),
            other => {
                errors.push(Error::field(
                    "budget_review.stream",
                    format!("expected gateway_log, client_requests or provider_usage (or nothing, for the stream the reconciliation prices), but found {}", quote(other)),
                ));
                None
            }
        };
        let mut rules = Vec::new();
        for (i, rule) in self.mapping.iter().enumerate() {
            let path = |key: &str| format!("budget_review.mapping[{i}]{key}");
            let field = MatchField::parse(&rule.field)
                .map_err(|m| errors.push(Error::field(&path(".field"), m)))
                .ok();
            if rule.value.trim().is_empty() {
                errors.push(Error::field(
                    &path(".value"),
                    "expected the value the field holds, but found nothing",
                ));
            }
            let gives = [
                &rule.owner,
                &rule.environment,
                &rule.request_class,
                &rule.budget_bucket,
            ];
            if gives.iter().all(|g| g.trim().is_empty()) {
                errors.push(Error::field(
                    &path(""),
                    "expected an owner, environment, request class or budget bucket to allocate to, but found none",
                ));
            }
            if let Some(field) = field {
                rules.push(AllocationRule {
                    field,
                    value: rule.value.trim().to_string(),
                    hash: label_hash(&rule.value),
                    owner: given(&rule.owner),
                    environment: given(&rule.environment),
                    request_class: given(&rule.request_class),
                    budget_bucket: given(&rule.budget_bucket),
                });
            }
        }
        let shared = self.validate_shared(&mut errors);
        let unit = self.validate_unit(&mut errors);
        let budgets = self.validate_budgets(&mut errors);
        let reference = self.validate_reference(unit.zone, &mut errors);
        let plan = self.validate_plan(unit.zone, &mut errors);
        self.validate_yes_no(&mut errors);
        for (i, row) in self.review_log.iter().enumerate() {
            for (column, message) in row.admit().err().unwrap_or_default() {
                let path = format!("budget_review.review_log[{i}].{column}");
                errors.push(Error::field(&path, message));
            }
        }
        if errors.is_empty() {
            Ok(ValidBudget {
                stream,
                rules,
                shared,
                unit,
                budgets,
                reference,
                plan,
            })
        } else {
            Err(errors)
        }
    }

    fn validate_shared(&self, errors: &mut Vec<Error>) -> SharedCost {
        let text = &self.shared_cost;
        match text.rule.trim() {
            "" | "unallocated" => return SharedCost::Unallocated,
            "proportional" => {}
            other => {
                errors.push(Error::field(
                    "budget_review.shared_cost.rule",
                    format!(
                        "expected unallocated or proportional, but found {}",
                        quote(other)
                    ),
                ));
                return SharedCost::Unallocated;
            }
        }
        let mut shares = Vec::new();
        let mut total = Decimal::ZERO;
        for (i, share) in text.shares.iter().enumerate() {
            let path = |key: &str| format!("budget_review.shared_cost.shares[{i}].{key}");
            let owner = given(&share.owner);
            if owner.is_none() {
                errors.push(Error::field(
                    &path("owner"),
                    "expected the owner that takes this share, but found nothing",
                ));
            }
            let percent = parse_exact(&share.percent).and_then(|p| {
                if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED {
                    Err(format!(
                        "expected a percentage above 0 and at most 100, but found {}",
                        quote(share.percent.trim())
                    ))
                } else {
                    Ok(p)
                }
            });
            match (owner, percent) {
                (Some(owner), Ok(percent)) => {
                    total += percent;
                    shares.push((owner, percent));
                }
                (_, Err(message)) => errors.push(Error::field(&path("percent"), message)),
                (None, Ok(_)) => {}
            }
        }
        if shares.len() == text.shares.len() && total != Decimal::ONE_HUNDRED {
            errors.push(Error::field(
                "budget_review.shared_cost.shares",
                format!(
                    "expected percentages that add up to 100, but found {}",
                    crate::decimal::format(total)
                ),
            ));
        }
        SharedCost::Proportional(shares)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AllocationRuleText, ShareText, SharedCostText};
    use super::*;

    fn rule(field: &str, value: &str, owner: &str) -> AllocationRuleText {
        AllocationRuleText {
            field: field.into(),
            value: value.into(),
            owner: owner.into(),
            ..AllocationRuleText::default()
        }
    }

    fn shares(rule: &str, shares: &[(&str, &str)]) -> SharedCostText {
        SharedCostText {
            rule: rule.into(),
            shares: shares
                .iter()
                .map(|(owner, percent)| ShareText {
                    owner: owner.to_string(),
                    percent: percent.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn problems_are_named_by_path() {
        type Edit = fn(&mut BudgetText);
        let cases: [(Edit, &str); 8] = [
            (|b| b.stream = "billing".into(), "budget_review.stream: expected gateway_log, client_requests or provider_usage (or nothing, for the stream the reconciliation prices), but found \"billing\""),
            (|b| b.mapping = vec![rule("colour", "x", "a")], "budget_review.mapping[0].field: expected token, group, tag, project, environment, tenant, route or model, but found \"colour\""),
            (|b| b.mapping = vec![rule("token", " ", "a")], "budget_review.mapping[0].value: expected the value the field holds, but found nothing"),
            (|b| b.mapping = vec![rule("token", "k", "")], "budget_review.mapping[0]: expected an owner, environment, request class or budget bucket to allocate to, but found none"),
            (|b| b.shared_cost = shares("spread", &[]), "budget_review.shared_cost.rule: expected unallocated or proportional, but found \"spread\""),
            (|b| b.shared_cost = shares("proportional", &[("a", "60"), ("b", "30")]), "budget_review.shared_cost.shares: expected percentages that add up to 100, but found 90"),
            (|b| b.shared_cost = shares("proportional", &[("a", "0"), ("b", "100")]), "budget_review.shared_cost.shares[0].percent: expected a percentage above 0 and at most 100, but found \"0\""),
            (|b| b.shared_cost = shares("proportional", &[("", "100")]), "budget_review.shared_cost.shares[0].owner: expected the owner that takes this share, but found nothing"),
        ];
        for (edit, want) in cases {
            let mut text = BudgetText::default();
            edit(&mut text);
            assert_eq!(crate::settings::budget::problems(&text), [want]);
        }
    }

    #[test]
    fn a_valid_section_reads_into_exact_values() {
        let text = BudgetText {
            stream: "client_requests".into(),
            mapping: vec![
                rule("Key", " Prod-Search ", "search"),
                rule("model", "gpt-4o", "x"),
            ],
            shared_cost: shares("proportional", &[("search", "62.5"), ("ads", "37.5")]),
            ..BudgetText::default()
        };
        let valid = text.validate().unwrap();
        assert_eq!(valid.stream, Some(Stream::ClientRequests));
        assert_eq!(valid.rules[0].field, MatchField::Label(LabelField::Key));
        assert_eq!(valid.rules[0].value, "Prod-Search");
        assert_eq!(valid.rules[0].hash, label_hash("prod-search"));
        assert_eq!(valid.rules[0].environment, None);
        assert_eq!(valid.rules[1].field.name(), "model");
        let split = SharedCost::Proportional(vec![
            ("search".into(), "62.5".parse().unwrap()),
            ("ads".into(), "37.5".parse().unwrap()),
        ]);
        assert_eq!(valid.shared, split);
        assert_eq!(BudgetText::default().validate(), Ok(ValidBudget::default()));
    }
}
