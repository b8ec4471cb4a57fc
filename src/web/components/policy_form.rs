//! Outcome policy, rounding rule, quota rounding, currency and FX.

use yew::prelude::*;

use super::fields::{error_at, SelectField, TextField};
use crate::error::Error;
use crate::policy::{outcome_name, Billability, Outcome, Policy};
use crate::settings::{Settings, SettingsEdit, SettingsField};

/// A choice among settings values, each shown in words; `""` is the default.
fn choice(
    label: &'static str,
    testid: String,
    current: &str,
    options: &[(&str, &str)],
    error: Option<AttrValue>,
    on_change: Callback<String>,
) -> Html {
    let options = options
        .iter()
        .map(|(value, words)| (value.to_string(), words.to_string()))
        .collect::<Vec<_>>();
    let value = AttrValue::from(current.trim().to_ascii_lowercase());
    html! {
        <SelectField label={label} testid={testid} {value} {options} {error} {on_change} />
    }
}

/// What each billability reads as on the page.
fn billability_words(b: Billability) -> &'static str {
    match b {
        Billability::Billable => "Billable",
        Billability::NotBillable => "Not billable (excluded and counted)",
        Billability::Unknown => "Unknown (priced as at risk, beside the expected charge)",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "Success",
        Outcome::CancelledStream => "Cancelled stream",
        Outcome::ClientError4xx => "4xx client error",
        Outcome::RateLimited429 => "429 rate limited",
        Outcome::ServerError5xx => "5xx server error",
        Outcome::ClientTimeout => "Client timeout",
        Outcome::RetryAttempt => "Retry attempt",
        Outcome::FailedUnspecified => "Failed (unspecified)",
    }
}

#[derive(Properties, PartialEq)]
pub struct PolicyProps {
    pub settings: Settings,
    /// The settings' problems; each shows beside its field.
    #[prop_or_default]
    pub errors: Vec<Error>,
    pub on_edit: Callback<SettingsEdit>,
}

#[function_component(PolicyForm)]
pub fn policy_form(props: &PolicyProps) -> Html {
    let s = &props.settings;
    let edit = |field: SettingsField| {
        props
            .on_edit
            .reform(move |value: String| SettingsEdit::Field(field, value))
    };
    let e = |path: &str| error_at(&props.errors, path);
    let mut policy = s.outcome_policy.clone();
    let outcomes = Outcome::ALL.into_iter().map(|outcome| {
        let on_change = props
            .on_edit
            .reform(move |value: String| SettingsEdit::Policy(outcome, value));
        // An empty choice is the policy's default for the outcome.
        let default = format!(
            "Default: {}",
            billability_words(Policy::default().of(outcome))
        );
        let current = policy.slot(outcome).clone();
        let options: Vec<(&str, &str)> = std::iter::once(("", default.as_str()))
            .chain(Billability::ALL.map(|b| (b.name(), billability_words(b))))
            .collect();
        choice(
            outcome_label(outcome),
            format!("policy-{}", outcome_name(outcome).replace('_', "-")),
            &current,
            &options,
            e(&format!("outcome_policy.{}", outcome_name(outcome))),
            on_change,
        )
    });
    html! {
        <>
            <h3>{ "Which outcomes are billable" }</h3>
            <p class="hint">{ "Unknown outcomes are priced as an at-risk range beside the expected charge, not inside it. Not billable ones are excluded and counted." }</p>
            <div class="grid">{ for outcomes }</div>
            <h3>{ "Rounding and currency" }</h3>
            <div class="grid">
                { choice("Rounding (only if documented)", "rounding-scope".into(), &s.rounding.scope,
                    &[("", "None: amounts stay exact"), ("per_row", "Each request's amount"), ("per_line", "Each charge line"), ("per_total", "The total only")],
                    e("rounding.scope"), edit(SettingsField::RoundingScope)) }
                <TextField label="Rounding decimals" testid="rounding-decimals" value={s.rounding.decimals.clone()}
                    error={e("rounding.decimals")} on_input={edit(SettingsField::RoundingDecimals)} />
                { choice("Rounding strategy", "rounding-strategy".into(), &s.rounding.strategy,
                    &[("", "(choose)"), ("half_up", "Half up (0.125 → 0.13)"), ("half_even", "Half even, banker's (0.125 → 0.12)"), ("half_down", "Half down (0.125 → 0.12)"), ("down", "Down, toward zero"), ("up", "Up, away from zero")],
                    e("rounding.strategy"), edit(SettingsField::RoundingStrategy)) }
                <TextField label="Where the rounding rule is documented" testid="rounding-source-url"
                    error={e("rounding.source_url")}
                    value={s.rounding.source_url.clone()} on_input={edit(SettingsField::RoundingSourceUrl)} />
                { choice("Gateway quota rounding (for the consistency check)", "quota-rounding".into(), &s.quota_rounding,
                    &[("", "Default: round half up"), ("round", "Round half up"), ("truncate", "Truncate"), ("ceil", "Round up")],
                    e("quota_rounding"), edit(SettingsField::QuotaRounding)) }
                <TextField label="Billing currency" testid="billing-currency" placeholder="USD"
                    error={e("billing_currency")}
                    value={s.billing_currency.clone()} on_input={edit(SettingsField::BillingCurrency)} />
                <TextField label="FX rate (1 rate-card unit = ? billing units)" testid="fx-rate"
                    error={e("fx.rate")}
                    value={s.fx.rate.clone()} on_input={edit(SettingsField::FxRate)} />
                <TextField label="FX source URL" testid="fx-source-url" value={s.fx.source_url.clone()}
                    error={e("fx.source_url")} on_input={edit(SettingsField::FxSourceUrl)} />
                <TextField label="FX captured at (UTC)" testid="fx-captured-at" value={s.fx.captured_at.clone()}
                    error={e("fx.captured_at")} on_input={edit(SettingsField::FxCapturedAt)} />
            </div>
        </>
    }
}
